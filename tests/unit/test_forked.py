"""Forked workers' answers reach the parent whole, through files that do not outlive the pool."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from carepress import forked
from carepress.forked import MIN_ITEMS_PER_JOB, forked_map, forked_pool


def _where_answers_go(_: int) -> str:
    return forked._answers["folder"]


def _big(index: int) -> dict:
    return {"index": index, "pid": os.getpid(), "html": "é<p>" * 50_000}  # megabytes per share, as pages are


def _fails(index: int) -> int:
    if index == 7:
        raise ValueError("page 7 is broken")
    return index


def test_answers_are_the_same_as_in_one_process_and_leave_no_file():
    items = list(range(2 * MIN_ITEMS_PER_JOB + 10))
    answers = forked_map(_big, items, 2)
    assert answers == [{**_big(index), "pid": answer["pid"]} for index, answer in zip(items, answers)]
    assert os.getpid() not in {answer["pid"] for answer in answers}  # workers answered, through their files
    with forked_pool(2) as pool:
        folder = pool.map(_where_answers_go, [1])[0]
        assert Path(folder).is_dir() and list(Path(folder).iterdir()) == []  # each answer removed once read
    assert not Path(folder).exists()
    if os.path.isdir(forked.MEMORY_FOLDER):
        assert folder.startswith(forked.MEMORY_FOLDER + os.sep)  # in memory: no disk file to allocate


def _pid_of(index: int) -> tuple[int, int]:
    time.sleep(0.001)  # long enough that the workers take part, however fast this machine
    return index, os.getpid()


@pytest.mark.parametrize("jobs", [2, 3])
def test_alongside_this_process_and_the_workers_share_every_item_once(jobs):
    items = list(range(jobs * MIN_ITEMS_PER_JOB + 10))
    then_saw = []
    answers = forked_map(_pid_of, items, jobs, then=lambda answer: then_saw.append(answer) or answer, alongside=True)
    assert [index for index, _ in answers] == items and sorted(then_saw) == sorted(answers)  # `then` on every answer
    workers = {pid for _, pid in answers} - {os.getpid()}
    assert os.getpid() in {pid for _, pid in answers}
    assert workers and len(workers) <= jobs - 1  # one worker fewer than `jobs`: this process is the other


@pytest.mark.parametrize(("jobs", "alongside"), [(1, True), (2, True), (2, False), (3, False)])
def test_meanwhile_runs_here_once_before_this_process_takes_anything(jobs, alongside):
    """What this process makes meanwhile is made once, here, while the workers work (with none, before the items),
    and no worker has it: they were forked before it was made."""
    parent, seen_here, made = os.getpid(), [], []

    def work(index: int) -> tuple[int, bool]:
        if os.getpid() == parent:
            seen_here.append(index)
        time.sleep(0.001)  # long enough that the workers take part, however fast this machine
        return os.getpid(), bool(made)

    def meanwhile() -> None:
        assert not seen_here  # nothing of this process's share taken yet
        made.append(os.getpid())

    items = list(range(jobs * MIN_ITEMS_PER_JOB + 10))
    answers = forked_map(work, items, jobs, then=lambda answer: (answer, bool(made)), alongside=alongside,
                         meanwhile=meanwhile)
    assert made == [parent]
    assert all(received_after for _, received_after in answers)  # every answer taken here once it was made
    if jobs > 1:
        assert {pid for (pid, _), _ in answers} != {parent}  # the workers took part
        assert not any(had for (pid, had), _ in answers if pid != parent)  # and never had it


def test_alongside_a_slower_worker_takes_fewer_shares():
    """Shares are claimed as each process is ready: split in halves, this process would wait for the worker."""
    parent = os.getpid()

    def slower_in_the_worker(index: int) -> int:
        time.sleep(0.0002 if os.getpid() == parent else 0.002)
        return os.getpid()

    answers = forked_map(slower_in_the_worker, list(range(400)), 2, alongside=True)
    mine = answers.count(parent)
    assert len(answers) == 400 and 0 < 400 - mine < 400 / 3  # the worker, ten times slower, does under a third


@pytest.mark.parametrize("where", ["here", "in a worker"])
def test_alongside_an_error_in_either_share_is_raised_here(where, tmp_path):
    parent, worker_started = os.getpid(), tmp_path / "worker started"

    def fails(index: int) -> int:
        if (os.getpid() == parent) == (where == "here"):
            worker_started.touch()
            raise ValueError(f"page {index} is broken {where}")
        for _ in range(300):  # this process waits for the worker, which would otherwise find every share claimed
            if where == "here" or worker_started.exists():
                break
            time.sleep(0.1)
        return index

    with pytest.raises(ValueError, match=f"is broken {where}"):
        forked_map(fails, list(range(2 * MIN_ITEMS_PER_JOB + 10)), 2, alongside=True)


def test_the_workers_start_on_their_items_before_the_first_answer_is_asked_for(tmp_path):
    marker = tmp_path / "started"
    with forked_pool(2) as pool:
        arriving = pool.imap_unordered(marker.write_text, ["x"])
        for _ in range(300):  # up to 30 s on a very busy machine; a few milliseconds here
            if marker.exists():
                break
            time.sleep(0.1)
        assert marker.exists()  # written while this process did something else (its own share, alongside)
        assert list(arriving) == [1]


def test_an_answer_that_cannot_be_written_goes_through_the_pipe(monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(forked.tempfile, "mkstemp", full)  # the workers inherit it
    items = list(range(2 * MIN_ITEMS_PER_JOB + 10))
    assert forked_map(abs, items, 2) == items


def test_a_half_written_answer_is_removed_and_sent_through_the_pipe(monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(forked.pickle, "dump", full)  # the file exists, its writing fails
    items = list(range(2 * MIN_ITEMS_PER_JOB + 10))
    with forked_pool(2) as pool:
        assert pool.map(abs, items) == items
        assert pool.map(_where_answers_go, [0])[0] == forked._answers["folder"]
        assert list(Path(forked._answers["folder"]).iterdir()) == []  # no half-written file left taking space


def test_a_workers_error_is_raised_here_and_the_folder_goes(monkeypatch):
    made = []
    original = forked._answers_folder
    monkeypatch.setattr(forked, "_answers_folder", lambda: made.append(original()) or made[-1])
    with pytest.raises(ValueError, match="page 7 is broken"):
        forked_map(_fails, list(range(2 * MIN_ITEMS_PER_JOB + 10)), 2)
    assert made and not Path(made[0]).exists()


def test_answer_folders_of_killed_runs_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setattr(forked, "MEMORY_FOLDER", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = tmp_path / f"carepress-{int(gone.stdout)}-abc"  # its process has exited: a killed run's folder
    abandoned.mkdir()
    (abandoned / "answer").write_bytes(b"x" * 1000)
    live = tmp_path / f"carepress-{os.getpid()}-def"
    live.mkdir()
    other = tmp_path / "carepress-notapid"
    other.mkdir()
    with forked_pool(2) as pool:
        folder = pool.map(_where_answers_go, [0])[0]
        assert Path(folder).parent == tmp_path and Path(folder).name.startswith(f"carepress-{os.getpid()}-")
    assert not abandoned.exists() and live.is_dir() and other.is_dir()


def test_collections_are_paused_only_meanwhile_and_as_the_caller_had_them():
    import gc

    from carepress.forked import collections_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collections_paused():
            assert not gc.isenabled()
            raise RuntimeError("a page failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


def test_a_heap_frozen_for_a_block_is_unfrozen_after_unless_the_caller_froze_it():
    import gc

    from carepress.forked import freeze_heap, heap_frozen, unfreeze_heap

    unfreeze_heap()
    try:
        kept = [[] for _ in range(1000)]
        with heap_frozen():
            assert gc.get_freeze_count() >= len(kept)
            with heap_frozen():  # nested: the inner block does not unfreeze what the outer one froze
                pass
            assert gc.get_freeze_count() >= len(kept)
        assert gc.get_freeze_count() == 0
        freeze_heap()
        with heap_frozen():
            pass
        assert gc.get_freeze_count() >= len(kept)
    finally:
        unfreeze_heap()


def test_what_a_loop_without_collections_made_is_frozen_with_a_frozen_heap():
    """Left young, what the loop kept was all walked by the first collection after it, for nothing."""
    import gc

    from carepress.forked import collections_paused, freeze_heap, unfreeze_heap

    unfreeze_heap()
    try:
        with collections_paused():  # the heap is not frozen: nothing is frozen after
            made = [[] for _ in range(1000)]
        assert gc.get_freeze_count() == 0
        freeze_heap()
        before = gc.get_freeze_count()
        with collections_paused():
            made += [[] for _ in range(1000)]
        assert gc.get_freeze_count() >= before + 1000 and gc.isenabled()
    finally:
        unfreeze_heap()


def test_a_pool_ends_even_with_a_worker_that_sigterm_does_not_end(monkeypatch):
    """multiprocessing waits for each worker without a limit after SIGTERM: a worker that ignores it (a build stopped
    there for good) is killed once the limit has passed, and the map returns."""
    import signal
    import threading

    from carepress import forked

    monkeypatch.setattr(forked, "WORKER_END_LIMIT", 0.5)

    def deaf_to_sigterm(item: int) -> int:
        # A worker that neither ends on SIGTERM nor by itself once its tasks are done (a thread that never ends).
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            threading.Thread(target=threading.Event().wait).start()
        return os.getpid()

    workers = set(forked.forked_map(deaf_to_sigterm, list(range(4 * forked.MIN_ITEMS_PER_JOB)), jobs=2))
    assert os.getpid() not in workers and workers  # the items were worked on in forked workers
    for pid in workers:
        assert not forked.process_alive(pid)  # ended, and waited for: no process of that number is left


# A command (its own SIGTERM handler, as `carepress` has) whose second worker is still in its at-fork hooks when the
# map is over and the pool ends: a hook that sleeps widens a window of microseconds to a second. Run in a process of
# its own: neither the handlers nor an at-fork hook can be taken back from the test process.
_STARTING_WORKER_STOPPED = """
import os, signal, time
from carepress import forked
from carepress.cli import _interrupt
forked.WORKER_END_LIMIT = 5.0
for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, _interrupt)
forks = [0]
def counted():
    forks[0] += 1
def second_worker_starts_slowly():
    if forks[0] == 2:
        time.sleep(1.0)
os.register_at_fork(before=counted, after_in_child=second_worker_starts_slowly)
with forked.forked_pool(2) as pool:
    assert pool.map(abs, [-1, -2, -3]) == [1, 2, 3]
    workers = list(pool.pool._pool)
print(*[worker.exitcode for worker in workers])
"""


def test_a_worker_stopped_while_it_starts_ends_by_that_signal():
    """SIGTERM reaching a worker before it has its own handlers waits for them: with the command's handler, raised in
    an at-fork hook where Python ignores exceptions, it left the worker alive, waiting for tasks, until the pool's
    end killed it (a build of a small hub stopped there for good before that bound existed)."""
    import signal
    import subprocess
    import sys

    ran = subprocess.run([sys.executable, "-c", _STARTING_WORKER_STOPPED], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "Exception ignored" not in ran.stderr  # the signal was not taken by the command's handler
    assert ran.stdout.split()[-1] == str(-signal.SIGTERM)  # ended by SIGTERM, not killed by the pool's end (-9)
