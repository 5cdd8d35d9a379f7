"""CTA markers in Markdown: `{ .cp-cta data-cp-event="download-guide" }` (attr_list), checked at the source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

CTA_CLASS = "cp-cta"
EVENT_ATTRIBUTE = "data-cp-event"
EVENT_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_EVENT_NAME = 64
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_TOKEN = re.compile(r"""\s*(?:\.(?P<cls>[\w-]+)|\#(?P<id>[\w-]+)|(?P<key>[\w:-]+)(?:=(?P<value>"[^"]*"|'[^']*'|[^\s"'}]+))?)""")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1")


@dataclass(frozen=True)
class CtaProblem:
    offset: int  # in the Markdown text
    message: str


def check_ctas(markdown: str) -> Iterator[CtaProblem]:
    """Every CTA marker that would not produce a trackable CTA, outside fenced code."""
    if CTA_CLASS not in markdown and EVENT_ATTRIBUTE not in markdown:  # most pages: no line to look at
        return
    offset, fenced = 0, False
    for line in markdown.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            # Inline code (an example in prose) is blanked, keeping offsets.
            prose = _CODE_SPAN.sub(lambda match: " " * len(match.group(0)), line)
            if CTA_CLASS in prose or EVENT_ATTRIBUTE in prose:
                yield from _check_line(prose, offset)
        offset += len(line)


def _check_line(line: str, offset: int) -> Iterator[CtaProblem]:
    lists = list(_ATTR_LIST.finditer(line))
    if not lists:
        yield CtaProblem(offset, f"`{CTA_CLASS}`/`{EVENT_ATTRIBUTE}` outside an attribute list; write "
                                 f'`{{ .{CTA_CLASS} {EVENT_ATTRIBUTE}="event-name" }}` right after the link or button')
        return
    for match in lists:
        body = match.group(1)
        if CTA_CLASS in body or EVENT_ATTRIBUTE in body:
            problem = _check_attributes(body)
            if problem:
                yield CtaProblem(offset + match.start(), problem)


def _check_attributes(body: str) -> str | None:
    classes, attributes, position = set(), {}, 0
    while position < len(body.rstrip()):
        token = _TOKEN.match(body, position)
        if not token or token.end() == position:
            return f"attribute list `{{{body}}}` cannot be read (an unclosed quote?); write {EVENT_ATTRIBUTE}=\"event-name\""
        if token.group("cls"):
            classes.add(token.group("cls"))
        elif token.group("key"):
            key = token.group("key")
            if key in attributes and key == EVENT_ATTRIBUTE:
                return f"`{EVENT_ATTRIBUTE}` is given twice; keep one event name"
            value = token.group("value")
            attributes[key] = value.strip("\"'") if value is not None else None
        position = token.end()
    if CTA_CLASS not in classes:
        return f"`{EVENT_ATTRIBUTE}` without the `.{CTA_CLASS}` class; add `.{CTA_CLASS}` to the same attribute list"
    if EVENT_ATTRIBUTE not in attributes:
        return f"`.{CTA_CLASS}` without an event name; add {EVENT_ATTRIBUTE}=\"event-name\""
    name = attributes[EVENT_ATTRIBUTE]
    if not name:
        return f"`{EVENT_ATTRIBUTE}` has no value; write {EVENT_ATTRIBUTE}=\"event-name\""
    if len(name) > MAX_EVENT_NAME or not EVENT_NAME.fullmatch(name):
        return (f"event name {name!r} is not valid; use lowercase letters, digits and hyphens "
                f"(at most {MAX_EVENT_NAME} characters), e.g. download-guide")
    return None
