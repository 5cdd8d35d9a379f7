"""The fast search index tokenizer: exactly Material's sections and entries, on every input."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from material.plugins.search.plugin import Parser, SearchIndex, SearchPlugin
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config

from benchmarks.generator import generate
from carepress.build import parallel
from carepress.build import search_index
from carepress.build.search_index import PlainParser, add_entry_from_context, install, on_page_context, parse, read_plain_markup
from tests.conftest import REPO, TODAY, empty_hub

PERMALINK = '<a class="headerlink" href="#{0}" title="Permanent link">&para;</a>'

CORPUS = [
    "",
    "du texte seul, sans balise",
    "texte &amp; entités &lt;b&gt; &#39;c&#39; &eacute;t&eacute; &nbsp;fin",
    "& seul, &amp sans point-virgule, &#x1; invalide, &unknown; et &",
    f'<h1 id="titre">Le titre{PERMALINK.format("titre")}</h1>\n<p>Un paragraphe.</p>',
    f'<p>Préface</p>\n<h2 id="a">A{PERMALINK.format("a")}</h2>\n<p>texte a</p>\n<h3 id="b">B &amp; C</h3>\n<p>texte b</p>',
    "<h2>Sans identifiant</h2><p>texte</p><h2 id=\"x\">Avec</h2>",
    "<ul>\n<li>un</li>\n<li>deux<ul>\n<li>deux-un</li>\n</ul>\n</li>\n</ul>\n<ol><li></li><li> </li></ol>",
    "<table>\n<thead>\n<tr>\n<th>A</th>\n<th align=\"center\">B</th>\n</tr>\n</thead>\n"
    "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>",
    "<pre><code>  indenté\n    &lt;code&gt; &amp;\n\n</code></pre>\n<p>après <code>x</code> et <code> </code></p>",
    "<p>a<sub>2</sub> b<sup>n</sup> H<sub> </sub></p>",
    "<p><img alt=\"Une image\" src=\"../images/a.png\" /> et <br> puis <br/> puis <br /> et <hr></p>",
    "<input type=checkbox checked disabled><input value='simple' data-x=\"\"><input value=a&amp;b>",
    "<div data-search-exclude>\n<p>caché</p>\n</div>\n<p>visible</p>",
    "<h2 id=\"exclu\" data-search-exclude>Exclu</h2><p>texte exclu</p><h2 id=\"ok\">OK</h2><p>texte</p>",
    "<div class=\"admonition warning\">\n<p class=\"admonition-title\">Attention</p>\n<p>Consultez.</p>\n</div>",
    "<div class=\"grid\" markdown=\"1\">\n<div>\n<h2 id=\"dans\">Dans un div</h2>\n<p>x</p>\n</div>\n<p>après</p>\n</div>",
    "<div class=\"linenodiv\"><pre>1\n2</pre></div><pre>code</pre>",
    "<p>Balises <em>mal</strong> fermées</p></div></li><b>gras",
    "<P CLASS=\"Haut\" Data-Search-Exclude>Majuscules</P><BR/>",
    "<a href=\"?a=1&amp;b=2\" title='Guillemets \"doubles\"'>lien</a>",
    "<a href = \"espaces\" title\n=\n'retours'>lien</a>",
    "<p>x</p >",
    "<p>une < seule et a<b, 1 <= 2</p>",
    "<p>fin sur <",
    "<p>balise <a href=\"x\"",
    "<!-- commentaire --><p>texte</p>",
    "<!DOCTYPE html><p>texte</p>",
    "<![CDATA[ x ]]><p>texte</p>",
    "<?php echo 1 ?><p>texte</p>",
    "<p>a</p><script>var x = '<p>' < 2;</script><p>b</p>",
    "<style>p > a { color: red }</style><p>b</p>",
    "<p>avant</p><script src=\"x.js\" /><p>après</p>",
    "<textarea><p>brut</p></textarea>",
    "<a b=c/>suite</a>",
    "<a b=\"c\"d>x</a>",
    "<a\u00a0href=\"x\">espace insécable</a>",
    "<a\x0bhref=\"x\">tabulation verticale</a><p\x0b>",
    "<a title='sans fin>x</a><p>y</p>",
    "<a title=\"sans fin>x</a><p>y</p>",
    "<a x==b>deux signes</a><a x=a=b>dans la valeur</a>",
    "<a href=`x`>accent grave</a>",
    "<br/ >",
    "</ p>",
    "</>",
    "<p>ligne\r\nfin\r\n</p>\n\n\n<p>\t</p>",
    # Elements skipped by tag: an object stays skipped once closed, an excluded element does not.
    "<object>a</object><p>b</p><object>c</object><p>d</p>",
    "<div data-search-exclude><div data-search-exclude>a</div>b</div>c<div>d</div>",
    "<p data-search-exclude>a</p><p>b</p><h2 id=\"t\" data-search-exclude>T</h2><p>c</p>",
    # Whitespace runs: kept one after the other only in a <pre>.
    "<pre><span> </span> <span>\n</span>x</pre><p><span> </span> <span> </span>y</p>",
    "<div><h2 id=\"n\">Dans un div</h2><p>x</p></div><p>après</p><hx>faux titre</hx><p>fin</p>",
    "<p data-search-exclude><p><p/></p>",  # Material's handlers raise ValueError here: the same error is expected
]

TOC = [SimpleNamespace(id="a", url="#a", children=[SimpleNamespace(id="b", url="#b", children=[])])]


def materials_parser(html: str) -> Parser:
    parser = Parser()
    parser.feed(html)
    parser.close()
    return parser


def sections(parser: Parser) -> list[tuple]:
    return [(s.el.tag, s.el.attrs, s.depth, s.title, s.text, s.id) for s in parser.data]


def entries(add, html: str, meta: dict | None = None) -> list[dict]:
    index = SearchIndex()
    add(index, SimpleNamespace(meta=meta or {}, content=html, toc=TOC, url="fiche/", title="Fiche"))
    return index.entries


class Calls(HTMLParser):
    """Every call a tokenizer makes to its parser's handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.calls.append(("start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.calls.append(("startend", tag, attrs))

    def handle_endtag(self, tag):
        self.calls.append(("end", tag))

    def handle_data(self, data):
        self.calls.append(("data", data))


