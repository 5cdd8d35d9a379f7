"""What a page makes every reader's browser fetch from another host (CP600).

An image, frame, script, stylesheet or media file from another host is fetched by the browser of
everyone who opens the page: that host learns their address and the page they read, which is the
third-party request the sites never make. Links (`<a href>`, `[text](https://…)`) are only followed
when the reader clicks. Code samples (fenced blocks, inline code) are shown, not loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from carepress.model.article import Article

_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)[^`].*?(?<!`)\1(?!`)", re.DOTALL)
_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)")
_IMAGE_REFERENCE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\[([^\]]*)\])?")
_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
# HTML elements whose addresses the browser fetches as the page loads, and those attributes.
_TAG = re.compile(r"<(?:img|iframe|frame|script|video|audio|source|track|embed|object|link|input|image|use)\b[^>]*>",
                  re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\b(?:src|srcset|poster|data|href|xlink:href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
                        re.IGNORECASE)
_CSS_ADDRESS = re.compile(r"""url\(\s*['"]?([^)'"\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
# Material for MkDocs loads its diagram library from unpkg.com for any element of class `mermaid`.
_DIAGRAM = re.compile(r"""class\s*=\s*["']?[^"'>]*\bmermaid\b""", re.IGNORECASE)
DIAGRAM_LIBRARY = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"


def third_party_resources(article: Article) -> Iterator[tuple[str, int]]:
    """(address, line) of each resource of another host that the page's text makes the browser fetch."""
    text = _without_code(article.body)
    found: list[tuple[str, int]] = []
    # Each expression runs only where a cheap test finds what it looks for: on a page of 6 KB, each search
    # for a string of several characters costs 2-5 µs, a single character's 0.06 µs.
    if "!" in text and "![" in text:
        inline = [(m.group(1), m.start(1)) for m in _IMAGE.finditer(text)]
        found += inline
        if text.count("![") > len(inline):  # an image by reference (`![alt][id]`): its address is in a definition
            definitions = {m.group(1).strip().lower(): (m.group(2), m.start(2)) for m in _DEFINITION.finditer(text)}
            for m in _IMAGE_REFERENCE.finditer(text):
                label = (m.group(2) or m.group(1)).strip().lower()
                if label in definitions:
                    found.append(definitions[label])
    if "<" in text:  # raw HTML
        for tag in _TAG.finditer(text):
            for m in _ATTRIBUTE.finditer(tag.group()):
                value = next(v for v in m.groups() if v is not None)
                offset = tag.start() + m.start()
                found += [(entry.split()[0], offset) for entry in value.split(",") if entry.split()]
    if "<" in text or "{" in text:  # styles and classes, in raw HTML or an attribute list (`{ style="…" }`)
        found += [(DIAGRAM_LIBRARY, m.start()) for m in _DIAGRAM.finditer(text)]
        found += [(m.group(1) or m.group(2), m.start()) for m in _CSS_ADDRESS.finditer(text)]
    seen = set()
    for address, offset in sorted(found, key=lambda item: item[1]):
        if _elsewhere(address) and (address, offset) not in seen:
            seen.add((address, offset))
            yield address, article.body_line_at(offset)


def _without_code(body: str) -> str:
    """The body with its code blocks and inline code blanked out, every other character where it was."""
    if "`" not in body and ("~" not in body or "~~~" not in body):
        return body  # most pages
    body = _FENCED.sub(_blank, body)
    return _INLINE_CODE.sub(_blank, body)


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _elsewhere(address: str) -> bool:
    try:
        return bool(urlsplit(address.strip()).netloc)  # http(s)://host/…, //host/…
    except ValueError:  # no address at all (CP115's)
        return False
