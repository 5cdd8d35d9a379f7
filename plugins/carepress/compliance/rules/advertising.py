"""CP3xx: advertising. Public pages never promote prescription-only medicines, disease-awareness
pages never name a medicine, claims stay neutral, promotional pages carry their visa."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from carepress.compliance.engine import Context, Violation, rule
from carepress.compliance.lexicon import Lexicons, load_lexicons
from carepress.model.article import Article
from carepress.model.registries import Product
from carepress.model.schema import ContentType, SiteAudience
from carepress.report.finding import Severity

# Link and image targets in Markdown and inline HTML: [text](target), <https://…>, [ref]: target, href="…".
# Each form is searched only when its marker (text, or a quoted attribute value) is in the text: one
# combined pattern was a tenth of `check`.
_TARGETS = (
    ("](", re.compile(r"\]\(\s*<?([^)\s>]+)")),
    ("<", re.compile(r"<(https?://[^>\s]+)>", re.IGNORECASE)),
    ("]:", re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)),
    (re.compile(r"=\s*[\"']"), re.compile(r"(?:[hH][rR][eE][fF]|[sS][rR][cC])\s*=\s*[\"']([^\"']+)")),
)


def _link_targets(body: str) -> list[tuple[int, str]]:
    """(offset, target) of every link and image target of a Markdown body, in text order."""
    return sorted((found.start(), found.group(1)) for marker, pattern in _TARGETS if _has(body, marker)
                  for found in pattern.finditer(body))


def _has(body: str, marker: str | re.Pattern) -> bool:
    return marker in body if isinstance(marker, str) else marker.search(body) is not None


# (site, its lexicons, its products by first brand): every rule of one check or build shares them.
_SITE_MEMO: list = [None, None, None]


def _site_memo(context: Context) -> list:
    site = context.site
    if _SITE_MEMO[0] is not site:
        _SITE_MEMO[:] = [site, load_lexicons(site.project.registry_dir, site.products),
                         {product.brands[0]: product for product in site.products.values()}]
    return _SITE_MEMO


def _lexicons(context: Context) -> Lexicons:
    return _site_memo(context)[1]


# The theme's front-matter fields that readers see: `nav_title` in every page's menu, `subtitle`, Material's tags.
SHOWN_FIELDS = ("nav_title", "subtitle", "tags")


def _front_matter_texts(article: Article) -> Iterator[tuple[str, int]]:
    """The front-matter's text that readers see (title, description, SHOWN_FIELDS), with the folders and file name
    the page's address shows."""
    yield article.meta.title, article.line_of("title")
    if article.meta.description:
        yield article.meta.description, article.line_of("description")
    extra = article.meta.model_extra or {}
    for key, value in ((key, extra[key]) for key in SHOWN_FIELDS if key in extra):
        if isinstance(value, str):
            yield value, article.line_of(key)
        elif isinstance(value, list):
            yield from ((item, article.line_of(key, index)) for index, item in enumerate(value) if isinstance(item, str))
    yield article.src_uri.removesuffix(".md").replace("/", " "), 1


# Inline markup or an entity inside a word (`Metfor*mine*`, `Metfor<span></span>mine`, `mir&#97;cle`): the reader
# sees one word, the lexicons two pieces, or none. Each such word is read again, as the page shows it.
_MARKED_WORD = re.compile(r"(?:\w|\*+|<[^<>\n]*>|&#?\w+;)+")
_MARKUP = re.compile(r"\*+|<[^<>\n]*>")
_ENTITY = re.compile(r"&#?\w+;")


def _words_with_markup(body: str) -> Iterator[tuple[str, int]]:
    """(the word as shown, its offset) of each word of `body` with inline markup or an entity inside it."""
    found: dict[int, str] = {}
    for splitter in ("*", "<", "&"):
        at = body.find(splitter)
        while at != -1:  # str.find, not an expression: most pages have a few of these characters, or none
            after = at + 1
            if _entity_at(body, at) if splitter == "&" else _splits_a_word(body, at):
                for token in _MARKED_WORD.finditer(body, max(0, at - 80), at + 80):
                    if token.start() <= at < token.end():
                        found.setdefault(token.start(), html.unescape(_MARKUP.sub("", token.group())))
                        after = token.end()  # each stretch read once: linear on `a*a*a*…`
                        break
            at = body.find(splitter, after)
    return ((shown, offset) for offset, shown in sorted(found.items()))


