"""The triggered inline processor converts Markdown exactly as Python-Markdown does."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import markdown
from hypothesis import given, settings, strategies as st

from carepress.build.inline_triggers import InlineTriggers, TriggeredInlineProcessor, install, needed

REPO = Path(__file__).resolve().parents[2]
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html"]  # the hub's (mkdocs.yml)
CONFIGS = {"toc": {"permalink": True}}

TRICKY = [
    "Plain text, nothing to find.",
    "Some `code`, ``double `tick` code``, an escaped \\`tick\\` and \\\\`after backslashes`.",
    "Escapes: \\* \\_ \\[ \\< \\& \\\\ and a lone backslash \\",
    "[a link](page.md \"title\"), [ref][1], [short], ![image](i.png), ![ref image][1], ![short image]\n\n[1]: target.md",
    "<https://example.org/path?q=1>, <mailto:me@example.org>, <me@example.org> and <not a link>",
    "Line one  \nline two with a hard break, and <span class=\"x\">inline html</span> <!-- a comment --> <?pi?>",
    "Entities: &amp; &#233; &#xE9; &copy; and a bare & ampersand; &notanentity",
    "*em*, **strong**, ***both***, _under_, __double__, snake_case_word, 2 * 3 * 4, a * lone star",
    "Mixed: **[link *em* `code`](x.md)** and _<b>html</b>_ &amp; `<not html>`",
    "> quote with *em*\n\n- item `code`\n- item [link](y.md)\n\n| a | b |\n|---|---|\n| *c* | `d` |",
    "!!! note \"Titre\"\n    Contenu *important* avec [un lien](z.md).\n",
    "<div markdown>\n*inside* html block with `code`\n</div>",
    "Texte français : « guillemets », l’apostrophe — tiret… et °C ; rien d’autre.",
]


def convert(text: str, triggered: bool) -> str:
    md = markdown.Markdown(extensions=EXTENSIONS + ([InlineTriggers()] if triggered else []), extension_configs=CONFIGS)
    return md.convert(text)


def test_the_extension_replaces_python_markdowns_inline_processor():
    md = markdown.Markdown(extensions=EXTENSIONS + [InlineTriggers()], extension_configs=CONFIGS)
    assert type(md.treeprocessors["inline"]) is TriggeredInlineProcessor
    assert md.treeprocessors.get_index_for_name("inline") == 0  # runs where Python-Markdown's own ran


def test_every_stock_pattern_is_recognised_so_the_shortcut_is_taken():
    # A Python-Markdown upgrade that changes a regex makes its pattern always searched: correct, but this fails.
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS)
    unknown = [name.name for name, pattern in zip(md.inlinePatterns._priority, md.inlinePatterns) if needed(pattern) is None]
    assert unknown == []


def test_a_pattern_it_does_not_know_is_always_searched():
    class Other:
        compiled_re = SimpleNamespace(pattern=r"\+\+(.+?)\+\+")

    assert needed(Other()) is None
    assert needed(object()) is None


def test_tricky_markdown_converts_the_same():
    for text in TRICKY:
        assert convert(text, triggered=True) == convert(text, triggered=False), text


def test_the_demo_hub_converts_the_same():
    pages = sorted((REPO / "content").rglob("*.md"))
    assert len(pages) > 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert convert(text, triggered=True) == convert(text, triggered=False), page


PIECES = ["*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")", "!", "<", ">", "&", ";", "#", "amp", "x", " ",
          "  \n", "\n", "\n\n", "a", "é", "http://e.org", "@", "m@e.org", "<b>", "</b>", "<!--", "-->", ":", "\"", "'",
          "- ", "1. ", "> ", "    ", "{: .c }", "[^1]", "[1]: u", "|", "---"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_markdown_converts_the_same(text):
    assert convert(text, triggered=True) == convert(text, triggered=False)


def test_install_adds_the_extension_once():
    config = SimpleNamespace(markdown_extensions=["toc"])
    install(config)
    install(config)
    assert [type(e) for e in config.markdown_extensions] == [str, InlineTriggers]


def test_another_shape_of_python_markdowns_private_method_leaves_its_processor_in_place(monkeypatch):
    from markdown import treeprocessors

    from carepress.build import inline_triggers

    monkeypatch.setattr(inline_triggers, "OVERRIDABLE", False)
    md = markdown.Markdown(extensions=EXTENSIONS + [InlineTriggers()], extension_configs=CONFIGS)
    assert type(md.treeprocessors["inline"]) is treeprocessors.InlineProcessor
