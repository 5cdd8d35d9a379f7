"""A killed build or two concurrent builds never leave a site mixing old and new pages."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from benchmarks.generator import generate, reapprove
from tests.conftest import TODAY

pytestmark = pytest.mark.build

ENV = {"CAREPRESS_TODAY": TODAY, "NO_MKDOCS_2_WARNING": "1"}


def start_build(hub: Path, site: Path, *extra: str) -> subprocess.Popen:
    # The log goes to a file: a pipe nobody reads while waiting would fill up and block the build.
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "carepress", "build", "-a", "patient", "-d", str(site), *extra],
                             cwd=hub, env={**os.environ, **ENV}, stdout=subprocess.DEVNULL, stderr=log,
                             text=True, start_new_session=True)  # its own group: the workers die with it
    build.log = log
    return build


def log_of(build: subprocess.Popen) -> str:
    build.log.seek(0)
    return build.log.read()


def pages(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in folder.rglob("index.html")}


def mark_every_article(hub: Path, token: str) -> None:
    for article in (hub / "content").rglob("fiche-*.md"):
        text = article.read_text(encoding="utf-8")
        article.write_text(text.split("\nJeton :")[0] + f"\nJeton : {token}.\n", encoding="utf-8")
        reapprove(article)  # an edit voids the approval (CP203): approved again, as after a review


def staging_folders(site: Path) -> list[Path]:
    return list(site.glob(".patient.building-*"))


def pages_written(folder: Path) -> int:
    try:
        return len(list(folder.rglob("index.html")))
    except OSError:  # swapped in or removed while we looked
        return 0


def built_then_changed(hub: Path, site: Path) -> dict[str, str]:
    """A generated hub built once (its pages, returned), then changed throughout: every article edited and
    approved again, one removed (a page the next build drops)."""
    generate(hub, 150)
    mark_every_article(hub, "ancien")
    first = start_build(hub, site)
    assert first.wait(timeout=300) == 0, log_of(first)
    before = pages(site / "patient")
    mark_every_article(hub, "nouveau")
    (hub / "content" / "asthme" / "dossier-01" / "theme-001" / "fiche-00002.md").unlink()
    return before


def wait_until_writing(site: Path) -> None:
    """Until a build has written some of its pages into its staging folder."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(pages_written(folder) >= 20 for folder in staging_folders(site)):
            return
        time.sleep(0.02)
    pytest.fail("the build never started writing pages")


def test_a_build_killed_halfway_leaves_the_previous_site_intact(tmp_path):
    hub, site = tmp_path / "hub", tmp_path / "site"
    before = built_then_changed(hub, site)

    second = start_build(hub, site, "--jobs", "1")
    wait_until_writing(site)
    os.killpg(second.pid, signal.SIGKILL)
    second.wait(timeout=30)

    assert pages(site / "patient") == before  # not one new page, not one page lost
    assert "asthme/dossier-01/theme-001/fiche-00002/index.html" in before
    assert staging_folders(site)  # the killed build's folder is left aside, never mixed in

    third = start_build(hub, site)
    assert third.wait(timeout=300) == 0, log_of(third)
    after = pages(site / "patient")
    assert "asthme/dossier-01/theme-001/fiche-00002/index.html" not in after
    assert all("ancien" not in text for text in after.values())
    assert staging_folders(site) == []  # the next build removed what the killed one left


def test_concurrent_builds_into_one_folder_leave_one_complete_site(tmp_path):
    hubs = {}
    for token, count in (("alpha", 60), ("beta", 45)):  # different page sets: a mix would show
        hubs[token] = generate(tmp_path / token, count)
        mark_every_article(hubs[token], token)
    site = tmp_path / "site"
    for attempt in range(2):
        builds = [start_build(hub, site) for hub in hubs.values()]
        for build in builds:
            assert build.wait(timeout=300) == 0, log_of(build)
        built = pages(site / "patient")
        articles = {name: text for name, text in built.items() if "/fiche-" in name}
        tokens = {token for token in hubs if any(f"Jeton : {token}" in text for text in articles.values())}
        assert len(tokens) == 1, f"attempt {attempt}: pages from {tokens} mixed"
        winner = tokens.pop()
        assert all(f"Jeton : {winner}" in text for text in articles.values())
        assert len(articles) == (60 if winner == "alpha" else 45)
        assert staging_folders(site) == []


