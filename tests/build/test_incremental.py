"""The preview's incremental rebuild: one edited article is redone alone, and never wrongly."""

from __future__ import annotations

import json
import re

import pytest

from benchmarks.generator import generate, reapprove
from tests.conftest import TODAY

pytestmark = pytest.mark.build


@pytest.fixture(params=["build"])
def session(request, tmp_path, monkeypatch):
    from mkdocs.config import load_config

    from carepress.build.incremental import Session

    monkeypatch.setenv("CAREPRESS_TODAY", TODAY)
    if request.param.startswith("preview"):
        monkeypatch.setenv("CAREPRESS_PREVIEW", "1")  # as `carepress serve` sets it
    hub = generate(tmp_path / "hub", 12)
    if request.param == "preview without mentions":  # a broken theme: every page has CP500/CP501 from its HTML
        (hub / "theme" / "partials" / "carepress" / "mentions.html").write_text("", encoding="utf-8")
    monkeypatch.chdir(hub)
    config = load_config(str(hub / "site_config" / "patient.yml"), site_dir=str(tmp_path / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)
    made = Session(config, jobs=2)
    made.full()
    made.hub, made.site = hub, tmp_path / "preview"
    yield made
    config.plugins.on_shutdown()


def banner(html: str) -> str:
    """The preview banner of a page ('' without one)."""
    start = html.find('<div class="admonition')
    return html[start:html.index("</div>", start)] if 'cp-preview-banner' in html[start:start + 200] else ""


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
    other = session.site / "diabete-type-2" / "dossier-01" / "theme-001" / "fiche-00001" / "index.html"  # no link to it
    other_before = other.stat().st_mtime_ns
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "## Point 1", "## Point 1 révisé", approve=False)
    assert session.rebuild([article]) == "pages"
    html = (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002" / "index.html").read_text()
    assert "Point 1 révisé" in html
    assert 'data-cp-preview="approved changed"' in banner(html) and "<strong>CP203</strong>" in banner(html)
    assert "non publiée par le build" in banner(html)
    assert other.stat().st_mtime_ns == other_before


@pytest.mark.parametrize("session", ["preview"], indirect=True)
def test_in_the_preview_pages_linking_to_a_page_the_build_no_longer_publishes_show_it_in_their_banner(session):
    neighbour = session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00005" / "index.html"  # links to fiche-00002
    assert "CP401" not in banner(neighbour.read_text())
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "## Point 1", "## Point 1 révisé", approve=False)
    assert session.rebuild([article]) == "pages"
    shown = banner(neighbour.read_text())
    assert "<strong>CP401</strong>" in shown and "fiche-00002.md" in shown
    reapprove(article)  # approved again: the link is fine again
    assert session.rebuild([article]) == "pages"
    assert "CP401" not in banner(neighbour.read_text())


@pytest.mark.parametrize("session", ["preview"], indirect=True)
@pytest.mark.parametrize("change", ["unapproved body", "unapproved translation", "unapproved canonical", "same keyword as a neighbour",
                                    "link to an orphan"])
