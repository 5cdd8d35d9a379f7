"""Run one command and measure its wall time and peak memory (the whole process tree)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from carepress.forked import MEMORY_FOLDER

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_tree_bytes: int  # sampled sum of the proportional memory (PSS) of the process and its descendants
    peak_process_bytes: int  # the largest single process (from the kernel's own accounting)
    cpu_seconds: float  # user + system time of the process and the workers it waited for: what contention does not inflate
    returncode: int
    stderr: str


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except OSError:
        pass
    return found


def _memory(pid: int) -> int:
    """Proportional set size: pages shared by forked workers counted once in all, not once per process."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:  # no smaps_rollup (old kernel): resident size, an upper bound
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def _tree_memory(pid: int) -> int:
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += _memory(current)
        pending += _children(current)
    return total + _answers_in_memory()


def _answers_in_memory() -> int:
    """Bytes of workers' answers waiting for their parent in memory (carepress/forked.py): tmpfs files
    belong to no process, so no process' PSS counts them."""
    total = 0
    for folder in Path(MEMORY_FOLDER).glob("carepress-*"):
        with contextlib.suppress(OSError):  # the pool ended, or the parent read an answer, meanwhile
            total += sum(answer.stat().st_size for answer in folder.iterdir())
    return total


# Reading smaps_rollup walks the page tables of the measured processes: at 10 samples a second it
# slowed a 2,000-article parallel build by a fifth (15.4 s → 18–20 s of wall time on 2 CPUs) and
# took 2 s of CPU itself. Once a second costs nothing measurable; the peak of a build that lasts
# seconds to minutes is a plateau, not a spike.
SAMPLE_INTERVAL = 1.0


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, interval: float = SAMPLE_INTERVAL) -> Measurement:
    """Wall time from start to exit; the memory sampler runs beside it at `interval`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # its own group: an interrupted run stops its workers too
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        done.set()
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(seconds, peak, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime, process.returncode, stderr)
