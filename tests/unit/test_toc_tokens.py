"""The table of contents without its HTML list: pages and tokens exactly as Python-Markdown makes them."""

from __future__ import annotations

from types import SimpleNamespace

import markdown
import pytest

from carepress.build.toc_tokens import TocTokens, TocTokensProcessor, install

EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html"]  # the hub's (mkdocs.yml)

PAGES = [
    "# Titre\n\nTexte.\n\n## Partie *une*\n\n### Détail `code`\n\n## Partie deux {#deux}\n",
    "# Titre\n\n[TOC]\n\n## Partie\n\nTexte.\n",  # the marker: replaced by the HTML list
    "# Titre\n\n<div markdown>\n[TOC]\n</div>\n\n## Partie\n",  # the marker inside an HTML block
    "# [TOC]\n\n## Partie\n\n    [TOC] in code\n\n```\n[TOC]\n```\n",  # where the marker is not replaced
    "# Titre\n\nLe mot [TOC] dans une phrase.\n\n## Partie\n",  # in a sentence: not replaced, but looked for
    "## Même titre\n\n## Même titre\n\n!!! note \"Encadré\"\n    ## Dans un encadré\n",
    "Pas de titre du tout.",
    "",
]


def converted(text: str, configs: dict, fast: bool) -> tuple[str, list, str]:
    md = markdown.Markdown(extensions=EXTENSIONS + ([TocTokens()] if fast else []), extension_configs={"toc": configs})
    html = md.convert(text)
    return html, md.toc_tokens, md.toc


@pytest.mark.parametrize("configs", [{"permalink": True}, {}, {"marker": "[[sommaire]]", "permalink": "¶"},
                                     {"marker": "", "toc_depth": "2-3"}])
@pytest.mark.parametrize("text", PAGES)
def test_pages_and_tokens_are_python_markdowns(text, configs):
    html, tokens, toc = converted(text, configs, fast=False)
    fast_html, fast_tokens, fast_toc = converted(text, configs, fast=True)
    assert fast_html == html and fast_tokens == tokens
    marker = configs.get("marker", "[TOC]")
    assert fast_toc == (toc if marker and marker in text else "")  # the HTML list only where a marker may be


def test_the_marker_is_replaced_as_python_markdown_does():
    html, _, toc = converted(PAGES[1], {"permalink": True}, fast=True)
    assert '<div class="toc">' in html and "[TOC]" not in html and toc.startswith('<div class="toc">')


def test_it_replaces_only_the_stock_processor_and_installs_once():
    md = markdown.Markdown(extensions=EXTENSIONS + [TocTokens()])
    assert type(md.treeprocessors["toc"]) is TocTokensProcessor
    assert md.treeprocessors.get_index_for_name("toc") == markdown.Markdown(extensions=EXTENSIONS).treeprocessors.get_index_for_name("toc")
    assert "toc" not in markdown.Markdown(extensions=["tables", TocTokens()]).treeprocessors  # no toc extension: nothing
    config = SimpleNamespace(markdown_extensions=list(EXTENSIONS))
    install(config)
    install(config)
    assert sum(isinstance(extension, TocTokens) for extension in config.markdown_extensions) == 1
