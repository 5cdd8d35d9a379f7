"""Analytics in real builds: configuration errors, CTA findings, emitted assets, headers and privacy pages."""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser


pytestmark = pytest.mark.build


def configure(hub, provider: str, endpoint: str, **options) -> None:
    hub.set_plugin_options("carepress/analytics", provider=provider, endpoint=endpoint, **options)


@pytest.mark.parametrize("provider, endpoint, message", [
    ("matomoo", "https://stats.example.org", "unknown provider 'matomoo'"),
    ("plausible", "", "`endpoint` is missing"),
    ("beacon", "http://stats.example.org/collect", "must use https"),
])
def test_bad_analytics_configuration_is_one_line_and_exit_2(hub, provider, endpoint, message):
    configure(hub, provider, endpoint)
    result = hub.build("patient")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if "carepress/analytics" in line] == [
        next(line for line in result.stderr.splitlines() if message in line)]


def test_bad_analytics_configuration_is_one_error_line_with_plain_mkdocs(hub):
    configure(hub, "matomoo", "https://stats.example.org")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml"],
                            cwd=hub.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if "matomoo" in line] == [
        "ERROR   -  carepress/analytics: unknown provider 'matomoo'; use one of none, plausible, matomo, umami, beacon"]


def test_malformed_cta_is_a_finding_with_file_and_line(hub):
    path = hub.article("patient/cta.md", body="# Bouger\n\nTexte.\n\n[Guide](#){ .cp-cta data-cp-event=\"Mon Guide\" }\n")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "cp-cta" in text)
    result = hub.carepress("check", "--format", "json")
    findings = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "AN100"]
    assert [(f["path"], f["line"]) for f in findings] == [("content/patient/cta.md", line)]
    assert "is not valid" in findings[0]["message"]


def test_build_emits_script_config_block_headers_and_privacy_pages(hub):
    hub.article("patient/cta.md", title="Bouger </script> ensemble")
    configure(hub, "plausible", "https://stats.example.org")
    assert hub.build("all").returncode == 0
    files = hub.site_files("patient")
    assert {"assets/carepress/analytics.js", "assets/carepress/material-state.js", "_headers",
            "confidentialite/index.html", "privacy/index.html"} <= set(files)
    html = HTMLParser(files["patient/cta/index.html"])
    script = html.css_first("script#cp-analytics")
    assert script.attributes["type"] == "application/json"
    data = json.loads(script.text())
    assert data["endpoint"] == "https://stats.example.org/api/event"
    assert data["page"]["url"] == "https://patients.example.org/patient/cta/"
    assert data["dimensions"]["funnel_stage"] == "attract"
    assert data["page"]["title"] == "Bouger </script> ensemble"  # escaped: the block stays whole
    loader = [s.attributes for s in html.css("script[src]") if s.attributes["src"].endswith("analytics.js")]
    assert loader and "defer" in loader[0]
    # No executable inline script anywhere: the CSP has no 'unsafe-inline'.
    for path, text in files.items():
        if path.endswith(".html"):
            inline = [s for s in HTMLParser(text).css("script") if "src" not in s.attributes
                      and s.attributes.get("type") not in ("application/json", "application/ld+json")]
            assert inline == [], path
    assert "connect-src 'self' https://stats.example.org;" in files["_headers"]
    assert "Plausible Analytics" in files["confidentialite/index.html"]
    assert "data-cp-opt-out" in files["privacy/index.html"]
    for page, language in (("privacy/index.html", "en"), ("confidentialite/index.html", "fr")):  # pages without an article
        config = json.loads(HTMLParser(files[page]).css_first("script#cp-analytics").text())
        assert config["dimensions"]["language"] == language, page
    nginx = (hub.root / "deploy" / "hcp.nginx.conf").read_text(encoding="utf-8")
    assert re.search(r'add_header Content-Security-Policy ".*frame-ancestors \'none\'" always;', nginx)
    assert "_headers" in hub.site_files("hcp")


def test_an_editor_privacy_page_wins_and_gets_the_opt_out_control(hub):
    hub.article("confidentialite.md", title="Vie privée", audience="all", persona=[], content_type="corporate",
                body="# Vie privée\n\nNotre politique.\n\n<!-- carepress:analytics-opt-out -->\n")
    configure(hub, "umami", "https://u.example.org", site_id="w")
    assert hub.build("patient").returncode == 0
    page = hub.site_files("patient")["confidentialite/index.html"]
    assert "Notre politique." in page and "data-cp-opt-out" in page and "Ce que nous mesurons" not in page


def test_provider_none_loads_no_script(hub):
    assert hub.build("patient").returncode == 0
    files = hub.site_files("patient")
    assert "cp-analytics" not in files["index.html"] and "analytics.js" not in files["index.html"]
    assert "ne mesure pas son audience" in files["confidentialite/index.html"]
    assert "connect-src 'self';" in files["_headers"]


def _footer_targets(page_path: str, html: str) -> list[str]:
    """The site paths the footer's privacy links lead to, read from the page at `page_path` as a browser would."""
    return [posixpath.normpath(posixpath.join(posixpath.dirname(page_path), link.attributes["href"])) + "/"
            for link in HTMLParser(html).css(".md-footer .cp-privacy-links a")]


def test_privacy_pages_are_linked_from_every_footer_and_left_out_of_the_navigation(hub):
    hub.article("patient/nested/deep.md", title="Une page profonde")
    assert hub.build("patient").returncode == 0
    files = hub.site_files("patient")
    pages = [path for path in files if path.endswith(".html")]
    assert "patient/nested/deep/index.html" in pages and "404.html" in pages
    for path in pages:
        html = HTMLParser(files[path])
        in_nav = {link.attributes.get("href", "") for link in html.css("nav.md-nav a.md-nav__link")}
        assert not [href for href in in_nav if "confidentialite" in href or "privacy" in href], path
        if path != "404.html":  # served at any address: its links are from the site's root (below)
            assert _footer_targets(path, files[path]) == ["confidentialite/", "privacy/"], path
    footer = HTMLParser(files["404.html"]).css(".md-footer .cp-privacy-links a")
    assert [(a.attributes["href"], a.attributes["lang"], a.text()) for a in footer] == [
        ("/confidentialite/", "fr", "Confidentialité"), ("/privacy/", "en", "Privacy")]
    assert "confidentialite/index.html" in files and "privacy/index.html" in files  # still built


def test_the_footer_links_an_editors_privacy_page_and_none_when_the_pages_are_off(hub):
    hub.article("confidentialite.md", title="Vie privée", audience="all", persona=[], content_type="corporate",
                body="# Vie privée\n\nNotre politique.\n")
    assert hub.build("patient").returncode == 0
    assert _footer_targets("index.html", hub.site_files("patient")["index.html"]) == ["confidentialite/", "privacy/"]
    hub.set_plugin_options("carepress/analytics", provider="none")
    config = hub.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("    provider: 'none'\n",
                                                                 "    provider: 'none'\n    privacy_page: false\n"))
    hub.root.joinpath("content", "confidentialite.md").unlink()
    assert hub.build("patient").returncode == 0
    files = hub.site_files("patient")
    assert "privacy/index.html" not in files and _footer_targets("index.html", files["index.html"]) == []
