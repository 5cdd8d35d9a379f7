"""Output gates on the built demo: the W3C Nu HTML checker finds no error, and no link inside a site is a 404.

Each gate is also shown to fail on a page that breaks it, so a silent gate cannot pass.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from carepress.hardening.gates import AUDIENCES, broken_links, html_pages, nu_checker, site_url
from tests.conftest import REPO

pytestmark = [pytest.mark.build, pytest.mark.gates]


@pytest.fixture(scope="module", autouse=True)
def java():
    """The Nu checker runs on Java: install Debian's runtime when missing, as `make test` does."""
    if shutil.which("java") is None:
        subprocess.run([str(REPO / "scripts" / "ensure-java")], check=True)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_nu_html_checker_finds_no_error_on_any_page(demo_site, audience):
    pages = html_pages(demo_site / audience)
    assert len(pages) >= 3  # home, 404 and at least one article
    errors = nu_checker(demo_site / audience)
    assert errors == [], "\n".join(map(str, errors))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_internal_link_and_asset_resolves(demo_site, audience):
    errors = broken_links(demo_site / audience, site_url(audience))
    assert errors == [], "\n".join(map(str, errors))


def test_nu_html_checker_reports_invalid_markup(tmp_path):
    (tmp_path / "index.html").write_text('<!doctype html><html lang="fr"><head><title>x</title></head>'
                                         '<body><p><div>bloc</div></p><input type="checkbox" autocomplete="off">'
                                         "<label tabindex=\"\">x</label></body></html>")
    messages = " | ".join(error.message for error in nu_checker(tmp_path))
    assert "autocomplete" in messages and "tabindex" in messages


def test_link_checker_reports_each_dead_link_and_nothing_else(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("ok")
    (tmp_path / "style.css").write_text("")
    (tmp_path / "sitemap.xml").write_text("<urlset><url><loc>https://x.example/a/</loc></url>"
                                          "<url><loc>https://x.example/old/</loc></url></urlset>")
    (tmp_path / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="style.css"><link rel="canonical" href="https://x.example/a/">'
        '<script src="missing.js"></script></head><body id="top">'
        '<a href="a/">ok</a><a href="/a/index.html">ok</a><a href="#top">ok</a><a href="https://other.example/">ok</a>'
        '<a href="mailto:x@example.org">ok</a><a href="b/">dead</a><img src="img/none.png"><a href="#nowhere">dead</a>'
        '<a href="../../etc/passwd">out</a><a href="https://x.example/gone/">dead</a></body></html>')
    errors = [error.message for error in broken_links(tmp_path, "https://x.example/")]
    assert sorted(errors) == sorted([
        '<script src="missing.js">: not found (404)',
        '<a href="b/">: not found (404)',
        '<img src="img/none.png">: not found (404)',
        "<a href=\"#nowhere\">: no element with id 'nowhere' on this page",
        '<a href="../../etc/passwd">: points above the site\'s root',
        '<a href="https://x.example/gone/">: not found (404)',
        "<loc>https://x.example/old/</loc>: not found (404)",
    ])
