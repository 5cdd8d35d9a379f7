"""A real build leaves out an approved page whose attached file was swapped after the approval (CP205)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.build

APPROVE = ("--code", "FR-PJ-0002", "--medical", "Dr Z. Médecin", "--legal", "Y. Juriste", "--regulatory", "X. Réglementaire",
           "--expires", "2027-11-01")
LEAFLET = b"%PDF-1.4\n% la fiche approuvee\n"


def _pages(hub, audience: str) -> tuple[set[str], set[str]]:
    """(the manifest's pages, the sitemap's paths) of one site."""
    manifest = json.loads((hub.root / "reports" / "manifest" / f"manifest-{audience}.json").read_text(encoding="utf-8"))
    sitemap = ET.parse(hub.root / "site" / audience / "sitemap.xml").getroot()
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    paths = {loc.text.split(".org/", 1)[1] for loc in sitemap.findall("s:url/s:loc", namespace)}
    return {page["src_uri"] for page in manifest["pages"]}, paths


def test_a_leaflet_swapped_after_the_approval_keeps_its_page_out_of_the_build(hub):
    hub.write("patient/fiche.pdf", LEAFLET)
    hub.article("patient/bouger.md", title="Bouger au quotidien", validation={"status": "in_review"},
                body="# Bouger au quotidien\n\nMarcher chaque jour.\n\n[La fiche à imprimer](fiche.pdf)\n")
    assert hub.carepress("approve", "content/patient/bouger.md", *APPROVE).returncode == 0
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    manifest, sitemap = _pages(hub, "patient")
    assert "patient/bouger.md" in manifest and "patient/bouger/" in sitemap
    assert (hub.root / "site" / "patient" / "patient" / "fiche.pdf").read_bytes() == LEAFLET

    hub.write("patient/fiche.pdf", LEAFLET + b"% une version que personne n'a relue\n")
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    assert "CP205" in result.stdout + result.stderr
    manifest, sitemap = _pages(hub, "patient")
    assert "patient/bouger.md" not in manifest and "patient/bouger/" not in sitemap
    assert not (hub.root / "site" / "patient" / "patient" / "bouger").exists()
    assert not (hub.root / "site" / "patient" / "patient" / "fiche.pdf").exists()  # no page uses it any more
