"""The HCP interstitial in a real browser: shown on entry, not again inside the site, nothing stored."""

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


def _assert_nothing_stored(page, context):
    assert page.evaluate("[sessionStorage.length, localStorage.length, document.cookie]") == [0, 0, ""]
    assert context.cookies() == []


def test_gate_shows_on_entry_and_not_again_inside_the_site_storing_nothing(hcp_site, browser):
    # Served with a CSP that forbids inline scripts: the gate must work from its own file alone.
    context = browser.new_context()
    page = context.new_page()
    with serve_folder(hcp_site.root / "site" / "hcp", STRICT_CSP) as base:
        page.goto(base + "pro/a/", referer="https://www.google.com/")
        gate = page.locator("#carepress-gate")
        assert gate.is_visible()
        page.click("#carepress-gate-confirm")
        assert gate.is_hidden()
        page.click("article a[href$='b/']")  # a link of the site: the browser sends this page as referrer
        page.wait_for_url(base + "pro/b/")
        page.wait_for_load_state("load")
        assert page.locator("#carepress-gate").is_hidden()
        _assert_nothing_stored(page, context)
        page.goto(base + "pro/b/")  # typed in (no referrer): asked again
        assert page.locator("#carepress-gate").is_visible()
        _assert_nothing_stored(page, context)
    context.close()


def test_nothing_behind_the_open_gate_can_be_reached(hcp_site, page):
    with serve_folder(hcp_site.root / "site" / "hcp", STRICT_CSP) as base:
        page.goto(base + "pro/a/")
        assert page.locator("#carepress-gate").is_visible()
        focused = []
        for _ in range(8):  # the page behind is inert: the keyboard reaches the gate's controls only
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement === document.body ? 'body'"
                                         " : document.activeElement.closest('#carepress-gate')"
                                         " ? document.activeElement.id : document.activeElement.outerHTML"))
        assert set(focused) <= {"carepress-gate-confirm", "carepress-gate-leave", "body"}, focused
        assert {"carepress-gate-confirm", "carepress-gate-leave"} <= set(focused)
        assert page.evaluate("document.querySelector('article').closest('[inert]') !== null")
        for key in ("n", ".", "p", ","):  # Material's shortcuts to the next and previous pages
            page.keyboard.press(key)
        page.wait_for_timeout(300)  # a navigation would have started
        assert page.url == base + "pro/a/" and page.locator("#carepress-gate").is_visible()
        page.focus("#carepress-gate-confirm")
        page.keyboard.press("Enter")  # the keyboard still opens the gate
        assert page.locator("#carepress-gate").is_hidden()
        assert page.evaluate("document.querySelectorAll('[inert]').length") == 0
        page.keyboard.press("n")  # and, once open, the site's shortcuts work again
        page.wait_for_url(lambda url: url != base + "pro/a/")
        assert page.evaluate("document.querySelectorAll('[inert]').length") == 0


def test_same_host_other_site_and_not_found_page_are_gated(hcp_site, browser):
    """The patient site served from the same host is not the HCP site; the 404 page's links lead in."""
    context = browser.new_context()
    page = context.new_page()
    with serve_folder(hcp_site.root / "site") as base:
        page.goto(base + "hcp/pro/a/", referer=base + "patient/patient/ok/")
        assert page.locator("#carepress-gate").is_visible()
    with serve_folder(hcp_site.root / "site" / "hcp", not_found_page="404.html") as base:
        response = page.goto(base + "page/absente/", referer="https://www.google.com/")
        assert response.status == 404
        assert page.locator("#carepress-gate").is_visible()  # its script and style load from the site root
        assert page.locator("#carepress-gate").evaluate("element => getComputedStyle(element).position") == "fixed"
        _assert_nothing_stored(page, context)
    context.close()


def test_patient_site_has_no_gate_and_no_session_storage(hcp_site, page):
    with serve_folder(hcp_site.root / "site" / "patient") as base:
        page.goto(base + "patient/ok/")
        page.wait_for_load_state("load")
        assert page.locator("#carepress-gate").count() == 0
        page.wait_for_load_state("networkidle")
        assert page.evaluate("[sessionStorage.length, localStorage.length]") == [0, 0]
        assert page.evaluate("document.cookie") == ""
