"""One Markdown instance per process, reset between pages: MkDocs' pages exactly as with a new instance each."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings, strategies as st
from mkdocs.config import load_config
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import get_files
from mkdocs.structure.pages import Page

from carepress.build.inline_triggers import InlineTriggers
from carepress.build.markdown_reuse import reusable, reused_markdown
from carepress.build.toc_tokens import TocTokens

# The hub's extensions, and stock ones that keep state between documents until `reset()`.
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html", "footnotes", "abbr", "def_list"]

PAGES = {
    "index.md": "# Accueil\n\nVoir [la fiche](fiche.md#signes) et [l'autre](autre.md).\n",
    "fiche.md": "# Fiche\n\nUn texte[^1] sur l'HTA.\n\n*[HTA]: hypertension artérielle\n\n[^1]: Une note.\n\n## Signes\n\n## Signes\n",
    "autre.md": "Pas de titre, une note[^a] et HTA.\n\n[^a]: Autre note.\n\n[ref]: fiche.md\n\nVoir [ref].\n",
    "ancres.md": "# Ancres {#haut}\n\n<div id=\"bloc\" markdown>\n## Dans un bloc\n</div>\n\n<a name=\"nom\"></a>\n\n[bas](#bas)\n",
    "vide.md": "",
    "tableau.md": "Terme\n:   Définition\n\n| a | b |\n|---|---|\n| 1 | [lien](index.md) |\n\n!!! note \"Encadré\"\n    Texte[^1].\n\n[^1]: Dans l'encadré.\n",
}


def site(tmp_path, extensions=EXTENSIONS):
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in PAGES.items():
        (docs / name).write_text(text, encoding="utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: Essai\nmarkdown_extensions:\n" + "".join(f"  - {e}\n" for e in extensions)
                           + "  - toc:\n      permalink: true\n", encoding="utf-8")
    config = load_config(str(config_file))
    config.markdown_extensions.extend([InlineTriggers(), TocTokens()])  # as carepress build converts pages
    return config, get_files(config)


def rendered(config, files, names: list[str]) -> list[tuple]:
    out = []
    for name in names:
        page = Page(None, files.get_file_from_path(name), config)
        page.read_source(config)
        page.render(config, files)
        out.append((page.content, [(item.title, item.id, item.url) for item in page.toc], page._title_from_render,
                    sorted(page.present_anchor_ids), {f.src_uri: a for f, a in (page.links_to_anchors or {}).items()}))
    return out


def test_pages_are_the_same_as_with_a_new_instance_each(tmp_path):
    config, files = site(tmp_path)
    names = [*PAGES, *reversed(PAGES)]  # each page after others whose state it must not see
    fresh = rendered(config, files, names)
    with reused_markdown(config):
        reused = rendered(config, files, names)
        kept = mkdocs_pages.markdown.kept
    assert reused == fresh
    assert len(kept) == 1 and next(iter(kept.values())) is not None  # one instance served every page
    # The pages would show leaked state: an abbreviation defined on one page only, footnotes numbered per page.
    assert "<abbr" in fresh[1][0] and "<abbr" not in fresh[2][0] and 'href="#fn:a">1<' in fresh[2][0]


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(PAGES)))
def test_any_order_of_pages_gives_the_same_pages(tmp_path_factory, names):
    config, files = site(tmp_path_factory.mktemp("hub"))
    fresh = rendered(config, files, names)
    with reused_markdown(config):
        assert rendered(config, files, names) == fresh


class _Stateful(markdown.extensions.Extension):
    """An extension of another package (this test module), which may keep state `reset()` does not clear."""

    def extendMarkdown(self, md):
        md.registerExtension(self)


def test_an_extension_of_another_package_gets_a_new_instance_on_every_page(tmp_path):
    config, files = site(tmp_path)
    config.markdown_extensions.append(_Stateful())
    assert not reusable(markdown.Markdown(extensions=config.markdown_extensions))
    with reused_markdown(config):
        first = mkdocs_pages.markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
        second = mkdocs_pages.markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    assert first is not second


def test_only_this_builds_extensions_reuse_an_instance(tmp_path):
    config, _ = site(tmp_path)
    with reused_markdown(config):
        module = mkdocs_pages.markdown
        ours = [module.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs) for _ in range(2)]
        other = [module.Markdown(extensions=["tables"], extension_configs={}) for _ in range(2)]
        assert ours[0] is ours[1] and other[0] is not other[1]
        assert module.treeprocessors is markdown.treeprocessors  # the rest of the module, as it is
    assert mkdocs_pages.markdown is markdown


@pytest.mark.parametrize("extensions", [["toc"], []])
def test_no_extension_configuration_is_matched_too(tmp_path, extensions):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Essai\n" + (f"markdown_extensions: {extensions}\n" if extensions else ""),
                                         encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    with reused_markdown(config):
        module = mkdocs_pages.markdown
        made = [module.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {})
                for _ in range(2)]
    assert made[0] is made[1]
