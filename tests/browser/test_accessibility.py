"""axe-core in headless Chromium: no serious or critical violation on the demo's key pages.

The pages are listed in carepress.hardening.gates.AXE_PAGES (home, a hub, an article, 404 and
the HCP pages); add a page there and it is checked here and by `make audit`.
"""

from __future__ import annotations

import subprocess

import pytest

from carepress.hardening.gates import AXE_PAGES, AXE_SCRIPT, axe
from tests.conftest import REPO

pytestmark = pytest.mark.gates


@pytest.fixture(scope="module", autouse=True)
def axe_core():
    """axe-core comes from npm (package-lock.json): install it when missing, as `make test` does."""
    if not AXE_SCRIPT.is_file():
        subprocess.run([str(REPO / "scripts" / "ensure-node-packages")], check=True)


PAGES = [(audience, path) for audience, paths in AXE_PAGES.items() for path in paths]


@pytest.mark.parametrize("audience, path", PAGES, ids=[f"{audience}:/{path}" for audience, path in PAGES])
def test_no_serious_or_critical_violation(browser, demo_site, audience, path):
    checked, errors = axe(browser, demo_site / audience, [path])
    assert checked == 1
    assert errors == [], "\n".join(map(str, errors))


def test_axe_reports_a_critical_violation(browser, tmp_path):
    (tmp_path / "index.html").write_text('<!doctype html><html lang="fr"><head><title>x</title></head><body><main>'
                                         '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><h1>Titre</h1>'
                                         "</main></body></html>")
    _, errors = axe(browser, tmp_path, [""])
    assert any("image-alt" in error.message and "critical" in error.message for error in errors), errors


def test_a_missing_page_is_an_error_not_a_pass(browser, tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    _, errors = axe(browser, tmp_path, ["absente/"])
    assert [error.message for error in errors] == ["HTTP 404"]
