"""CP500-CP503 in the built HTML: the theme's real mentions partial, rendered, then checked."""

from __future__ import annotations

import jinja2
import pytest

import carepress.compliance.rules.mentions  # noqa: F401  (defines CP502 and CP503)
from carepress.compliance.mentions import DEFAULT_DISCLAIMER, Mentions, missing_mentions
from tests.conftest import REPO

PRODUCTS = [{"brand": "Glucorex", "smpc_url": "https://example.org/rcp/glucorex", "pharmacovigilance": "pv@glucorex.example"},
            {"brand": "Respiral", "smpc_url": "https://example.org/rcp/respiral", "pharmacovigilance": "pv@respiral.example"}]


def _expected(**changes) -> Mentions:
    fields = {"disclaimer": DEFAULT_DISCLAIMER, "code": "FR-TEST-0001", "reviewed": "2026-10-01",
              "references": ["HAS 2024", "ANSM 2025"], "products": PRODUCTS}
    return Mentions(**{**fields, **changes})


def _page(mentions: Mentions) -> str:
    """A page as the theme writes it: the article, then the mentions partial rendered from the same values."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "theme"))
    block = env.get_template("partials/carepress/mentions.html").render(carepress_mentions=mentions.as_context())
    return f"<html><body><article><h1>Page</h1></article>{block}</body></html>"


def _codes(html: str, expected: Mentions) -> list[str]:
    return [finding.code for finding in missing_mentions(html, expected, "content/p.md", "hcp")]


def test_the_partial_shows_every_mention_it_is_given():
    assert _codes(_page(_expected()), _expected()) == []


def test_each_product_is_found_in_its_own_section():
    """Two products: the second one's contact and SmPC link are in the second section, not the first."""
    html = _page(_expected())
    assert html.count('class="carepress-product"') == 2
    assert _codes(html, _expected()) == []


@pytest.mark.parametrize("wrong, right", [("pv@respiral.example", "pv@elsewhere.example"),
                                          ("https://example.org/rcp/respiral", "https://example.org/other")])
def test_a_product_whose_section_lacks_its_contact_or_link_is_cp503(wrong, right):
    html = _page(_expected()).replace(wrong, right)
    found = missing_mentions(html, _expected(), "content/p.md", "hcp")
    assert [f.code for f in found] == ["CP503"] and "Respiral" in found[0].message


def test_a_contact_shown_in_another_products_section_does_not_count():
    """Glucorex's section naming Respiral's contact is not Respiral's section, which has its link but another contact."""
    shown = _expected(products=[{**PRODUCTS[0], "pharmacovigilance": "pv@respiral.example"},
                                {**PRODUCTS[1], "pharmacovigilance": "pv@elsewhere.example"}])
    html = _page(shown)
    assert "pv@respiral.example" in html and 'href="https://example.org/rcp/respiral"' in html
    assert _codes(html, _expected(products=[PRODUCTS[1]])) == ["CP503"]


def test_missing_disclaimer_review_and_references_each_have_their_code():
    html = _page(_expected(disclaimer=None, code="FR-OTHER-9", references=["HAS 2024"]))
    assert _codes(html, _expected()) == ["CP500", "CP501", "CP502"]


def test_a_page_without_the_block_misses_every_mention():
    assert _codes("<html><body><article>Bonjour</article></body></html>", _expected()) == [
        "CP500", "CP501", "CP502", "CP503", "CP503"]


def test_each_block_is_read_on_its_own_in_the_reused_document(monkeypatch):
    """The blocks share one lexbor document: an unclosed comment or tag in one page's block hides nothing of the
    next page's, and a page without the disclaimer does not see the one the page before showed."""
    import carepress.compliance.mentions as mentions

    monkeypatch.setattr(mentions, "BLOCKS_PER_DOCUMENT", 3)  # a fresh document on the way, as every 500 pages
    complete, broken = _page(_expected()), _page(_expected()).replace("</aside>", "<!-- <div><p>")
    without_disclaimer = _page(_expected(disclaimer=None))
    pages = [complete, broken, without_disclaimer, complete, without_disclaimer, broken, complete]
    codes = [_codes(html, _expected()) for html in pages]
    assert codes == [[], [], ["CP500"], [], ["CP500"], [], []]
    assert _codes(without_disclaimer, _expected(disclaimer=None)) == []
