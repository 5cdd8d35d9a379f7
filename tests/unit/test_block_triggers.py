"""Guarded block processors convert Markdown exactly as Python-Markdown does."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import markdown
from hypothesis import given, settings, strategies as st
from markdown import blockprocessors

from carepress.build.block_triggers import NEEDED, BlockTriggers, GuardedPattern, guard, install

REPO = Path(__file__).resolve().parents[2]
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html", "footnotes", "def_list"]
CONFIGS = {"toc": {"permalink": True}}

TRICKY = [
    "Plain text, nothing to find.\nOn two lines.",
    "> a quote\n> on two lines\n\n   > indented quote\n\n    > code, not a quote\n\ntext\n> lazy quote",
    "# Heading\n## Heading ##\n###### six\n####### seven\n#not a heading?\n\\# escaped\n\ntext # hash",
    "Title\n=====\n\nSub\n---\n\nNot\n = a title\n\ntext\n-\n\n- a list\n-- dash",
    "---\n\n***\n\n___\n\n- - -\n\n* * *\n\ntext\n---\nafter\n\n--\n\n**bold**",
    "[ref]: https://example.org \"Title\"\n[other]:\n  https://e.org\n  (paren)\n\nUse [ref] and [other]. A ]: alone.",
    '!!! note "Titre"\n    Texte.\n\n!!!warning\n    Sans espace.\n\n    Suite indentée.\n\n!! not\n\n!!! \n',
    "1. one\n2. two\n\n* star\n+ plus\n- minus\n\n    code block\n\n```\n# fenced\n> code\n```",
    "Term\n:   Definition\n\n| a | b |\n|---|---|\n| # | > |\n\nFootnote[^1].\n\n[^1]: > note",
    "<div markdown>\n# In HTML\n> quote\n---\n</div>\n\n<p>\n# raw\n</p>",
    "Texte français : « guillemets », l’apostrophe — tiret… et °C ; rien d’autre.",
]


def convert(text: str, guarded: bool) -> str:
    md = markdown.Markdown(extensions=EXTENSIONS + ([BlockTriggers()] if guarded else []), extension_configs=CONFIGS)
    return md.convert(text)


def test_every_stock_processor_of_the_hub_is_guarded():
    # A Python-Markdown upgrade that changes one of these expressions leaves it unguarded: correct, but this fails.
    md = markdown.Markdown(extensions=EXTENSIONS + [BlockTriggers()], extension_configs=CONFIGS)
    guarded = {type(p).__name__ for p in md.parser.blockprocessors
               if any(isinstance(getattr(p, attribute, None), GuardedPattern) for attribute in ("RE", "SEARCH_RE"))}
    assert guarded == {kind.__name__ for kind, *_ in NEEDED}


def test_only_the_exact_class_and_expression_are_guarded():
    class Subclass(blockprocessors.HashHeaderProcessor):
        pass

    parser = SimpleNamespace(md=SimpleNamespace(tab_length=4))
    assert guard(Subclass(parser)) is None
    changed = blockprocessors.HashHeaderProcessor(parser)
    changed.RE = re.compile(r"(?:^|\n)(?P<level>=+)(?P<header>.*)")  # another version's, or an extension's
    assert guard(changed) is None and not isinstance(changed.RE, GuardedPattern)
    stock = blockprocessors.HashHeaderProcessor(parser)
    assert guard(stock) == "RE" and isinstance(stock.RE, GuardedPattern)
    assert not isinstance(blockprocessors.HashHeaderProcessor.RE, GuardedPattern)  # the class is left as it is


def test_a_guarded_pattern_answers_as_the_expression_does():
    pattern = re.compile(r"(?:^|\n)#+ (.*)")
    guarded = GuardedPattern(pattern, ("#",))
    for text, start in [("# a", 0), ("x\n## b", 0), ("x\n## b", 3), ("no hash", 0), ("", 0)]:
        assert repr(guarded.search(text, start)) == repr(pattern.search(text, start))
        assert repr(guarded.match(text, start)) == repr(pattern.match(text, start))
    assert guarded.pattern == pattern.pattern and [m.group(1) for m in guarded.finditer("# a\n# b")] == ["a", "b"]


def test_tricky_markdown_converts_the_same():
    for text in TRICKY:
        assert convert(text, guarded=True) == convert(text, guarded=False), text


def test_the_demo_hub_converts_the_same():
    pages = sorted((REPO / "content").rglob("*.md"))
    assert len(pages) > 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert convert(text, guarded=True) == convert(text, guarded=False), page


PIECES = ["#", "# ", "##", ">", "> ", "-", "---", "*", "***", "_", "___", " ", "  ", "    ", "\n", "\n\n", "=", "===",
          "[", "]", "]:", "[a]: u", "(", ")", "\"", "!", "!!!", "!!! note", "!!! note \"T\"", "1. ", "- ", "+ ",
          "a", "é", "text", "`", "```", ":   ", "|", "<div markdown>", "</div>", "[^1]", "[^1]: ", "\\"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_markdown_converts_the_same(text):
    assert convert(text, guarded=True) == convert(text, guarded=False)


def test_install_adds_the_extension_once():
    config = SimpleNamespace(markdown_extensions=["toc"])
    install(config)
    install(config)
    assert [type(e) for e in config.markdown_extensions] == [str, BlockTriggers]
