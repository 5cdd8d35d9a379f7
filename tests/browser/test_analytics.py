"""Analytics in a real browser: each engine's local receiver gets valid, private events; DNT, GPC and the
opt-out silence them; the patient site stores nothing and asks nothing of any other host; the site
works under the Content-Security-Policy its own `_headers` file sets."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import serve_folder
from tests.browser.receivers import SITE_IDS, Receiver, receiver
from tests.conftest import REPO

ARTICLE = "patient/guide.md"
PARAGRAPH = "Bouger un peu chaque jour aide à équilibrer la glycémie. " * 12
BODY = f"""# Diabète de type 2 : bouger au quotidien

{PARAGRAPH}

[Recevoir le guide](#guide){{ .cp-cta data-cp-event="download-guide" }}

[Le site de l'Assurance Maladie](https://www.ameli.fr/assure/sante/themes/diabete?utm_source=x#top)

[Le guide en PDF](guide.pdf)

""" + "\n\n".join(f"## Partie {n}\n\n{PARAGRAPH}" for n in range(1, 9)) + "\n"

EXPECTED_DIMENSIONS = {
    "persona": "patient-dt2-recent", "funnel_stage": "attract", "content_type": "disease_awareness",
    "topic": "diabete-type-2", "audience": "patient", "language": "fr", "page_path": "/patient/guide/",
}
# The page is opened with personal data in its query and fragment: none of it may be sent.
PRIVATE_SUFFIX = "?email=jane%40example.org#secret"
REFERRER = "https://www.moteur.example/search?q=jane+diabete#secret"
# A first-party click handler registered after the analytics script: keeps the browser on the page.
STAY_ON_PAGE = "document.addEventListener('click', event => event.preventDefault())"


def configure(hub, provider: str, endpoint: str) -> None:
    """Point the hub's mkdocs.yml at a provider (replaces the `carepress/analytics` block)."""
    options = {"provider": provider, "endpoint": endpoint}
    if provider in SITE_IDS and provider != "plausible":  # Plausible defaults to site_url's domain
        options["site_id"] = SITE_IDS[provider]
    hub.set_plugin_options("carepress/analytics", **options)


def demo_hub(hub, provider: str | None, receiver_: Receiver | None) -> None:
    hub.article(ARTICLE, body=BODY)
    hub.write("patient/guide.pdf", b"%PDF-1.4\n%%EOF\n")
    if provider:
        configure(hub, provider, receiver_.url + ("/collect" if provider == "beacon" else ""))
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr


def served_headers(site) -> dict[str, str]:
    """The headers the site's own `_headers` file sets for every page."""
    lines = (site / "_headers").read_text(encoding="utf-8").splitlines()
    return dict(line.strip().split(": ", 1) for line in lines if line.startswith("  "))


@pytest.mark.parametrize("provider", ["plausible", "matomo", "umami", "beacon"])
def test_events_arrive_valid_and_private(hub, page, provider):
    with receiver(provider) as engine:
        demo_hub(hub, provider, engine)
        with serve_folder(hub.root / "site" / "patient") as base:
            transports = set()
            page.on("request", lambda r: transports.add(r.resource_type) if r.url.startswith(engine.url) and r.method == "POST" else None)
            page.goto(base + "patient/guide/" + PRIVATE_SUFFIX, referer=REFERRER)
            [view] = engine.wait_for("pageview")
            assert engine.named("read_complete") == []  # the end of a long article is not in view yet
            page.evaluate(STAY_ON_PAGE)
            page.click("a.cp-cta")
            page.click("text=Le site de l'Assurance Maladie")
            page.click("text=Le guide en PDF")
            page.mouse.wheel(0, 100_000)
            [cta] = engine.wait_for("cta_click")
            [outbound] = engine.wait_for("outbound_link")
            [download] = engine.wait_for("file_download")
            [read] = engine.wait_for("read_complete")
    for event in (view, cta, outbound, download, read):
        assert event.dimensions == EXPECTED_DIMENSIONS, (event.name, event.dimensions)
        assert urlsplit(event.url).path.endswith("patient/guide/")
    assert view.referrer == "https://www.moteur.example"
    assert cta.properties == {"cta": "download-guide"}
    assert outbound.properties["url"] == "https://www.ameli.fr/assure/sante/themes/diabete"
    assert download.properties["url"] == "/patient/guide.pdf"
    # A keepalive fetch for every engine, never sendBeacon ("ping"): it would send the engine's cookie (the
    # receiver sets one, and checks that no request carries it nor the page's address as Referer).
    assert transports == {"fetch"}
    assert page.context.cookies() == []


def test_a_short_article_in_view_when_it_opens_is_not_counted_as_read(hub, page):
    with receiver("beacon") as engine:
        hub.article(ARTICLE, body="# Diabète de type 2 : bouger au quotidien\n\n" + PARAGRAPH + "\n\n[Le site de l'Assurance Maladie](https://www.ameli.fr/)\n")
        configure(hub, "beacon", engine.url + "/collect")
        assert hub.build("patient").returncode == 0
        with serve_folder(hub.root / "site" / "patient") as base:
            page.goto(base + "patient/guide/")
            engine.wait_for("pageview")
            assert page.evaluate("document.querySelector('.cp-read-end').getBoundingClientRect().bottom < innerHeight")
            page.evaluate(STAY_ON_PAGE)
            page.click("text=Le site de l'Assurance Maladie")
            engine.wait_for("outbound_link")  # sent after any event of the page's opening
    assert [event.name for event in engine.events] == ["pageview", "outbound_link"]


def test_not_found_page_reports_the_path_only(hub, page):
    with receiver("beacon") as engine:
        demo_hub(hub, "beacon", engine)
        with serve_folder(hub.root / "site" / "patient", not_found_page="404.html") as base:
            page.goto(base + "ancienne/adresse/" + PRIVATE_SUFFIX)
            [missing] = engine.wait_for("not_found")
    assert missing.dimensions["page_path"] == "/ancienne/adresse/"
    assert missing.url == base + "ancienne/adresse/"


def test_matomo_counts_a_not_found_page_as_one_page_view(hub, page):
    with receiver("matomo") as engine:
        demo_hub(hub, "matomo", engine)
        with serve_folder(hub.root / "site" / "patient", not_found_page="404.html") as base:
            page.goto(base + "ancienne/adresse/")
            [missing] = engine.wait_for("not_found")
            page.wait_for_timeout(500)  # a second page view would have been sent with the first
    assert [event.name for event in engine.events] == ["not_found"]
    assert missing.url == base + "ancienne/adresse/"


@pytest.mark.parametrize("signal", ["doNotTrack", "globalPrivacyControl"])
def test_nothing_is_sent_with_do_not_track_or_global_privacy_control(hub, browser, signal):
    value = "'1'" if signal == "doNotTrack" else "true"
    with receiver("plausible") as engine:
        demo_hub(hub, "plausible", engine)
        context = browser.new_context()
        context.add_init_script(f"Object.defineProperty(Navigator.prototype, '{signal}', {{get: () => {value}}})")
        page = context.new_page()
        to_engine: list[str] = []
        page.on("request", lambda request: to_engine.append(request.url) if request.url.startswith(engine.url) else None)
        with serve_folder(hub.root / "site" / "patient") as base:
            page.goto(base + "patient/guide/")
            assert page.evaluate(f"navigator.{signal}") in ("1", True)
            page.evaluate(STAY_ON_PAGE)
            page.click("a.cp-cta")
            page.click("text=Le guide en PDF")
            page.mouse.wheel(0, 100_000)
            page.wait_for_load_state("networkidle")
        context.close()
    assert to_engine == [] and engine.events == []


def test_opt_out_is_the_only_thing_stored_and_silences_events(hub, page):
    with receiver("umami") as engine:
        demo_hub(hub, "umami", engine)
        with serve_folder(hub.root / "site" / "patient") as base:
            page.goto(base + "confidentialite/")
            engine.wait_for("pageview")
            assert page.evaluate("localStorage.length") == 0  # nothing stored before the visitor asks
            page.click(".cp-opt-out button")
            assert page.evaluate("Object.entries(localStorage)") == [["carepress-analytics-opt-out", "1"]]
            assert "ne sont pas mesurées" in page.inner_text(".cp-opt-out__status")
            to_engine: list[str] = []
            page.on("request", lambda request: to_engine.append(request.url) if request.url.startswith(engine.url) else None)
            page.goto(base + "patient/guide/")
            page.mouse.wheel(0, 100_000)
            page.wait_for_load_state("networkidle")
            assert to_engine == []
            page.goto(base + "confidentialite/")
            page.click(".cp-opt-out button")  # opting back in removes the stored choice
            assert page.evaluate("localStorage.length") == 0
    assert len(engine.named("pageview")) == 1


def _use_every_page(page, base: str, site) -> list[str]:
    """Open every page of a built site, search, and follow the article's links; returns requested URLs."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    for path in pages:
        page.goto(base + path.removesuffix("index.html"))
        page.mouse.wheel(0, 100_000)
    page.goto(base)
    page.click("input[data-md-component=search-query]")
    page.keyboard.type("diabète")  # typed: Material searches on key events
    page.wait_for_selector(".md-search-result__item")
    with page.expect_navigation():  # Enter opens the first result
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    return requested


def _assert_nothing_stored(page) -> None:
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length") == 0, page.evaluate("Object.keys(localStorage)")
    assert page.evaluate("sessionStorage.length") == 0, page.evaluate("Object.keys(sessionStorage)")
    assert page.evaluate("indexedDB.databases()") == []


def test_patient_site_stores_nothing_and_stays_local(hub, page):
    with receiver("beacon") as engine:
        demo_hub(hub, "beacon", engine)
        site = hub.root / "site" / "patient"
        with serve_folder(site) as base:
            requested = _use_every_page(page, base, site)
            page.goto(base + "patient/guide/")
            page.evaluate(STAY_ON_PAGE)
            for link in ("a.cp-cta", "text=Le site de l'Assurance Maladie", "text=Le guide en PDF"):
                page.click(link)
            engine.wait_for("outbound_link")
            _assert_nothing_stored(page)
    assert {urlsplit(url).hostname for url in requested if not url.startswith("data:")} == {"127.0.0.1"}, [u for u in requested if "127.0.0.1" not in u]
    assert any(url.startswith(engine.url) for url in requested)  # the engine was the local receiver


def test_repository_demo_content_measures_and_stores_nothing(hub, page):
    for source in (REPO / "content").rglob("*"):
        if source.is_file():
            hub.write(source.relative_to(REPO / "content").as_posix(), source.read_bytes())
    site = hub.root / "site" / "patient"
    site.mkdir(parents=True)
    with receiver("beacon") as engine, serve_folder(site) as base:
        # Deployed as configured: site_url is the host that serves the site. Material fetches the
        # sitemap.xml of each hreflang alternate's origin, so a foreign site_url would look third-party.
        config = hub.root / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("https://patients.example.org/", base), encoding="utf-8")
        configure(hub, "beacon", engine.url + "/collect")
        assert hub.build("patient").returncode == 0
        requested = _use_every_page(page, base, site)
        _assert_nothing_stored(page)
        views = engine.wait_for("pageview", count=len(list(site.rglob("index.html"))))
    assert {urlsplit(url).hostname for url in requested if not url.startswith("data:")} == {"127.0.0.1"}, [u for u in requested if "127.0.0.1" not in u]
    food = next(view for view in views if view.dimensions["page_path"] == "/diabete-type-2/alimentation/")
    assert food.dimensions == {  # from content/diabete-type-2/alimentation.md (funnel_stage: attraction)
        "persona": "patient-dt2-recent", "funnel_stage": "attract", "content_type": "disease_awareness",
        "topic": "diabete-type-2", "audience": "patient", "language": "fr", "page_path": "/diabete-type-2/alimentation/"}


VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  event => window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));
"""


def test_site_works_under_its_own_security_headers(hub, browser):
    with receiver("plausible") as engine:
        demo_hub(hub, "plausible", engine)
        assert hub.build("hcp").returncode == 0
        site = hub.root / "site" / "patient"
        headers = served_headers(site)
        assert engine.url in headers["Content-Security-Policy"]  # connect-src names the endpoint
        context = browser.new_context()
        context.add_init_script(VIOLATIONS)
        page = context.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        with serve_folder(site, headers, not_found_page="404.html") as base:
            response = page.goto(base)
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            violations = []
            for path in ("", "patient/guide/", "confidentialite/", "privacy/", "page/absente/"):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                violations += page.evaluate("window.__violations")
            page.click("input[data-md-component=search-query]")
            page.keyboard.type("glycémie")
            page.wait_for_selector(".md-search-result__item")  # the search worker runs under worker-src
            violations += page.evaluate("window.__violations")
            engine.wait_for("pageview", count=4)  # connect-src lets events reach the endpoint
            assert violations == [] and not [text for text in console if "Content Security Policy" in text]
            # The policy is really enforced: an injected inline script does not run.
            page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                          " document.head.appendChild(s); }")
            assert page.evaluate("window.__ran") is None
            # The violation's event is queued as a task, not dispatched during appendChild: wait for it (a timeout fails).
            page.wait_for_function("() => window.__violations.some(v => String(v).includes('script-src'))", timeout=5000)
            assert any("script-src" in violation for violation in page.evaluate("window.__violations"))
        hcp = hub.root / "site" / "hcp"
        with serve_folder(hcp, served_headers(hcp)) as base:
            page.goto(base)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__violations") == []
        context.close()


def test_material_palette_toggle_stores_nothing(hub, page):
    """Material saves the chosen palette with __md_set; CarePress keeps it in memory for the page only."""
    config = hub.root / "mkdocs.yml"
    toggles = ("  palette:\n"
               "    - scheme: default\n      toggle: {icon: material/brightness-7, name: Sombre}\n"
               "    - scheme: slate\n      toggle: {icon: material/brightness-4, name: Clair}\n")
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"  palette:\n(?:    .*\n)*", lambda _: toggles, text, count=1), encoding="utf-8")
    assert hub.build("patient").returncode == 0
    home = (hub.root / "site" / "patient" / "index.html").read_text(encoding="utf-8")
    assert "__md_get(" not in home  # Material's inline palette script, which the CSP (no inline script) refuses
    with serve_folder(hub.root / "site" / "patient") as base:
        page.goto(base)
        page.click("label[title=Sombre]")
        assert page.get_attribute("body", "data-md-color-scheme") == "slate"
        _assert_nothing_stored(page)


def test_a_browser_without_resize_observer_gets_the_site_own_polyfill_not_unpkg(hub, browser):
    """Material loads https://unpkg.com/resize-observer-polyfill where the browser has no ResizeObserver."""
    assert hub.build("patient").returncode == 0
    site = hub.root / "site" / "patient"
    context = browser.new_context()
    context.add_init_script("delete window.ResizeObserver")  # as in Safari before 13.1
    context.add_init_script(VIOLATIONS)
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    context.route("https://unpkg.com/**", lambda route: route.abort())
    page = context.new_page()
    with serve_folder(site, served_headers(site)) as base:
        page.goto(base)
        page.wait_for_load_state("networkidle")
        hosts = {urlsplit(url).netloc for url in requested}
        assert hosts == {urlsplit(base).netloc}, hosts
        assert base + "assets/carepress/resize-observer.js" in requested
        assert page.evaluate("typeof ResizeObserver") == "function"
        assert page.evaluate("window.__violations") == []  # served from the site, under its CSP
        page.click("input[data-md-component=search-query]")  # Material's components still run
        page.keyboard.type("Bienvenue")
        page.wait_for_selector(".md-search-result__item")
    context.close()
