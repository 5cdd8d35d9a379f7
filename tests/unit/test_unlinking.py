"""Links to pages the site leaves out (CP401) become their text; the rest of the page's HTML is kept as written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from carepress.compliance.plugin import CompliancePlugin


def _unlinked(html: str) -> str:
    plugin = CompliancePlugin()
    plugin.unpublished = {"patient/brouillon.md"}
    page = SimpleNamespace(file=SimpleNamespace(src_uri="patient/lien.md"))
    return plugin.on_page_content(html, page=page, config=None, files=None)


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
    assert _unlinked(html) is html
