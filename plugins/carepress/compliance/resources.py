"""What a page makes every reader's browser fetch from another host (CP600).

An image, frame, script, stylesheet or media file from another host is fetched by the browser of
everyone who opens the page: that host learns their address and the page they read, which is the
third-party request the sites never make. Links (`<a href>`, `[text](https://…)`) are only followed
when the reader clicks. Code samples and HTML comments are shown or dropped, not loaded: what
Python-Markdown renders as code (with `fenced_code`, which MkDocs always enables) is left out, nothing
more: a fence that is not closed by the same fence, or is indented, holds live HTML.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Collection, Iterator
from urllib.parse import urlsplit

import regex

from carepress.model.article import Article

# Python-Markdown's block-level elements: a line that opens one (up to 3 spaces in) is raw HTML, even
# inside what would otherwise be an inline code span (`markdown.Markdown().block_level_elements`, 3.x).
_BLOCK_LEVEL = ("address|article|aside|blockquote|body|canvas|center|colgroup|dd|details|div|dl|dt|fieldset|figcaption"
                "|figure|footer|form|group|h[1-6]|header|hgroup|hr|html|iframe|legend|li|main|map|math|menu|nav|noscript"
                "|object|ol|option|output|p|pre|progress|script|section|style|summary|table|tbody|td|textarea|tfoot|th"
                "|thead|tr|ul|video")
_CODE_CHARACTER = rf"(?:[^\n]|\n(?![ \t]*\n|[ ]{{0,3}}<(?:{_BLOCK_LEVEL})\b))"  # within a paragraph
# An inline code span: backticks, closed by as many, within one paragraph.
_INLINE_CODE = re.compile(rf"(`++){_CODE_CHARACTER}*?(?<!`)\1(?!`)", re.IGNORECASE)  # the whole run opens it
# A fenced block as `fenced_code` reads one: at the start of a line, closed by the same fence.
# What may follow the opening fence, as `fenced_code` reads it: `{attributes}`, or a language and `hl_lines`. Any
# other text makes no fence (the HTML below it is live).
_FENCE_INFO = r"""[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(?:"[^"\n]*"|'[^'\n]*')[ ]*)?)\n"""
_FENCED = re.compile(r"^(`{3,}+|~{3,}+)" + _FENCE_INFO + r"(?:.*?\n)??\1[ \t]*$", re.MULTILINE | re.DOTALL)
# With `pymdownx.superfences`, also a fence indented in a list item or an admonition: closed by the same fence at
# the same indentation, every line between blank or indented as much (a line less indented ends the block).
_NESTED_FENCED = re.compile(r"^([ \t]*)(`{3,}+|~{3,}+)" + _FENCE_INFO + r"(?:(?:\1[^\n]*|[ \t]*)\n)*?\1\2[ \t]*$",
                            re.MULTILINE)
SUPERFENCES = "pymdownx.superfences"
# With `pymdownx.superfences`, Material's documented custom fence makes a ```mermaid block a diagram.
_MERMAID_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*\.?mermaid\b", re.MULTILINE | re.IGNORECASE)

_IMAGE = regex.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(?|<([^>\n]+)>|([^)\s>]+))")
_IMAGE_REFERENCE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\](?!\()(?:\[([^\]]*)\])?")
BLOCK_PREFIX = r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?"  # a quote's `>`, a list item's marker
_DEFINITION = re.compile(BLOCK_PREFIX + r"\[([^\]\n]+)\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
# An HTML start tag; the elements whose addresses the browser fetches as the page loads (`<link>` but for a
# few relations), and, on any element, a `style` attribute's url(…).
_TAG = re.compile(r"""<([a-zA-Z][\w:-]*)((?:"[^"]*"|'[^']*'|[^'"<>])*)>""")  # a stray `<word` ends at the next `<`
_FETCHING = frozenset({"img", "iframe", "frame", "script", "video", "audio", "source", "track", "embed", "object", "link",
                       "input", "image", "use", "table", "td", "th", "body"})
_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_FETCHED = frozenset({"src", "srcset", "poster", "data", "href", "xlink:href", "background"})
_NOT_LOADED = frozenset({"canonical", "alternate", "author", "license", "help", "next", "prev", "bookmark", "me", "search"})
# An attribute list (`{ srcset="…" }`, `{: style="…" }`), which sets attributes on the element before it.
_ATTRIBUTE_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_CSS_ADDRESS = re.compile(r"""url\(\s*['"]?([^)'"\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
# Material for MkDocs loads its diagram library from unpkg.com for a `<pre class="mermaid">`.
_DIAGRAM = re.compile(r"""<pre\b[^>]*\bclass\s*=\s*["']?(?:[^"'>]*\s)?mermaid(?:[\s"'>])""", re.IGNORECASE)
DIAGRAM_LIBRARY = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"
EMOJI = "pymdownx.emoji"
# pymdownx.emoji renders an emoji's shortcode (`:smile:`) as an image of that CDN (cdnjs.cloudflare.com with its default
# index); Material's recommended `to_svg` inlines its own icons (`:material-heart:`) only.
EMOJI_IMAGES = "https://cdn.jsdelivr.net/gh/jdecked/twemoji"
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")


def third_party_resources(article: Article, markdown_extensions: Collection[str] = ()) -> Iterator[tuple[str, int]]:
    """(address, line) of each resource of another host that the page's text makes the browser fetch, as
    rendered with `markdown_extensions` (the names in the site's configuration)."""
    body = article.body
    found: list[tuple[str, int]] = []
    superfences = SUPERFENCES in markdown_extensions
    if "mermaid" in body and superfences:
        found += [(DIAGRAM_LIBRARY, m.start()) for m in _MERMAID_FENCE.finditer(body)]
    text = without_code(body, superfences)
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
        found += html_addresses(text)
    if EMOJI in markdown_extensions and ":" in text:
        found += [(EMOJI_IMAGES, m.start()) for m in _SHORTCODE.finditer(text) if m.group() in _emoji_shortcodes()]
    if "{" in text:
        for attributes in _ATTRIBUTE_LIST.finditer(text):
            found += _tag_addresses("", attributes.group(1), attributes.start(1))
    seen = set()
    for address, offset in sorted(found, key=lambda item: item[1]):
        if _elsewhere(address) and (address, offset) not in seen:
            seen.add((address, offset))
            yield address, article.body_line_at(offset)


def html_addresses(text: str) -> list[tuple[str, int]]:
    """(address, offset) of each resource that the HTML `text` makes the browser fetch, of any host: what its elements'
    attributes and `<style>` blocks load, and Material's diagram library for a `<pre class="mermaid">`."""
    found = []
    for tag in _TAG.finditer(text):
        found += _tag_addresses(tag.group(1).lower(), tag.group(2), tag.start(2))
    if "<style" in text or "<STYLE" in text:
        for block in _STYLE_BLOCK.finditer(text):
            found += _css_addresses(block.group(1), block.start(1))
    return found + [(DIAGRAM_LIBRARY, m.start()) for m in _DIAGRAM.finditer(text)]


def address_host(address: str) -> str | None:
    """The host the browser reads in `address` (`https://…`, `//…`; `\\` as `/`, entities decoded), None for one of
    the page's own site."""
    if "&" in address:
        address = html.unescape(address)
    try:
        parts = urlsplit(address.strip().replace("\\", "/"))
    except ValueError:  # no address at all (CP115's)
        return None
    return (parts.hostname or parts.netloc) if parts.netloc else None


@functools.cache
def _emoji_shortcodes() -> frozenset[str]:
    """The shortcodes of pymdownx.emoji's emoji sets (Twemoji, which Material's index extends, and EmojiOne)."""
    from pymdownx import emoji1_db, twemoji_db

    return frozenset().union(*(db.emoji.keys() | db.aliases.keys() for db in (twemoji_db, emoji1_db)))


def _tag_addresses(name: str, attributes: str, offset: int) -> list[tuple[str, int]]:
    """The addresses an element's attributes make the browser fetch (`name` "" for an attribute list)."""
    if name and name not in _FETCHING and "style" not in attributes.lower():
        return []
    values = {}
    for m in _ATTRIBUTE.finditer(attributes):
        value = next((v for v in m.groups()[1:] if v is not None), None)
        if value is not None:
            values.setdefault(m.group(1).lower(), (value, offset + m.start()))
    relations = set(values["rel"][0].lower().split()) if "rel" in values else set()
    if name == "link" and relations and relations <= _NOT_LOADED:
        return []  # a canonical or alternate address: named, not fetched
    found = []
    for attribute, (value, at) in values.items():
        if attribute in _FETCHED and (name in _FETCHING or (name == "" and attribute != "href")):  # a list's href: a link
            found += [(entry.split()[0], at) for entry in value.split(",") if entry.split()] if attribute == "srcset" \
                else [(value, at)]
        elif attribute == "style":
            found += _css_addresses(value, at)
    return found


def _css_addresses(css: str, offset: int) -> list[tuple[str, int]]:
    return [(m.group(1) or m.group(2), offset + m.start()) for m in _CSS_ADDRESS.finditer(css)]


def without_code(body: str, superfences: bool = False) -> str:
    """The body with its code (fenced blocks, those nested in a block too with `superfences`, inline code) and HTML
    comments blanked out, every other character where it was."""
    if "<!--" in body:
        body = _without_comments(body)
    if "```" in body or "~~~" in body:
        body = _without_fences(body, superfences)
    return _without_inline_code(body) if "`" in body else body


def _without_comments(body: str) -> str:
    """Closed HTML comments blanked out (found with str.find: an expression scanned to the end for each unclosed one)."""
    parts, done, at = [], 0, body.find("<!--")
    while at != -1:
        end = body.find("-->", at + 4)
        if end == -1:
            break  # no comment closes after this one: the rest is text
        parts += [body[done:at], _blank_text(body[at:end + 3])]
        done = end + 3
        at = body.find("<!--", done)
    return "".join(parts) + body[done:] if parts else body


def _without_fences(body: str, superfences: bool) -> str:
    """Fenced blocks blanked out, each fence tried where str.find sees one open a line (searched for, the expression
    was tried at every character)."""
    pattern = _NESTED_FENCED if superfences else _FENCED
    parts, done = [], 0
    upcoming = {marker: body.find(marker) for marker in ("```", "~~~")}  # each marker's next place, found once
    while any(at != -1 for at in upcoming.values()):
        at = min(at for at in upcoming.values() if at != -1)
        line = body.rfind("\n", 0, at) + 1
        opens = body[line:at].strip(" \t") == "" if superfences else line == at
        block = pattern.match(body, line) if opens else None
        if block:
            parts += [body[done:block.start()], _blank(block)]
            done = block.end()
        resume = done if block else (body.find("\n", at) + 1 or len(body))  # a fence opens a line: the next one
        for marker, place in upcoming.items():
            if place != -1 and place < resume:
                upcoming[marker] = body.find(marker, resume)
    return "".join(parts) + body[done:] if parts else body


def _without_inline_code(body: str) -> str:
    """Inline code spans blanked out. The expression is tried at each backtick only, found with str.find: searched
    for, it was tried at every character (110 µs on a page of 6 KB with five spans, now a tenth of that)."""
    parts, done, at = [], 0, body.find("`")
    while at != -1:
        if _escaped(body, at):  # `\``: a backtick as text; the run, if any, opens after it
            at = body.find("`", at + 1)
            continue
        span = _INLINE_CODE.match(body, at)
        if span:
            parts += [body[done:span.start()], _blank(span)]
            done = span.end()
            at = body.find("`", done)
        else:  # no closing run in the paragraph: these backticks are text
            run = at
            while run < len(body) and body[run] == "`":
                run += 1
            at = body.find("`", run)
    return "".join(parts) + body[done:] if parts else body


def _escaped(body: str, at: int) -> bool:
    """Whether an odd number of backslashes comes before `body[at]`."""
    start = at
    while start > 0 and body[start - 1] == "\\":
        start -= 1
    return (at - start) % 2 == 1


def _blank(match: re.Match) -> str:
    return _blank_text(match.group())


def _blank_text(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _elsewhere(address: str) -> bool:
    """Whether the browser reads `address` as one of another host."""
    return address_host(address) is not None
