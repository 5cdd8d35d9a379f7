"""`carepress report …`: reports written outside the public sites (default folder: reports/)."""

from __future__ import annotations

from pathlib import Path

from carepress.cli import LazyGroup, main

REPORTS_DIR = Path("reports")  # beside site/, never inside a published site folder


@main.group(cls=LazyGroup, modules={"compliance": "carepress.cli.report_compliance", "seo": "carepress.cli.report_seo"})
def report() -> None:
    """Write a report for reviewers (each report is a sub-command)."""
