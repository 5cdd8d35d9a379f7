"""The demo hub in content/: only the deliberately broken pages give findings, and the expected ones."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
import yaml

from carepress.compliance.engine import evaluate
from carepress.compliance.preview import preview_status
from carepress.model.schema import SiteAudience
from carepress.model.site import load_site
from carepress.settings import load_project
from tests.conftest import REPO

pytestmark = pytest.mark.build

EXPECTED = yaml.safe_load((REPO / "tests" / "demo_expectations.yml").read_text(encoding="utf-8"))
TODAY = EXPECTED["today"]


def test_check_gives_exactly_the_expected_findings():
    # Compliance findings: exactly the deliberately broken pages'. SEO advice is the SEO report's
    # business (tests/unit/test_seo_report.py); here it only must not block anything.
    result = subprocess.run([sys.executable, "-m", "carepress", "check", "--today", str(TODAY), "--format", "json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout)
    found: dict[str, list[str]] = {}
    for finding in report["findings"]:
        if finding["code"].startswith("SE"):
            assert finding["severity"] != "error", finding
            continue
        found.setdefault(finding["path"], []).append(finding["code"])
    expected = {path: sorted(page["findings"]) for path, page in EXPECTED["pages"].items() if page["findings"]}
    assert {path: sorted(codes) for path, codes in found.items()} == expected
    assert result.returncode == (1 if expected else 0)


def test_each_broken_page_shows_its_workflow_state():
    project, _ = load_project(REPO / "mkdocs.yml", str(TODAY))
    site = load_site(project)
    verdicts = evaluate(site, SiteAudience.PATIENT)
    for path, page in EXPECTED["pages"].items():
        src_uri = path.removeprefix("content/")
        status = preview_status(verdicts[src_uri], site.articles.get(src_uri), dt.date.fromisoformat(str(TODAY)))
        assert status.states == page["states"], path


def test_the_demo_hub_is_large_enough_and_covers_every_persona_and_stage():
    project, _ = load_project(REPO / "mkdocs.yml", str(TODAY))
    site = load_site(project)
    broken = {path.removeprefix("content/") for path in EXPECTED["pages"]}
    articles = [a for uri, a in site.articles.items() if uri not in broken]
    assert len(articles) >= 30
    cells = {(persona, a.meta.funnel_stage.value) for a in articles for persona in a.meta.persona}
    for persona in site.personas.values():
        stages = {stage for p, stage in cells if p == persona.id}
        if persona.id != "adulte-conseil-pharmacie":  # the OTC product page's reader: one page
            assert len(stages) >= 2, persona.id
    assert {stage for _, stage in cells} == {"attract", "convert", "close", "delight"}
    translated = [a for a in articles if a.meta.lang == "en"]
    assert len(translated) >= 3
    for article in translated:  # translations point at each other
        original = site.articles[article.meta.translations["fr"]]
        assert original.meta.translations["en"] == article.src_uri


@pytest.mark.parametrize("audience", ["patient", "hcp"])
def test_the_demo_builds_and_each_site_has_its_own_home(tmp_path, audience):
    result = subprocess.run([sys.executable, "-m", "carepress", "build", "--audience", audience, "--today", str(TODAY),
                             "--site-dir", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "not found among documentation files" not in result.stderr  # no link to a page this site lacks
    home = (tmp_path / audience / "index.html").read_text(encoding="utf-8")
    heading = "Espace professionnels de santé" if audience == "hcp" else "Vivre avec une maladie chronique"
    assert f">{heading}" in home
    assert "cp-preview-banner" not in home


def test_disease_awareness_pages_and_their_guides_name_no_product():
    """Until the drug-name rules land, at least the registry's brands and INNs stay off these pages."""
    project, _ = load_project(REPO / "mkdocs.yml", str(TODAY))
    site = load_site(project)
    names = [name.lower() for product in site.products.values() for name in product.names]
    guides = list(project.content_dir.rglob("*.txt"))
    pages = [(a.path, a.text) for a in site.articles.values() if a.meta.content_type.value == "disease_awareness"]
    assert guides and pages
    for path, text in [*pages, *((p.name, p.read_text(encoding="utf-8")) for p in guides)]:
        assert not [name for name in names if name in text.lower()], path