def test_swap_without_an_atomic_exchange_still_replaces_the_whole_site(tmp_path, monkeypatch):
    from carepress.build import atomic

    target = tmp_path / "site"
    (target / "old").mkdir(parents=True)
    (target / "old" / "index.html").write_text("ancien")
    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)
    with atomic.atomic_folder(target) as staging:
        (staging / "new").mkdir()
        (staging / "new" / "index.html").write_text("nouveau")
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["new", "new/index.html"]
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_build_keeps_the_previous_site(tmp_path):
    from carepress.build import atomic

    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("ancien")
    with pytest.raises(RuntimeError):
        with atomic.atomic_folder(target) as staging:
            (staging / "index.html").write_text("nouveau")
            raise RuntimeError("the build failed")
    assert (target / "index.html").read_text() == "ancien"
    assert list(tmp_path.iterdir()) == [target]


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def page_of(hub: Path, article: Path) -> str:
    return article.relative_to(hub / "content").with_suffix("").as_posix() + "/index.html"


def test_a_build_refills_the_site_it_replaced_and_publishes_only_its_own_pages(tmp_path):
    hub = generate(tmp_path / "hub", 40)
    site = tmp_path / "site"
    spare = hub / ".cache" / "carepress" / "sites" / "patient"

    def build_and_compare(name: str) -> tuple[dict[str, bytes], str]:
        """The refilled site, which must be what a build without cache writes, and the build's log."""
        build = start_build(hub, site)
        assert build.wait(timeout=300) == 0, log_of(build)
        reference = start_build(hub, tmp_path / name, "--no-cache")
        assert reference.wait(timeout=300) == 0, log_of(reference)
        built = files_of(site / "patient")
        assert built == files_of(tmp_path / name / "patient")  # every file, byte for byte, and no other
        assert not [folder for folder in (site / "patient").rglob("*") if folder.is_dir() and not any(folder.iterdir())]
        return built, log_of(build)

    for _ in range(2):  # the second build keeps the first one's site as the spare
        build = start_build(hub, site)
        assert build.wait(timeout=300) == 0, log_of(build)
    assert (spare / "index.html").is_file()
    assert sorted(p.name for p in site.iterdir()) == ["patient"]  # nothing of it beside the sites, which are deployed

    left_out, edited, tampered = sorted((hub / "content").rglob("fiche-*.md"))[:3]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAjout relu.\n", encoding="utf-8")
    reapprove(edited)
    by_hand = spare / page_of(hub, tampered)
    by_hand.write_text(by_hand.read_text(encoding="utf-8").replace("</article>", "<p>Ajouté à la main</p></article>"),
                       encoding="utf-8")
    (spare / "ancienne-page").mkdir()  # as a page published two builds ago, left out since
    (spare / "ancienne-page" / "index.html").write_text("<p>une page d'un autre temps</p>", encoding="utf-8")
    built, log = build_and_compare("reference")
    kept = re.search(r"(\d+) page\(s\) kept as the previous build had written them", log)
    assert kept and int(kept.group(1)) >= 35, log  # refilled, not written anew
    assert "ancienne-page/index.html" not in built
    assert "Ajout relu" in built[page_of(hub, edited)].decode() and "à la main" not in built[page_of(hub, tampered)].decode()

    left_out.write_text(left_out.read_text(encoding="utf-8") + "\nAjout non relu.\n", encoding="utf-8")  # CP203
    assert page_of(hub, left_out) in files_of(spare)
    built, _ = build_and_compare("reference-2")
    assert page_of(hub, left_out) not in built
    no_cache = start_build(hub, site, "--no-cache")
    assert no_cache.wait(timeout=300) == 0, log_of(no_cache)
    assert page_of(hub, left_out) in files_of(spare)  # without the cache, the site it replaced was removed, not kept


