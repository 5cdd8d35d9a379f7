"""The page cache's pack files: what one build writes, another reads; what no build uses goes."""

import multiprocessing
import os
import time

from carepress.packs import MAX_PACKS, PACK_PREFIX, STALE_TEMPORARY_SECONDS, TEMPORARY_PREFIX, PackCache


def packs(folder):
    return sorted(path.name for path in folder.iterdir() if path.name.startswith(PACK_PREFIX))


def test_what_one_build_puts_the_next_build_reads(tmp_path):
    first = PackCache(tmp_path)
    first.put("a", {"html": b"<p>a</p>", "log": []})
    first.put("b", ["b"])
    assert not PackCache(tmp_path).has("a")  # not sealed yet: another build does not see half a pack
    first.prune()
    second = PackCache(tmp_path)
    assert second.has("a") and second.has("b") and not second.has("c")
    assert second.get("a") == {"html": b"<p>a</p>", "log": []}
    assert second.get("b") == ["b"]
    assert second.get("c") is None
    assert len(packs(tmp_path)) == 1


def _put_in_worker(cache, keys):
    for key in keys:
        cache.put(key, f"value of {key}")
    cache.seal()


def test_each_forked_worker_writes_its_own_pack(tmp_path):
    cache = PackCache(tmp_path)
    cache.put("parent", "value of parent")
    cache.seal()  # as the build does before forking
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_put_in_worker, args=(cache, keys)) for keys in (["w1", "w2"], ["w3"])]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    assert len(packs(tmp_path)) == 3
    reopened = PackCache(tmp_path)
    assert [reopened.get(key) for key in ("parent", "w1", "w2", "w3")] == [
        "value of parent", "value of w1", "value of w2", "value of w3"]


def test_a_worker_killed_before_sealing_leaves_no_entry(tmp_path):
    cache = PackCache(tmp_path)
    context = multiprocessing.get_context("fork")

    def killed():
        cache.put("half", "never sealed")
        os._exit(1)

    worker = context.Process(target=killed)
    worker.start()
    worker.join()
    assert packs(tmp_path) == []
    assert not PackCache(tmp_path).has("half")


def test_prune_removes_the_packs_a_build_did_not_use(tmp_path):
    old = PackCache(tmp_path)
    old.put("gone", "x")
    old.seal()
    old.put("kept", "y")
    old.prune()
    assert len(packs(tmp_path)) == 2
    build = PackCache(tmp_path)
    assert build.has("kept")
    build.prune()
    assert len(packs(tmp_path)) == 1
    assert PackCache(tmp_path).get("kept") == "y" and not PackCache(tmp_path).has("gone")


def test_prune_rewrites_a_pack_that_is_mostly_unused(tmp_path):
    old = PackCache(tmp_path)
    for key in "abcd":
        old.put(key, key * 1000)
    old.prune()
    [before] = packs(tmp_path)
    build = PackCache(tmp_path)
    assert build.get("a") == "a" * 1000
    build.prune()
    [after] = packs(tmp_path)
    assert after != before
    reopened = PackCache(tmp_path)
    assert reopened.get("a") == "a" * 1000 and not reopened.has("b")
    assert (tmp_path / after).stat().st_size < 2000


def test_many_small_packs_are_merged(tmp_path):
    for number in range(MAX_PACKS + 5):  # as many incremental builds, each adding a pack
        cache = PackCache(tmp_path)
        cache.put(f"page-{number}", number)
        cache.seal()
    build = PackCache(tmp_path)
    assert all(build.has(f"page-{number}") for number in range(MAX_PACKS + 5))
    build.prune()
    assert len(packs(tmp_path)) <= MAX_PACKS // 2 + 1
    reopened = PackCache(tmp_path)
    assert [reopened.get(f"page-{number}") for number in range(MAX_PACKS + 5)] == list(range(MAX_PACKS + 5))


def test_a_damaged_pack_is_ignored_not_fatal(tmp_path):
    cache = PackCache(tmp_path)
    cache.put("a", "a")
    cache.prune()
    [pack] = packs(tmp_path)
    data = (tmp_path / pack).read_bytes()
    (tmp_path / pack).write_bytes(data[:-3])  # a disk full or a copy cut short
    assert not PackCache(tmp_path).has("a")
    (tmp_path / pack).write_bytes(b"")
    assert not PackCache(tmp_path).has("a")


