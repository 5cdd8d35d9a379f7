"""Links to pages the site leaves out (CP401) become their text; the rest of the page's HTML is kept as written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import carepress.compliance.plugin as gate
from carepress.compliance.plugin import CompliancePlugin
from carepress.model.loader import parse_article
from tests.conftest import front_matter


def _gate_pass(event: str, content: str, source: str) -> str:
    """What the gate's `event` (on_page_markdown, on_page_content) makes of the page's `content`, the article the
    gate read having `source` as its body (its links tell whether a pass is needed)."""
    article = parse_article((front_matter(source) + "\n" + source).encode(), "patient/lien.md", "content/patient/lien.md").article
    config = SimpleNamespace(markdown_extensions=[])
    gate._STATES[id(config)] = SimpleNamespace(article={"patient/lien.md": article}.get, verdicts={})
    plugin = CompliancePlugin()
    plugin.load_config({})
    plugin.unpublished = {"patient/brouillon.md"}
    page = SimpleNamespace(file=SimpleNamespace(src_uri="patient/lien.md"))
    try:
        return getattr(plugin, event)(content, page=page, config=config, files=None)
    finally:
        del gate._STATES[id(config)]


def _unlinked(html: str, source: str = "Voir [la suite](brouillon.md).\n") -> str:
    return _gate_pass("on_page_content", html, source)


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


def _unlinked_markdown(markdown: str, body: str) -> str:
    return _gate_pass("on_page_markdown", markdown, body)


@pytest.mark.parametrize("markdown, body", [
    ("Voir [la suite](brouillon.md) et [ceci](ok.md).\n", "Voir [la suite](brouillon.md) et [ceci](ok.md).\n"),
    # Markdown an earlier plugin changed: the links the gate read in the file are not all the page has.
    ("Voir [la suite](brouillon.md) et [ceci](ok.md).\n", "Voir [ceci](ok.md).\n"),
])
def test_a_markdown_link_to_a_page_left_out_becomes_its_text(markdown, body):
    assert _unlinked_markdown(markdown, body) == "Voir la suite et [ceci](ok.md).\n"


def test_a_page_whose_links_all_stay_is_returned_as_it_came():
    markdown = "Voir [ceci](ok.md).\n"
    assert _unlinked_markdown(markdown, "\n\n" + markdown) is markdown  # MkDocs drops the blank lines the file has
