"""Markup fixes the built pages need to pass the W3C Nu HTML checker. No MkDocs here.

Material 9.x writes a few attributes HTML does not allow. Its base template puts them outside
any block a theme can override, so they are corrected in the rendered page instead of copying
Material's templates. Each fix matches only the markup it corrects; the Nu checker gate
(`make audit`, tests/build/test_output_gates.py) shows when a Material upgrade changes it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from markupsafe import Markup, escape
from selectolax.lexbor import LexborHTMLParser

MATERIAL_FIXES: list[tuple[re.Pattern[str], str]] = [
    # `autocomplete` is only allowed on text-like inputs; Material sets it on its drawer and search checkboxes.
    (re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?)\s+autocomplete="off"'), r"\1"),
    # `autocorrect` is a Safari extension the HTML standard does not define (search field).
    (re.compile(r'(<input\b[^>]*?)\s+autocorrect="off"'), r"\1"),
    # Section labels of the navigation get an empty tabindex, which is not an integer.
    (re.compile(r'(<label\b[^>]*?)\s+tabindex=""'), r"\1"),
]


SEARCH_DIALOG = re.compile(r'<div class="md-search" data-md-component="search" role="dialog">')
SEARCH_LABEL = re.compile(r'<input [^>]*class="md-search__input"[^>]*\baria-label="([^"]*)"')


def fix_markup(html: str) -> str:
    for pattern, replacement in MATERIAL_FIXES:
        html = pattern.sub(replacement, html)
    # The search dialog needs an accessible name (axe-core: aria-dialog-name); its field's label is the right one.
    label = SEARCH_LABEL.search(html)
    if label:
        html = SEARCH_DIALOG.sub(lambda match: match.group(0)[:-1] + f' aria-label="{label.group(1)}">', html, count=1)
    return html


def unresolved_page_link(href: str, src_uri: str) -> str | None:
    """The Markdown file (relative to the content folder) a link still names after MkDocs resolved links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), unquote(parts.path)))


def unlink_left_out_pages(html: str, src_uri: str, left_out: Callable[[str], bool]) -> tuple[str, list[str]]:
    """Turn links to pages this site left out into plain text; return the HTML and those pages.

    A page shared by both sites may link to a page of one site only; on the other site the link
    would be a 404, and its address would name a page that was left out. A link to a file that
    does not exist at all stays as it is: MkDocs warns about it and the link gate reports it.
    """
    if ".md" not in html:
        return html, []
    tree = LexborHTMLParser(html)
    targets = []
    for anchor in tree.css("a[href]"):
        target = unresolved_page_link(anchor.attributes.get("href") or "", src_uri)
        if target is not None and left_out(target):
            targets.append(target)
            anchor.unwrap()
    if not targets:
        return html, []
    return tree.body.inner_html, targets


def escape_front_matter(value):
    """Every string of the front-matter as escaped, safe markup: front-matter is plain text.

    Material writes titles and descriptions into pages without escaping them (a title may hold
    HTML when it comes from a heading); MkDocs' templates do not autoescape. Escaped `Markup`
    prints as entities and is never escaped twice by a template's `| e`.
    """
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: escape_front_matter(item) for key, item in value.items()}
    if isinstance(value, list):
        return [escape_front_matter(item) for item in value]
    return value
