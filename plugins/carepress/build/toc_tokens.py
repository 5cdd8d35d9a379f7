"""Python-Markdown's table of contents, without the HTML table MkDocs never reads.

The `toc` extension gives each heading its id and permalink, and the page's table of contents
twice: as tokens (`md.toc_tokens`, what MkDocs makes `page.toc` of) and as an HTML list
(`md.toc`), built, prettified and serialized for every page, then looked for a `[TOC]` marker to
replace in the whole page. Nothing in MkDocs or Material reads `md.toc`. Here the HTML list is
built only for a page where some element's text holds the marker (one pass over the page's
elements in C); on the others `md.toc` is left empty and the page's HTML and tokens are the same.

Only `carepress build` installs it; the equivalence tests compare its output with `mkdocs build`'s.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import TocTreeprocessor


class TocTokensProcessor(TocTreeprocessor):
    """The stock processor, whose HTML table of contents is made only where the page asks for it."""

    marked = False  # whether the page being converted may hold the marker

    def run(self, doc: etree.Element) -> None:
        marker = self.marker
        self.marked = bool(marker) and any(marker in element.text for element in doc.iter() if element.text)
        super().run(doc)
        if not self.marked:
            self.md.toc = ""

    def build_toc_div(self, toc_list: list) -> etree.Element:
        return super().build_toc_div(toc_list) if self.marked else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self.marked:  # else no element's text is the marker: the stock search would replace nothing
            super().replace_marker(root, elem)


class TocTokens(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        registry = md.treeprocessors
        if "toc" in registry and type(registry["toc"]) is TocTreeprocessor:  # not another extension's subclass
            priority = next(item.priority for item in registry._priority if item.name == "toc")
            processor = TocTokensProcessor.__new__(TocTokensProcessor)
            vars(processor).update(vars(registry["toc"]))  # the page's configuration, as the toc extension set it
            registry.register(processor, "toc", priority)


def install(config) -> None:
    """Convert this build's pages with it (last in the list, so that the toc extension has registered)."""
    extensions = config.markdown_extensions
    if not any(isinstance(extension, TocTokens) for extension in extensions):
        extensions.append(TocTokens())
