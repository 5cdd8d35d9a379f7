"""What the preview banner says: workflow states from the front-matter and the findings."""

import datetime as dt

import pytest

from carepress.compliance.engine import Verdict
from carepress.compliance.preview import CHANGED_SINCE_APPROVAL, preview_status
from carepress.model.loader import parse_article
from carepress.report.finding import Finding, Severity
from tests.conftest import APPROVED, front_matter

TODAY = dt.date(2026, 11, 22)


def _article(**fields):
    loaded = parse_article((front_matter(**fields) + "\n# Titre\n").encode(), "a.md", "content/a.md")
    assert loaded.article is not None, loaded.findings
    return loaded.article


def _finding(code, severity=Severity.ERROR, waived=None):
    return Finding("content/a.md", 3, code, severity, "what to do", waived=waived)


@pytest.mark.parametrize("validation, states", [
    ({"status": "draft"}, ["draft"]),
    ({"status": "in_review"}, ["in_review"]),
    ({"status": "withdrawn"}, ["withdrawn"]),
    (APPROVED, ["approved"]),
    ({**APPROVED, "expires": "2026-11-21"}, ["approved", "expired"]),
    ({**APPROVED, "expires": "2026-11-22"}, ["approved"]),  # valid through its expiry day
])
def test_states_come_from_the_validation_block(validation, states):
    status = preview_status(Verdict("a.md", "content/a.md", True), _article(validation=validation), TODAY)
    assert status.states == states


def test_changed_since_approval_comes_from_the_fingerprint_finding():
    verdict = Verdict("a.md", "content/a.md", True, [_finding(CHANGED_SINCE_APPROVAL)])
    status = preview_status(verdict, _article(), TODAY)
    assert status.states == ["approved", "changed"] and status.labels[-1] == "Modifiée depuis l'approbation"
    assert not status.published and status.level == "failure"


def test_a_file_without_article_is_broken_and_lists_its_parse_finding():
    verdict = Verdict("a.md", "content/a.md", True, [_finding("CP103")])
    status = preview_status(verdict, None, TODAY)
    assert status.states == ["broken"] and [f.code for f in status.findings] == ["CP103"]
    assert status.findings[0].title == "Front-matter is not valid YAML"


def test_findings_are_listed_errors_first_and_the_level_follows_publication():
    verdict = Verdict("a.md", "content/a.md", True, [_finding("CP110", Severity.WARNING), _finding("CP108")])
    status = preview_status(verdict, _article(), TODAY)
    assert [f.code for f in status.findings] == ["CP108", "CP110"] and status.level == "failure"
    published = preview_status(Verdict("a.md", "content/a.md", True, [_finding("CP110", Severity.WARNING)]), _article(), TODAY)
    assert published.published and published.level == "warning"
    assert preview_status(Verdict("a.md", "content/a.md", True), _article(), TODAY).level == "success"
