"""Per-item work shared between forked processes, without MkDocs: `carepress check` and the gate use it.

Workers are forked, so they inherit everything the parent loaded (the content tree, lexicons, the
SEO index) without copying it; only their answers travel back, pickled.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

MIN_ITEMS_PER_JOB = 50  # below this, forking costs more than it saves

# What forked workers inherit: set by the parent just before its pool starts.
_shared: dict[str, Any] = {}


def available_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def forked_pool(jobs: int):
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
    was_enabled, was_frozen = gc.isenabled(), gc.get_freeze_count() > 0
    gc.freeze()
    gc.disable()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=gc.enable if was_enabled else None) as pool:
            yield pool
    finally:
        if was_enabled:
            gc.enable()
        if not was_frozen:
            gc.unfreeze()


def _work_on(indices: list[int]) -> list[tuple[int, Any]]:
    work, items = _shared["work"], _shared["items"]
    return [(index, work(items[index])) for index in indices]


def forked_map(work: Callable[[Any], Any], items: Sequence[Any], jobs: int,
               then: Callable[[Any], Any] = lambda answer: answer) -> list[Any]:
    """`[then(work(item)) for item in items]`, `work` shared between `jobs` forked processes when worth it.

    `then` runs here, on each share's answers as the share arrives (not in the items' order), while
    the workers go on with the other shares. An exception raised by `work` in a worker is raised here."""
    if jobs < 2 or len(items) < MIN_ITEMS_PER_JOB * jobs or not can_fork():
        return [then(work(item)) for item in items]
    _shared.update(work=work, items=items)
    # Interleaved shares, several per process: neighbouring items (one folder) cost alike.
    chunks = [indices for start in range(jobs * 4) if (indices := list(range(start, len(items), jobs * 4)))]
    by_index = {}
    try:
        with forked_pool(jobs) as pool:
            for answers in pool.imap_unordered(_work_on, chunks):
                for index, answer in answers:
                    by_index[index] = then(answer)
    finally:
        _shared.clear()
    return [by_index[index] for index in range(len(items))]
