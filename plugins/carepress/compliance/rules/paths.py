"""CP112 and CP113: what a page's file name and slug-like fields make of its address and its files."""

from __future__ import annotations

import re
import unicodedata

from carepress.compliance.engine import Context, Violation, rule
from carepress.model.article import Article
from carepress.model.site import Site
from carepress.report.finding import Severity

INDEX_NAMES = ("index", "readme")  # MkDocs publishes both as their folder's page
SLUG = re.compile(r"^[\w][\w.-]*$")  # letters (any script), digits, _, - and inner dots: no / \ or spaces
TEMPLATE = re.compile(r"^[\w][\w.-]*(/[\w][\w.-]*)*\.html$")
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\\]")  # control characters and backslashes in a file name


def address(src_uri: str) -> str:
    """The page's address with directory URLs: `a/b.md` and `a/b/index.md` are both `a/b/`."""
    parts = src_uri[: -len(".md")].split("/")
    if parts[-1].lower() in INDEX_NAMES:
        parts = parts[:-1]
    return "/".join(parts)


def folded(text: str) -> str:
    """What a case-insensitive, accent-blind reader (or file system) sees: `Diabète` and `diabete` are one."""
    if text.isascii():  # most addresses: nothing to decompose, and ASCII case folding is lower case
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_index: list = [None, -1, {}]  # [site, its revision, {folded address: src_uris}]: pages are not compared pairwise


def _sharing(site: Site) -> dict[str, list[str]]:
    """Every page of the tree by the address a server sees, whatever its audience: one index for both sites,
    each page's rule keeps those of its own site (two pages rarely share an address)."""
    if _index[0] is not site or _index[1] != site.revision:
        by_address: dict[str, list[str]] = {}
        for src_uri in site.articles:
            by_address.setdefault(folded(address(src_uri)), []).append(src_uri)
        _index[:] = [site, site.revision, by_address]
    return _index[2]


@rule("CP112", Severity.ERROR, "Two files publish to the same address", per_audience=True)
def one_file_per_address(article: Article, context: Context):
    articles, audience = context.site.articles, context.audience
    others = sorted(uri for uri in _sharing(context.site).get(folded(address(article.src_uri)), ())
                    if uri != article.src_uri and (audience is None or audience.accepts(articles[uri].meta.audience)))
    for other in others:
        same = address(other) == address(article.src_uri)
        why = ("both become the same page" if same else
               "their addresses differ only in capitals or accents, which one file system or server takes as the same page")
        yield Violation(f"this file and `{other}` publish to /{address(article.src_uri)}/: {why}; "
                        "neither is published until one is renamed or removed", 1)


@rule("CP113", Severity.ERROR, "Unsafe file name or slug", page_local=True)
def safe_names(article: Article, context: Context):
    if UNSAFE_NAME.search(article.src_uri):
        yield Violation("the file name has a control character or a backslash; rename it with letters, digits and dashes", 1)
    meta = article.meta
    if meta.topic is not None and not SLUG.match(meta.topic):
        yield Violation(f"`topic` {meta.topic!r} is not a slug; write letters, digits and dashes only (e.g. diabete-type-2)",
                        article.line_of("topic"))
    template = (meta.model_extra or {}).get("template")
    if template is not None and not (isinstance(template, str) and TEMPLATE.match(template)):
        yield Violation(f"`template` {template!r} is not a theme template name; write a name such as `main.html`, "
                        "with no `..`, no leading `/`", article.line_of("template"))
