"""Small in-memory hubs for the SEO unit tests."""

from __future__ import annotations

from pathlib import Path

from carepress.model.project import Project
from carepress.model.schema import SiteAudience
from carepress.model.site import Site, load_site
from carepress.seo.analysis import Assessment, registered_assessments, site_facts
from tests.conftest import REPO, front_matter

SITE_URL = "https://patients.example.org/"


def make_site(tmp_path: Path, pages: dict[str, tuple[dict, str]], language: str = "fr") -> Site:
    """`pages`: src_uri -> (front-matter overrides, Markdown body)."""
    content = tmp_path / "content"
    for src_uri, (fields, body) in pages.items():
        file = content / src_uri
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(front_matter(**fields) + "\n" + body, encoding="utf-8")
    project = Project(root=tmp_path, content_dir=content, registry_dir=REPO / "site_config", site_url=SITE_URL,
                      language=language)
    return load_site(project)


def score(site: Site, code: str, src_uri: str, audience: SiteAudience | None = SiteAudience.PATIENT) -> Assessment | None:
    facts = site_facts(site)
    scorer = next(registered.score for registered in registered_assessments() if registered.code == code)
    return scorer(facts.pages[src_uri], facts.audience(audience))
