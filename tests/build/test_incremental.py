"""The preview's incremental rebuild: one edited article is redone alone, and never wrongly."""

from __future__ import annotations

import json

import pytest

from benchmarks.generator import generate, reapprove
from tests.conftest import TODAY

pytestmark = pytest.mark.build


@pytest.fixture(params=["build"])
def session(request, tmp_path, monkeypatch):
    from mkdocs.config import load_config

    from carepress.build.incremental import Session

    monkeypatch.setenv("CAREPRESS_TODAY", TODAY)
    if request.param == "preview":
        monkeypatch.setenv("CAREPRESS_PREVIEW", "1")  # as `carepress serve` sets it
    hub = generate(tmp_path / "hub", 12)
    monkeypatch.chdir(hub)
    config = load_config(str(hub / "site_config" / "patient.yml"), site_dir=str(tmp_path / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)
    made = Session(config, jobs=2)
    made.full()
    made.hub, made.site = hub, tmp_path / "preview"
    yield made
    config.plugins.on_shutdown()


def edit(session, rel: str, old: str, new: str, approve: bool = True):
    """An edit; approved again unless asked (an unapproved edit voids the approval: CP203)."""
    article = session.hub / "content" / rel
    article.write_text(article.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    if approve:
        reapprove(article)
    return article


def test_an_edited_body_rebuilds_that_page_only(session):
    other = session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00005" / "index.html"
    other_before = other.stat().st_mtime_ns
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "## Point 1", "## Point 1 révisé")
    assert session.rebuild([article]) == "pages"
    assert "Point 1 révisé" in (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002" / "index.html").read_text()
    index = json.loads((session.site / "search" / "search_index.json").read_text())
    assert any("Point 1 révisé" in doc["title"] for doc in index["docs"])
    assert len([doc for doc in index["docs"] if doc["location"] == "asthme/dossier-01/theme-001/fiche-00002/"]) == 1
    assert other.stat().st_mtime_ns == other_before


def test_an_article_that_may_no_longer_be_published_leaves_the_preview(session):
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "status: approved", "status: draft", approve=False)
    assert session.rebuild([article]) == "full"
    assert not (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002").exists()
    assert "fiche-00002" not in (session.site / "search" / "search_index.json").read_text()


def test_a_new_title_rebuilds_every_page_that_shows_it(session):
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "repère n° 2", "Nouveau titre")
    assert session.rebuild([article]) == "full"
    neighbour = (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00005" / "index.html").read_text()
    assert "Nouveau titre" in neighbour  # the navigation of the section shows it


def test_a_new_file_needs_a_full_build(session):
    new = session.hub / "content" / "asthme" / "dossier-01" / "theme-001" / "fiche-99999.md"
    new.write_text((session.hub / "content" / "asthme" / "dossier-01" / "theme-001" / "fiche-00002.md").read_text(encoding="utf-8")
                   .replace("repère n° 2", "repère n° 99999"), encoding="utf-8")
    reapprove(new)  # its title changed: approved as a page of its own
    assert session.rebuild([new]) == "full"
    assert (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-99999" / "index.html").is_file()


@pytest.mark.parametrize("session", ["preview"], indirect=True)
def test_in_the_preview_an_edit_that_voids_the_approval_rebuilds_that_page_with_its_banner(session):
    other = session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00005" / "index.html"
    other_before = other.stat().st_mtime_ns
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "## Point 1", "## Point 1 révisé", approve=False)
    assert session.rebuild([article]) == "pages"
    html = (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002" / "index.html").read_text()
    assert "Point 1 révisé" in html and "CP203" in html and "cp-preview-banner" in html
    assert other.stat().st_mtime_ns == other_before


@pytest.mark.parametrize("session", ["preview"], indirect=True)
def test_in_the_preview_a_page_moved_to_the_other_audience_leaves_with_a_full_build(session):
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "audience: patient", "audience: hcp", approve=False)
    assert "audience: hcp" in article.read_text(encoding="utf-8")
    assert session.rebuild([article]) == "full"
    assert not (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002").exists()
