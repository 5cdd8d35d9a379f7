"""The addresses the SEO plugin writes (sitemap, hreflang, canonical) are those of pages the site really serves."""

from __future__ import annotations

import extruct
import pytest
from selectolax.lexbor import LexborHTMLParser
from usp.tree import sitemap_from_str

from tests.conftest import Hub, empty_hub

pytestmark = pytest.mark.build

PATIENT_URL, HCP_URL = "https://patients.example.org/", "https://pro.example.org/"
HOME = dict(title="Accueil", audience="all", persona=[], content_type="corporate", body="# Accueil\n\nBienvenue.\n")
PRO = dict(audience="hcp", persona=["hcp-medecin-generaliste"], content_type="medical_scientific", references=["HAS 2024"])


def configure(hub: Hub, old: str, new: str) -> None:
    config = hub.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")


def built(hub: Hub, audience: str) -> Hub:
    result = hub.build(audience)
    assert result.returncode == 0, result.stderr
    hub.log = result.stderr
    return hub


def page(hub: Hub, audience: str, path: str) -> LexborHTMLParser:
    return LexborHTMLParser((hub.root / "site" / audience / path).read_text(encoding="utf-8"))


def alternates(tree: LexborHTMLParser) -> dict[str, str]:
    return {node.attributes["hreflang"]: node.attributes["href"] for node in tree.css('link[rel="alternate"][hreflang]')}


def sitemap_urls(hub: Hub) -> set[str]:
    text = (hub.root / "site" / "patient" / "sitemap.xml").read_text(encoding="utf-8")
    return {entry.url for entry in sitemap_from_str(text).all_pages()}


@pytest.fixture(scope="module")
def canonicals(tmp_path_factory) -> Hub:
    """An explicit `nav:` that lists two pages, and canonicals to pages the patient site does or does not publish."""
    hub = empty_hub(tmp_path_factory.mktemp("seo-urls") / "hub")
    configure(hub, "  - tables\n", "  - tables\n\nnav:\n  - Accueil: index.md\n  - dt2/a.md\n")
    hub.article("index.md", **HOME)
    hub.article("dt2/a.md", title="Page A")
    hub.article("dt2/hors-nav.md", title="Page hors navigation")
    hub.article("pro/reco.md", title="Recommandations pro", **PRO)
    hub.article("dt2/brouillon.md", title="Brouillon", validation={"status": "draft"})
    hub.article("dt2/vers-pro.md", title="Vers une page pro", canonical="pro/reco/")
    hub.article("dt2/vers-brouillon.md", title="Vers un brouillon", canonical="dt2/brouillon/")
    hub.article("dt2/sans-barre.md", title="Sans barre finale", canonical="dt2/sans-barre")
    return built(hub, "patient")


def test_sitemap_lists_published_pages_out_of_the_nav(canonicals):
    assert {PATIENT_URL + "dt2/hors-nav/", PATIENT_URL + "confidentialite/", PATIENT_URL + "privacy/"} <= sitemap_urls(canonicals)


@pytest.mark.parametrize("name", ["vers-pro", "vers-brouillon", "sans-barre"])
def test_canonical_to_no_published_page_is_ignored_with_a_warning(canonicals, name):
    own = PATIENT_URL + f"dt2/{name}/"
    text = (canonicals.root / "site" / "patient" / "dt2" / name / "index.html").read_text(encoding="utf-8")
    assert LexborHTMLParser(text).css_first('link[rel="canonical"]').attributes["href"] == own
    data = extruct.extract(text, base_url=own, syntaxes=["json-ld", "opengraph"], uniform=True)
    assert data["json-ld"][0]["url"] == own and data["opengraph"][0]["og:url"] == own
    assert own in sitemap_urls(canonicals)
    [warning] = [line for line in canonicals.log.splitlines() if f"content/dt2/{name}.md:" in line]
    assert warning.startswith("WARNING") and "`canonical`" in warning and "not a page this site publishes" in warning


def test_hcp_only_page_address_is_not_exposed(canonicals):
    text = (canonicals.root / "site" / "patient" / "dt2" / "vers-pro" / "index.html").read_text(encoding="utf-8")
    assert "pro/reco" not in text


def test_hreflang_and_canonical_without_directory_urls_are_served_addresses(tmp_path):
    hub = empty_hub(tmp_path / "hub")
    configure(hub, "use_directory_urls: true", "use_directory_urls: false")
    configure(hub, f"site_url: {PATIENT_URL}", "site_url: https://example.org/hub/")
    hub.article("index.md", **HOME)
    hub.article("dt2/diabète-été.md", title="Diabète en été", lang="fr", translations={"en": "en/summer-é.md"})
    hub.article("en/summer-é.md", title="Summer diabetes", lang="en", translations={"fr": "dt2/diabète-été.md"})
    hub.article("dt2/copie.md", title="Copie", canonical="dt2/diabète-été.html")
    built(hub, "patient")
    french, english = "https://example.org/hub/dt2/diab%C3%A8te-%C3%A9t%C3%A9.html", "https://example.org/hub/en/summer-%C3%A9.html"
    assert alternates(page(hub, "patient", "dt2/diabète-été.html")) == {"fr": french, "en": english}
    assert alternates(page(hub, "patient", "en/summer-é.html")) == {"fr": french, "en": english}
    # A canonical to a published page is kept, as that page serves it; the copy leaves the sitemap to it.
    assert page(hub, "patient", "dt2/copie.html").css_first('link[rel="canonical"]').attributes["href"] == french
    assert "dt2/copie" not in (hub.root / "site" / "patient" / "sitemap.xml").read_text(encoding="utf-8")
    assert "content/dt2/copie.md" not in hub.log


def test_hreflang_to_the_moved_hcp_home_is_the_site_root(tmp_path):
    hub = empty_hub(tmp_path / "hub")
    hub.article("index.md", title="Accueil", audience="patient", content_type="corporate", body="# Accueil\n\nBienvenue.\n")
    hub.article("professionnels/index.md", title="Espace pro", lang="fr", translations={"en": "professionals/index.md"}, **PRO)
    hub.article("professionals/index.md", title="Pro area", lang="en", translations={"fr": "professionnels/index.md"}, **PRO)
    built(hub, "hcp")
    expected = {"fr": HCP_URL, "en": HCP_URL + "professionals/"}
    assert alternates(page(hub, "hcp", "index.html")) == expected  # `home: professionnels/index.md` (site_config/hcp.yml)
    assert alternates(page(hub, "hcp", "professionals/index.html")) == expected
