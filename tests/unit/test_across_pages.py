"""The rules across pages (SE210, SE302, SE304) look at the pages each site publishes: a draft links
nowhere, rivals no page and is no next step; it is still judged itself."""

from __future__ import annotations

import json

import pytest

from carepress.compliance.engine import all_verdicts, rule
from carepress.model.schema import SiteAudience
from carepress.model.site import load_site
from carepress.report.finding import Severity
from carepress.settings import load_project
from tests.conftest import TODAY

SAME = {"primary": "alimentation diabète type 2"}


def _hub(hub):
    hub.article("dt2/a.md", keywords=SAME, body="# A\n\nTexte.\n")
    hub.article("dt2/brouillon.md", keywords=SAME, funnel_stage="convert", validation={"status": "draft"},
                body="# Brouillon\n\nVoir [C](c.md) et [A](a.md).\n")
    hub.article("dt2/c.md", keywords={"primary": "activité physique asthme adulte"}, body="# C\n\nTexte.\n")
    hub.article("dt2/d.md", keywords={"primary": "sommeil fatigue diabète type 2"}, funnel_stage="close",
                body="# D\n\nVoir [le brouillon](brouillon.md).\n")


def _findings(hub) -> dict[str, dict[str, str]]:
    project, _ = load_project(hub.root / "mkdocs.yml", today=TODAY)
    verdicts = all_verdicts(load_site(project))[SiteAudience.PATIENT]
    return {uri: {f.code: f.message for f in verdict.findings} for uri, verdict in verdicts.items()}


def test_a_draft_links_nowhere_and_rivals_no_page(hub):
    _hub(hub)
    found = _findings(hub)
    assert "CP200" in found["dt2/brouillon.md"]  # not approved: not published
    assert "SE210" not in found["dt2/a.md"]  # its only rival is the draft
    assert "SE304" in found["dt2/c.md"]  # linked from the draft only: an orphan
    assert "SE304" in found["dt2/a.md"]
    # The draft's editor still learns of the published page that targets the same query.
    assert "`dt2/a.md`" in found["dt2/brouillon.md"]["SE210"]
    # D links to another stage of the topic only through the draft: no next step; the draft is not suggested.
    assert "SE302" in found["dt2/d.md"] and "brouillon" not in found["dt2/d.md"]["SE302"]


def test_approving_the_draft_brings_its_links_and_rivalry_back(hub):
    _hub(hub)
    hub.article("dt2/brouillon.md", keywords=SAME, funnel_stage="convert",
                body="# Brouillon\n\nVoir [C](c.md) et [A](a.md).\n")
    found = _findings(hub)
    assert "`dt2/brouillon.md`" in found["dt2/a.md"]["SE210"]
    assert "SE304" not in found["dt2/c.md"] and "SE304" not in found["dt2/a.md"]
    assert "SE302" not in found["dt2/d.md"]


def test_check_and_the_seo_report_agree(hub):
    _hub(hub)
    checked = hub.carepress("check", "--today", TODAY, "--format", "json")
    by_page = {}
    for finding in json.loads(checked.stdout)["findings"]:
        by_page.setdefault(finding["path"], set()).add(finding["code"])
    assert "SE304" in by_page["content/dt2/c.md"] and "SE210" not in by_page.get("content/dt2/a.md", set())
    assert hub.carepress("report", "seo", "--today", TODAY).returncode == 0
    data = json.loads((hub.root / "reports" / "seo" / "seo.json").read_text(encoding="utf-8"))
    scores = {page["src_uri"]: {s["code"]: s["score"] for s in page["scores"]} for page in data["pages"]}
    assert scores["dt2/a.md"]["SE210"] == 9 and scores["dt2/c.md"]["SE304"] < 9
    assert scores["dt2/brouillon.md"]["SE210"] < 9


def test_a_rule_across_pages_cannot_block_a_page():
    with pytest.raises(ValueError, match="cannot block"):
        rule("SE999", Severity.ERROR, "Blocks on what other pages say", per_audience=True, across_pages=True)
