"""Python-Markdown's inline patterns, each skipped on text that lacks a character its regex needs.

Python-Markdown runs every inline pattern (code, escapes, links, images, autolinks, line breaks,
inline HTML, entities, emphasis) over every text node of a page, one regular-expression search
each: a quarter of converting a page. Each stock pattern's regex consumes a literal (`` ` ``, `\\`,
`[`, `<`, `&`, `*`…), so on a text without it the search cannot match and the pattern returns
"no match" without touching the text: skipping it gives the same HTML. Patterns are recognised by
their regex source, so a pattern an extension adds or changes is always searched.

Only `carepress build` installs it (vanilla `mkdocs build` keeps Python-Markdown as it is); the
equivalence tests compare both outputs byte for byte.
"""

from __future__ import annotations

import inspect

from markdown import Markdown, inlinepatterns, treeprocessors, util
from markdown.extensions import Extension

# Regex source of a stock inline pattern -> strings of which a match contains at least one.
NEEDED: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),  # both branches end at a backtick (the first in a lookahead, within the text)
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),  # also REFERENCE_RE
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    r"\*|_": ("*", "_"),  # the emphasis delimiters Python-Markdown registers by default
}


def needed(pattern: object) -> tuple[str, ...] | None:
    """What a text must contain for `pattern` to match, or None when unknown (always searched)."""
    regex = getattr(pattern, "compiled_re", None)
    return NEEDED.get(regex.pattern) if regex is not None else None


class TriggeredInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline treeprocessor, which does not search a text for a pattern it cannot match."""

    def run(self, tree, ancestors=None):
        # Extensions may register patterns after this processor was made: read them at each page.
        self.patterns = list(self.inlinePatterns)
        self.needed = [needed(pattern) for pattern in self.patterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data, patternIndex=0):
        # Python-Markdown's private `__handleInline` and its loop over the patterns. A pattern whose strings
        # the text lacks is passed by here with the answer `__applyPattern` gives when nothing matches
        # (data, False, 0): that call, and the registry's lookup of the pattern, were most of a conversion's calls.
        if isinstance(data, util.AtomicString):
            return data
        patterns, wanted, apply = self.patterns, self.needed, self._InlineProcessor__applyPattern
        start, count = 0, len(patterns)
        while patternIndex < count:
            strings = wanted[patternIndex]
            if strings is not None and not any(map(data.__contains__, strings)):
                start = 0
                patternIndex += 1
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def _parameters(name: str) -> list[str] | None:
    method = getattr(treeprocessors.InlineProcessor, f"_InlineProcessor__{name}", None)
    return list(inspect.signature(method).parameters) if method is not None else None


# The private methods overridden and called above, as Python-Markdown 3.x defines them: of another shape, nothing is replaced.
OVERRIDABLE = (_parameters("handleInline") == ["self", "data", "patternIndex"]
               and _parameters("applyPattern") == ["self", "pattern", "data", "patternIndex", "startIndex"])


class InlineTriggers(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        registry = md.treeprocessors
        if not OVERRIDABLE:
            return
        if "inline" in registry and type(registry["inline"]) is treeprocessors.InlineProcessor:  # not another extension's
            priority = next(item.priority for item in registry._priority if item.name == "inline")
            registry.register(TriggeredInlineProcessor(md), "inline", priority)


def install(config) -> None:
    """Convert this build's pages with the triggered inline processor (last, so it sees every extension's patterns)."""
    extensions = config.markdown_extensions
    if not any(isinstance(extension, InlineTriggers) for extension in extensions):
        extensions.append(InlineTriggers())