def test_an_entry_removed_by_a_concurrent_build_reads_as_missing(tmp_path):
    writer = PackCache(tmp_path)
    writer.put("a", "a")
    writer.prune()
    reader = PackCache(tmp_path)
    for pack in packs(tmp_path):
        (tmp_path / pack).unlink()
    assert reader.has("a") and reader.get("a") is None  # the build then converts the page itself


def test_prune_clears_older_formats_and_stale_temporary_packs(tmp_path):
    (tmp_path / ("0" * 64)).write_bytes(b"an entry of the one-file-per-page format")
    stale, fresh = tmp_path / f"{TEMPORARY_PREFIX}stale", tmp_path / f"{TEMPORARY_PREFIX}fresh"
    stale.write_bytes(b"left by a killed build")
    fresh.write_bytes(b"a concurrent build is writing it")
    long_ago = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    PackCache(tmp_path).prune()
    assert sorted(path.name for path in tmp_path.iterdir()) == [fresh.name]


def test_a_folder_that_cannot_be_written_keeps_nothing_more_and_fails_nothing(tmp_path, monkeypatch):
    kept = PackCache(tmp_path)
    kept.put("a", "kept before")
    kept.prune()
    cache = PackCache(tmp_path)
    writes = []

    def full_disk(*args, **kwargs):
        writes.append(args)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("carepress.packs.tempfile.mkstemp", full_disk)
    assert cache.get("a") == "kept before"  # what was kept is still read
    cache.put("b", "not kept")
    cache.put("c", "not kept either")  # given up after the first failure: no second attempt
    cache.seal()
    cache.prune()
    assert cache.failed == f"{tmp_path}: No space left on device" and len(writes) == 1
    assert cache.get("b") is None and PackCache(tmp_path).get("a") == "kept before"
    assert packs(tmp_path) and not [p for p in tmp_path.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]


def test_of_two_packs_with_the_same_entries_one_goes(tmp_path):
    """Two builds that ran at once from an empty cache each wrote every entry: the next clean-up keeps one copy."""
    for _ in range(2):  # two builds
        cache = PackCache(tmp_path)
        cache.put("a", "a's value")
        cache.put("b", "b's value")
        cache.seal()
    assert len(packs(tmp_path)) == 2
    later = PackCache(tmp_path)
    assert later.get("a") == "a's value" and later.has("b")
    later.prune()
    assert len(packs(tmp_path)) == 1
    assert PackCache(tmp_path).get("a") == "a's value" and PackCache(tmp_path).get("b") == "b's value"


def test_a_pack_partly_kept_elsewhere_stays_while_it_serves_an_entry(tmp_path):
    first = PackCache(tmp_path)
    first.put("a", 1)
    first.put("b", 2)
    first.seal()
    second = PackCache(tmp_path)
    second.put("b", 2)
    second.put("c", 3)
    second.seal()
    later = PackCache(tmp_path)
    assert [later.get(key) for key in "abc"] == [1, 2, 3]
    later.prune()
    assert len(packs(tmp_path)) == 2
    assert [PackCache(tmp_path).get(key) for key in "abc"] == [1, 2, 3]


def test_bytecode_python_writes_at_first_import_changes_no_key(tmp_path):
    """The code's state is in every cache key (`code_digest`, the page cache's inputs). Python writes
    `__pycache__` beside the modules at their first import, unless told not to: counted, it made the second
    run of every command miss the cache its first run had filled."""
    from carepress.packs import folder_state

    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "sub" / "module.py").write_text("VALUE = 1\n")
    (package / "template.html").write_text("<p>{{ value }}</p>\n")
    before = {content: folder_state(package, content) for content in (False, True)}
    for folder in (package / "__pycache__", package / "sub" / "__pycache__"):
        folder.mkdir()
        (folder / "module.cpython-311.pyc").write_bytes(b"\x00bytecode")
    assert {content: folder_state(package, content) for content in (False, True)} == before
    (package / "sub" / "module.py").write_text("VALUE = 2\n")  # an edit of the code still counts
    assert folder_state(package, True) != before[True]
    (package / "pycache_notes").mkdir()  # only the bytecode folder itself is left out
    (package / "pycache_notes" / "a.txt").write_text("x")
    assert len(folder_state(package, False)) == len(before[False]) + 1