def _entity_at(body: str, at: int) -> bool:
    return _ENTITY.match(body, at, at + 12) is not None


def _splits_a_word(body: str, at: int) -> bool:
    """Whether the asterisks and tags from `at` on stand between two letters or digits."""
    if at == 0 or not body[at - 1].isalnum():
        return False
    end = at
    while end < len(body) and body[end] in "*<":
        if body[end] == "*":
            end += 1
            continue
        close = body.find(">", end)
        if close == -1 or "\n" in body[end:close]:
            return False
        end = close + 1
    return end < len(body) and body[end].isalnum()


def _keyword_texts(article: Article) -> Iterator[tuple[str, int]]:
    keywords = article.meta.keywords
    if keywords and keywords.primary:
        yield keywords.primary, article.line_of("keywords", "primary")
    for index, keyword in enumerate(keywords.secondary if keywords else []):
        yield keyword, article.line_of("keywords", "secondary", index)


def _matched(texts: list[tuple[str, int]], find) -> Iterator[tuple[tuple[str, int], list]]:
    """Each (text, line) with what `find` (`Lexicons.medicines_in`, `claims_in`: the texts matched together) found in it."""
    return zip(texts, find(tuple(text for text, _ in texts)))


def _medicines_named(article: Article, lexicons: Lexicons) -> list[tuple[str, str, int]]:
    """(medicine, the words as written, line) for every medicine the page names, wherever it is.

    Several rules ask, on both sites: the page is scanned once per lexicons."""
    named = lexicons.memo.get(article.text)  # keyed by the whole file: an edit is a new key
    if named is None:
        named = lexicons.memo[article.text] = list(_scan_medicines(article, lexicons))
    return named


def _scan_medicines(article: Article, lexicons: Lexicons) -> Iterator[tuple[str, str, int]]:
    for (text, line), matches in _matched([*_front_matter_texts(article), *_keyword_texts(article)], lexicons.medicines_in):
        for match in matches:
            yield match.entry, text[match.start:match.end], line
    body = article.body
    for match in lexicons.find_medicines(body):
        yield match.entry, body[match.start:match.end], article.body_line_at(match.start)
    for shown, offset in _words_with_markup(body):
        for match in lexicons.find_medicines(shown):
            yield match.entry, shown, article.body_line_at(offset)
    for offset, target in _link_targets(body):
        brand = lexicons.find_brand_in_url(target)
        if brand:
            yield brand, target, article.body_line_at(offset)


def _products_concerned(article: Article, context: Context) -> list[tuple[Product, int]]:
    """Registry products the page is about, listed in `products` or named in its text, with the line that says so."""
    by_name = _site_memo(context)[2]  # made once per site: with 300 products, per call it was 24 µs a page
    concerned = {pid: (context.site.products[pid], article.line_of("products", index))
                 for index, pid in enumerate(article.meta.products) if pid in context.site.products}
    for medicine, _, line in _medicines_named(article, _lexicons(context)):
        if medicine in by_name:
            concerned.setdefault(by_name[medicine].id, (by_name[medicine], line))
    return list(concerned.values())


def _public_restriction(product: Product) -> str | None:
    if product.rx:
        return "prescription-only"
    if product.reimbursed:
        return "reimbursed"
    if product.advertising_restricted:
        return "restricted from public advertising by its marketing authorisation"
    return None


