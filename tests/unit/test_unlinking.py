"""Links to pages the site leaves out (CP401) become their text; the rest of the page's HTML is kept as written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import carepress.compliance.plugin as gate
from carepress.compliance.plugin import CompliancePlugin
from carepress.model.loader import parse_article
from tests.conftest import front_matter


def _unlinked(html: str, source: str = "Voir [la suite](brouillon.md).\n") -> str:
    """`html` after the gate's pass, the page's Markdown being `source` (its links tell whether a pass is needed)."""
    article = parse_article((front_matter(source) + "\n" + source).encode(), "patient/lien.md", "content/patient/lien.md").article
    config = SimpleNamespace()
    gate._STATES[id(config)] = SimpleNamespace(article={"patient/lien.md": article}.get)
    plugin = CompliancePlugin()
    plugin.unpublished = {"patient/brouillon.md"}
    page = SimpleNamespace(file=SimpleNamespace(src_uri="patient/lien.md"))
    try:
        return plugin.on_page_content(html, page=page, config=config, files=None)
    finally:
        del gate._STATES[id(config)]


def test_a_link_to_a_page_left_out_becomes_its_text():
    html = '<h1>Lien</h1>\n<p>Voir <a href="brouillon.md#partie">la suite</a> et <a href="ok.md">ceci</a>.</p>'
    assert _unlinked(html) == '<h1>Lien</h1>\n<p>Voir la suite et <a href="ok.md">ceci</a>.</p>'


@pytest.mark.parametrize("head", ["<style>p { color: teal; }</style>\n", '<link rel="preload" href="a.css" as="style">\n',
                                  '<meta name="x" content="y">\n', "\n\n"])
def test_what_comes_before_the_first_paragraph_is_kept(head):
    """Parsed as a whole document, these would go to its <head>, and the article would lose them."""
    html = head + '<p>Voir <a href="brouillon.md">la suite</a>.</p>'
    assert _unlinked(html) == head + "<p>Voir la suite.</p>"


def test_a_page_without_such_links_is_returned_as_it_came():
    html = '<p>Voir <a href="ok.md">ceci</a>.</p>'
    assert _unlinked(html, "Voir [ceci](ok.md).\n") is html


@pytest.mark.parametrize("href", ["../brouillon/", "/patient/brouillon/", "../brouillon/#partie"])
def test_a_link_written_as_the_address_of_a_page_left_out_becomes_its_text(href):
    html = f'<p>Voir <a href="{href}">la suite</a>.</p>'
    assert _unlinked(html, f'Voir <a href="{href}">la suite</a>.\n') == "<p>Voir la suite.</p>"
