"""`carepress status`: pages by workflow state, and the approvals that expire soon."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import click

from carepress.cli import main
from carepress.cli._common import (cache_option, close_cache, config_option, configuration_errors, judged_cache,
                                   load_for_the_run, today_option)
from carepress.compliance.engine import all_verdicts
from carepress.forked import available_jobs
from carepress.report.finding import Severity
from carepress.report.compliance import compliance_data
from carepress.settings import load_project

STATE_ORDER = ("approved", "changed since approval", "attached file changed since approval", "approval incomplete", "expired", "in_review", "draft", "withdrawn", "unreadable")


@main.command()
@config_option
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@cache_option
@configuration_errors
def status(config_file: Path, today: str | None, as_json: bool, cache: bool) -> None:
    """List pages by workflow state, then approvals expiring within the warning window."""
    project, _ = load_project(config_file, today)
    site = load_for_the_run(project, available_jobs(), keep=cache)
    # A page's workflow state comes from its blocking findings: the other rules need not run.
    judged = judged_cache(project, "status", cache)
    data = compliance_data(site, all_verdicts(site, Severity.ERROR, available_jobs(), judged))
    close_cache(judged)
    groups: dict[str, list[dict]] = defaultdict(list)
    for page in data["pages"]:
        groups[page["state"]].append(page)
    horizon = project.today.toordinal() + project.expiry_warning_days
    expiring = sorted((p for p in data["pages"] if p["state"] == "approved" and p["approval"]["expires"]
                       and dt.date.fromisoformat(p["approval"]["expires"]).toordinal() <= horizon), key=lambda p: p["approval"]["expires"])
    if as_json:
        click.echo(json.dumps({"build_date": data["build_date"],
                               "states": {state: [p["path"] for p in pages] for state, pages in groups.items()},
                               "expiring": [{"path": p["path"], "expires": p["approval"]["expires"]} for p in expiring]},
                              ensure_ascii=False, indent=2))
        return
    for state in sorted(groups, key=lambda s: STATE_ORDER.index(s) if s in STATE_ORDER else len(STATE_ORDER)):
        click.echo(f"{state} ({len(groups[state])})")
        for page in groups[state]:
            sites = ", ".join(site for site, where in page["sites"].items() if where == "published") or "not published"
            expires = page["approval"]["expires"] if page["approval"] else None
            click.echo(f"  {page['path']}  [{sites}]" + (f"  expires {expires}" if expires else ""))
    click.echo(f"expiring within {project.expiry_warning_days} days of {data['build_date']} ({len(expiring)})")
    for page in expiring:
        click.echo(f"  {page['approval']['expires']}  {page['path']}  {page['approval']['code']}")