def html_parsers_calls(html: str) -> list[tuple]:
    calls = Calls()
    calls.feed(html)
    calls.close()
    return calls.calls


def outcome(function, *args):
    """What `function` returns, or the exception it raises: Material's handlers fail on some markup
    (an excluded element holding one of the same tag, closed early), and the fast path must fail alike."""
    try:
        return function(*args)
    except Exception as error:  # compared by type and message
        return type(error), str(error)


def assert_same_as_material(html: str) -> bool:
    """Same calls (when the fast tokenizer reads `html`), sections and entries, or the same error; whether it read it."""
    calls = Calls()
    if read_plain_markup(calls, html):
        assert calls.calls == html_parsers_calls(html)
    ours = outcome(lambda: (lambda parser, fast: (sections(parser), fast))(*parse(html)))
    theirs = outcome(lambda: sections(materials_parser(html)))
    fast = ours[1] if isinstance(ours[0], list) else None
    assert (ours[0] if fast is not None else ours) == theirs
    assert outcome(entries, add_entry_from_context, html) == outcome(entries, SearchIndex.add_entry_from_context, html)
    return bool(fast)


@pytest.mark.parametrize("html", CORPUS)
def test_the_corpus_gives_materials_calls_sections_and_entries(html):
    assert_same_as_material(html)


def test_the_corpus_exercises_both_paths():
    taken = [assert_same_as_material(html) for html in CORPUS]
    assert taken.count(True) >= 20 and taken.count(False) >= 10


@pytest.mark.parametrize("html", [
    "<!-- commentaire --><p>texte</p>",
    "<p>a</p><script>var x = 1;</script>",
    "<style>p { color: red }</style>",
    "<p>une < seule</p>",
    "<?xml version=\"1.0\"?><p>x</p>",
    "<p>x</p>\n<!DOCTYPE html>",
    "<a b=\"c\"d>x</a>",
])
def test_pages_with_markup_beyond_plain_tags_go_to_materials_parser(html):
    assert parse(html)[1] is False


def test_the_hubs_markdown_output_takes_the_fast_path():
    source = (
        "# Vivre avec l'asthme\n\nUn *texte* avec un [lien](../a/) & des **entités** < 3.\n\n"
        "## Les signes {: #signes data-search-exclude }\n\n- un\n- deux\n\n"
        "!!! warning \"Attention\"\n    Consultez votre médecin.\n\n"
        "| A | B |\n|---|:-:|\n| 1 | 2 |\n\n    du code <b>\n\n"
        "<div markdown>\n### Dans un bloc\n\nTexte ![image](a.png)\n</div>\n"
    )
    html = markdown.markdown(source, extensions=["attr_list", "admonition", "md_in_html", "tables", "toc"],
                             extension_configs={"toc": {"permalink": True}})
    assert 'class="headerlink"' in html and "<table>" in html and "<pre><code>" in html
    assert assert_same_as_material(html) is True


