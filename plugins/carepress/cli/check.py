"""`carepress check`: every rule on the content tree, without rendering HTML."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from carepress.cli import main
from carepress.cli._common import (EXIT_FINDINGS, EXIT_OK, cache_option, close_cache, config_option, configuration_errors,
                                   fail, judged_cache, load_for_the_run, today_option)
from carepress.compliance.engine import check_all
from carepress.forked import available_jobs
from carepress.model.loader import iter_markdown, real_path
from carepress.outputs import write_text
from carepress.report.finding import Severity
from carepress.report.reporters import FORMATS, render
from carepress.settings import load_project


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@today_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--min-severity", type=click.Choice(("error", "warning", "info")), default="warning", show_default=True,
              help="Leave out findings below this severity (info: SEO scores that are fine but could be better).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that share the reading and the judging of pages (default: the CPUs available).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report to this file instead of stdout.")
@cache_option
@configuration_errors
def check(paths: tuple[Path, ...], config_file: Path, today: str | None, fmt: str, min_severity: str,
          jobs: int | None, output: Path | None, cache: bool) -> None:
    """Check articles and registries. PATHS are files or folders (default: the whole content folder).

    Exit code 0 when no error is found, 1 when errors are found, 2 on a usage or configuration error.
    """
    project, _ = load_project(config_file, today)
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or folder")
    content = project.content_dir
    outside = [p for p in paths if not real_path(p).is_relative_to(content)]
    if outside:
        if len(paths) > 1 or not outside[0].is_dir():
            fail("paths outside the content folder must be a single folder (it is then checked as a content folder)")
        project.content_dir = real_path(outside[0])
    jobs = jobs or available_jobs()
    site = load_for_the_run(project, jobs, keep=cache and not outside)  # another tree: the hub's cache is not for it
    judged = judged_cache(project, "check", cache and not outside)
    threshold = Severity(min_severity)
    findings = check_all(site, threshold, jobs, cache=judged)  # rules that cannot report at this severity are not run
    close_cache(judged)
    if paths and not outside:  # judged against the whole tree, reported for the files asked about
        wanted = {real_path(file) for p in paths for file in ([p] if p.is_file() else iter_markdown(p))}
        findings = [f for f in findings if _reported(project.root / f.path, content, wanted)]
    findings = [f for f in findings if f.severity.rank <= threshold.rank]
    files_checked = len(site.articles) + len(site.unreadable)
    if output:
        try:
            text = io.StringIO()
            render(findings, fmt, text, colour=False, files_checked=files_checked)
            write_text(output, text.getvalue())
        except OSError as error:  # no such folder, no permission, no space left
            fail(f"--output {output}: {error.strerror or error}; write the report to a folder that exists, that you can "
                 "write to and with space left")
    else:
        render(findings, fmt, sys.stdout, colour=sys.stdout.isatty(), files_checked=files_checked)
    raise SystemExit(EXIT_FINDINGS if any(f.blocks_publication for f in findings) else EXIT_OK)


def _reported(file: Path, content: Path, wanted: set[Path]) -> bool:
    resolved = real_path(file)
    return resolved in wanted or not resolved.is_relative_to(content)  # registry findings always show
