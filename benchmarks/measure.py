"""Run one command and measure its wall time and peak memory (the whole process tree)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_tree_bytes: int  # sampled sum of the RSS of the process and its descendants (shared pages counted per process)
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


def _tree_rss(pid: int) -> int:
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
        pending += _children(current)
    return total


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, interval: float = 0.1) -> Measurement:
    """Wall time from start to exit; the memory sampler runs beside it at `interval`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # its own group: an interrupted run stops its workers too
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
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
