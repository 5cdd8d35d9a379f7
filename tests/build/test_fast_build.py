"""The parallel build produces exactly the pages MkDocs' own serial build produces."""

from __future__ import annotations

import gc
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generator import generate, reapprove
from benchmarks.run import VANILLA_FAST_SCRIPT
from tests.conftest import TODAY

pytestmark = pytest.mark.build

REPRODUCIBLE = {"SOURCE_DATE_EPOCH": "1795000000", "CAREPRESS_TODAY": TODAY, "NO_MKDOCS_2_WARNING": "1"}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **REPRODUCIBLE}, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    """Every output file; compressed files compared by content (gzip headers carry no meaning here)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(folder).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    return files


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    hub = generate(tmp_path_factory.mktemp("fast") / "hub", 40)
    # A page with a broken link: its warning is logged by a worker and must still reach the build log.
    article = hub / "content" / "asthme" / "dossier-01" / "theme-001" / "fiche-00002.md"
    with article.open("a", encoding="utf-8") as handle:
        handle.write("\nVoir [une page absente](absente.md).\n")
    reapprove(article)  # an edit voids the approval (CP203): approved again, as after a review
    return hub


def test_parallel_build_writes_the_same_pages_as_mkdocs_itself(generated):
    vanilla = run(["mkdocs", "build", "-f", "site_config/patient.yml", "-d", str(generated / "out" / "vanilla")], generated)
    assert vanilla.returncode == 0, vanilla.stderr
    fast = run(["carepress", "build", "-a", "patient", "--jobs", "2", "--no-cache", "-d", "out/fast"], generated)
    assert fast.returncode == 0, fast.stderr
    assert "49 pages: 49 converted, 49 rendered in 2 processes" in fast.stderr
    expected, produced = tree(generated / "out" / "vanilla"), tree(generated / "out" / "fast" / "patient")
    assert sorted(produced) == sorted(expected)
    assert len([name for name in produced if name.endswith("index.html")]) == 49
    different = [name for name in expected if produced[name] != expected[name]]
    assert different == []
    assert "absente.md" in fast.stderr  # warnings from workers are re-emitted by the parent


@pytest.mark.parametrize("mode, folder", [([], "vanilla-fast"), (["serial"], "vanilla-serial")])
def test_the_benchmarks_plugin_free_builds_equal_vanilla_mkdocs(generated, mode, folder):
    """`make bench` measures the plugins' overhead against these builds: the same pages, no plugin."""
    vanilla = run(["mkdocs", "build", "-f", "vanilla.yml", "-d", str(generated / "out" / "plain")], generated)
    assert vanilla.returncode == 0, vanilla.stderr
    fast = subprocess.run([sys.executable, "-c", VANILLA_FAST_SCRIPT, *mode], cwd=generated, capture_output=True,
                          text=True, env={**os.environ, **REPRODUCIBLE}, timeout=300)
    assert fast.returncode == 0, fast.stderr  # the script asserts the path it took (parallel, or one process)
    produced = tree(generated / "site" / folder)
    assert len([name for name in produced if name.endswith("index.html")]) >= 40
    assert produced == tree(generated / "out" / "plain")


def test_serial_path_is_taken_with_one_job_and_gives_the_same_site(generated):
    serial = run(["carepress", "build", "-a", "patient", "--jobs", "1", "--no-cache", "-d", "out/serial"], generated)
    assert serial.returncode == 0, serial.stderr
    assert "Serial build: one job" in serial.stderr
    fast = run(["carepress", "build", "-a", "patient", "--jobs", "2", "--no-cache", "-d", "out/fast2"], generated)
    assert tree(generated / "out" / "serial" / "patient") == tree(generated / "out" / "fast2" / "patient")


def test_strict_mode_counts_warnings_logged_in_workers(generated):
    strict = run(["carepress", "build", "-a", "patient", "--jobs", "2", "--strict", "-d", "out/strict"], generated)
    assert strict.returncode == 1
    assert "in strict mode" in strict.stderr


def test_pages_from_the_cache_equal_fresh_pages_and_warn_again(generated):
    first = run(["carepress", "build", "-a", "patient", "--jobs", "2", "-d", "out/cached"], generated)
    assert first.returncode == 0, first.stderr
    article = generated / "content" / "aidants" / "dossier-01" / "theme-001" / "fiche-00003.md"
    original = article.read_text(encoding="utf-8")
    article.write_text(original.replace("## Point 1", "## Point 1 révisé", 1), encoding="utf-8")
    reapprove(article)
    try:
        second = run(["carepress", "build", "-a", "patient", "--jobs", "2", "-d", "out/cached"], generated)
        assert second.returncode == 0, second.stderr
        assert "49 pages: 1 converted, 1 rendered in 2 processes, the others from the page cache" in second.stderr
        assert "absente.md" in second.stderr  # the cached page's warning is not lost
        strict = run(["carepress", "build", "-a", "patient", "--strict", "-d", "out/cached-strict"], generated)
        assert strict.returncode == 1 and "in strict mode" in strict.stderr
        reference = run(["mkdocs", "build", "-f", "site_config/patient.yml", "-d", str(generated / "out" / "reference")], generated)
        assert reference.returncode == 0, reference.stderr
        expected, produced = tree(generated / "out" / "reference"), tree(generated / "out" / "cached" / "patient")
        assert sorted(produced) == sorted(expected)
        assert [name for name in expected if produced[name] != expected[name]] == []
        assert "Point 1 révisé" in produced["aidants/dossier-01/theme-001/fiche-00003/index.html"].decode()
    finally:
        article.write_text(original, encoding="utf-8")


