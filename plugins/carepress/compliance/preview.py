"""What the preview banner says about a page: its workflow state and its findings (no MkDocs here)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from carepress.compliance.engine import Verdict
from carepress.model.article import Article
from carepress.model.schema import Status
from carepress.report.finding import CATALOGUE, Finding

PREVIEW_VARIABLE = "CAREPRESS_PREVIEW"  # set to 1 by `carepress serve`
CHANGED_SINCE_APPROVAL = "CP203"  # the code of the fingerprint rule (validation workflow)

# Workflow states, in the order the banner lists them, with the label editors read.
STATE_LABELS = {
    "broken": "Fichier illisible",
    "draft": "Brouillon",
    "in_review": "En relecture",
    "withdrawn": "Retirée",
    "expired": "Validation expirée",
    "changed": "Modifiée depuis l'approbation",
    "approved": "Approuvée",
}


def preview_enabled(option: bool) -> bool:
    return option or os.environ.get(PREVIEW_VARIABLE) == "1"


@dataclass(frozen=True)
class BannerFinding:
    code: str
    severity: str
    title: str
    message: str
    line: int | None
    waived: str | None


@dataclass(frozen=True)
class PreviewStatus:
    """Everything banner.html shows: plain values, so the template needs no logic."""

    states: list[str]  # keys of STATE_LABELS
    published: bool  # whether the real build of this site publishes the page
    findings: list[BannerFinding] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [STATE_LABELS[state] for state in self.states]

    @property
    def level(self) -> str:
        """The banner's colour: failure (not published), warning (published with warnings), success."""
        if not self.published:
            return "failure"
        return "warning" if any(f.severity != "info" for f in self.findings) else "success"


def preview_status(verdict: Verdict, article: Article | None, today: dt.date) -> PreviewStatus:
    states = []
    if article is None:
        states.append("broken")
    else:
        validation = article.meta.validation
        states.append(validation.status.value)
        if validation.status is Status.APPROVED and validation.expires and validation.expires < today:
            states.append("expired")
        if any(f.code == CHANGED_SINCE_APPROVAL and not f.waived for f in verdict.findings):
            states.append("changed")
    # Sorted on what they say alone, so that a page judged again after another page's edit lists them
    # in the order a full build does.
    ordered = sorted(verdict.findings, key=lambda f: (f.severity.rank, f.line or 0, f.code, f.message))
    findings = [_banner_finding(f) for f in ordered]
    return PreviewStatus(states, verdict.published, findings)


def _banner_finding(finding: Finding) -> BannerFinding:
    code = CATALOGUE.get(finding.code)
    return BannerFinding(finding.code, finding.severity.value, code.title if code else finding.code,
                         finding.message, finding.line, finding.waived)


def placeholder_markdown(path: str) -> str:
    """Shown in preview instead of a file that has no Article (its findings are in the banner)."""
    return (f"# {path}\n\n"
            "Ce fichier ne peut pas être affiché tant que son en-tête (front-matter) n'est pas corrigé : "
            "le bandeau ci-dessus indique la ligne et la correction à faire. "
            "La prévisualisation se met à jour dès que le fichier est enregistré.\n")
