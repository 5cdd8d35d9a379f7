"""The demo-style build renders in a real browser, with no third-party request."""

from urllib.parse import urlparse

from tests.browser.conftest import serve_folder


def test_patient_home_renders_with_only_local_requests(hub, page):
    hub.article("patient/ok.md", title="Bouger au quotidien")
    assert hub.build("patient").returncode == 0
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    with serve_folder(hub.root / "site" / "patient") as base:
        page.goto(base + "patient/ok/")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.inner_text().startswith("Bouger au quotidien")
        assert page.evaluate("document.cookie") == ""
    hosts = {urlparse(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
