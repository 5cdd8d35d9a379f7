"""Real builds read by independent parsers: extruct for JSON-LD and Open Graph, a sitemap parser, robots.txt."""

from __future__ import annotations

import urllib.robotparser

import extruct
import pytest
from selectolax.lexbor import LexborHTMLParser
from usp.tree import sitemap_from_str

from tests.conftest import Hub, empty_hub

pytestmark = pytest.mark.build

HOSTILE = 'Asthme </script><script>alert("x")</script> & "guillemets" <img src=x onerror=alert(1)>'
PATIENT_URL, HCP_URL = "https://patients.example.org/", "https://pro.example.org/"
BODY = ("# {title}\n\nL'alimentation avec un diabète de type 2 reste variée et agréable, selon la "
        "[HAS](https://www.has-sante.fr/) : quelques repères simples aident à équilibrer ses repas sur la journée, "
        "voir aussi [l'activité](activite.md).\n\n## Repères\n\nTexte.\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("seo") / "hub"
    hub = empty_hub(root)
    hub.article("index.md", title="Accueil", audience="all", persona=[], content_type="corporate", body="# Accueil\n\nBienvenue.\n")
    title = "Alimentation et diabète de type 2"
    hub.article("dt2/alimentation.md", body=BODY.format(title=title), title=title, description=None,
                keywords={"primary": "alimentation diabète type 2"}, lang="fr",
                translations={"en": "en/diet.md", "de": "de/brouillon.md"})
    hub.article("en/diet.md", title="Type 2 diabetes diet", lang="en", translations={"fr": "dt2/alimentation.md"},
                keywords={"primary": "type 2 diabetes diet"})
    hub.article("de/brouillon.md", title="Entwurf", lang="de", validation={"status": "draft"})
    hub.article("dt2/activite.md", body="# Activité physique\n\nBouger au quotidien.\n", title=HOSTILE, description=HOSTILE + " — description hostile pour le test.",
                canonical="https://evil.example.com/phishing/")
    hub.article("pro/reco.md", title="Recommandations diabète de type 2", audience="hcp",
                persona=["hcp-medecin-generaliste"], content_type="medical_scientific",
                references=["HAS, Stratégie thérapeutique du patient vivant avec un diabète de type 2, 2024"])
    result = hub.build("all")
    assert result.returncode == 0, result.stderr
    hub.log = result.stderr
    return hub


def html(hub: Hub, audience: str, path: str) -> str:
    return (hub.root / "site" / audience / path).read_text(encoding="utf-8")


def extract(text: str, url: str) -> dict:
    return extruct.extract(text, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)


@pytest.mark.parametrize("audience", ["patient", "hcp"])
def test_every_page_has_exactly_one_title_description_and_canonical(built, audience):
    pages = sorted((built.root / "site" / audience).rglob("*.html"))
    assert len(pages) >= 2
    for page in pages:
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        assert len(tree.css("head title")) == 1, page
        assert len(tree.css('meta[name="description"]')) == 1, page
        assert len(tree.css('link[rel="canonical"]')) <= 1, page
        if page.name != "404.html":
            assert len(tree.css('link[rel="canonical"]')) == 1, page


def test_json_ld_and_open_graph_read_by_extruct(built):
    url = PATIENT_URL + "dt2/alimentation/"
    data = extract(html(built, "patient", "dt2/alimentation/index.html"), url)
    [page] = data["json-ld"]
    assert page["@type"] == "MedicalWebPage"
    assert page["name"] == "Alimentation et diabète de type 2" and page["url"] == url and page["inLanguage"] == "fr"
    assert page["lastReviewed"] == page["dateModified"] == "2026-10-01"
    assert page["reviewedBy"] == {"@type": "Person", "name": "Dr A. Martin"}
    assert page["audience"] == {"@type": "MedicalAudience", "audienceType": "Patient"}
    assert page["about"] == {"@type": "MedicalCondition", "name": "Diabète de type 2"}
    assert page["publisher"]["@type"] == "Organization"
    assert [item["position"] for item in page["breadcrumb"]["itemListElement"]] == [1, 2]
    # No description in front-matter: generated from the introduction, cut on a word.
    assert 120 <= len(page["description"]) <= 156 and page["description"].startswith("L'alimentation avec un diabète")
    [graph] = data["opengraph"]
    assert graph["og:title"] == "Alimentation et diabète de type 2" and graph["og:url"] == url
    assert graph["@type"] == "article" and graph["og:description"] == page["description"]


def test_hostile_title_does_not_break_out(built):
    text = html(built, "patient", "dt2/activite/index.html")
    assert "<script>alert" not in text and "<img src=x" not in text  # not in the head, header, nav or footer
    data = extract(text, PATIENT_URL + "dt2/activite/")
    assert data["json-ld"][0]["name"] == HOSTILE
    assert data["opengraph"][0]["og:title"] == HOSTILE
    tree = LexborHTMLParser(text)
    assert tree.css_first("head title").text() == HOSTILE
    assert all(script.attributes.get("type") == "application/ld+json" or script.attributes.get("src") or
               "alert" not in script.text() for script in tree.css("script"))


def test_refused_canonical_is_a_finding_and_the_page_keeps_its_own_url(built):
    tree = LexborHTMLParser(html(built, "patient", "dt2/activite/index.html"))
    assert tree.css_first('link[rel="canonical"]').attributes["href"] == PATIENT_URL + "dt2/activite/"
    assert "SE103" in built.carepress("check").stdout


def test_hreflang_lists_published_translations_only(built):
    tree = LexborHTMLParser(html(built, "patient", "dt2/alimentation/index.html"))
    alternates = {node.attributes["hreflang"]: node.attributes["href"] for node in tree.css('link[rel="alternate"][hreflang]')}
    assert alternates == {"fr": PATIENT_URL + "dt2/alimentation/", "en": PATIENT_URL + "en/diet/"}


def test_robots_meta_per_site(built):
    patient = LexborHTMLParser(html(built, "patient", "index.html"))
    assert patient.css_first('meta[name="robots"]').attributes["content"] == "index, follow"
    for path in ("index.html", "pro/reco/index.html"):
        hcp = LexborHTMLParser(html(built, "hcp", path))
        assert "noindex" in hcp.css_first('meta[name="robots"]').attributes["content"]
        assert extract(html(built, "hcp", path), HCP_URL)["json-ld"][0]["audience"]["audienceType"] == "Clinician"


def test_patient_sitemap_read_by_a_sitemap_parser(built):
    folder = built.root / "site" / "patient"
    sitemap = sitemap_from_str((folder / "sitemap.xml").read_text(encoding="utf-8"))
    pages = {page.url: page.last_modified for page in sitemap.all_pages()}
    assert set(pages) == {PATIENT_URL, PATIENT_URL + "dt2/alimentation/", PATIENT_URL + "en/diet/", PATIENT_URL + "dt2/activite/",
                          PATIENT_URL + "confidentialite/", PATIENT_URL + "privacy/"}  # generated privacy pages
    assert pages[PATIENT_URL + "privacy/"] is None  # no review date to claim
    assert pages[PATIENT_URL + "dt2/alimentation/"].date().isoformat() == "2026-10-01"
    assert not (folder / "sitemap.xml.gz").exists()


def test_hcp_pages_are_in_no_sitemap_and_robots_disallow_them(built):
    hcp = built.root / "site" / "hcp"
    assert not (hcp / "sitemap.xml").exists() and not (hcp / "sitemap.xml.gz").exists()
    for sitemap in (built.root / "site").rglob("sitemap.xml"):
        assert "pro/reco" not in sitemap.read_text(encoding="utf-8") and HCP_URL not in sitemap.read_text(encoding="utf-8")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse((hcp / "robots.txt").read_text(encoding="utf-8").splitlines())
    assert not robots.can_fetch("Googlebot", HCP_URL + "pro/reco/")
    patient = urllib.robotparser.RobotFileParser()
    patient.parse((built.root / "site" / "patient" / "robots.txt").read_text(encoding="utf-8").splitlines())
    assert patient.can_fetch("Googlebot", PATIENT_URL + "dt2/alimentation/")
    assert patient.site_maps() == [PATIENT_URL + "sitemap.xml"]
