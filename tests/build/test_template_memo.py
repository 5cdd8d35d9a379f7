"""The template memos of CarePress' builder: the same pages as MkDocs itself, and really used."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

from benchmarks.generator import generate
from tests.build.test_fast_build import REPRODUCIBLE, run, tree
from tests.conftest import REPO

pytestmark = pytest.mark.build

# parallel.build on any configuration, with what the memos did in this process (the serial path's pages).
BUILD_SCRIPT = """
import json, sys
from mkdocs.config import load_config
from carepress.build.template_memo import FRAGMENT_GLOBAL, LANGUAGE_GLOBAL, NAV_GLOBAL
from carepress.build.parallel import build
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="build", dirty=False)
built = build(config, jobs=int(sys.argv[3]))
config.plugins.on_shutdown()
nav, translations, fragments = (built.env.globals[name] for name in (NAV_GLOBAL, LANGUAGE_GLOBAL, FRAGMENT_GLOBAL))
print(json.dumps({"serial": built.serial_reason, "hits": nav.hits, "misses": nav.misses, "shell_hits": nav.shell_hits,
                  "shell_misses": nav.shell_misses, "translations": translations.hits,
                  "fragments": fragments.hits, "fragment_misses": fragments.misses}))
"""


def build_with_memo(config: str, site: Path, jobs: int, cwd: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", BUILD_SCRIPT, config, str(site), str(jobs)], cwd=cwd,
                            capture_output=True, text=True, env={**os.environ, **REPRODUCIBLE}, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def vanilla(config: str, site: Path, cwd: Path) -> dict[str, bytes]:
    result = run(["mkdocs", "build", "-f", config, "-d", str(site)], cwd)
    assert result.returncode == 0, result.stderr
    return tree(site)


def assert_same_pages(produced: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(produced) == sorted(expected)
    assert [name for name in expected if produced[name] != expected[name]] == []


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("memo") / "hub", 60)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_generated_hub_is_built_as_mkdocs_builds_it(generated, jobs):
    expected = vanilla("site_config/patient.yml", generated / "out" / "vanilla", generated)
    fast = run(["carepress", "build", "-a", "patient", "--jobs", str(jobs), "--no-cache", "-d", f"out/jobs{jobs}"], generated)
    assert fast.returncode == 0, fast.stderr
    assert ("Serial build: one job" in fast.stderr) == (jobs == 1)
    assert_same_pages(tree(generated / "out" / f"jobs{jobs}" / "patient"), expected)


def test_the_memos_render_most_of_sibling_pages(generated, tmp_path):
    from carepress.build.template_memo import FRAGMENTS

    done = build_with_memo("site_config/patient.yml", tmp_path / "site", 1, generated)
    assert done["serial"] == "one job"
    assert done["hits"] > 5 * done["misses"] > 0  # 25 articles a section: each item is rendered once for them all
    assert done["shell_hits"] > done["shell_misses"] > 0  # the sections holding the page: one per page and level
    assert done["translations"] > 0
    assert {name: done["fragments"].get(name, 0) > 0 for name in FRAGMENTS} == {name: True for name in FRAGMENTS}
    # An article's table of contents, rendered for the navigation, is taken again for the sidebar.
    assert done["fragments"]["toc"] >= 60
    assert_same_pages(tree(tmp_path / "site"), vanilla("site_config/patient.yml", tmp_path / "vanilla", generated))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The repository's demo hub, copied: a build writes beside its content (deploy/)."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("site_config", "theme", "content"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_demo_hub_is_built_as_mkdocs_builds_it(demo, jobs):
    fast = run(["carepress", "build", "-a", "all", "--jobs", str(jobs), "--no-cache", "-d", f"out/jobs{jobs}"], demo)
    assert fast.returncode == 0, fast.stderr
    for audience in ("patient", "hcp"):
        expected = vanilla(f"site_config/{audience}.yml", demo / "out" / f"vanilla-{audience}", demo)
        assert_same_pages(tree(demo / "out" / f"jobs{jobs}" / audience), expected)


PAGES = {
    "index.md": "",
    "guide.md": "",
    "other.md": "",
    "third.md": "",
    "annexes/x.md": "",
    "annexes/y.md": "",
    # Under guide.md's URL path (guide/), in another section: from guide/ and from other/, the same
    # items link with different relative URLs.
    "guide/details.md": "icon: material/heart\n",
    "guide/more.md": "status: new\n",
    "topics/index.md": "icon: material/star\nsubtitle: Le thème\n",
    "topics/a.md": "icon: material/heart\nstatus: deprecated\n",
    "topics/b.md": "subtitle: Un sous-titre\n",
    "topics/sub/index.md": "",
    "topics/sub/c.md": "",
    "topics/sub/d.md": "status: new\n",
    "topics/sub/deeper/e.md": "",
    "topics/sub/deeper/f.md": "",
    "outside.md": "",  # rendered without a place in the navigation
}
NAV = [
    {"Accueil": "index.md"},
    # Annexes: its parent is active on guide/ and not on outside/, whose relative URLs to it are the same.
    {"Pages": ["guide.md", "other.md", "third.md", {"Annexes": ["annexes/x.md", "annexes/y.md"]}]},
    # guide.md twice: on its page, the section it is listed in first is not active (its parent is Détails).
    {"Détails": ["guide/details.md", "guide/more.md", "guide.md", {"Site externe": "https://example.org/"},
                 {"Absolu": "/autre-site/"}, {"Relatif": "autre/page.html"}]},
    {"Thèmes": ["topics/index.md", "topics/a.md", "topics/b.md",
                {"Sous-thème": ["topics/sub/index.md", "topics/sub/c.md", "topics/sub/d.md",
                                {"Plus bas": ["topics/sub/deeper/e.md", "topics/sub/deeper/f.md"]}]}]},
    {"Hors site": "https://example.com/page"},
]
EVERY_FRAGMENT_BUT_TOP = {"toc", "header-start", "header-end", "logo", "footer", "config"}  # top.html: navigation.top
# features, use_directory_urls, other settings, the fragments memoized (the others rendered by Material alone).
FEATURES = {
    "tabs-prune": (["navigation.tabs", "navigation.sections", "navigation.indexes", "navigation.prune"], True, {},
                   EVERY_FRAGMENT_BUT_TOP),
    # Social links: the footer left to Material (social.html).
    "tabs-expand": (["navigation.tabs", "navigation.sections", "navigation.indexes", "navigation.expand"], True,
                    {"extra": {"social": [{"icon": "material/heart", "link": "https://example.org/"}]}},
                    EVERY_FRAGMENT_BUT_TOP - {"footer"}),
    "expand-html-urls": (["navigation.sections", "navigation.indexes", "navigation.expand"], False, {},
                         EVERY_FRAGMENT_BUT_TOP),
    # A logo image and the site's own homepage (relative URLs), the table of contents' own title, a copyright.
    "logo-top-toc-title": (
        ["navigation.sections", "navigation.indexes", "navigation.top", "search.share"], True,
        {"theme": {"logo": "images/logo.png", "palette": {"primary": "teal"}}, "extra": {"homepage": None},
         "copyright": "© Essai",
         "markdown_extensions": ["attr_list", {"toc": {"permalink": True, "title": "Sommaire"}}]},
        EVERY_FRAGMENT_BUT_TOP | {"top"}),
    # What the header's and the footer's memos leave to Material: palette toggles, other languages, a repository,
    # sticky tabs, the page's neighbours.
    "header-and-footer-left-alone": (
        ["navigation.tabs", "navigation.tabs.sticky", "navigation.footer", "navigation.indexes"], False,
        {"theme": {"palette": [{"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "Sombre"}},
                               {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "Clair"}}]},
         "repo_url": "https://example.org/depot",
         "extra": {"alternate": [{"name": "English", "link": "/en/", "lang": "en"}]}},
        {"toc", "header-start", "logo", "config"}),
}


def features_site(root: Path, features: list[str], directory_urls: bool, settings: dict | None = None,
                  custom_dir: bool = False) -> Path:
    for rel, meta in PAGES.items():
        # other.md and third.md: the same titles, one anchor set apart (the same tables of contents but for it).
        name = "même titre" if rel in ("other.md", "third.md") else rel.removesuffix(".md").replace("/", " ")
        path = root / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        front = f"---\n{meta}---\n\n" if meta else ""
        anchor = " { #ailleurs }" if rel == "third.md" else ""
        path.write_text(f"{front}# Page {name}\n\n## Première partie{anchor}\n\nTexte.\n\n"
                        "## Seconde partie\n\nTexte.\n", encoding="utf-8")
    settings = settings or {}
    theme = {"name": "material", "language": "fr", "features": features, **settings.get("theme", {})}
    if custom_dir:
        theme["custom_dir"] = "overrides"
    config = {
        "site_name": "Essai", "site_url": "https://example.org/essai/", "docs_dir": "docs",
        "use_directory_urls": directory_urls, "theme": theme, "nav": NAV, "plugins": ["search"],
        "markdown_extensions": ["attr_list", {"toc": {"permalink": True}}],
        **{key: value for key, value in settings.items() if key not in ("theme", "extra")},
        "extra": {"status": {"new": "Récent", "deprecated": "Ancien"}, "homepage": "https://example.org/",
                  **settings.get("extra", {})},
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def memos_used(done: dict) -> set[str]:
    """The fragments asked for (a hit or a miss), "nav" and "translations" if they were."""
    used = {name for name in {*done["fragments"], *done["fragment_misses"]}
            if done["fragments"].get(name) or done["fragment_misses"].get(name)}
    if done["hits"] + done["misses"] + done["shell_hits"] + done["shell_misses"]:
        used.add("nav")
    if done["translations"]:
        used.add("translations")
    return used


@pytest.mark.parametrize("name", FEATURES)
def test_tabs_expand_links_icons_nested_pages_and_settings_are_built_as_mkdocs_builds_them(tmp_path, name):
    features, directory_urls, settings, memoized = FEATURES[name]
    site = features_site(tmp_path / "site", features, directory_urls, settings)
    expected = vanilla("mkdocs.yml", tmp_path / "vanilla", site)
    serial = build_with_memo("mkdocs.yml", tmp_path / "serial", 1, site)
    assert serial["hits"] > 0 and serial["shell_hits"] > 0 and serial["translations"] > 0
    assert memos_used(serial) == memoized | {"nav", "translations"}
    assert all(serial["fragments"].get(fragment, 0) > 0 for fragment in memoized)
    assert_same_pages(tree(tmp_path / "serial"), expected)
    parallel = build_with_memo("mkdocs.yml", tmp_path / "parallel", 2, site)
    assert parallel["serial"] is None
    assert_same_pages(tree(tmp_path / "parallel"), expected)


# A theme's override of a template the memos were written for: the text replaced, the replacement
# (which the pages then show), and what must then be rendered by Material alone.
OVERRIDES = {
    "partials/nav-item.html": ('class="md-nav__link"', 'class="md-nav__link local"', {"nav"}),
    "partials/header.html": ('class="md-header__inner md-grid"', 'class="md-header__inner md-grid local"',
                             {"header-start", "header-end"}),
    "partials/toc-item.html": ('class="md-nav__link"', 'class="md-nav__link local"', {"toc"}),
    "partials/languages/fr.html": ('"toc": "Table des matières"', '"toc": "Sommaire local"',
                                   {"translations", "toc", "header-start", "header-end", "config"}),
    "partials/logo.html": ("{% endif %}", '{% endif %}<i class="local"></i>', {"logo", "header-start"}),
    "base.html": ('id="__config"', 'id="__config" class="local"', {"config"}),
}


@pytest.mark.parametrize("template", OVERRIDES)
def test_an_overridden_template_is_left_as_it_is(tmp_path, caplog, template):
    import material as material_package
    from mkdocs.config import load_config

    from carepress.build.template_memo import memoize_templates

    old, new, left_alone = OVERRIDES[template]
    site = features_site(tmp_path / "site", FEATURES["tabs-prune"][0], True, custom_dir=True)
    material = (Path(material_package.__file__).parent / "templates" / template).read_text(encoding="utf-8")
    assert old in material
    override = site / "overrides" / template
    override.parent.mkdir(parents=True)
    override.write_text(material.replace(old, new), encoding="utf-8")
    config = load_config(str(site / "mkdocs.yml"))
    env = config.theme.get_env()
    memoize_templates(env)
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.carepress.build"):
        assert env.loader.get_source(env, template)[0] == override.read_text(encoding="utf-8")
    assert "Template memo off" in caplog.text
    done = build_with_memo("mkdocs.yml", tmp_path / "built", 1, site)
    assert memos_used(done) == ({"nav", "translations"} | EVERY_FRAGMENT_BUT_TOP) - left_alone
    expected = vanilla("mkdocs.yml", tmp_path / "vanilla", site)
    assert "local" in expected["guide/index.html"].decode()
    assert_same_pages(tree(tmp_path / "built"), expected)


def test_the_navigation_is_not_memoized_where_the_context_sets_what_the_macro_may_not(tmp_path):
    """`is_section` is read from the context wherever the macro does not assign it itself: here on index pages only."""
    site = features_site(tmp_path / "site", FEATURES["tabs-prune"][0], True, custom_dir=True)
    (site / "overrides").mkdir()
    (site / "overrides" / "main.html").write_text('{% extends "base.html" %}{% set is_section = page.is_index %}',
                                                  encoding="utf-8")
    done = build_with_memo("mkdocs.yml", tmp_path / "built", 1, site)
    assert "nav" not in memos_used(done) and done["translations"] > 0
    expected = vanilla("mkdocs.yml", tmp_path / "vanilla", site)
    assert "md-nav__item--pruned" in expected["guide/index.html"].decode()
    assert "md-nav__item--pruned" not in expected["topics/index.html"].decode()
    assert_same_pages(tree(tmp_path / "built"), expected)


# For each fragment, values its template could read (a key), then each value that leaves it to Material alone.
SEARCH_ICONS = ("material/magnify", "material/arrow-left", "material/share-variant", "material/close")
KEY_CASES = {
    "header-start": ((["navigation.indexes"], "lang", "../..", "Essai", "material/menu", jinja2.Undefined(),
                      "material/library"), {2: jinja2.Undefined(), 4: "material/absent", 5: 3, 6: "material/absent"}),
    "header-end": ((["navigation.indexes"], "lang", {"primary": "teal"}, None, None, True, *SEARCH_ICONS),
                   {0: ["navigation.tabs", "navigation.tabs.sticky"], 1: "fr.html", 2: [{"scheme": "slate"}],
                    3: [{"name": "English", "link": "/en/"}], 4: "https://example.org/depot", 8: "material/absent"}),
    "logo": ((jinja2.Undefined(), "material/library"), {1: "material/absent"}),
    "footer": ((["navigation.indexes"], "© Essai", False, None, [{"url": "privacy/", "label": "Privacy", "lang": "en"}],
                "../.."),
               {0: ["navigation.footer"], 1: 2026, 3: [{"icon": "material/heart", "link": "https://example.org/"}],
                4: [{"url": jinja2.Undefined(), "label": "Privacy", "lang": "en"}], 5: jinja2.Undefined()}),
    "top": (("lang", "material/arrow-up"), {0: "fr.html", 1: "material/absent"}),
    "config": (("namespace", "../..", ["navigation.indexes"], "lang", None, None, None, "../../assets/search.js"),
               {0: dict, 4: {"json": [".s2"]}, 5: {"a": "b"}, 6: {"provider": "mike"}}),
    "toc": (("toc", "lang", None), {0: "toc with typeset", 2: 3}),
}


@pytest.mark.parametrize("fragment", KEY_CASES)
def test_a_key_leaves_to_material_what_its_template_was_not_analysed_for(tmp_path, fragment):
    from jinja2.utils import Namespace
    from mkdocs.config import load_config
    from mkdocs.structure.toc import AnchorLink, TableOfContents

    from carepress.build.template_memo import FRAGMENT_GLOBAL, FRAGMENTS, LANGUAGE_TEMPLATE, memoize_templates

    config = load_config(str(features_site(tmp_path / "site", FEATURES["tabs-prune"][0], True) / "mkdocs.yml"))
    env = config.theme.get_env()
    memoize_templates(env)
    typeset = AnchorLink("Titre", "titre", 2)
    typeset.typeset = {"title": "<b>Titre</b>"}
    named = {"lang": env.get_template(LANGUAGE_TEMPLATE).make_module({"config": config}),
             "fr.html": env.get_template("partials/languages/fr.html").module, "namespace": Namespace,
             "toc": TableOfContents([AnchorLink("Titre", "titre", 2)]), "toc with typeset": TableOfContents([typeset])}
    values, unanalysed = KEY_CASES[fragment]
    key = FRAGMENTS[fragment].key

    def with_names(values):
        return [named.get(value, value) if isinstance(value, str) else value for value in values]

    memo = env.globals[FRAGMENT_GLOBAL]
    assert key(memo, *with_names(values)) is not None
    for position, value in unanalysed.items():
        changed = list(values)
        changed[position] = value
        assert key(memo, *with_names(changed)) is None, (position, value)


def test_only_the_builders_environment_goes_through_the_memos(tmp_path):
    import material as material_package
    from mkdocs.config import load_config

    from carepress.build.template_memo import FRAGMENT_GLOBAL, LANGUAGE_GLOBAL, NAV_GLOBAL, REWRITES, memoize_templates

    config = load_config(str(features_site(tmp_path / "plain", FEATURES["tabs-prune"][0], True) / "mkdocs.yml"))
    memoized, untouched = config.theme.get_env(), config.theme.get_env()
    memoize_templates(memoized)
    for template in REWRITES:
        material = (Path(material_package.__file__).parent / "templates" / template).read_text(encoding="utf-8")
        assert memoized.loader.get_source(memoized, template)[0] != material
        assert untouched.loader.get_source(untouched, template)[0] == material
    assert {NAV_GLOBAL, LANGUAGE_GLOBAL, FRAGMENT_GLOBAL} <= memoized.globals.keys()
    assert not {NAV_GLOBAL, LANGUAGE_GLOBAL, FRAGMENT_GLOBAL} & untouched.globals.keys()


def test_a_preview_session_keeps_its_memo_only_while_the_navigation_stays(tmp_path, monkeypatch):
    """A rebuilt page takes other items from the memo; a new title needs a full build, with a new memo."""
    from mkdocs.config import load_config

    from carepress.build.incremental import Session
    from carepress.build.template_memo import NAV_GLOBAL

    for variable, value in REPRODUCIBLE.items():
        monkeypatch.setenv(variable, value)
    site = features_site(tmp_path / "site", FEATURES["tabs-prune"][0], True)
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(tmp_path / "preview"))
    session = Session(config, jobs=1)
    memo = session.full().env.globals[NAV_GLOBAL]
    hits = memo.hits
    page = site / "docs" / "guide" / "more.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Texte.", "Texte revu.", 1), encoding="utf-8")
    assert session.rebuild([page]) == "pages"
    assert memo.hits > hits
    pages = {name: data for name, data in tree(tmp_path / "preview").items() if name.endswith(".html")}
    expected = vanilla("mkdocs.yml", tmp_path / "edited", site)  # the preview lists a rebuilt page last in the search index
    assert_same_pages(pages, {name: data for name, data in expected.items() if name.endswith(".html")})
    page.write_text(page.read_text(encoding="utf-8").replace("# Page guide more", "# Plus sur le guide", 1),
                    encoding="utf-8")
    assert session.rebuild([page]) == "full"
    assert session.built.env.globals[NAV_GLOBAL] is not memo
    produced = tree(tmp_path / "preview")
    assert "Plus sur le guide" in produced["guide/details/index.html"].decode()  # its neighbour in the menu
    assert_same_pages(produced, vanilla("mkdocs.yml", tmp_path / "retitled", site))
