"""Measure, in one run and on the same generated hubs, vanilla MkDocs against CarePress.

For each size: vanilla `mkdocs build` (Material, navigation.prune, no CarePress plugins), the same
configuration through CarePress' builder in one process and in parallel (no plugin: the builder's own
speed), the CarePress build in one process without cache (`--jobs 1 --no-cache`: beside the first, the
plugins' overhead), the default CarePress build from an empty page cache (parallel; it fills the cache),
the same build again after one article was edited (the page and gate caches at work), then after another
edit (the site that build replaced kept as its spare, as for every edit after the first), `carepress check`
from an empty cache and again with the cache it filled, `carepress report seo` twice likewise, and the preview of one
edited article (an incremental rebuild in a long-lived process, as `carepress serve` would do).
A command that is missing or fails, or an interrupted run, is reported as such: no figure is
printed for it and the run exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import measure
from benchmarks.generator import TODAY, generate

DEFAULT_SIZES = (500, 2000, 10000)
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
EDIT_SCRIPT = """
from pathlib import Path
import time
from benchmarks.generator import reapprove
article = sorted(Path("content/diabete-type-2").rglob("fiche-*.md"))[0]
article.write_text(article.read_text(encoding="utf-8") + f"\\nRévisé ({time.time_ns()}).\\n", encoding="utf-8")
reapprove(article)  # edited and approved again: what a CI build after a review sees
"""
# The vanilla configuration (no CarePress plugin) through CarePress' builder: with no argument in parallel from
# an empty page cache like the cold `carepress build`, with `serial` in one process without cache like
# `carepress build --jobs 1 --no-cache`. Beside those two, the plugins' overhead on the same builder.
VANILLA_FAST_SCRIPT = """
import sys
from pathlib import Path
from mkdocs.config import load_config
from carepress.build.parallel import build
serial = sys.argv[1:] == ["serial"]
config = load_config("vanilla.yml", site_dir="site/vanilla-serial" if serial else "site/vanilla-fast")
config.plugins.on_startup(command="build", dirty=False)
built = build(config, jobs=1 if serial else None, cache_dir=None if serial else Path(".cache/vanilla"))
config.plugins.on_shutdown()
assert (built.serial_reason is None) is not serial, built.serial_reason
"""
PREVIEW_SCRIPT = """
import os, sys, time
from pathlib import Path
os.environ["CAREPRESS_PREVIEW"] = "1"  # as `carepress serve`: an edited page stays in the preview
from mkdocs.config import load_config
from carepress.build.incremental import Session
config = load_config("site_config/patient.yml", site_dir=sys.argv[1])
config.plugins.on_startup(command="serve", dirty=False)
session = Session(config, cache_dir=Path(".cache/carepress/patient"))
session.full()
article = Path(sys.argv[2])
article.write_text(article.read_text(encoding="utf-8").replace("## Point 1", "## Point 1 édité", 1), encoding="utf-8")
start = time.perf_counter()
kind = session.rebuild([article])
seconds = time.perf_counter() - start
shown = "Point 1 édité" in (Path(sys.argv[1]) / sys.argv[3]).read_text(encoding="utf-8")
print(f"{kind} {seconds:.3f} {shown}")
"""


class Stopped(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled or timed out), handled as Ctrl-C is: the step measured is stopped, its workers too."""

    signum = signal.SIGTERM


def interrupted_exit_code(stop: KeyboardInterrupt) -> int:
    return 128 + (stop.signum if isinstance(stop, Stopped) else signal.SIGINT)


@dataclass
class Row:
    size: int
    results: dict[str, dict] = field(default_factory=dict)  # step -> measurement or {"error": why}
    preview_seconds: float | None = None
    preview_error: str | None = None


def _environment() -> dict[str, str]:
    env = dict(os.environ, CAREPRESS_TODAY=TODAY, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))  # the edit step imports benchmarks
    env.pop("NO_COLOR", None)
    return env


def steps(hub: Path) -> dict[str, list[str]]:
    carepress = [str(BIN / "carepress")]
    return {
        "vanilla": [str(BIN / "mkdocs"), "build", "-q", "-f", "vanilla.yml"],
        "vanilla_serial": [sys.executable, "-c", VANILLA_FAST_SCRIPT, "serial"],
        "vanilla_fast": [sys.executable, "-c", VANILLA_FAST_SCRIPT],
        "carepress_serial": [*carepress, "build", "-a", "patient", "--jobs", "1", "--no-cache", "-d", "site/serial"],
        "carepress": [*carepress, "build", "-a", "patient", "-d", "site/fast"],  # an empty page cache: cold
        "edit": [sys.executable, "-c", EDIT_SCRIPT],  # not a timed result: prepares the next step
        "carepress_cached": [*carepress, "build", "-a", "patient", "-d", "site/fast"],
        "edit_again": [sys.executable, "-c", EDIT_SCRIPT],
        # The build before kept the site it replaced in the cache: this one refills it (what each later edit costs).
        "carepress_edited_again": [*carepress, "build", "-a", "patient", "-d", "site/fast"],
        "check": [*carepress, "check"],  # from an empty cache: nothing read or judged before
        "check_warm": [*carepress, "check"],  # what the previous check kept: a second check of an unchanged tree
        "report_seo": [*carepress, "report", "seo"],
        "report_seo_warm": [*carepress, "report", "seo"],  # with what the previous report kept
        # `carepress build` as it runs by default: every site of the hub (patient and HCP), from an empty cache. Last, so
        # that its clean start leaves the other steps' caches alone. `check` judges every page for both sites: this is
        # the build it does the checking of.
        "carepress_hub": [*carepress, "build", "-d", "site/hub"],
    }