def test_the_faster_handlers_serve_this_material_and_only_the_material_they_restate(monkeypatch):
    html = f'<h2 id="a">A{PERMALINK.format("a")}</h2><div data-search-exclude><p>x</p></div><pre>  y\n</pre>'
    parser, fast = parse(html)
    assert search_index.MATCHES and fast and type(parser) is PlainParser
    expected = sections(materials_parser(html))
    monkeypatch.setattr(search_index, "MATCHES", False)  # another Material: its own handlers
    parser, fast = parse(html)
    assert type(parser) is Parser and fast and sections(parser) == expected


def test_an_excluded_page_gives_no_entries():
    assert entries(add_entry_from_context, "<h1 id=\"a\">A</h1><p>x</p>", {"search": {"exclude": True}}) == []


# What HTML-ish strings are made of: tags Markdown writes, their parts, and what breaks them.
FRAGMENTS = [
    "<p>", "</p>", "<h1 id=\"a\">", "</h1>", "<h2 id=\"b\">", "<h2>", "</h2>", "<h3 id=b>", "</h3>",
    PERMALINK.format("a"), "<a href=\"x\">", "</a>", "<ul>", "</ul>", "<li>", "</li>", "<pre>", "</pre>",
    "<code>", "</code>", "<sub>", "</sub>", "<div data-search-exclude>", "<div class=\"linenodiv\">", "<div>",
    "</div>", "<br>", "<br/>", "<br />", "<img src=\"a.png\" alt=\"&amp;\">", "<table>", "<td>", "</td>",
    "<object>", "</object>", "<script>", "</script>", "<style>", "<!-- c -->", "<!x>", "<?x>", "<![CDATA[",
    "<", ">", "</", "/>", "=", "\"", "'", " ", "\n", "\t", "\r\n", "\u00a0", "x", "é", "¶", "&", "&amp;",
    "&lt", "&#39;", "&#x1;", "&eacute;", "&nbsp;", ";", "id", "class", "href",
    # What the faster handlers restate: skipped elements by tag, nested or not, headings' tags in context.
    "<hx>", "</hx>", "<h4 id=\"c\">", "</h4>", "<p data-search-exclude>", "<object data-search-exclude>",
    "<pre data-search-exclude>", "<code class=\"linenodiv\">", "<a class=\"headerlink\">", "<sup>", "</sup>",
]
# The parts of a tag: (what the fast tokenizer reads, near misses it must leave to Material's parser).
PARTS = {
    "tag": (["p", "H2", "a", "br", "img", "my-el", "x:y", "a.b", "Script"], ["1", "é", "@c", "", "a\x0b", "a\u00a0"]),
    "name": (["id", "ID", "class", "href", "title", "data-search-exclude", "_x", "x:y"], ["1", "é", "@c", "\"", "="]),
    "space": ([" ", "  ", "\n", "\t", "\r\n", "\f"], ["", "\x0b", "\u00a0", "/", " / "]),
    "gap": (["", " ", "\n"], ["\x0b", "\u00a0"]),
    "equals": (["="], ["==", "= ="]),
    "value": (["\"x\"", "'y'", "\"\"", "''", "z", "a/b", "a/", "&amp;", "\"&lt;&#39;\"", "a&b", "\"a>b\"", "'a\"b'",
               "headerlink", "\"headerlink\"", "\"linenodiv\""],
              ["\"", "'z", "\"z", "=", "=z", "`", "<", ">", "a=b", "a'b", "a\"b", ""]),
    "close": ([">", "/>"], ["", "/ >", "//>", " / >"]),
}


@st.composite
def tags(draw) -> str:
    """A start or end tag, random in case, attributes, quoting and spacing; often one part is a near miss."""
    if draw(st.booleans()):
        slots = ["</", "tag", ">"]
    else:
        slots = ["<", "tag"]
        for _ in range(draw(st.integers(0, 3))):
            slots += ["space", "name"]
            if draw(st.booleans()):
                slots += ["gap", "equals", "gap", "value"]
        slots += ["gap", "close"]
    odd_kind = draw(st.one_of(st.none(), st.sampled_from(sorted(set(slots) & set(PARTS)))))
    odd = draw(st.sampled_from([i for i, slot in enumerate(slots) if slot == odd_kind])) if odd_kind else None
    return "".join(slot if slot not in PARTS else draw(st.sampled_from(PARTS[slot][index == odd]))
                   for index, slot in enumerate(slots))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_html_from_fragments_gives_materials_sections_and_entries(html):
    assert_same_as_material(html)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(tags(), st.sampled_from(FRAGMENTS)), max_size=12).map("".join))
def test_random_tags_give_materials_calls_sections_and_entries(html):
    assert_same_as_material(html)


@settings(max_examples=1000, deadline=None)
@given(st.tuples(st.sampled_from(["", "x", "<p>"]), tags(), st.sampled_from(["", "y", "</p>", " &amp; z"])).map("".join))
def test_one_random_tag_gives_materials_calls_sections_and_entries(html):
    assert_same_as_material(html)


