"""CP5xx: mandatory mentions. The theme renders them from `mentions_for`; `missing_mentions`
checks the built HTML, so a broken theme cannot silently drop them."""

from __future__ import annotations

from dataclasses import dataclass, field

from carepress.model.article import Article
from carepress.model.registries import Product
from carepress.model.schema import ContentType, SiteAudience
from carepress.report.finding import CATALOGUE, Finding, Severity, define, make

DEFAULT_DISCLAIMER = "Ces informations ne remplacent pas l'avis de votre médecin."

CP500 = define("CP500", Severity.ERROR, "Medical disclaimer missing")
CP501 = define("CP501", Severity.ERROR, "Review date or approval code missing")


@dataclass
class Mentions:
    """What the theme's partials/carepress/mentions.html shows at the end of a page."""

    disclaimer: str | None
    code: str | None
    reviewed: str | None  # ISO date of the last approval
    references: list[str] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)  # brand, smpc_url, pharmacovigilance

    def as_context(self) -> dict:
        return {"disclaimer": self.disclaimer, "code": self.code, "reviewed": self.reviewed,
                "references": self.references, "products": self.products}


def page_products(article: Article, products: dict[str, Product]) -> list[Product]:
    return [products[pid] for pid in article.meta.products if pid in products]


def mentions_for(article: Article, products: dict[str, Product], audience: SiteAudience, disclaimer: str) -> Mentions:
    validation = article.meta.validation
    return Mentions(
        disclaimer=disclaimer if audience is SiteAudience.PATIENT else None,
        code=validation.code,
        reviewed=validation.approved.isoformat() if validation.approved else None,
        references=list(article.meta.references) if article.meta.content_type is ContentType.MEDICAL_SCIENTIFIC else [],
        products=[{"brand": p.brands[0], "smpc_url": p.smpc_url, "pharmacovigilance": p.pharmacovigilance}
                  for p in page_products(article, products)] if article.meta.content_type.is_product else [],
    )


MENTIONS_BLOCK = 'class="carepress-mentions"'


def mentions_block(html: str) -> str:
    """The `<aside class="carepress-mentions">` of a page (theme/partials/carepress/mentions.html), or "".

    Parsing this block rather than the whole page (navigation included) keeps the check off a build's profile.
    The theme's block is the last on the page, after the article, whose own HTML may hold a copy: it is searched
    from the end (the footer is near; from the start, the navigation came first: 31 µs, then 1 µs)."""
    marker = html.rfind(MENTIONS_BLOCK)
    if marker < 0:
        return ""
    start = html.rfind("<", 0, marker)
    end = html.find("</aside>", marker)
    return html[start:] if end < 0 else html[start:end + len("</aside>")]


# A lexbor document costs 30 µs to create, even empty, and 170-260 µs between two renderings of a build (its
# memory no longer in the processor's caches): the blocks are parsed, one at a time, into the same element of one
# document. Its memory grows with each (2.7 KB for the demo's block), so a fresh document is made every so often.
BLOCKS_PER_DOCUMENT = 500
_scratch: list = [None, 0]  # the element the blocks are parsed into, and how many it has held


def _parsed(block: str):
    """An element holding `block`, parsed on its own as the children of a `<div>` (HTML fragment parsing): an
    unclosed tag or comment in one page's block cannot reach the next page's."""
    from selectolax.lexbor import LexborHTMLParser  # only builds parse HTML; `check` never does

    if _scratch[0] is None or _scratch[1] >= BLOCKS_PER_DOCUMENT:
        _scratch[:] = [LexborHTMLParser("<div></div>").css_first("div"), 0]
    element = _scratch[0]
    element.inner_html = block
    _scratch[1] += 1
    return element


def missing_mentions(html: str, expected: Mentions, path: str, audience: str) -> list[Finding]:
    """Findings for every mention `expected` that the built page (or its `mentions_block`) does not show in its
    mentions block."""
    tree = _parsed(mentions_block(html))
    found: list[Finding] = []

    def text_of(node) -> str:
        return " ".join(node.text(separator=" ").split()) if node else ""

    def missing(code, message):
        found.append(make(code, path, None, message, audience=audience))

    if expected.disclaimer and " ".join(expected.disclaimer.split()) not in text_of(tree.css_first(".carepress-disclaimer")):
        missing(CP500, "the built page does not show the medical disclaimer; check theme/partials/carepress/mentions.html")
    review = text_of(tree.css_first(".carepress-review"))
    if not expected.code or expected.code not in review or not expected.reviewed or expected.reviewed not in review:
        missing(CP501, "the built page does not show its approval code and last review date; "
                "check the approval and theme/partials/carepress/mentions.html")
    if expected.references and len(tree.css(".carepress-references li")) < len(expected.references):
        missing(CATALOGUE["CP502"], "the built page does not show its reference list; check theme/partials/carepress/mentions.html")
    # Each product has its own section: its contact and its SmPC link must be in the same one.
    sections = [(text_of(node), {link.attributes.get("href") for link in node.css("a.carepress-smpc")})
                for node in tree.css(".carepress-product")] if expected.products else []
    for product in expected.products:
        if not any(product["pharmacovigilance"] in text and product["smpc_url"] in links for text, links in sections):
            missing(CATALOGUE["CP503"], f"the built page does not show the SmPC link and pharmacovigilance contact of "
                    f"{product['brand']}; check theme/partials/carepress/mentions.html")
    return found
