"""Real MkDocs builds: each site holds exactly the pages it may publish, in every output file."""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import empty_hub

pytestmark = pytest.mark.build

CANARIES = {
    "patient": ("patient/alimentation.md", {"audience": "patient"}),
    "caregiver": ("aidant/hypoglycemie.md", {"audience": "caregiver", "persona": ["aidant-dt2"]}),
    "everyone": ("commun/asthme.md", {"audience": "all"}),
    "hcp": ("pro/recommandations.md", {"audience": "hcp", "persona": ["hcp-medecin-generaliste"], "content_type": "medical_scientific",
            "references": ["HAS 2024"]}),
    "draft": ("patient/brouillon.md", {"audience": "patient", "validation": {"status": "draft"}}),
    "hcp-draft": ("pro/brouillon.md", {"audience": "hcp", "persona": ["hcp-medecin-generaliste"], "validation": {"status": "in_review"}}),
    "broken": ("patient/casse.md", None),
}
ON_SITE = {"patient": {"patient", "caregiver", "everyone"}, "hcp": {"hcp", "everyone"}}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    hub = empty_hub(tmp_path_factory.mktemp("audiences") / "hub")
    hub.article("index.md", title="Accueil", audience="all", persona=[], content_type="corporate")
    for name, (rel, fields) in CANARIES.items():
        body = f"# Page {name}\n\nJeton unique : canari{name.replace('-', '')}zz.\n"
        if fields is None:
            hub.write(rel, "---\ntitle: [casse\n---\n" + body)
        else:
            hub.article(rel, body=body, title=f"Page {name}", **fields)
    result = hub.build("all")
    assert result.returncode == 0, result.stderr
    return hub


@pytest.mark.parametrize("audience", ["patient", "hcp"])
def test_each_site_holds_exactly_its_pages_in_every_file(built, audience):
    files = built.site_files(audience)
    everything = "\n".join(files.values())
    for name in CANARIES:
        token = f"canari{name.replace('-', '')}zz"
        if name in ON_SITE[audience]:
            assert token in files[CANARIES[name][0].replace(".md", "/index.html")]
        else:
            leaks = [path for path, text in files.items() if token in text]
            assert leaks == [], f"{name} leaked into {leaks}"
    assert everything  # the site is not empty


@pytest.mark.parametrize("audience", ["patient", "hcp"])
def test_search_index_and_sitemap_list_only_published_pages(built, audience):
    folder = built.root / "site" / audience
    index = json.loads((folder / "search" / "search_index.json").read_text())
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    generated = {"confidentialite/", "privacy/"}  # the analytics plugin's privacy pages
    expected = {"", *generated, *(CANARIES[name][0].replace(".md", "/") for name in ON_SITE[audience])}
    assert locations == expected
    if audience == "hcp":  # the professionals' site is kept out of search engines: no sitemap at all
        assert not (folder / "sitemap.xml").exists()
        return
    sitemap = ET.parse(folder / "sitemap.xml").getroot()
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {loc.text.split(".org/", 1)[1] for loc in sitemap.findall("s:url/s:loc", namespace)}
    assert urls == expected


def test_build_reports_what_it_left_out(built):
    result = built.build("patient")
    assert "CP200" in result.stderr and "patient/brouillon.md" in result.stderr
    assert "CP103" in result.stderr and "content/patient/casse.md:2" in result.stderr


def test_strict_build_fails_on_an_error_finding(hub):
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    result = hub.build("patient", "--strict")
    assert result.returncode == 1
    assert "CP200" in result.stderr


def test_strict_build_passes_when_everything_is_publishable(hub):
    hub.article("patient/ok.md")
    result = hub.build("patient", "--strict")
    assert result.returncode == 0, result.stderr
    assert (hub.root / "site" / "patient" / "patient" / "ok" / "index.html").is_file()


def test_plain_mkdocs_strict_fails_on_an_error_finding(hub):
    import subprocess
    import sys

    hub.article("patient/brouillon.md", validation={"status": "draft"})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "site_config/patient.yml"],
                            cwd=hub.root, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "CP200" in result.stderr
