"""Reporters: text grouped by file, JSON, SARIF 2.1.0, GitHub annotations."""

import io
import json

from carepress.compliance.engine import registered_rules
from carepress.report.finding import CATALOGUE, Finding, Severity
from carepress.report.reporters import render

FINDINGS = [
    Finding("content/b.md", 12, "CP200", Severity.ERROR, "validation status is `draft`", audience="patient"),
    Finding("content/a.md", 3, "CP110", Severity.WARNING, "unknown field `persnoa`: did you mean `persona`?"),
    Finding("content/a.md", 1, "CP108", Severity.ERROR, "persona `x` is not known, 100%: yes", waived=None),
]


def output(fmt: str) -> str:
    registered_rules()
    out = io.StringIO()
    render(FINDINGS, fmt, out, colour=False, files_checked=2)
    return out.getvalue()


def test_text_groups_by_file_with_file_line():
    text = output("text")
    assert text.index("content/a.md\n") < text.index("content/a.md:1 CP108") < text.index("content/a.md:3 CP110")
    assert text.index("content/b.md\n") < text.index("content/b.md:12 CP200 error [patient]")
    assert "2 error(s), 1 warning(s) in 2 file(s)" in text
    assert "\x1b[" not in text  # no colour when not on a terminal


def test_json_is_valid_and_complete():
    data = json.loads(output("json"))
    assert [f["code"] for f in data["findings"]] == ["CP108", "CP110", "CP200"]
    assert data["findings"][2] == {
        "code": "CP200", "severity": "error", "message": "validation status is `draft`", "path": "content/b.md",
        "line": 12, "audience": "patient", "waived": None, "doc": "docs/rules/CP200.md"}


def test_sarif_has_the_required_fields():
    log = json.loads(output("sarif"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "CarePress"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == ["CP108", "CP110", "CP200"]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("content/")
        assert location["region"]["startLine"] >= 1
    assert all(rule["helpUri"].startswith("file://") for rule in driver["rules"])


def test_github_annotations_escape_properties_and_data():
    lines = output("github").splitlines()
    assert lines[0] == "::error file=content/a.md,line=1,title=CP108 Unknown persona id::persona `x` is not known, 100%25: yes"
    assert lines[1].startswith("::warning file=content/a.md,line=3,title=CP110 Unknown front-matter field::")


def test_every_code_has_a_docs_page():
    from carepress.report.finding import DOCS_DIR
    import carepress.model.loader  # noqa: F401  (defines CP1xx)
    import carepress.model.registries  # noqa: F401

    registered_rules()
    missing = [code for code in CATALOGUE if not (DOCS_DIR / f"{code}.md").is_file()]
    assert missing == []
