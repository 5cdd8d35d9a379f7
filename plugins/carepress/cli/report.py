"""`carepress report …`: reports written outside the public sites (default folder: reports/)."""

from __future__ import annotations

from pathlib import Path

from carepress.cli import main

REPORTS_DIR = Path("reports")  # beside site/, never inside a published site folder


@main.group()
def report() -> None:
    """Write a report for reviewers (each report is a sub-command)."""
