"""The HCP interstitial in a real browser: shown on entry, confirmed once per visit, never a cookie."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve_folder

STRICT_CSP = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"}


@pytest.fixture
def hcp_site(hub):
    hcp = {"audience": "hcp", "persona": ["hcp-medecin-generaliste"], "content_type": "medical_scientific",
           "references": ["HAS 2024"]}
    hub.article("pro/a.md", title="Recommandations A", body="# Recommandations A\n\nVoir [B](b.md).\n", **hcp)
    hub.article("pro/b.md", title="Recommandations B", **hcp)
    hub.article("patient/ok.md", title="Bouger au quotidien")
    assert hub.build("all").returncode == 0
    return hub


def test_gate_shows_then_stays_confirmed_for_the_visit_without_cookies(hcp_site, browser):
    # Served with a CSP that forbids inline scripts: the gate must work from its own file alone.
    context = browser.new_context()
    page = context.new_page()
    with serve_folder(hcp_site.root / "site" / "hcp", STRICT_CSP) as base:
        page.goto(base + "pro/a/")
        gate = page.locator("#carepress-gate")
        assert gate.is_visible()
        page.click("#carepress-gate-confirm")
        assert gate.is_hidden()
        page.goto(base + "pro/b/")
        page.wait_for_load_state("load")
        assert page.locator("#carepress-gate").is_hidden()
        assert page.evaluate("sessionStorage.getItem('carepress-hcp-confirmed')") == "yes"
        assert page.evaluate("document.cookie") == ""
        assert context.cookies() == []
        assert page.evaluate("localStorage.length") == 0
        fresh = browser.new_context()  # a new visit asks again
        other = fresh.new_page()
        other.goto(base + "pro/b/")
        assert other.locator("#carepress-gate").is_visible()
        fresh.close()
    context.close()


def test_patient_site_has_no_gate_and_no_session_storage(hcp_site, page):
    with serve_folder(hcp_site.root / "site" / "patient") as base:
        page.goto(base + "patient/ok/")
        page.wait_for_load_state("load")
        assert page.locator("#carepress-gate").count() == 0
        page.wait_for_load_state("networkidle")
        assert page.evaluate("[sessionStorage.length, localStorage.length]") == [0, 0]
        assert page.evaluate("document.cookie") == ""
