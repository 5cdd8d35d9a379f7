"""Print findings for people (text), programs (JSON), code-scanning tools (SARIF) and GitHub Actions."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import IO

from carepress import __version__
from carepress.report.finding import CATALOGUE, DOCS_DIR, Finding, Severity

FORMATS = ("text", "json", "sarif", "github")

_COLOURS = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings if not f.waived)
    waived = sum(1 for f in findings if f.waived)
    parts = [f"{counts[Severity.ERROR]} error(s)", f"{counts[Severity.WARNING]} warning(s)"]
    if waived:
        parts.append(f"{waived} waived")
    return ", ".join(parts)


def render_text(findings: list[Finding], out: IO[str], colour: bool, files_checked: int | None = None) -> None:
    """Findings grouped by file, one line each: `  12:3 CP200 error  message`."""
    lines: list[list[tuple[str, str | None]]] = []  # each line as (text, rich style) segments
    for path, group in groupby(sorted(findings), key=lambda f: f.path):
        lines.append([(path, "bold underline")])
        for finding in group:
            severity = "waived" if finding.waived else finding.severity.value
            audience = f" [{finding.audience}]" if finding.audience else ""
            reason = f" (waived: {finding.waived})" if finding.waived else ""
            lines.append([(f"  {finding.location()} ", "dim"),
                          (f"{finding.code} {severity}{audience}  ", "dim" if finding.waived else _COLOURS[finding.severity]),
                          (f"{finding.message}{reason}", None)])
    checked = f" in {files_checked} file(s)" if files_checked is not None else ""
    lines.append([(f"{summary(findings)}{checked}", "bold")])
    if not colour:  # a file or a pipe (CI logs): thousands of lines, written as they are
        out.writelines("".join(text for text, _ in line) + "\n" for line in lines)
        return
    from rich.console import Console  # rich only for a terminal: it is the slowest import here
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True)
    for line in lines:
        console.print(Text.assemble(*line))


def render_json(findings: list[Finding], out: IO[str]) -> None:
    json.dump({"version": __version__, "summary": summary(findings), "findings": [f.to_dict() for f in sorted(findings)]},
              out, ensure_ascii=False, indent=2)
    out.write("\n")


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif_log(findings: list[Finding]) -> dict:
    """A SARIF 2.1.0 log with one run, one rule per code used."""
    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        entry = CATALOGUE[code]
        rule = {
            "id": code,
            "name": entry.title.title().replace(" ", ""),
            "shortDescription": {"text": entry.title},
            "defaultConfiguration": {"level": _SARIF_LEVEL[entry.severity]},
            "help": {"text": f"See {entry.doc} in the CarePress repository."},
        }
        page = DOCS_DIR / f"{code}.md"
        if page.exists():
            rule["helpUri"] = page.as_uri()
        rules.append(rule)
    results = []
    for finding in sorted(findings):
        location = {"physicalLocation": {"artifactLocation": {"uri": finding.path, "uriBaseId": "SRCROOT"}}}
        if finding.line:
            location["physicalLocation"]["region"] = {"startLine": finding.line}
        result = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [location],
        }
        if finding.audience:
            result["properties"] = {"audience": finding.audience}
        if finding.waived:
            result["suppressions"] = [{"kind": "inSource", "justification": finding.waived}]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CarePress", "version": __version__, "informationUri": "https://pypi.org/project/carepress/", "rules": rules}},
            "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().as_uri() + "/"}},
            "results": results,
        }],
    }


def render_sarif(findings: list[Finding], out: IO[str]) -> None:
    json.dump(sarif_log(findings), out, ensure_ascii=False, indent=2)
    out.write("\n")


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: list[Finding], out: IO[str]) -> None:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`."""
    command = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    for finding in sorted(findings):
        if finding.waived:
            continue
        props = [f"file={_escape_property(finding.path)}"]
        if finding.line:
            props.append(f"line={finding.line}")
        props.append(f"title={_escape_property(finding.code + ' ' + CATALOGUE[finding.code].title)}")
        out.write(f"::{command[finding.severity]} {','.join(props)}::{_escape_data(finding.message)}\n")


def render(findings: list[Finding], fmt: str, out: IO[str], colour: bool = False, files_checked: int | None = None) -> None:
    if fmt == "text":
        render_text(findings, out, colour, files_checked)
    elif fmt == "json":
        render_json(findings, out)
    elif fmt == "sarif":
        render_sarif(findings, out)
    elif fmt == "github":
        render_github(findings, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