def test_mentions_missing_from_pages_rendered_in_workers_or_restored_from_the_cache_are_found(generated):
    """Each page's mentions block comes back from the worker that rendered it, or from the page cache, and is
    checked in the parent: a theme that drops the review line gives every article CP501, in both builds (each fails,
    publishing nothing)."""
    partial = generated / "theme" / "partials" / "carepress" / "mentions.html"
    original = partial.read_text(encoding="utf-8")
    partial.write_text("\n".join(line for line in original.splitlines() if "carepress-review" not in line), encoding="utf-8")
    articles = len(list((generated / "content").rglob("*.md")))  # the privacy pages are generated: no article
    try:
        for expected_log in ("49 pages: 49 converted, 49 rendered in 2 processes", "49 pages: 0 converted, 0 rendered"):
            built = run(["carepress", "build", "-a", "patient", "--jobs", "2", "-d", "out/no-review"], generated)
            assert built.returncode == 1 and "the patient site's build fails" in built.stderr
            assert expected_log in built.stderr
            assert built.stderr.count(" CP501 the built page") == articles
            assert " CP500 " not in built.stderr
    finally:
        partial.write_text(original, encoding="utf-8")


def test_a_new_title_renders_every_page_again_from_the_cache(generated):
    run(["carepress", "build", "-a", "patient", "-d", "out/titled"], generated)
    article = generated / "content" / "aidants" / "dossier-01" / "theme-001" / "fiche-00003.md"
    original = article.read_text(encoding="utf-8")
    article.write_text(original.replace("repère n° 3", "nouveau titre", 1), encoding="utf-8")
    reapprove(article)
    try:
        again = run(["carepress", "build", "-a", "patient", "-d", "out/titled"], generated)
        assert "49 pages: 1 converted, 49 rendered" in again.stderr
        neighbour = (generated / "out" / "titled" / "patient" / "aidants" / "dossier-01" / "theme-001" / "fiche-00006" / "index.html")
        assert "nouveau titre" in neighbour.read_text(encoding="utf-8")
    finally:
        article.write_text(original, encoding="utf-8")


def test_a_registry_edit_renders_the_pages_again_from_the_cache(generated):
    """Pages show what the registries say (the JSON-LD names each page's condition from topics.yml)."""
    run(["carepress", "build", "-a", "patient", "-d", "out/registry"], generated)
    topics = generated / "site_config" / "topics.yml"
    original = topics.read_text(encoding="utf-8")
    topics.write_text(original.replace('fr: "Asthme"', 'fr: "Asthme (maladie respiratoire)"'), encoding="utf-8")
    try:
        again = run(["carepress", "build", "-a", "patient", "-d", "out/registry"], generated)
        assert again.returncode == 0, again.stderr
        page = generated / "out" / "registry" / "patient" / "asthme" / "dossier-01" / "theme-001" / "fiche-00002" / "index.html"
        assert '"Asthme (maladie respiratoire)"' in page.read_text(encoding="utf-8")
    finally:
        topics.write_text(original, encoding="utf-8")


def test_a_value_the_configuration_reads_from_the_environment_is_in_the_cache_key(generated):
    config = generated / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    assert "site_url: https://patients.example.org/" in original
    config.write_text(original.replace("site_url: https://patients.example.org/",
                                       "site_url: !ENV [HUB_URL, 'https://patients.example.org/']"), encoding="utf-8")
    page = generated / "out" / "env" / "patient" / "asthme" / "dossier-01" / "theme-001" / "fiche-00002" / "index.html"
    try:
        for host in ("a.example.org", "b.example.org"):
            result = subprocess.run([sys.executable, "-m", "carepress", "build", "-a", "patient", "-d", "out/env"],
                                    cwd=generated, capture_output=True, text=True, timeout=300,
                                    env={**os.environ, **REPRODUCIBLE, "HUB_URL": f"https://{host}/"})
            assert result.returncode == 0, result.stderr
            canonical = f'<link rel="canonical" href="https://{host}/asthme/dossier-01/theme-001/fiche-00002/">'
            assert canonical in page.read_text(encoding="utf-8")
    finally:
        config.write_text(original, encoding="utf-8")


