"""The demo hub in content/: approved through `carepress approve`, and no lexicon false positive."""

from __future__ import annotations

from carepress.compliance.engine import check_all
from carepress.model.site import load_site
from carepress.settings import load_project
from tests.conftest import REPO, TODAY


def test_demo_content_is_fingerprinted_and_free_of_lexicon_hits(monkeypatch):
    # The exact findings of the deliberately broken pages are checked in tests/build/test_demo_hub.py.
    monkeypatch.chdir(REPO)
    project, _ = load_project(REPO / "mkdocs.yml", TODAY)
    site = load_site(project)
    assert [f for f in check_all(site) if f.code.startswith("CP3")] == []
    approved = [a for a in site.articles.values() if a.meta.validation.status.value == "approved"]
    assert len(approved) > 30 and all(a.meta.validation.fingerprint for a in approved)
