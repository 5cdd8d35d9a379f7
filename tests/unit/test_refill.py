"""The spare site a build refills (build/atomic.py): what it keeps is checked byte for byte, the rest goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carepress.build import atomic
from carepress.build.atomic import Refill, atomic_folder, spare_folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def spare(tmp_path: Path) -> Path:
    folder = tmp_path / "cache" / "sites" / "patient"
    write(folder / "kept" / "index.html", "<p>kept</p>")
    write(folder / "edited" / "index.html", "<p>edited by hand</p>")
    write(folder / "left-out" / "index.html", "<p>a page this build leaves out</p>")
    write(folder / "search" / "search_index.json", "{}")
    write(folder / "404.html", "old 404")
    return folder


def staging_of(tmp_path: Path) -> Path:
    folder = tmp_path / "site" / ".patient.building-1-x"
    folder.mkdir(parents=True)
    return folder


def test_the_spare_keeps_only_the_pages_the_cache_restores(tmp_path, spare):
    staging = staging_of(tmp_path)
    refill = Refill.take(spare, staging, {"kept/index.html", "edited/index.html", "new/index.html"})
    assert refill is not None
    assert not spare.exists()  # moved in, not copied
    assert tree(staging) == {"kept/index.html": "<p>kept</p>", "edited/index.html": "<p>edited by hand</p>"}
    assert (staging / "left-out").is_dir()  # its folder stays until the build is over (a new page may use it)
    refill.prune()
    assert not (staging / "left-out").exists()
    assert (staging / "search").exists() is False
    assert (staging / "kept").is_dir()


def test_a_page_is_kept_only_when_the_spare_holds_its_very_bytes(tmp_path, spare):
    staging = staging_of(tmp_path)
    refill = Refill.take(spare, staging, {"kept/index.html", "edited/index.html"})
    kept_inode = (staging / "kept" / "index.html").stat().st_ino
    refill.write(b"<p>kept</p>", str(staging / "kept" / "index.html"))
    refill.write("<p>published</p>".encode(), str(staging / "edited" / "index.html"))
    refill.write(b"<p>new</p>", str(staging / "new" / "index.html"))
    refill.write(b"<p>kept</p> and more", str(staging / "kept-longer" / "index.html"))
    assert refill.kept == 1
    assert (staging / "kept" / "index.html").stat().st_ino == kept_inode  # not written again
    assert tree(staging) == {"kept/index.html": "<p>kept</p>", "edited/index.html": "<p>published</p>",
                             "new/index.html": "<p>new</p>", "kept-longer/index.html": "<p>kept</p> and more"}


def test_a_longer_or_shorter_file_is_not_taken_for_the_page(tmp_path, spare):
    staging = staging_of(tmp_path)
    refill = Refill.take(spare, staging, {"kept/index.html"})
    refill.write(b"<p>kep", str(staging / "kept" / "index.html"))
    assert (staging / "kept" / "index.html").read_bytes() == b"<p>kep"
    refill.write(b"<p>kept</p>!", str(staging / "kept" / "index.html"))
    assert (staging / "kept" / "index.html").read_bytes() == b"<p>kept</p>!"
    assert refill.kept == 0


def test_links_in_the_spare_are_removed_not_followed(tmp_path, spare):
    outside = write(tmp_path / "elsewhere" / "index.html", "<p>kept</p>")
    (spare / "linked").mkdir()
    os.symlink(outside, spare / "linked" / "index.html")
    os.symlink(outside.parent, spare / "folder-link")
    staging = staging_of(tmp_path)
    refill = Refill.take(spare, staging, {"linked/index.html", "folder-link/index.html"})
    assert not (staging / "linked" / "index.html").exists() and not os.path.lexists(staging / "folder-link")
    refill.write(b"<p>kept</p>", str(staging / "linked" / "index.html"))
    assert not (staging / "linked" / "index.html").is_symlink() and refill.kept == 0
    assert outside.read_text() == "<p>kept</p>" and len(list(outside.parent.iterdir())) == 1


def test_a_folder_where_a_page_goes_is_removed(tmp_path, spare):
    write(spare / "odd" / "index.html" / "index.html", "<p>kept</p>")
    staging = staging_of(tmp_path)
    refill = Refill.take(spare, staging, {"odd/index.html"})
    refill.write(b"<p>kept</p>", str(staging / "odd" / "index.html"))
    assert tree(staging) == {"odd/index.html": "<p>kept</p>"} and refill.kept == 0


def test_a_page_rendered_anew_leaves_nothing_of_its_old_output(tmp_path, spare):
    staging = staging_of(tmp_path)
    refill = Refill.take(spare, staging, {"kept/index.html"})
    refill.discard(str(staging / "kept" / "index.html"))  # MkDocs writes nothing for a page whose output is empty
    refill.discard(str(staging / "never-there" / "index.html"))
    refill.prune()
    assert tree(staging) == {}


def test_no_spare_or_one_another_build_took(tmp_path, spare):
    staging = staging_of(tmp_path)
    assert Refill.take(tmp_path / "cache" / "sites" / "hcp", staging, set()) is None
    assert Refill.take(spare, staging, set()) is not None
    assert Refill.take(spare, staging_of(tmp_path / "other"), set()) is None  # taken already


def test_a_staging_folder_already_written_to_is_not_replaced(tmp_path, spare):
    staging = staging_of(tmp_path)
    write(staging / "index.html", "written by this build")
    assert Refill.take(spare, staging, {"kept/index.html"}) is None
    assert tree(staging) == {"index.html": "written by this build"}
    assert not spare.exists() and list(spare.parent.iterdir()) == []  # its claim is not left behind


def test_a_claim_left_by_a_killed_build_is_removed(tmp_path, spare, monkeypatch):
    abandoned = write(spare.parent / "patient.999999-claimed" / "index.html", "old").parent
    alive = write(spare.parent / f"patient.{os.getpid()}-claimed" / "index.html", "old").parent
    monkeypatch.setattr(atomic, "process_alive", lambda pid: pid == os.getpid())
    Refill.take(spare, staging_of(tmp_path), set())
    assert not abandoned.exists() and alive.exists()


def test_the_site_replaced_becomes_the_spare(tmp_path):
    target, spare = tmp_path / "site" / "patient", spare_folder(tmp_path / ".cache" / "patient")
    write(target / "index.html", "first")
    with atomic_folder(target, spare) as staging:
        write(staging / "index.html", "second")
    assert tree(target) == {"index.html": "second"} and tree(spare) == {"index.html": "first"}
    with atomic_folder(target, spare) as staging:
        write(staging / "index.html", "third")
    assert tree(spare) == {"index.html": "second"}  # the older spare, which no build took, is gone
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["patient"]  # nothing beside the sites
    with atomic_folder(target) as staging:  # without the page cache: removed, as before
        write(staging / "index.html", "fourth")
    assert tree(target) == {"index.html": "fourth"} and tree(spare) == {"index.html": "second"}


def test_the_spare_lives_in_the_cache_never_beside_the_sites(tmp_path):
    assert spare_folder(tmp_path / ".cache" / "carepress" / "hcp") == tmp_path / ".cache" / "carepress" / "sites" / "hcp"
