"""`carepress report seo`: the long-tail keyword review (HTML, CSV, JSON) from the sources, without a build."""

from __future__ import annotations

from pathlib import Path

import click

from carepress.cli._common import (cache_option, close_cache, config_option, configuration_errors, judged_cache,
                                   load_for_the_run, output_errors, today_option)
from carepress.cli.report import REPORTS_DIR, report
from carepress.forked import available_jobs
from carepress.seo.review import review, write
from carepress.settings import load_project


@report.command("seo")
@config_option
@today_option
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), default=REPORTS_DIR / "seo",
              show_default=True, help="Folder for index.html, pages.csv and seo.json.")
@cache_option
@configuration_errors
@output_errors
def seo_report(config_file: Path, today: str | None, output: Path, cache: bool) -> None:
    """Write the SEO review: scores and snippet per page, coverage matrix, hub-wide issues."""
    project, _ = load_project(config_file, today)
    site = load_for_the_run(project, available_jobs(), keep=cache)
    judged = judged_cache(project, "report-seo", cache)
    result = review(site, available_jobs(), judged)
    close_cache(judged)
    for path in write(result, output):
        click.echo(f"wrote {path}", err=True)
    click.echo(f"{len(result.pages)} page(s), {result.gaps} content gap(s) in the persona × stage matrix", err=True)
