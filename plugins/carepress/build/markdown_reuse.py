"""One Python-Markdown instance per process for the pages of a build, reset before each page.

MkDocs makes a new `markdown.Markdown` for every page it converts (`Page.render`): loading the
extensions and building the parser's processors took 0.11 ms of a page's 1.7 ms. Python-Markdown's
documented way of converting several documents with one instance is to call `reset()` between
them: extensions with state register for it (footnotes, abbreviations, the table of contents).
MkDocs registers its per-page processors (links, anchors, title) again on each page, under the same
names, which replaces the previous page's.

While `reused_markdown(config)` lasts, `Page.render` gets one instance per process for this build's
extensions, reset before each page, when every processor and registered extension of that instance
comes from Python-Markdown, MkDocs or CarePress. An extension of another package may keep state
of its own that `reset()` does not clear: with one, every page gets a new instance, as in MkDocs.
Only `carepress build` uses it; the equivalence tests compare its pages with `mkdocs build`'s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import markdown
from mkdocs.structure import pages

TRUSTED_MODULES = ("markdown.", "mkdocs.", "carepress.")


def reusable(md: markdown.Markdown) -> bool:
    """Whether everything that runs in `md` comes from code whose state `reset()` is known to clear."""
    parts = [*md.preprocessors, *md.parser.blockprocessors, *md.treeprocessors, *md.inlinePatterns,
             *md.postprocessors, *md.registeredExtensions]
    return all(type(part).__module__.startswith(TRUSTED_MODULES) for part in parts)


class _MarkdownModule:
    """`markdown` as `mkdocs.structure.pages` sees it: `Markdown(...)` of this build's extensions is the kept instance."""

    def __init__(self, config: Any) -> None:
        self.extensions, self.configs = config.markdown_extensions, config.mdx_configs
        self.kept: dict[int, markdown.Markdown | None] = {}  # process -> its instance, None when not reusable

    def __getattr__(self, name: str) -> Any:
        return getattr(markdown, name)

    def Markdown(self, *args: Any, **kwargs: Any) -> markdown.Markdown:  # noqa: N802 (markdown's own name)
        if args or kwargs.keys() != {"extensions", "extension_configs"} or not self._this_builds(**kwargs):
            return markdown.Markdown(*args, **kwargs)
        process = os.getpid()  # forked workers each make and keep their own
        if process not in self.kept:
            md = markdown.Markdown(**kwargs)
            self.kept[process] = md if reusable(md) else None
            return md
        md = self.kept[process]
        return md.reset() if md is not None else markdown.Markdown(**kwargs)

    def _this_builds(self, extensions: list, extension_configs: dict) -> bool:
        # MkDocs passes `config['mdx_configs'] or {}`: the same objects on every page of the build.
        return extensions is self.extensions and (extension_configs is self.configs or extension_configs == self.configs == {})


@contextlib.contextmanager
def reused_markdown(config: Any) -> Iterator[None]:
    original = pages.markdown
    pages.markdown = _MarkdownModule(config)
    try:
        yield
    finally:
        pages.markdown = original