@pytest.fixture(params=["demo", "generated"])
def hub_config(request, tmp_path, monkeypatch) -> Path:
    """The patient site's configuration of a copy of the demo hub (builds write next to it), or of a
    generated 40-article hub."""
    if request.param == "demo":
        root = empty_hub(tmp_path / "demo").root
        shutil.copytree(REPO / "content", root / "content")
    else:
        root = generate(tmp_path / "hub", 40)
    monkeypatch.chdir(root)
    monkeypatch.setenv("CAREPRESS_TODAY", TODAY)
    return root / "site_config" / "patient.yml"


@pytest.mark.build
def test_every_page_of_a_hub_gets_materials_entries(hub_config, tmp_path, monkeypatch):
    """MkDocs' own build, each page indexed by Material as usual and, alongside, by the fast path."""
    materials = SearchIndex.add_entry_from_context
    fast_index, paths = SearchIndex(), []

    def both(index, page):
        materials(index, page)
        add_entry_from_context(fast_index, page)
        paths.append(parse(page.content)[1])

    monkeypatch.setattr(SearchIndex, "add_entry_from_context", both)
    config = load_config(str(hub_config), site_dir=str(tmp_path / "site"))
    mkdocs_build.build(config)
    assert len(paths) >= 30 and all(paths)  # Markdown's output: no page needs Material's parser
    assert fast_index.entries == config.plugins["material/search"].search_index.entries


def tiny_site(folder: Path, search: str = "{}") -> Path:
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text("# Accueil\n\nBonjour & bienvenue.\n", encoding="utf-8")
    (folder / "docs" / "page.md").write_text("# Page\n\n## Partie\n\nTexte.\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(f"site_name: Test\ntheme:\n  name: material\nplugins:\n  search: {search}\n", encoding="utf-8")
    return config


def materials_own(index: SearchIndex) -> bool:
    return "add_entry_from_context" not in vars(index)


def test_install_changes_only_this_builds_search_index(tmp_path):
    path = tiny_site(tmp_path)
    config = load_config(str(path), site_dir=str(tmp_path / "site"))
    config = config.plugins.on_config(config)
    install(config)
    index = config.plugins["material/search"].search_index
    assert vars(index)["add_entry_from_context"].__func__ is add_entry_from_context
    assert SearchIndex.add_entry_from_context.__module__ == "material.plugins.search.plugin"
    other = load_config(str(path), site_dir=str(tmp_path / "other"))
    other = other.plugins.on_config(other)
    assert materials_own(other.plugins["material/search"].search_index)


@pytest.mark.parametrize("content", [
    '<h2 id="a" data-search-exclude="">A</h2><p data-search-boost="2">x</p> <div\tdata-search-x="y">z</div>',
    "<p>Sans attribut de recherche, data-search- dans le texte.</p>", "<p>Rien du tout.</p>"])
def test_this_builds_page_context_event_is_materials_with_its_removal_guarded(tmp_path, content):
    config = load_config(str(tiny_site(tmp_path)), site_dir=str(tmp_path / "site"))
    config = config.plugins.on_config(config)
    plugin = config.plugins["material/search"]
    install(config)
    method = next(m for m in config.plugins.events["page_context"] if getattr(m, "__self__", None) is plugin)
    assert method.__func__ is on_page_context  # bound to Material's plugin: the parallel builder still knows it

    def page():
        return SimpleNamespace(meta={}, content=content, toc=TOC, url="fiche/", title="Fiche")

    ours, theirs = page(), page()
    method({}, page=ours, config=config, nav=None)
    SearchPlugin.on_page_context(plugin, {}, page=theirs, config=config, nav=None)
    assert ours.content == theirs.content and '="y"' not in ours.content and "boost" not in ours.content
    assert plugin.search_index.entries[: len(plugin.search_index.entries) // 2] == plugin.search_index.entries[len(plugin.search_index.entries) // 2:]


def test_install_leaves_a_disabled_search_plugin_alone(tmp_path):
    config = load_config(str(tiny_site(tmp_path, "{enabled: false}")), site_dir=str(tmp_path / "site"))
    config = config.plugins.on_config(config)
    plugin = config.plugins["material/search"]
    plugin.search_index = SearchIndex()  # an earlier build's: MkDocs keeps one instance of the plugin per process
    install(config)
    assert materials_own(plugin.search_index)


def test_carepress_builder_indexes_with_the_fast_path(tmp_path):
    config = load_config(str(tiny_site(tmp_path)), site_dir=str(tmp_path / "site"))
    built = parallel.build(config, jobs=1)
    index = built.config.plugins["material/search"].search_index
    assert not materials_own(index)
    assert [entry["location"] for entry in index.entries] == ["", "page/", "page/#partie"]
