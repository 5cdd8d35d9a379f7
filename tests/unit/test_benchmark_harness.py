"""`make bench` when something goes wrong: a missing tool, a failing step or an interrupted run is said,
exits non-zero, and never passes a partial figure for a result."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from benchmarks import run


def test_a_failing_step_has_no_figure_and_the_run_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "steps", lambda hub: {"vanilla": [sys.executable, "-c", "pass"],
                                                   "carepress": [sys.executable, "-c", "raise SystemExit(3)"]})
    code = run.main(["--sizes", "3", "--repeat", "1", "--workdir", str(tmp_path), "--json", str(tmp_path / "r.json")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "not measured: 3 articles, carepress: exit code 3" in err
    row = next(line for line in out.splitlines() if line.startswith("| 3 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] != "n/a" and cells[5] == "n/a"  # vanilla measured, the failed build has no figure
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["failures"] == ["3 articles, carepress: exit code 3: []"]
    assert "seconds" not in saved["rows"][0]["results"]["carepress"]


def test_a_missing_tool_is_said_and_nothing_is_measured(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "BIN", tmp_path)  # no mkdocs, no carepress here
    monkeypatch.setattr(run, "measure_size", lambda *args: (_ for _ in ()).throw(AssertionError("measured")))
    assert run.main(["--sizes", "3"]) == 2
    err = capsys.readouterr().err
    assert "`mkdocs` is not available" in err and "`carepress` is not available" in err


def test_an_interrupted_run_prints_only_the_sizes_it_finished(tmp_path, monkeypatch, capsys):
    def measured(size, workdir, skip, repeat):
        if size == 20:
            raise KeyboardInterrupt
        row = run.Row(size)
        row.results["vanilla"] = {"seconds": 1.5, "cpu_seconds": 1.4}
        return row

    monkeypatch.setattr(run, "measure_size", measured)
    code = run.main(["--sizes", "10,20", "--workdir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 130
    assert out.startswith("INCOMPLETE benchmark") and "interrupted while measuring 20 articles" in err
    assert "| 10 | 1.5 |" in out and "| 20 |" not in out


def test_peak_memory_counts_the_workers_answers_waiting_in_memory(tmp_path, monkeypatch):
    from benchmarks import measure

    monkeypatch.setattr(measure, "MEMORY_FOLDER", str(tmp_path))
    (tmp_path / "carepress-abc").mkdir()
    (tmp_path / "carepress-abc" / "answer").write_bytes(b"x" * 5000)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "file").write_bytes(b"y" * 700)  # not a CarePress pool's
    assert measure._answers_in_memory() == 5000
    assert measure._tree_memory(os.getpid()) >= measure._memory(os.getpid()) + 5000


def test_the_table_shows_the_build_after_another_edit_beside_the_first_edit(tmp_path):
    order = list(run.steps(tmp_path))
    # Edited twice, each edit built: the second build finds the spare site the first one kept.
    assert order.index("carepress") < order.index("edit") < order.index("carepress_cached") \
        < order.index("edit_again") < order.index("carepress_edited_again")
    row = run.Row(2000)
    row.results.update(vanilla={"seconds": 14.0}, carepress={"seconds": 7.0}, carepress_cached={"seconds": 1.6},
                       carepress_edited_again={"seconds": 1.3})
    header, _, line = run.table([row]).splitlines()[:3]
    cells = dict(zip((h.strip() for h in header.strip("|").split("|")), (c.strip() for c in line.strip("|").split("|"))))
    assert cells["CarePress build, one article edited (s)"] == "1.6"
    assert cells["… another edit after it (s)"] == "1.3"
    assert cells["speed-up cold"] == "2.00×"


def test_a_run_stopped_by_sigterm_says_so_and_stops_the_step_it_measures(tmp_path):
    import signal
    import subprocess

    harness = subprocess.Popen([sys.executable, "-m", "benchmarks", "--sizes", "40", "--repeat", "1",
                                "--workdir", str(tmp_path)], cwd=Path(run.__file__).parents[1],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in harness.stderr:  # past the tools' check: the steps start
        if "run 1/1" in line:
            break
    children = Path(f"/proc/{harness.pid}/task/{harness.pid}/children")
    deadline = time.monotonic() + 120
    while not (measured := children.read_text().split()) and time.monotonic() < deadline:  # the first step's command
        time.sleep(0.05)
    assert measured, "no step started"
    harness.send_signal(signal.SIGTERM)  # as a CI job cancelled or timed out
    out, err = harness.communicate(timeout=60)
    assert harness.returncode == 128 + signal.SIGTERM
    assert "interrupted while measuring 40 articles" in err and "Traceback" not in err
    assert "| 40 |" not in out  # no partial figure
    # The step's command has its own process group: killed with its workers (SIGKILL takes a moment to land; a
    # zombie waiting for its parent to collect it runs no more).
    deadline = time.monotonic() + 10
    while (alive := _running_in_groups(set(map(int, measured)))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, f"processes {alive} of the measured step outlived the benchmark"


def _running_in_groups(groups: set[int]) -> list[int]:
    """Processes of these process groups that are not zombies (from /proc/<pid>/stat: state, then the group)."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if fields[0] != "Z" and int(fields[2]) in groups:
            running.append(int(stat.parent.name))
    return running


def test_the_table_sets_a_check_beside_the_build_of_every_site_it_checks(tmp_path):
    """`check` judges every page for both sites; `carepress build` builds both by default: that build, from an empty
    cache and after the other steps (its clean start leaves their caches alone), is set beside a check again."""
    order = list(run.steps(tmp_path))
    assert order[-1] == "carepress_hub" and "-a" not in run.steps(tmp_path)["carepress_hub"]
    row = run.Row(10000)
    row.results.update(carepress={"seconds": 40.0}, check_warm={"seconds": 2.5}, carepress_hub={"seconds": 55.0})
    header, _, line = run.table([row]).splitlines()[:3]
    cells = dict(zip((h.strip() for h in header.strip("|").split("|")), (c.strip() for c in line.strip("|").split("|"))))
    assert cells["build / check again"] == "16.0×"  # the patient site's build alone
    assert cells["CarePress build of both sites, cold (s)"] == "55.0"
    assert cells["both sites / check again"] == "22.0×"
