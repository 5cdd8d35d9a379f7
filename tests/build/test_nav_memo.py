"""The navigation memo of CarePress' builder: the same pages as MkDocs itself, and really used."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks.generator import generate
from tests.build.test_fast_build import REPRODUCIBLE, run, tree
from tests.conftest import REPO

pytestmark = pytest.mark.build

# parallel.build on any configuration, with what the memo did in this process (the serial path's pages).
BUILD_SCRIPT = """
import json, sys
from mkdocs.config import load_config
from carepress.build.nav_memo import GLOBAL
from carepress.build.parallel import build
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="build", dirty=False)
built = build(config, jobs=int(sys.argv[3]))
config.plugins.on_shutdown()
memo = built.env.globals[GLOBAL]
print(json.dumps({"serial": built.serial_reason, "hits": memo.hits, "misses": memo.misses}))
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


def test_the_memo_renders_most_items_of_sibling_pages(generated, tmp_path):
    done = build_with_memo("site_config/patient.yml", tmp_path / "site", 1, generated)
    assert done["serial"] == "one job"
    assert done["hits"] > 5 * done["misses"] > 0  # 25 articles a section: each item is rendered once for them all
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
FEATURES = {
    "tabs-prune": (["navigation.tabs", "navigation.sections", "navigation.indexes", "navigation.prune"], True),
    "tabs-expand": (["navigation.tabs", "navigation.sections", "navigation.indexes", "navigation.expand"], True),
    "expand-html-urls": (["navigation.sections", "navigation.indexes", "navigation.expand"], False),
}


def features_site(root: Path, features: list[str], directory_urls: bool, custom_dir: bool = False) -> Path:
    for rel, meta in PAGES.items():
        name = rel.removesuffix(".md").replace("/", " ")
        path = root / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        front = f"---\n{meta}---\n\n" if meta else ""
        path.write_text(f"{front}# Page {name}\n\n## Première partie\n\nTexte.\n\n## Seconde partie\n\nTexte.\n",
                        encoding="utf-8")
    theme = {"name": "material", "language": "fr", "features": features}
    if custom_dir:
        theme["custom_dir"] = "overrides"
    config = {
        "site_name": "Essai", "site_url": "https://example.org/essai/", "docs_dir": "docs",
        "use_directory_urls": directory_urls, "theme": theme, "nav": NAV, "plugins": ["search"],
        "markdown_extensions": ["attr_list", {"toc": {"permalink": True}}],
        "extra": {"status": {"new": "Récent", "deprecated": "Ancien"}, "homepage": "https://example.org/"},
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.parametrize("name", FEATURES)
def test_tabs_expand_links_icons_and_nested_pages_are_built_as_mkdocs_builds_them(tmp_path, name):
    features, directory_urls = FEATURES[name]
    site = features_site(tmp_path / "site", features, directory_urls)
    expected = vanilla("mkdocs.yml", tmp_path / "vanilla", site)
    serial = build_with_memo("mkdocs.yml", tmp_path / "serial", 1, site)
    assert serial["hits"] > 0
    assert_same_pages(tree(tmp_path / "serial"), expected)
    parallel = build_with_memo("mkdocs.yml", tmp_path / "parallel", 2, site)
    assert parallel["serial"] is None
    assert_same_pages(tree(tmp_path / "parallel"), expected)


def test_an_overridden_nav_item_template_is_left_as_it_is(tmp_path, caplog):
    import material as material_package
    from mkdocs.config import load_config

    from carepress.build.nav_memo import GLOBAL, TEMPLATE, memoize_navigation

    site = features_site(tmp_path / "site", FEATURES["tabs-prune"][0], True, custom_dir=True)
    material = Path(material_package.__file__).parent / "templates" / TEMPLATE
    override = site / "overrides" / TEMPLATE
    override.parent.mkdir(parents=True)
    override.write_text(material.read_text(encoding="utf-8").replace('class="md-nav__link"', 'class="md-nav__link local"'),
                        encoding="utf-8")
    config = load_config(str(site / "mkdocs.yml"))
    env = config.theme.get_env()
    memoize_navigation(env)
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.carepress.build"):
        assert env.loader.get_source(env, TEMPLATE)[0] == override.read_text(encoding="utf-8")
    assert "Navigation memo off" in caplog.text
    done = build_with_memo("mkdocs.yml", tmp_path / "built", 1, site)
    assert done["hits"] == done["misses"] == 0
    expected = vanilla("mkdocs.yml", tmp_path / "vanilla", site)
    assert "md-nav__link local" in expected["guide/index.html"].decode()
    assert_same_pages(tree(tmp_path / "built"), expected)
    # Material's own template goes through the memo; another environment of the same theme (MkDocs' own build) does not.
    plain = load_config(str(features_site(tmp_path / "plain", FEATURES["tabs-prune"][0], True) / "mkdocs.yml"))
    memoized, untouched = plain.theme.get_env(), plain.theme.get_env()
    memoize_navigation(memoized)
    assert GLOBAL in memoized.loader.get_source(memoized, TEMPLATE)[0]
    assert untouched.loader.get_source(untouched, TEMPLATE)[0] == material.read_text(encoding="utf-8")
    assert GLOBAL not in untouched.globals


def test_a_preview_session_keeps_its_memo_only_while_the_navigation_stays(tmp_path, monkeypatch):
    """A rebuilt page takes other items from the memo; a new title needs a full build, with a new memo."""
    from mkdocs.config import load_config

    from carepress.build.incremental import Session
    from carepress.build.nav_memo import GLOBAL

    for variable, value in REPRODUCIBLE.items():
        monkeypatch.setenv(variable, value)
    site = features_site(tmp_path / "site", FEATURES["tabs-prune"][0], True)
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(tmp_path / "preview"))
    session = Session(config, jobs=1)
    memo = session.full().env.globals[GLOBAL]
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
    assert session.built.env.globals[GLOBAL] is not memo
    produced = tree(tmp_path / "preview")
    assert "Plus sur le guide" in produced["guide/details/index.html"].decode()  # its neighbour in the menu
    assert_same_pages(produced, vanilla("mkdocs.yml", tmp_path / "retitled", site))