def missing_tools() -> list[str]:
    """Commands this installation lacks (e.g. `carepress report seo` before the SEO issue lands)."""
    missing = [name for name in ("mkdocs", "carepress") if not (BIN / name).exists()]
    if not missing:
        probe = subprocess.run([str(BIN / "carepress"), "report", "seo", "--help"], capture_output=True, text=True)
        if probe.returncode != 0:
            missing.append("carepress report seo")
    return missing


def measure_size(size: int, workdir: Path, skip: set[str], repeat: int) -> Row:
    """Every step `repeat` times, interleaved so that other load on the machine hits each step alike;
    the fastest repetition is kept (the least disturbed), peak memory is the largest seen."""
    hub = generate(workdir / f"hub-{size}", size)
    row = Row(size)
    env = _environment()
    for attempt in range(1, repeat + 1):
        for step, command in steps(hub).items():
            if step in skip:
                row.results[step] = {"error": "command not available"}
                continue
            if "error" in row.results.get(step, {}):
                continue
            if step in ("carepress", "vanilla_fast", "check", "carepress_hub"):
                shutil.rmtree(hub / ".cache", ignore_errors=True)  # cold: nothing kept by an earlier run
            print(f"  {size:>6} articles, run {attempt}/{repeat}: {step} ...", file=sys.stderr, flush=True)
            result = measure.run(command, hub, env)
            # `carepress check` exits 1 on error findings; the generated hub has none, so 0 is required everywhere.
            if result.returncode != 0:
                row.results[step] = {"error": f"exit code {result.returncode}: {result.stderr.strip().splitlines()[-1:]}"}
                continue
            best = row.results.get(step)
            row.results[step] = {
                "seconds": min(result.seconds, best["seconds"]) if best else result.seconds,
                "runs": [*(best or {}).get("runs", []), round(result.seconds, 3)],
                "cpu_seconds": min(result.cpu_seconds, best["cpu_seconds"]) if best else result.cpu_seconds,
                "peak_tree_mb": max(result.peak_tree_bytes / 2**20, (best or {}).get("peak_tree_mb", 0)),
                "peak_process_mb": max(result.peak_process_bytes / 2**20, (best or {}).get("peak_process_mb", 0))}
    print(f"  {size:>6} articles: preview after one edit ...", file=sys.stderr, flush=True)
    article = next((hub / "content" / "asthme").rglob("fiche-*.md"))
    page = article.relative_to(hub / "content").with_suffix("").as_posix() + "/index.html"
    preview = subprocess.run([sys.executable, "-c", PREVIEW_SCRIPT, str(hub / "site" / "preview"), str(article), page],
                             cwd=hub, env=env, capture_output=True, text=True)
    answer = preview.stdout.split()
    if preview.returncode == 0 and len(answer) == 3 and answer[0] == "pages" and answer[2] == "True":
        row.preview_seconds = float(answer[1])
    else:
        row.preview_error = f"exit code {preview.returncode}, answer {preview.stdout.strip()!r}"
    shutil.rmtree(hub / "site", ignore_errors=True)
    return row


def _seconds(row: Row, step: str) -> float | None:
    return row.results.get(step, {}).get("seconds")


def _cell(value: float | None, fmt: str) -> str:
    return format(value, fmt) if value is not None else "n/a"


def _overhead(row: Row, without: str, plugged: str) -> str:
    """How much longer `plugged` (with the CarePress plugins) took than `without` (the same build without them)."""
    base, total = _seconds(row, without), _seconds(row, plugged)
    cpu_base, cpu_total = (row.results.get(s, {}).get("cpu_seconds") for s in (without, plugged))
    if not (base and total and cpu_base and cpu_total):
        return "n/a"
    return f"{(total / base - 1) * 100:+.1f} % (CPU {(cpu_total / cpu_base - 1) * 100:+.1f} %)"


