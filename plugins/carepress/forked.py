"""Per-item work shared between forked processes, without MkDocs: `carepress check` and the gate use it.

Workers are forked, so they inherit everything the parent loaded (the content tree, lexicons, the
SEO index) without copying it; only their answers travel back, pickled, each in a file of the pool's
folder (in memory where the system has /dev/shm) that the parent removes once read.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

MIN_ITEMS_PER_JOB = 50  # below this, forking costs more than it saves
MEMORY_FOLDER = "/dev/shm"  # where a worker's answers wait for the parent, when the system has it (tmpfs)

# What forked workers inherit: set by the parent just before its pool starts.
_shared: dict[str, Any] = {}
_answers: dict[str, str] = {}  # "folder": where this pool's workers write their answers


def available_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def forked_pool(jobs: int) -> Iterator[ForkedPool]:
    """A pool of `jobs` forked workers, for one map.

    The parent's objects are left out of garbage collections while the workers run: otherwise
    each worker's collector walks (and writes to) every object it inherited, which copies the
    parent's memory pages into each worker. The parent makes no collection at all meanwhile:
    what it allocates then is the workers' answers, all kept, and collections triggered by
    unpickling them walked an ever larger heap (0.2 s of CPU when reading 10,000 articles).
    Workers collect as the parent did before: a page's conversion leaves cyclic garbage
    (Markdown's processors).

    What the caller froze stays frozen (a command's content tree, `load_for_the_run`): Python
    unfreezes all or nothing, so the heap is unfrozen only when the pool froze it first. Unfrozen,
    the tree was walked by the next full collection (0.23 s at 10,000 articles)."""
    collecting = gc.isenabled()
    folder = _answers_folder()
    _answers["folder"] = folder
    try:
        with heap_frozen(), collections_paused(), _started_pool(jobs, collecting) as pool:
            try:
                yield ForkedPool(pool)
            finally:
                _end(pool)
    finally:
        _answers.clear()
        shutil.rmtree(folder, ignore_errors=True)


# Held back while a pool forks its workers, until each worker has its own handlers (`_worker_start`).
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _started_pool(jobs: int, collecting: bool) -> Any:
    """multiprocessing's pool of `jobs` forked workers, forked with `STOP_SIGNALS` held back. A worker starts with the
    command's handlers, which raise `Interrupted`; a SIGTERM that arrived while it ran its at-fork hooks raised it
    there, where Python ignores exceptions ("Exception ignored in"): the worker lived on, waiting for tasks, and the
    pool's end waited for it (docs/performance.md, "A pool's end that never came"). Held back, the signal waits for
    the worker's own handlers. The pool's threads, started here too, keep them held back: a worker they fork to replace
    one that ended starts the same way, and the process's signals go to its other threads (this one, once restored)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        return multiprocessing.get_context("fork").Pool(jobs, _worker_start, (collecting,))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


WORKER_END_LIMIT = 10.0  # seconds a pool's end waits for its workers to go after SIGTERM, before it kills them


def _end(pool: Any) -> None:
    """`Pool.terminate`, bounded: a worker that SIGTERM does not end is killed (SIGKILL). multiprocessing waits for
    each worker without a limit: in test runs of 2026-12-04 a build stopped there for good, one worker still
    alive after SIGTERM, every page converted (see docs/performance.md, "A pool's end that never came"). That cause
    is mended (`_started_pool`); the bound stays for a worker stuck in any other way."""
    ending = threading.Thread(target=pool.terminate, name="carepress-pool-end")
    ending.start()
    ending.join(WORKER_END_LIMIT)
    if ending.is_alive():
        for process in pool._pool:  # multiprocessing's own list of the pool's workers
            if process.exitcode is None:
                process.kill()
        ending.join()


def _worker_start(collecting: bool) -> None:
    """A worker leaves interruptions to the parent: Ctrl-C reaches every process of the terminal's group, and the
    parent, stopped, ends its workers (SIGTERM, whose default ends them at once, where the command's own handler
    would unwind them with a traceback each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held back since the fork (`_started_pool`)
    if collecting:
        gc.enable()


# Whether this process froze its heap (`freeze_heap`) and has not unfrozen it since. `gc.get_freeze_count()` would say,
# but it counts the frozen objects one by one: 50 ms for 3 million, at each pool of a 10,000-article run.
_heap_frozen = False


def freeze_heap() -> None:
    """Every object allocated so far left out of garbage collections (`gc.freeze`) until `unfreeze_heap`: this
    process freezes its heap only through here, so that whether it is frozen is known at no cost."""
    global _heap_frozen
    gc.freeze()
    _heap_frozen = True


def unfreeze_heap() -> None:
    global _heap_frozen
    gc.unfreeze()
    _heap_frozen = False


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """Every object allocated so far left out of garbage collections meanwhile (`freeze_heap`): they walk only what
    is allocated after. What the caller froze (`freeze_heap`) stays frozen: Python unfreezes all or nothing."""
    was_frozen = _heap_frozen
    freeze_heap()
    try:
        yield
    finally:
        if not was_frozen:
            unfreeze_heap()


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No garbage collection meanwhile, for a loop that allocates what it keeps (pages read back, answers): each
    full collection triggered by the allocations walks the whole heap, which grows with them. Restoring 10,000
    converted pages from the page cache spent 1.2 s of its 1.9 s in such collections.

    Where the heap is frozen (`heap_frozen`, a command's content tree), what the loop made is frozen with it: left
    young, all of it was walked by the first collection after the loop, for nothing (in the main process of a
    10,000-article build, five such collections took 1.1 s). The scope that froze the heap first unfreezes it all."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _heap_frozen:
            freeze_heap()
        if was_enabled:
            gc.enable()


def _answers_folder() -> str:
    _remove_abandoned_folders()
    prefix = f"carepress-{os.getpid()}-"  # whose pool it is, for the clean-up after a killed run
    with contextlib.suppress(OSError):
        return tempfile.mkdtemp(prefix=prefix, dir=MEMORY_FOLDER)
    return tempfile.mkdtemp(prefix=prefix)


def _remove_abandoned_folders() -> None:
    """Answer folders in memory whose process is gone: a killed run cannot remove its own, and memory is not
    given back before the next boot. A folder whose process may still be running is left alone."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(MEMORY_FOLDER):
            owner = entry.name.split("-")[1] if entry.name.startswith("carepress-") else ""
            if owner.isdigit() and entry.is_dir(follow_symlinks=False) and not process_alive(int(owner)):
                shutil.rmtree(entry.path, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


@dataclass(frozen=True)
class _InFile:
    path: str  # a worker's answer, pickled in the pool's folder


def _answered(call: tuple[Callable[[Any], Any], Any]) -> Any:
    """`function(argument)` in a worker, the answer left in a file: sent through the pool's pipe, a share's
    answer (megabytes of pages) kept the worker waiting until the parent had read it all, at every share.
    Where the file cannot be written (a full folder), the answer goes through the pipe."""
    function, argument = call
    answer = function(argument)
    path = None
    try:
        descriptor, path = tempfile.mkstemp(dir=_answers["folder"])
        with os.fdopen(descriptor, "wb") as stream:
            pickle.dump(answer, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        if path:  # half written: its space goes back to the others
            with contextlib.suppress(OSError):
                os.unlink(path)
        return answer
    return _InFile(path)


def _received(answer: Any) -> Any:
    if not isinstance(answer, _InFile):
        return answer
    with open(answer.path, "rb") as stream:
        value = pickle.load(stream)
    os.unlink(answer.path)
    return value


class ForkedPool:
    """`map` and `imap_unordered` of multiprocessing's pool, each answer left by the worker in a file."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def map(self, function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        # Each answer read as soon as it and those before it are in: the files do not pile up in memory.
        return [_received(answer) for answer in self.pool.imap(_answered, [(function, item) for item in items])]

    def imap_unordered(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        """The answers as they arrive; the items are handed to the workers now, not at the first answer asked for."""
        answers = self.pool.imap_unordered(_answered, [(function, item) for item in items])
        return (_received(answer) for answer in answers)


def _work_on(indices: list[int]) -> list[tuple[int, Any]]:
    work, items = _shared["work"], _shared["items"]
    return [(index, work(items[index])) for index in indices]


def _work_on_unclaimed(share: int) -> list[tuple[int, Any]] | None:
    """The share's answers, unless another process claimed it first (None)."""
    return _work_on(_shared["shares"][share]) if _shared["claims"].claim(share) else None


class _Claims:
    """Which shares a process has taken, in memory every forked process shares: workers take them from the
    first on, this process from the last back, until they meet. A worker slower per item (caches cold, each
    first write to a shared memory page copying it) then does fewer of them, and neither waits for the other."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.taken = context.RawArray("b", count)
        self.lock = context.Lock()

    def claim(self, share: int) -> bool:
        with self.lock:
            if self.taken[share]:
                return False
            self.taken[share] = 1
            return True


SHARES_PER_PROCESS = 8  # interleaved shares of the items: the more, the closer the processes finish


def forked_map(work: Callable[[Any], Any], items: Sequence[Any], jobs: int,
               then: Callable[[Any], Any] = lambda answer: answer, alongside: bool = False,
               meanwhile: Callable[[], Any] | None = None) -> list[Any]:
    """`[then(work(item)) for item in items]`, `work` shared between `jobs` forked processes when worth it.

    `then` runs here, on each share's answers as the share arrives (not in the items' order), while
    the workers go on with the other shares. An exception raised by `work` in a worker is raised here.

    `meanwhile()` runs here once the workers have their items, before this process takes a share or an answer
    (first of all when there are no workers): for what this process needs next and `work` does not, made while
    the workers work. With `alongside`, this process then takes fewer shares.

    `alongside`: this process works too, beside `jobs - 1` workers, before it takes their answers. For work
    whose answers need little here (`then`): `jobs` processes work, instead of `jobs` workers and a parent
    waiting for them, and there is one fork fewer. The shares are claimed as each process is ready for one
    (`_Claims`). (While a worker lives, the first write to each page it shares with this process copies the
    page, on either side.)"""
    if jobs < 2 or len(items) < MIN_ITEMS_PER_JOB * jobs or not can_fork():
        if meanwhile:
            meanwhile()
        return [then(work(item)) for item in items]
    # Interleaved shares: neighbouring items (one folder) cost alike.
    shares = [indices for start in range(jobs * SHARES_PER_PROCESS)
              if (indices := list(range(start, len(items), jobs * SHARES_PER_PROCESS)))]
    claims = _Claims(len(shares)) if alongside else None
    _shared.update(work=work, items=items, shares=shares, claims=claims)
    by_index = {}

    def receive(answers: list[tuple[int, Any]] | None) -> None:
        for index, answer in answers or ():
            by_index[index] = then(answer)

    try:
        with forked_pool(jobs - 1 if alongside else jobs) as pool:
            if not alongside:
                arriving = pool.imap_unordered(_work_on, shares)
                if meanwhile:
                    meanwhile()
                for answers in arriving:
                    receive(answers)
            else:
                arriving = pool.imap_unordered(_work_on_unclaimed, range(len(shares)))
                if meanwhile:
                    meanwhile()
                for share in reversed(range(len(shares))):  # this process's shares first, from the last back
                    if not claims.claim(share):
                        break  # the workers have the ones before
                    receive(_work_on(shares[share]))
                for answers in arriving:
                    receive(answers)
    finally:
        _shared.clear()
    return [by_index[index] for index in range(len(items))]
