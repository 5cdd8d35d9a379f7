"""In-process checks of a test hub (faster than a subprocess per assertion)."""

from __future__ import annotations

import os
from contextlib import contextmanager

from carepress.compliance.engine import check_all, evaluate
from carepress.model.schema import SiteAudience
from carepress.model.site import load_site
from carepress.settings import load_project
from tests.conftest import TODAY


@contextmanager
def _inside(folder):
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def findings_of(hub, audience: str | None = None):
    """The compliance findings of the hub (like `carepress check`, SEO assessments left out), or
    those of one site's evaluation."""
    with _inside(hub.root):
        project, _ = load_project(hub.root / "mkdocs.yml", TODAY)
        site = load_site(project)
        if audience is None:
            found = check_all(site)
        else:
            found = [f for verdict in evaluate(site, SiteAudience(audience)).values() for f in verdict.findings]
    return [f for f in found if not f.code.startswith("SE")]


def codes(findings) -> list[str]:
    return [f.code for f in findings]