def test_in_the_preview_a_rebuilt_page_and_its_dependents_match_a_full_build(session, change, tmp_path):
    from mkdocs.config import load_config

    from carepress.build.incremental import Session

    folder = session.hub / "content" / "asthme" / "dossier-01" / "theme-001"
    rel = "asthme/dossier-01/theme-001/fiche-00002.md"
    if change == "unapproved body":  # the pages linking to it gain CP401
        article = edit(session, rel, "## Point 1", "## Point 1 révisé", approve=False)
    elif change == "unapproved translation":  # the page naming it as its translation loses that alternate link
        translated = edit(session, "diabete-type-2/dossier-01/theme-001/fiche-00001.md", "audience:", f"translations: {{en: {rel}}}\naudience:")
        assert session.rebuild([translated]) == "pages"
        assert 'hreflang="en"' in (session.site / "diabete-type-2" / "dossier-01" / "theme-001" / "fiche-00001" / "index.html").read_text()
        article = edit(session, rel, "## Point 1", "## Point 1 révisé", approve=False)
    elif change == "unapproved canonical":  # the page naming it as its canonical names its own address again
        naming = edit(session, "diabete-type-2/dossier-01/theme-001/fiche-00001.md", "audience:",
                      "canonical: asthme/dossier-01/theme-001/fiche-00002/\naudience:")
        assert session.rebuild([naming]) == "pages"
        page = (session.site / "diabete-type-2" / "dossier-01" / "theme-001" / "fiche-00001" / "index.html").read_text()
        assert re.search(r'<link rel="canonical" href="[^"]*/fiche-00002/"', page)
        article = edit(session, rel, "## Point 1", "## Point 1 révisé", approve=False)
    elif change == "same keyword as a neighbour":  # both pages gain SE210 (cannibalisation)
        neighbour = re.search(r"primary: .*", (folder / "fiche-00005.md").read_text(encoding="utf-8")).group(0)
        article = folder / "fiche-00002.md"
        article.write_text(re.sub(r"primary: .*", lambda _: neighbour, article.read_text(encoding="utf-8"), count=1), encoding="utf-8")
        reapprove(article)
    else:  # the section's page, linked from no page, is an orphan (SE304) no more
        article = edit(session, rel, "### À lire aussi\n", "### À lire aussi\n\n- [Le thème](index.md)\n")
    assert session.rebuild([article]) == "pages"
    config = load_config(str(session.hub / "site_config" / "patient.yml"), site_dir=str(tmp_path / "full"))
    Session(config, jobs=1).full()
    incremental = {p.relative_to(session.site): p.read_text() for p in session.site.rglob("*.html")}
    full = {p.relative_to(tmp_path / "full"): p.read_text() for p in (tmp_path / "full").rglob("*.html")}
    assert incremental.keys() == full.keys()
    assert [path for path in full if incremental[path] != full[path]] == []


@pytest.mark.parametrize("session", ["preview"], indirect=True)
def test_in_the_preview_a_page_moved_to_the_other_audience_leaves_with_a_full_build(session):
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "audience: patient", "audience: hcp", approve=False)
    assert "audience: hcp" in article.read_text(encoding="utf-8")
    assert session.rebuild([article]) == "full"
    assert not (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002").exists()


@pytest.mark.parametrize("session", ["preview"], indirect=True)
def test_in_the_preview_a_page_naming_a_template_that_renders_no_page_leaves_with_a_full_build(session):
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "audience: patient", "template: blog.html\naudience: patient")
    assert "template: blog.html" in article.read_text(encoding="utf-8")
    assert session.rebuild([article]) == "full"  # CP113 is decided where the pages are collected
    assert not (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002").exists()


@pytest.mark.parametrize("session", ["preview"], indirect=True)
def test_a_new_section_title_rebuilds_every_page(session):
    index = edit(session, "asthme/dossier-01/index.md", "title:", "nav_title: Dossier de l'asthme\ntitle:")
    assert session.rebuild([index]) == "full"
    assert "Dossier de l'asthme" in (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00005" / "index.html").read_text()


def test_temporary_and_hidden_files_of_an_editor_are_no_change(session):
    folder = session.hub / "content" / "asthme" / "dossier-01" / "theme-001"
    swap = folder / ".fiche-00002.md.swp"
    swap.write_bytes(b"vim")
    assert session.rebuild([swap]) == "none"
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "## Point 1", "## Point 1 révisé")
    # an atomic save: the text written to a temporary file, then renamed over the article
    assert session.rebuild([folder / "fiche-00002.md.tmp1234", article]) == "pages"
    assert "Point 1 révisé" in (session.site / "asthme" / "dossier-01" / "theme-001" / "fiche-00002" / "index.html").read_text()


@pytest.mark.parametrize("session", ["preview without mentions"], indirect=True)
def test_a_page_rendered_again_keeps_one_finding_per_mention_missing_from_its_html(session):
    from carepress.compliance.plugin import build_state

    section = "asthme/dossier-01/theme-001/index.md"  # an orphan (SE304) until a page links to it

    def findings():
        return [f.code for f in build_state(session.built.config).verdicts[section].findings]

    assert "SE304" in findings() and findings().count("CP501") == 1
    article = edit(session, "asthme/dossier-01/theme-001/fiche-00002.md", "### À lire aussi\n",
                   "### À lire aussi\n\n- [Le thème](index.md)\n")
    assert session.rebuild([article]) == "pages"
    assert "SE304" not in findings()  # rendered again, its HTML checked again
    assert findings().count("CP500") == 1 and findings().count("CP501") == 1