def test_a_build_never_replaces_the_content_folder_or_a_folder_of_markdown(tmp_path):
    """The folder a build replaces is kept as the next build's spare, which that build empties: a `--site-dir`
    whose `patient/` is the content folder, or someone's folder of notes, would be lost in two builds."""
    hub = generate(tmp_path / "hub", 6)
    (hub / "content").rename(hub / "patient")  # a hub whose content folder is named after the site
    for config in (hub / "mkdocs.yml", *(hub / "site_config").glob("*.yml")):
        config.write_text(re.sub(r"^docs_dir: (\.\./)?content$", lambda m: f"docs_dir: {m.group(1) or ''}patient",
                                 config.read_text(encoding="utf-8"), flags=re.MULTILINE), encoding="utf-8")
    notes = tmp_path / "ailleurs" / "patient"
    notes.mkdir(parents=True)
    (notes / "idees.md").write_text("# Mes idées\n", encoding="utf-8")
    articles = files_of(hub / "patient")
    assert any(path.endswith(".md") for path in articles)
    for site_dir, why in ((hub, "is the content folder"), (tmp_path / "ailleurs", "holds Markdown files")):
        for _ in range(2):
            result = subprocess.run([sys.executable, "-m", "carepress", "build", "-a", "patient", "-d", str(site_dir)],
                                    cwd=hub, env={**os.environ, **ENV}, capture_output=True, text=True, timeout=300)
            assert result.returncode == 2 and why in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert files_of(hub / "patient") == articles and (notes / "idees.md").read_text(encoding="utf-8") == "# Mes idées\n"
    result = subprocess.run([sys.executable, "-m", "carepress", "build", "-a", "patient", "-d", str(tmp_path / "site")],
                            cwd=hub, env={**os.environ, **ENV}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr  # the same hub builds into a folder of its own


def test_a_site_folder_that_cannot_be_made_is_one_line_and_exit_code_2(tmp_path):
    hub = generate(tmp_path / "hub", 4)
    (tmp_path / "un-fichier").write_text("pas un dossier", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "carepress", "build", "-a", "patient", "-d", str(tmp_path / "un-fichier" / "site")],
                            cwd=hub, env={**os.environ, **ENV}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"carepress: --site-dir: {tmp_path / 'un-fichier' / 'site'} cannot be written" in result.stderr
    assert (tmp_path / "un-fichier").read_text(encoding="utf-8") == "pas un dossier"


@pytest.mark.parametrize("broken", ["{% block sans_fin %}\n", '{% include "partials/absente.html" %}\n'])
def test_a_theme_template_that_does_not_render_is_one_error_and_keeps_the_previous_site(tmp_path, broken):
    hub = generate(tmp_path / "hub", 4)
    build = [sys.executable, "-m", "carepress", "build", "-a", "patient", "-d", str(tmp_path / "site")]
    assert subprocess.run(build, cwd=hub, env={**os.environ, **ENV}, capture_output=True, timeout=300).returncode == 0
    before = files_of(tmp_path / "site" / "patient")
    template = hub / "theme" / "main.html"
    template.write_text(template.read_text(encoding="utf-8") + broken, encoding="utf-8")
    for jobs in ("1", "2"):
        result = subprocess.run([*build, "--jobs", jobs], cwd=hub, env={**os.environ, **ENV}, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        [error] = [line for line in result.stderr.splitlines() if "theme template error" in line]
        assert error.startswith("ERROR") and ("theme/main.html:" in error if "block" in broken else "absente.html" in error)
    assert files_of(tmp_path / "site" / "patient") == before


@pytest.mark.parametrize("signum, whole_group", [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["ctrl-c to the terminal's group", "SIGTERM to the command, as a cancelled CI job"])
def test_an_interrupted_build_says_so_in_one_line_and_leaves_the_previous_site_and_its_records(tmp_path, signum, whole_group):
    hub, site = tmp_path / "hub", tmp_path / "site"
    before = built_then_changed(hub, site)
    records = [hub / "reports" / "manifest" / "manifest-patient.json", hub / "deploy" / "patient.nginx.conf"]
    records_before = [path.read_bytes() for path in records]

    second = start_build(hub, site, "--no-cache")  # in parallel: its workers render the pages
    wait_until_writing(site)  # interrupted while its workers write the new pages
    if whole_group:
        os.killpg(second.pid, signum)
    else:
        os.kill(second.pid, signum)
    assert second.wait(timeout=60) == 128 + signum, log_of(second)

    log = log_of(second)
    assert "Traceback" not in log and "Error" not in log, log
    told = [line for line in log.splitlines() if line.startswith("carepress: ")]
    assert len(told) == 1 and ("interrupted (Ctrl-C)" if signum == signal.SIGINT else "stopped (SIGTERM)") in told[0], log
    assert pages(site / "patient") == before
    assert [path.read_bytes() for path in records] == records_before  # the record of the site still served
    assert staging_folders(site) == []  # let go of, not left for the next build
    assert not list(Path("/dev/shm").glob(f"carepress-{second.pid}-*"))  # the workers' answers, in memory
    with pytest.raises(ProcessLookupError):  # no worker outlives the command
        os.killpg(second.pid, 0)


def test_a_build_that_fails_leaves_the_manifest_of_the_site_still_served(hub):
    page = hub.article("diabete/bouger.md", title="Diabète : bouger au quotidien", topic="diabete-type-2")
    assert hub.build("patient").returncode == 0
    manifest = hub.root / "reports" / "manifest" / "manifest-patient.json"
    before = manifest.read_bytes()
    assert b'"src_uri": "diabete/bouger.md"' in before

    page.write_text(page.read_text(encoding="utf-8") + "\nAjouté après la relecture.\n", encoding="utf-8")  # CP203
    failed = hub.build("patient", "--strict")
    assert failed.returncode == 1 and "strict mode" in failed.stderr, failed.stderr
    assert (hub.root / "site" / "patient" / "diabete" / "bouger" / "index.html").is_file()  # still served...
    assert manifest.read_bytes() == before  # ...and still on record as published

    assert hub.build("patient").returncode == 0  # left out, for good this time
    assert not (hub.root / "site" / "patient" / "diabete" / "bouger").exists()
    assert b'"src_uri": "diabete/bouger.md"' not in manifest.read_bytes()


# `carepress build` on a disk that fills up after a few pages: MkDocs' own writing of a page fails as on a full disk.
FULL_DISK_BUILD = """
import errno, os, sys
from mkdocs import utils
from carepress.cli import run
written, pages = utils.write_file, []
def write_file(content, output_path):
    pages.append(output_path)  # in each process: a worker has the count its parent had when it forked
    if "fiche-" in output_path and len(pages) > 3:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    written(content, output_path)
utils.write_file = write_file
sys.argv = ["carepress", *sys.argv[1:]]
run()
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_is_one_error_line_and_keeps_the_previous_site(tmp_path, jobs):
    hub = generate(tmp_path / "hub", 40)
    build = ["build", "-a", "patient", "-d", str(tmp_path / "site"), "--no-cache", "--jobs", jobs]
    first = subprocess.run([sys.executable, "-m", "carepress", *build], cwd=hub, env={**os.environ, **ENV},
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = files_of(tmp_path / "site" / "patient")
    (hub / "content" / "asthme" / "dossier-01" / "theme-001" / "fiche-00002.md").unlink()  # the next site differs
    result = subprocess.run([sys.executable, "-c", FULL_DISK_BUILD, *build], cwd=hub, env={**os.environ, **ENV},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [error] = [line for line in result.stderr.splitlines() if "the build stops" in line]
    assert error.startswith("ERROR") and f"{tmp_path / 'site' / 'patient'}: No space left on device" in error
    assert files_of(tmp_path / "site" / "patient") == before
    assert staging_folders(tmp_path / "site") == []


def test_the_compliance_report_leaves_the_manifest_of_what_was_published_alone(hub):
    page = hub.article("diabete/bouger.md", title="Diabète : bouger au quotidien", topic="diabete-type-2")
    assert hub.build("patient").returncode == 0
    published = hub.root / "reports" / "manifest" / "manifest-patient.json"
    before = published.read_bytes()
    page.write_text(page.read_text(encoding="utf-8") + "\nAjouté après la relecture.\n", encoding="utf-8")  # CP203
    assert hub.carepress("report", "compliance", "--today", TODAY).returncode == 0
    assert published.read_bytes() == before  # the page is still online: the build's record says so
    would = (hub.root / "reports" / "compliance" / "manifest-patient.json").read_text(encoding="utf-8")
    assert '"src_uri": "index.md"' in would and "diabete/bouger.md" not in would  # what the sources would publish