def table(rows: list[Row]) -> str:
    lines = ["| articles | vanilla MkDocs (s) | vanilla pages, CarePress builder, serial (s) | vanilla pages, CarePress "
             "builder, parallel (s) | CarePress serial (s) | CarePress build, cold (s) | CarePress build, one article "
             "edited (s) | … another edit after it (s) | check (s) | report seo (s) | preview after one edit (s) "
             "| peak memory, cold build (MB) | plugins overhead, serial | plugins overhead, parallel | speed-up cold "
             "| speed-up one edit | build / check | check again, unchanged (s) | build / check again "
             "| report seo again, unchanged (s) | CarePress build of both sites, cold (s) | both sites / check again |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        vanilla, vanilla_serial, vanilla_fast, serial, cold, cached, check = (_seconds(row, s) for s in (
            "vanilla", "vanilla_serial", "vanilla_fast", "carepress_serial", "carepress", "carepress_cached", "check"))
        # The plugins' overhead: the same builder with and without them (CarePress' builder is faster than MkDocs' own).
        overhead = _overhead(row, "vanilla_serial", "carepress_serial")
        overhead_parallel = _overhead(row, "vanilla_fast", "carepress")
        speedup = f"{vanilla / cold:.2f}×" if vanilla and cold else "n/a"
        speedup_cached = f"{vanilla / cached:.2f}×" if vanilla and cached else "n/a"
        ratio = f"{cold / check:.1f}×" if cold and check else "n/a"
        warm_check = _seconds(row, "check_warm")
        ratio_warm = f"{cold / warm_check:.1f}×" if cold and warm_check else "n/a"
        hub = _seconds(row, "carepress_hub")
        ratio_hub = f"{hub / warm_check:.1f}×" if hub and warm_check else "n/a"
        memory = row.results.get("carepress", {}).get("peak_tree_mb")
        lines.append(f"| {row.size:,} | {_cell(vanilla, '.1f')} | {_cell(vanilla_serial, '.1f')} | {_cell(vanilla_fast, '.1f')} "
                     f"| {_cell(serial, '.1f')} | {_cell(cold, '.1f')} | {_cell(cached, '.1f')} "
                     f"| {_cell(_seconds(row, 'carepress_edited_again'), '.1f')} | {_cell(check, '.2f')} "
                     f"| {_cell(_seconds(row, 'report_seo'), '.2f')} | {_cell(row.preview_seconds, '.2f')} "
                     f"| {_cell(memory, '.0f')} | {overhead} | {overhead_parallel} | {speedup} | {speedup_cached} | {ratio} "
                     f"| {_cell(warm_check, '.2f')} | {ratio_warm} | {_cell(_seconds(row, 'report_seo_warm'), '.2f')} "
                     f"| {_cell(hub, '.1f')} | {ratio_hub} |")
    if len(rows) >= 2:
        small, large = rows[-2], rows[-1]
        for step in ("vanilla", "vanilla_serial", "vanilla_fast", "carepress_serial", "carepress", "carepress_hub", "check",
                     "check_warm"):
            if _seconds(small, step) and _seconds(large, step):
                lines.append(f"\n{step}: {small.size:,} → {large.size:,} articles, time × "
                             f"{_seconds(large, step) / _seconds(small, step):.2f} (articles × {large.size / small.size:.1f})")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return f"{cpus} CPUs ({model}), Python {platform.python_version()}, {platform.system()} {platform.release()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1, 5, 15 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="article counts, comma-separated")
    parser.add_argument("--workdir", type=Path, default=Path("build/bench"), help="where the generated hubs go")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--repeat", default="3,3,1", help="repetitions per size (one value, or one per size)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    repeats = [int(r) for r in args.repeat.split(",") if r.strip()]
    repeats = (repeats + [repeats[-1]] * len(sizes))[:len(sizes)]
    missing = missing_tools()
    for tool in missing:
        print(f"benchmark: `{tool}` is not available; its figures are not measured", file=sys.stderr)
    if {"mkdocs", "carepress"} & set(missing):
        return 2
    skip = {"report_seo", "report_seo_warm"} if "carepress report seo" in missing else set()
    print(f"Machine: {machine()}", file=sys.stderr)
    rows: list[Row] = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    at_start = machine()

    def save() -> None:
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"started": started, "machine": machine(), "repeat": args.repeat,
                                             "rows": [asdict(r) for r in rows], "failures": failures(rows)},
                                            indent=2), encoding="utf-8")

    try:
        for size, repeat in zip(sizes, repeats):
            rows.append(measure_size(size, args.workdir.resolve(), skip, repeat))
            save()  # each finished size is kept, whatever happens to the next one
    except KeyboardInterrupt as stop:
        interrupted = sizes[len(rows)]
        print(f"benchmark: interrupted while measuring {interrupted} articles; that size has no result", file=sys.stderr)
        if rows:
            print(f"INCOMPLETE benchmark of {started} (interrupted at {interrupted} articles); machine: {machine()}\n")
            print(table(rows))
        return interrupted_exit_code(stop)
    print(f"Benchmark of {started}, best of {args.repeat} run(s) per size.\nAt start: {at_start}.\nAt end: {machine()}.\n")
    print(table(rows))
    for failure in failures(rows):
        print(f"benchmark: not measured: {failure}", file=sys.stderr)
    return 1 if failures(rows) else 0


def failures(rows: list[Row]) -> list[str]:
    return [f"{row.size} articles, {step}: {value['error']}" for row in rows for step, value in row.results.items()
            if "error" in value] + [f"{row.size} articles, preview: {row.preview_error}" for row in rows if row.preview_error]