def built_in_process(hub: Path, site_dir: Path, monkeypatch, cache_dir: Path | None = None):
    """The patient site built here, in 2 processes (monkeypatched functions reach the forked workers)."""
    from mkdocs.config import load_config

    from carepress.build.parallel import build

    for name, value in REPRODUCIBLE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(hub)
    config = load_config(str(hub / "site_config" / "patient.yml"), site_dir=str(site_dir))
    config.plugins.on_startup(command="build", dirty=False)
    built = build(config, jobs=2, cache_dir=cache_dir)
    config.plugins.on_shutdown()
    return built


def test_templates_compiled_by_one_build_are_loaded_by_the_next(generated, tmp_path, monkeypatch, compiled_templates):
    """Jinja's bytecode, kept beside the page cache (build/template_bytecode.py): the next build compiles nothing,
    its own environment's templates (Material's, some rewritten by the memos) nor the search plugin's."""
    compiled = compiled_templates
    cache = tmp_path / "cache" / "patient"
    built_in_process(generated, tmp_path / "first", monkeypatch, cache)
    assert {"base.html", "partials/nav-item.html", "partials/languages/fr.html"} <= set(compiled)
    assert (cache.parent / "templates").is_dir()
    compiled.clear()
    built_in_process(generated, tmp_path / "second", monkeypatch, cache)
    assert compiled == []
    assert tree(tmp_path / "second") == tree(tmp_path / "first")
    # The build froze its pages out of collections while it ran (parallel.py); it leaves none frozen, for `serve`.
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_rendering_workers_share_the_hubs_seo_facts(generated, tmp_path, monkeypatch):
    """The SEO facts of the hub are built once, before the workers fork: built in each worker, they copied the
    parent's memory (about 35 MB at 10,000 articles)."""
    from carepress.seo import analysis

    built_in = tmp_path / "pids"
    make = analysis.SiteFacts.__init__

    def recorded(self, site):
        with built_in.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        make(self, site)

    monkeypatch.setattr(analysis.SiteFacts, "__init__", recorded)
    built = built_in_process(generated, tmp_path / "site", monkeypatch)
    assert built.serial_reason is None  # the pages were rendered in forked workers
    assert (tmp_path / "site" / "index.html").is_file()
    assert set(built_in.read_text(encoding="utf-8").split()) == {str(os.getpid())}


def test_mkdocs_reads_no_front_matter_the_gate_has_read(generated, tmp_path, monkeypatch):
    """A real parallel build: MkDocs takes every article's front-matter from the gate (build/front_matter.py);
    the first test shows its pages are those of `mkdocs build`."""
    from mkdocs.utils import meta

    parsed_in = tmp_path / "parsed"
    parse = meta.get_data

    def recorded(doc):
        if meta.YAML_RE.match(doc):  # pages with no front-matter are MkDocs' alone
            with parsed_in.open("a", encoding="utf-8") as handle:
                handle.write(f"{doc.splitlines()[1]}\n")
        return parse(doc)

    monkeypatch.setattr(meta, "get_data", recorded)
    built = built_in_process(generated, tmp_path / "site", monkeypatch)
    assert built.serial_reason is None
    pages = [file for file in built.files.documentation_pages() if file.page is not None]
    with_front_matter = [file for file in pages if file.content_string.startswith("---")]
    assert len(pages) == 49 and len(with_front_matter) > 40
    assert all(file.page.meta.get("audience") for file in with_front_matter)  # the workers' pages came back with it
    assert not parsed_in.exists(), parsed_in.read_text(encoding="utf-8")
    assert meta.get_data is recorded  # the build's hand-over is over: MkDocs' own function is back
    assert built.config.plugins["carepress/compliance"].front_matter is None  # handed over once, not kept


def test_conversion_workers_keep_no_page_they_converted(generated, tmp_path, monkeypatch):
    """A worker sends each page it converted to the main process and keeps none: kept, they were walked again by
    each of its full garbage collections (1.9 s of a 10,000-article build)."""
    from carepress.build import parallel

    converted = tmp_path / "converted"
    work_on = parallel._work_on

    def recorded(pages, jobs, work, finish=lambda: None):
        def work_and_record(page):  # reaches the forked workers through the module's state, not pickled
            converting = page.content is None  # the rendering's pages come converted
            answer = work(page)
            if converting:
                with converted.open("a", encoding="utf-8") as handle:
                    handle.write(f"{os.getpid()} {int(page.content is not None or page.markdown is not None)}\n")
            return answer
        return work_on(pages, jobs, work_and_record, finish)

    monkeypatch.setattr(parallel, "_work_on", recorded)
    built = built_in_process(generated, tmp_path / "site", monkeypatch)
    assert built.serial_reason is None
    records = [line.split() for line in converted.read_text(encoding="utf-8").splitlines()]
    pages = built.files.documentation_pages()
    assert len(records) == len(pages) and {pid for pid, _ in records} - {str(os.getpid())}  # converted in workers
    assert [kept for _, kept in records if kept != "0"] == []
    assert all(file.page.content for file in pages)  # what the main process restored from their answers is whole
