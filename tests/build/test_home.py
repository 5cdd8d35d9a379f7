"""The compliance plugin's `home` option: the HCP site's home page is a page of its own."""

import pytest

pytestmark = pytest.mark.build


def _hub_with_two_homes(hub):
    hub.article("index.md", title="Accueil patients", audience="patient", persona=["patient-dt2-recent"],
                body="# Accueil patients\n\n[À propos](a-propos.md)\n")
    hub.article("a-propos.md", title="À propos", audience="all", persona=[], content_type="corporate")
    hub.article("professionnels/index.md", title="Accueil professionnels", audience="hcp",
                persona=["hcp-medecin-generaliste"], content_type="corporate",
                body="# Accueil professionnels\n\n[Recommandations](reco.md)\n")
    hub.article("professionnels/reco.md", title="Recommandations", audience="hcp",
                persona=["hcp-medecin-generaliste"], content_type="medical_scientific",
                references=["HAS, Stratégie thérapeutique du patient vivant avec un diabète de type 2, 2024"])


def test_hcp_home_is_published_as_the_sites_index_with_working_links(hub):
    _hub_with_two_homes(hub)
    result = hub.build("all")
    assert result.returncode == 0, result.stderr
    hcp = hub.site_files("hcp")
    assert ">Accueil professionnels" in hcp["index.html"]
    assert "professionnels/index.html" not in hcp
    assert 'href="professionnels/reco/"' in hcp["index.html"]  # links follow the page to its new place
    assert "professionnels/reco/index.html" in hcp
    patient = hub.site_files("patient")
    assert ">Accueil patients" in patient["index.html"] and "Accueil professionnels" not in "".join(patient.values())


def test_home_is_not_moved_when_the_site_has_its_own_index(hub):
    _hub_with_two_homes(hub)
    hub.article("index.md", title="Accueil commun", audience="all", persona=[], content_type="corporate",
                body="# Accueil commun\n")
    assert hub.build("hcp").returncode == 0
    hcp = hub.site_files("hcp")
    assert ">Accueil commun" in hcp["index.html"] and ">Accueil professionnels" in hcp["professionnels/index.html"]
