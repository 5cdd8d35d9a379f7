"""The build's MkDocs takes each page's front-matter from the gate's reading: the same data, each entry once."""

from __future__ import annotations

import yaml
from mkdocs.utils import meta

from benchmarks.generator import generate
from carepress.build.front_matter import known_front_matter
from carepress.model.site import load_site
from carepress.packs import PackCache
from carepress.settings import load_project
from tests.conftest import TODAY

DOCS = [
    "---\ntitle: Asthme\ntags: [a, b]\nwhen: 2026-11-22\n---\n\n\n# Titre\n",
    "---  \ntitle: Espaces après les tirets\n...\t\nCorps\n",
    "---\ntitle: Sans fin de ligne après la fermeture\n---",  # MkDocs' pattern does not match: read as text
    "---\n- une liste, pas un dictionnaire\n---\nCorps\n",
    "Pas de front-matter\n",
    "---\ntitle: [non fermé\n---\nCorps\n",
]


def yaml_text(doc: str) -> str | None:
    found = meta.YAML_RE.match(doc)
    return found.group(1) if found else None


def test_each_page_gets_what_mkdocs_would_have_read_and_each_entry_serves_once():
    expected = [meta.get_data(doc) for doc in DOCS]
    known = {}
    for text in filter(None, map(yaml_text, DOCS)):  # what the gate would hand over: the mappings it parsed
        try:
            data = yaml.load(text, yaml.SafeLoader)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            known[text] = data
    assert len(known) == 2
    handed = dict(known)
    original = meta.get_data
    with known_front_matter(known):
        assert meta.get_data is not original
        got = [meta.get_data(doc) for doc in DOCS]
        assert known == {}  # each taken once
        again = meta.get_data(DOCS[0])  # a second page with the same YAML text parses its own
    assert meta.get_data is original and known == {}
    assert got == expected
    assert got[0][1] is handed[yaml_text(DOCS[0])]  # the gate's data, not parsed again
    assert again == expected[0] and again[1] is not got[0][1]


def test_load_site_keeps_what_each_pages_yaml_gave_only_when_asked_and_never_in_the_cache(tmp_path):
    hub = generate(tmp_path / "hub", 6)
    project, _ = load_project(hub / "mkdocs.yml", TODAY)
    cache = PackCache(tmp_path / "read")
    site = load_site(project, jobs=1, cache=cache, keep_front_matter=True)
    assert len(site.front_matter) == len(site.articles) > 0
    for article in site.articles.values():
        text = yaml_text(article.text)
        assert site.front_matter[text] == yaml.load(text, yaml.SafeLoader)
    for key in site.source_keys.values():
        assert cache.get(key).front_matter is None
    cache.seal()
    assert load_site(project, jobs=1, cache=cache, keep_front_matter=True).front_matter == {}  # from the cache: none parsed
    assert load_site(project, jobs=1).front_matter == {}
