"""Real builds with the gate's cache: a warm build publishes exactly what a build without it would, and a
page that a changed lexicon or registry now rejects leaves every output at once."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import TODAY

pytestmark = pytest.mark.build

TOKEN = "canaripromesseqx"


def gate_cache_line(result) -> tuple[int, int]:
    found = re.search(r"gate cache: (\d+) page\(s\) read as before, (\d+) judged as before", result.stderr)
    assert found, result.stderr
    return int(found.group(1)), int(found.group(2))


def published(hub) -> dict[str, str]:
    return {path: text for path, text in hub.site_files("patient").items() if not path.startswith("assets/")}


def test_a_warm_gate_publishes_what_a_cold_one_does_and_a_lexicon_change_rejects_at_once(hub):
    hub.article("patient/ok.md", title="Bouger au quotidien")
    hub.article("patient/promesse.md", title=f"Page {TOKEN}", body=f"# Page {TOKEN}\n\nNous allons vous aider à "
                "tourner la page du diabète avec des conseils simples.\n")
    first = hub.build("patient")
    assert first.returncode == 0, first.stderr
    assert gate_cache_line(first) == (0, 0)
    cold = published(hub)
    assert any(TOKEN in text for text in cold.values())

    assert gate_cache_line(hub.build("hcp")) == (3, 0)  # what the patient build read is shared; judging is per site
    assert hub.carepress("check").returncode == 0
    assert "CP302" not in hub.carepress("check").stdout
    second = hub.build("patient")
    assert gate_cache_line(second) == (3, 3)  # the home page and the two articles
    assert published(hub) == cold

    claims = hub.root / "site_config" / "lexicons" / "claims.fr.yml"
    claims.write_text(claims.read_text(encoding="utf-8") + '  - id: tourner-la-page\n    phrases: ["tourner la page '
                      'du diabète"]\n    message: "promises the end of the disease"\n', encoding="utf-8")
    third = hub.build("patient")
    assert gate_cache_line(third) == (3, 0)  # read as before, judged anew: the lexicons changed
    assert "CP302" in third.stderr and " CP302 " in hub.carepress("check").stdout
    after = published(hub)
    assert not [path for path, text in after.items() if TOKEN in text]  # HTML, search index, sitemap alike
    assert "patient/promesse/index.html" not in after
    index = json.loads(after["search/search_index.json"])
    assert not any(TOKEN in doc["title"] or TOKEN in doc["text"] for doc in index["docs"])

    nothing_kept = hub.build("patient", "--no-cache")
    assert "gate cache" not in nothing_kept.stderr
    assert published(hub) == after


def test_a_build_whose_caches_cannot_be_written_publishes_the_same(tmp_path, monkeypatch):
    """A full disk or a read-only .cache: the build goes on and writes the same site, keeping nothing."""
    from mkdocs.config import load_config

    from benchmarks.generator import generate
    from carepress.build.parallel import build
    from tests.build.test_fast_build import REPRODUCIBLE, tree

    hub = generate(tmp_path / "hub", 12)
    for name, value in REPRODUCIBLE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(hub)

    def built(folder: str, cache_dir):
        config = load_config(str(hub / "site_config" / "patient.yml"), site_dir=str(tmp_path / folder))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config, jobs=1, cache_dir=cache_dir)
        finally:
            config.plugins.on_shutdown()
        return tree(tmp_path / folder)

    expected = built("without", None)

    cache = hub / ".cache" / "carepress" / "patient"
    writable = tempfile.mkstemp

    def read_only(*args, dir=None, **kwargs):  # below .cache only: the manifest beside the site is written
        if Path(dir).is_relative_to(cache.parent):
            raise OSError(30, "Read-only file system")
        return writable(*args, dir=dir, **kwargs)

    monkeypatch.setattr("carepress.packs.tempfile.mkstemp", read_only)
    assert built("unwritable", cache) == expected
    assert not list(cache.parent.rglob("pack-*"))


def test_a_build_whose_cache_folder_cannot_be_made_builds_without_it(hub):
    hub.article("patient/ok.md", title="Bouger au quotidien")
    expected = hub.build("patient", "--no-cache")
    assert expected.returncode == 0, expected.stderr
    site = published(hub)
    (hub.root / ".cache").write_text("not a folder", encoding="utf-8")
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    assert "Page cache not used" in result.stderr and "gate cache not used" in result.stderr
    assert "Traceback" not in result.stderr
    assert published(hub) == site


def test_the_preview_and_the_build_keep_their_own_judged_pages(hub, monkeypatch):
    """The preview reports every severity, the build errors only: one's clean-up must not drop what the other kept."""
    from mkdocs.config import load_config

    from carepress.build.incremental import Session

    hub.article("patient/ok.md")
    assert gate_cache_line(hub.build("patient")) == (0, 0)
    kept = hub.root / ".cache" / "carepress"
    monkeypatch.setenv("CAREPRESS_PREVIEW", "1")  # as `carepress serve` sets it
    monkeypatch.setenv("CAREPRESS_TODAY", TODAY)
    monkeypatch.chdir(hub.root)
    config = load_config(str(hub.root / "site_config" / "patient.yml"), site_dir=str(hub.root / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)
    Session(config, jobs=1, cache_dir=kept / "patient").full()  # a preview that starts from the build's page cache
    config.plugins.on_shutdown()
    assert any((kept / "judged" / "preview-patient").glob("pack-*"))
    assert "cp-preview" in (hub.root / "preview" / "patient" / "ok" / "index.html").read_text(encoding="utf-8")
    monkeypatch.delenv("CAREPRESS_PREVIEW")
    assert gate_cache_line(hub.build("patient")) == (2, 2)


def test_pages_a_preview_kept_in_the_page_cache_never_reach_a_build(hub, monkeypatch):
    """A preview's pages carry its banner: the page cache keys them apart from the build's."""
    from mkdocs.config import load_config

    from carepress.build.incremental import Session

    hub.article("patient/ok.md")
    monkeypatch.setenv("CAREPRESS_PREVIEW", "1")
    monkeypatch.setenv("CAREPRESS_TODAY", TODAY)
    monkeypatch.chdir(hub.root)
    config = load_config(str(hub.root / "site_config" / "patient.yml"), site_dir=str(hub.root / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)
    Session(config, jobs=1, cache_dir=hub.root / ".cache" / "carepress" / "patient").full()
    config.plugins.on_shutdown()
    monkeypatch.delenv("CAREPRESS_PREVIEW")
    assert hub.build("patient").returncode == 0
    published = hub.site_files("patient")
    assert "patient/ok/index.html" in published and not [path for path, text in published.items() if "cp-preview" in text]
