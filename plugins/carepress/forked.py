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
def frozen_heap():
    """While forked workers run: the parent's objects are left out of garbage collections.

    Otherwise each worker's collector walks (and writes to) every object it inherited, which
    copies the parent's memory pages into each worker."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _work_on(indices: list[int]) -> list[tuple[int, Any]]:
    work, items = _shared["work"], _shared["items"]
    return [(index, work(items[index])) for index in indices]


def forked_map(work: Callable[[Any], Any], items: Sequence[Any], jobs: int) -> list[Any]:
    """`[work(item) for item in items]`, shared between `jobs` forked processes when worth it.

    An exception raised by `work` in a worker is raised here."""
    if jobs < 2 or len(items) < MIN_ITEMS_PER_JOB * jobs or not can_fork():
        return [work(item) for item in items]
    _shared.update(work=work, items=items)
    # Interleaved shares, several per process: neighbouring items (one folder) cost alike.
    chunks = [indices for start in range(jobs * 4) if (indices := list(range(start, len(items), jobs * 4)))]
    try:
        with frozen_heap(), multiprocessing.get_context("fork").Pool(jobs) as pool:
            answers = pool.map(_work_on, chunks, chunksize=1)
    finally:
        _shared.clear()
    by_index = dict(pair for answer in answers for pair in answer)
    return [by_index[index] for index in range(len(items))]