@rule("CP300", Severity.ERROR, "Prescription-only or restricted product on a public page", per_audience=True, page_local=True)
def no_public_promotion_of_restricted_products(article: Article, context: Context):
    if context.audience is not SiteAudience.PATIENT:
        return
    if article.meta.content_type is ContentType.PRODUCT_RX:
        yield Violation("a `product_rx` page may not be published for the public; set `audience: hcp`",
                        article.line_of("content_type"))
    for product, line in _products_concerned(article, context):
        restriction = _public_restriction(product)
        if restriction:
            yield Violation(f"the page is about {product.brands[0]}, which is {restriction}: it may not be presented to "
                            "the public (CSP L.5122-6); move the page to the HCP site", line)


@rule("CP301", Severity.ERROR, "Disease-awareness page names a medicine", page_local=True)
def disease_awareness_names_no_medicine(article: Article, context: Context):
    if article.meta.content_type is not ContentType.DISEASE_AWARENESS:
        return
    if article.meta.products:
        yield Violation("a disease-awareness page may not list `products`; remove them or change `content_type`",
                        article.line_of("products"))
    seen = set()
    for medicine, written, line in _medicines_named(article, _lexicons(context)):
        if (medicine, line) in seen:
            continue
        seen.add((medicine, line))
        yield Violation(f"names the medicine {medicine} (\"{written}\"): disease-awareness content may make no reference, "
                        "even indirect, to a medicine (CSP L.5122-1); remove the name or the link", line)


def _claims(article: Article, context: Context) -> Iterator[tuple[str, str, int]]:
    lexicons = _lexicons(context)
    for (text, line), matches in _matched(list(_front_matter_texts(article)), lexicons.claims_in):
        for match in matches:
            yield match.label, text[match.start:match.end], line
    for match in lexicons.find_claims(article.body):
        yield match.label, article.body[match.start:match.end], article.body_line_at(match.start)
    for shown, offset in _words_with_markup(article.body):
        for match in lexicons.find_claims(shown):
            yield match.label, shown, article.body_line_at(offset)


@rule("CP302", Severity.ERROR, "Promotional claim language", per_audience=True, page_local=True)
def no_promotional_claims(article: Article, context: Context):
    severity = Severity.WARNING if context.audience is SiteAudience.HCP else Severity.ERROR
    seen = set()
    for label, written, line in _claims(article, context):
        if (label, line) in seen:  # `miracle&nbsp;!`: found as written, and again as shown
            continue
        seen.add((label, line))
        yield Violation(f"\"{written}\" is promotional language ({label}); state facts neutrally, with a reference", line, severity)


@rule("CP303", Severity.ERROR, "Promotional page without a valid visa", per_audience=True, page_local=True)
def promotional_pages_need_a_visa(article: Article, context: Context):
    content_type = article.meta.content_type
    if context.audience is SiteAudience.PATIENT and content_type is ContentType.PRODUCT_OTC:
        needed = "GP"
    elif context.audience is SiteAudience.HCP and (content_type.is_product or article.meta.products):
        needed = "PM"
    else:
        return
    visa = article.meta.visa
    if visa is None:
        yield Violation(f"a promotional page needs an ANSM visa {needed}; add `visa: {{type: {needed}, number: ..., date: ...}}`",
                        article.line_of("content_type"))
    elif visa.type != needed:
        yield Violation(f"visa type {visa.type} does not allow this site: the {context.audience.value} site needs a visa {needed}",
                        article.line_of("visa", "type"))


@rule("CP304", Severity.ERROR, "Product's advertising is suspended", page_local=True)
def suspended_products_block_every_page(article: Article, context: Context):
    for product, line in _products_concerned(article, context):
        if product.advertising_suspended:
            yield Violation(f"advertising for {product.brands[0]} is suspended (registry `advertising_suspended: true`); "
                            "no page about it may be published until the suspension is lifted", line)


@rule("CP305", Severity.ERROR, "Prohibited target keyword", page_local=True)
def target_keywords_stay_neutral(article: Article, context: Context):
    lexicons = _lexicons(context)
    for (keyword, line), matches in _matched(list(_keyword_texts(article)), lexicons.claims_in):
        if matches:
            yield Violation(f"target keyword \"{keyword}\" chases promotional searches ({matches[0].label}); "
                            "choose a neutral query", line)
