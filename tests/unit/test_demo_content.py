"""The demo hub in content/: approved through `carepress approve`, and no lexicon false positive."""

from __future__ import annotations

from carepress.compliance.engine import check_all
from carepress.model.site import load_site
from carepress.settings import load_project
from tests.conftest import REPO, TODAY


def test_demo_content_has_no_finding_but_its_draft(monkeypatch):
    monkeypatch.chdir(REPO)
    project, _ = load_project(REPO / "mkdocs.yml", TODAY)
    site = load_site(project)
    findings = [f for f in check_all(site) if f.code != "CP401"]  # the home page lists patient pages on both sites
    assert [(f.path, f.code) for f in findings] == [("content/asthme/controle-au-quotidien.md", "CP200")]
    approved = [a for a in site.articles.values() if a.meta.validation.status.value == "approved"]
    assert approved and all(a.meta.validation.fingerprint for a in approved)
