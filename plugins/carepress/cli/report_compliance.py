"""`carepress report compliance`: the regulatory reviewer's report, with what each site would publish."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click

from carepress.cli._common import (cache_option, close_cache, config_option, configuration_errors, judged_cache,
                                   load_for_the_run, output_errors, today_option)
from carepress.cli.report import REPORTS_DIR, report
from carepress.compliance.engine import all_verdicts, check_all
from carepress.compliance.manifest import manifest, write_manifest
from carepress.forked import available_jobs
from carepress.model.schema import SiteAudience
from carepress.outputs import write_text
from carepress.report.compliance import compliance_data, render_html
from carepress.report.reporters import render_json, render_sarif
from carepress.settings import load_project


@report.command("compliance")
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), default=REPORTS_DIR,
              show_default=True, help="Reports folder; the compliance report goes into its compliance/ sub-folder.")
@config_option
@today_option
@cache_option
@configuration_errors
@output_errors
def compliance_report(output: Path, config_file: Path, today: str | None, cache: bool) -> None:
    """Write reports/compliance/: the report (HTML, JSON, SARIF) and what each site would publish (manifest-<audience>.json)."""
    project, _ = load_project(config_file, today)
    site = load_for_the_run(project, available_jobs(), keep=cache)
    folder = output / "compliance"
    folder.mkdir(parents=True, exist_ok=True)
    judged = judged_cache(project, "report-compliance", cache)
    verdicts = all_verdicts(site, jobs=available_jobs(), cache=judged)
    close_cache(judged)
    findings = check_all(site, verdicts=verdicts)
    for name, render in (("findings.json", render_json), ("findings.sarif", render_sarif)):
        text = io.StringIO()
        render(findings, text)
        write_text(folder / name, text.getvalue())
    data = compliance_data(site, verdicts)
    write_text(folder / "compliance.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    write_text(folder / "index.html", render_html(data))
    for audience in SiteAudience:
        # Beside the report, from the sources as they are now: reports/manifest/ is what the last build published.
        write_manifest(manifest(site, audience, verdicts[audience]), folder)
    click.echo(f"compliance report: {folder / 'index.html'} ({len(data['pages'])} page(s)), with what each site would "
               f"publish (manifest-<audience>.json)", err=True)
