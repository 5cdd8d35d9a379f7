"""Python-Markdown's block processors, whose regular expressions are not run on a block they cannot match.

Python-Markdown asks each block processor, in turn, whether it takes a block of text: the quote,
heading, rule, reference and admonition processors search the whole block with a regular
expression that starts at any line (`(^|\\n)…`), which no literal prefix speeds up. Each of those
expressions needs a character the block may lack (`>`, `#`, `-`, `]:`, `!!!`…): a block without it
cannot match, and the search answers "no match" at once, without running the expression. The
processors' code is unchanged: only the expression they hold is wrapped.

Processors are recognised by their exact class and the exact expression Python-Markdown 3.11
gives them (copied below): another version's expression, or an extension's subclass, is searched
as it is. Only `carepress build` installs it; the equivalence tests compare its pages with
`mkdocs build`'s.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown, blockprocessors
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionProcessor

# (class, attribute holding its expression, the expression's source and flags) -> strings of which a match holds one.
NEEDED: dict[tuple[type, str, str, int], tuple[str, ...]] = {
    (blockprocessors.BlockQuoteProcessor, "RE", r"(^|\n)[ ]{0,3}>[ ]?(.*)", re.UNICODE): (">",),
    (blockprocessors.HashHeaderProcessor, "RE",
     r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)", re.UNICODE): ("#",),
    # The first line, a line break, then `=` or `-`: `.` does not take a line break.
    (blockprocessors.SetextHeaderProcessor, "RE", r"^.*?\n(?:=+|-+)[ ]*(\n|$)", re.UNICODE | re.MULTILINE): ("\n=", "\n-"),
    (blockprocessors.HRProcessor, "SEARCH_RE",
     r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$",
     re.UNICODE | re.MULTILINE): ("-", "_", "*"),
    (blockprocessors.ReferenceProcessor, "RE",
     r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
     re.UNICODE | re.MULTILINE): ("]:",),
    (AdmonitionProcessor, "RE", r'(?:^|\n)!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *(?:\n|$)', re.UNICODE): ("!!!",),
}


class GuardedPattern:
    """A compiled expression whose `search` and `match` answer None at once on a text holding none of `needed`
    (no match can then exist, from any position); everything else is the expression's own."""

    def __init__(self, pattern: re.Pattern, needed: tuple[str, ...]) -> None:
        self.compiled, self.needed = pattern, needed

    def search(self, string: str, *args: Any) -> re.Match | None:
        return self.compiled.search(string, *args) if any(map(string.__contains__, self.needed)) else None

    def match(self, string: str, *args: Any) -> re.Match | None:
        return self.compiled.match(string, *args) if any(map(string.__contains__, self.needed)) else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


def guard(processor: object) -> str | None:
    """Wraps `processor`'s expression when it is a known one; the attribute wrapped, or None."""
    for (kind, attribute, source, flags), needed in NEEDED.items():
        pattern = getattr(processor, attribute, None)
        if type(processor) is kind and isinstance(pattern, re.Pattern) and (pattern.pattern, pattern.flags) == (source, flags):
            setattr(processor, attribute, GuardedPattern(pattern, needed))  # on this instance only
            return attribute
    return None


class BlockTriggers(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        for processor in md.parser.blockprocessors:
            guard(processor)


def install(config) -> None:
    """Convert this build's pages with guarded block processors (last, so that every extension has registered its own)."""
    extensions = config.markdown_extensions
    if not any(isinstance(extension, BlockTriggers) for extension in extensions):
        extensions.append(BlockTriggers())
