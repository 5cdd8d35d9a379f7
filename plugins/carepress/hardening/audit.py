"""`make audit`: a fresh build of the demo, the output gates on both sites, and a summary table.

Exit code 0 when every gate passes, 1 otherwise (the errors are listed under the table).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from carepress.hardening.gates import (AUDIENCES, AXE_PAGES, GateError, axe, broken_links, build_demo, html_pages,
                                       nu_checker, site_url)


Row = tuple[str, str, int, list[GateError]]  # gate, site, pages checked, errors


def run_gates(site: Path) -> list[Row]:
    from playwright.sync_api import sync_playwright

    from carepress.hardening.browser import CHROMIUM, CHROMIUM_ARGS

    rows = []
    for audience in AUDIENCES:
        folder = site / audience
        pages = len(html_pages(folder))
        rows.append(("W3C Nu HTML checker", audience, pages, nu_checker(folder)))
        rows.append(("internal links and assets", audience, pages, broken_links(folder, site_url(audience))))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for audience in AUDIENCES:
                checked, errors = axe(browser, site / audience, AXE_PAGES[audience])
                rows.append(("axe-core (serious, critical)", audience, checked, errors))
        finally:
            browser.close()
    return rows


def report(rows: list[Row], console: Console) -> int:
    """Print the summary table and every error under it; the exit code: 1 when any gate failed."""
    table = Table(title="CarePress audit: output gates on a fresh build of the demo")
    for column in ("gate", "site", "pages checked", "errors"):
        table.add_column(column, justify="right" if column in ("pages checked", "errors") else "left")
    for gate, audience, pages, errors in rows:
        table.add_row(gate, audience, str(pages), f"[{'red' if errors else 'green'}]{len(errors)}[/]")
    console.print(table)
    failures = [(gate, audience, error) for gate, audience, _, errors in rows for error in errors]
    for gate, audience, error in failures:
        console.print(f"[red]{gate}[/red] {audience}/{error}", highlight=False)
    return 1 if failures else 0


def main() -> int:
    console = Console()
    with tempfile.TemporaryDirectory(prefix="carepress-audit-") as folder:
        site = Path(folder) / "site"
        built = build_demo(site)
        if built.returncode != 0:
            console.print(f"[red]the demo did not build[/red]\n{built.stderr}")
            return 1
        return report(run_gates(site), console)


if __name__ == "__main__":
    sys.exit(main())
