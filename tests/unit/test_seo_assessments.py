"""Each SE assessment, with French and English pages: a good case and a poor case."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carepress.model.schema import SiteAudience
from carepress.seo.analysis import GOOD, OK, POOR, AudienceIndex
from tests.unit.seo_helpers import make_site, score

FR = {"keywords": {"primary": "alimentation diabète type 2"}, "title": "Alimentation et diabète de type 2 : les repères"}
EN = {"keywords": {"primary": "type 2 diabetes diet"}, "title": "Type 2 diabetes diet: what to eat", "lang": "en"}
FR_BODY = ("# Alimentation et diabète de type 2\n\nL'alimentation avec un diabète de type 2 reste variée.\n\n"
           "## Les repères de l'alimentation du diabétique de type 2\n\n![Assiette pour l'alimentation du diabète de type 2](a.png)\n")
EN_BODY = ("# Type 2 diabetes diet basics\n\nA type 2 diabetes diet stays varied and pleasant.\n\n"
           "## Building a type 2 diabetes diet\n\n![A plate for a type 2 diabetes diet](a.png)\n")
CASES = {"fr": (FR, FR_BODY, "diabete-type-2/alimentation.md"), "en": (EN, EN_BODY, "en/type-2-diabetes-diet.md")}


def one_page(tmp_path, lang, body=None, src_uri=None, **fields):
    fm, default_body, default_uri = CASES[lang]
    uri = src_uri or default_uri
    return make_site(tmp_path, {uri: ({**fm, **fields}, body if body is not None else default_body)}), uri


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("code", ["SE101", "SE200", "SE201", "SE202", "SE204", "SE205"])
def test_keyword_placement_matches_word_forms(tmp_path, lang, code):
    """Plurals, accents and other word forms count (`diabétique`/`diabète`, `diets`/`diet`)."""
    site, uri = one_page(tmp_path, lang)
    assert score(site, code, uri).score == GOOD


@pytest.mark.parametrize("lang, body", [
    ("fr", "# Bien manger\n\nQuelques idées de repas.\n\n## Les légumes\n\n![Une assiette](a.png)\n"),
    ("en", "# Eating well\n\nA few meal ideas.\n\n## Vegetables\n\n![A plate](a.png)\n"),
])
@pytest.mark.parametrize("code", ["SE200", "SE201", "SE204", "SE205"])
def test_keyword_placement_missing_is_poor_with_an_action(tmp_path, lang, body, code):
    site, uri = one_page(tmp_path, lang, body=body)
    result = score(site, code, uri)
    assert result.score == POOR
    assert "missing" in result.sentence and result.line and result.line > 1


@pytest.mark.parametrize("lang, title", [("fr", "Nos repères pour bien manger : alimentation et diabète de type 2"),
                                         ("en", "What to eat every day, your type 2 diabetes diet")])
def test_keyword_late_in_title_is_ok_not_good(tmp_path, lang, title):
    site, uri = one_page(tmp_path, lang, title=title)
    result = score(site, "SE101", uri)
    assert result.score == OK and "start" in result.sentence


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_keyword_not_in_url(tmp_path, lang):
    site, uri = one_page(tmp_path, lang, src_uri="rubrique/page.md")
    assert score(site, "SE202", uri).score == POOR


@pytest.mark.parametrize("lang, description, expected", [
    ("fr", "Alimentation et diabète de type 2 : " + "des repères simples " * 5, GOOD),
    ("en", "Type 2 diabetes diet: " + "simple everyday guidance " * 5, GOOD),
    ("fr", "Quelques repères simples pour manger au quotidien, sans contrainte ni interdit, avec toute la famille réunie à table.", POOR),
])
def test_keyword_in_description(tmp_path, lang, description, expected):
    site, uri = one_page(tmp_path, lang, description=description)
    assert score(site, "SE203", uri).score == expected


@pytest.mark.parametrize("lang, title, expected", [
    ("fr", "Alimentation et diabète de type 2 : les repères", GOOD),
    ("fr", "Alimentation et diabète de type 2 : tous les repères pour composer ses repas au quotidien sans se priver", POOR),
    ("en", "Type 2 diabetes diet", OK),
    ("en", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW type 2 diabetes diet", POOR),  # 58 chars but ~730 px
])
def test_title_length_in_characters_and_pixels(tmp_path, lang, title, expected):
    site, uri = one_page(tmp_path, lang, title=title)
    assert score(site, "SE100", uri).score == expected


@pytest.mark.parametrize("lang, description, expected", [
    ("fr", "Court.", OK), ("en", "x " * 100, OK), ("fr", "Une description de la bonne longueur. " * 4, GOOD)])
def test_description_length(tmp_path, lang, description, expected):
    site, uri = one_page(tmp_path, lang, description=description.strip())
    assert score(site, "SE102", uri).score == expected


def test_missing_description_with_a_short_introduction_is_poor(tmp_path):
    site, uri = one_page(tmp_path, "fr", description=None)
    result = score(site, "SE102", uri)
    assert result.score == POOR and "description" in result.sentence


@pytest.mark.parametrize("lang, word, occurrences, expected", [
    ("fr", "alimentation diabète type 2", 2, GOOD),
    ("fr", "alimentations diabétiques types 2", 12, POOR),
    ("en", "type 2 diabetes diets", 2, GOOD),
    ("en", "type 2 diabetes diet", 0, OK),
])
def test_keyword_density_band(tmp_path, lang, word, occurrences, expected):
    filler = "lorem ipsum dolor sit amet " * 30 if lang == "fr" else "the quick brown fox jumps " * 30
    body = "# Titre\n\n" + filler + (" " + word + ".") * occurrences + "\n"
    site, uri = one_page(tmp_path, lang, body=body)
    assert score(site, "SE206", uri).score == expected


@pytest.mark.parametrize("lang, stage, words, expected", [
    ("fr", "attraction", 700, GOOD), ("fr", "attract", 400, OK), ("en", "close", 100, POOR), ("en", "delight", 350, GOOD)])
def test_text_length_by_funnel_stage(tmp_path, lang, stage, words, expected):
    body = "# T\n\n" + "mot " * words + "\n"
    site, uri = one_page(tmp_path, lang, body=body, funnel_stage=stage)
    assert score(site, "SE300", uri).score == expected


@pytest.mark.parametrize("body, expected", [("# Un\n\nTexte.\n", GOOD), ("Texte.\n", OK),
                                            ("# Un\n\nTexte.\n\n# Deux\n\n```\n# pas un titre\n```\n", POOR),
                                            ("One\n===\n\nText.\n\nTwo\n===\n", POOR)])
def test_single_h1(tmp_path, body, expected):
    site, uri = one_page(tmp_path, "fr", body=body)
    assert score(site, "SE301", uri).score == expected


def _topic_pages(link: str):
    return {
        "dt2/comprendre.md": ({"funnel_stage": "attract", "keywords": {"primary": "comprendre diabète type 2"}},
                              f"# Comprendre\n\nTexte avec [la suite]({link}).\n"),
        "dt2/suivi.md": ({"funnel_stage": "convert", "keywords": {"primary": "suivi diabète type 2"}}, "# Suivi\n\nTexte.\n"),
    }


@pytest.mark.parametrize("link, expected", [("suivi.md", GOOD), ("https://www.has-sante.fr/", POOR)])
def test_links_to_other_funnel_stages_of_the_topic(tmp_path, link, expected):
    site = make_site(tmp_path, _topic_pages(link))
    result = score(site, "SE302", "dt2/comprendre.md")
    assert result.score == expected
    if expected == POOR:
        assert "dt2/suivi.md" in result.sentence


def test_outbound_reference_links(tmp_path):
    site = make_site(tmp_path, _topic_pages("https://www.has-sante.fr/"))
    assert score(site, "SE303", "dt2/comprendre.md").score == GOOD
    assert score(site, "SE303", "dt2/suivi.md").score == POOR


def test_orphan_pages_are_per_site(tmp_path):
    pages = _topic_pages("suivi.md")
    pages["pro/reco.md"] = ({"audience": "hcp", "persona": ["hcp-medecin-generaliste"],
                             "keywords": {"primary": "recommandations diabète type 2 médecin"}}, "# Reco\n\n[x](../dt2/comprendre.md)\n")
    site = make_site(tmp_path, pages)
    assert score(site, "SE304", "dt2/suivi.md").score == GOOD
    # Only an HCP page links to it: on the patient site it is an orphan.
    assert score(site, "SE304", "dt2/comprendre.md", SiteAudience.PATIENT).score == POOR
    assert score(site, "SE304", "dt2/comprendre.md", SiteAudience.HCP).score == GOOD


@pytest.mark.parametrize("first, second, expected", [
    ("alimentation diabète type 2", "Alimentations du diabete de type 2", POOR),  # same after stemming and folding
    ("type 2 diabetes diet", "type 2 diabetes diets", POOR),
    ("alimentation diabète type 2", "activité physique asthme adulte", GOOD),
])
def test_cannibalisation(tmp_path, first, second, expected):
    site = make_site(tmp_path, {"a.md": ({"keywords": {"primary": first}}, "# A\n"),
                                "b.md": ({"keywords": {"primary": second}}, "# B\n")})
    result = score(site, "SE210", "a.md")
    assert result.score == expected
    if expected == POOR:
        assert "`b.md`" in result.sentence


def test_near_identical_keyword_sets_are_cannibalisation(tmp_path):
    site = make_site(tmp_path, {
        "a.md": ({"keywords": {"primary": "menu diabète type 2", "secondary": ["repas diabétique semaine"]}}, "# A\n"),
        "b.md": ({"keywords": {"primary": "menu semaine diabète type 2", "secondary": ["repas diabétiques"]}}, "# B\n")})
    assert score(site, "SE210", "a.md").score == POOR


@pytest.mark.parametrize("lang, keyword, expected", [
    ("fr", "diabète", OK), ("fr", "le diabète de type", OK), ("fr", "alimentation diabète type 2", GOOD),
    ("en", "asthma", OK), ("en", "the asthma of", OK), ("en", "asthma attack signs adults", GOOD)])
def test_long_tail(tmp_path, lang, keyword, expected):
    site, uri = one_page(tmp_path, lang, keywords={"primary": keyword})
    assert score(site, "SE211", uri).score == expected


@pytest.mark.parametrize("lang, keyword, expected", [
    ("fr", "régime miracle diabète type 2", POOR), ("fr", "guérir le diabète rapidement", POOR),
    ("fr", "alimentation diabète type 2", GOOD), ("en", "miracle cure diabetes diet", POOR),
    ("en", "type 2 diabetes diet", GOOD)])
def test_keyword_ethics_uses_the_claims_lexicon(tmp_path, lang, keyword, expected):
    site, uri = one_page(tmp_path, lang, keywords={"primary": keyword})
    assert score(site, "SE212", uri).score == expected


def test_keyword_ethics_reads_the_hub_lexicon(tmp_path):
    import shutil

    from tests.conftest import REPO

    registry = tmp_path / "site_config"
    shutil.copytree(REPO / "site_config", registry)
    (registry / "lexicons").mkdir(exist_ok=True)
    (registry / "lexicons" / "claims.fr.yml").write_text(
        "language: fr\nclaims:\n  - id: express\n    phrases: [\"cure express\"]\n    message: \"promises speed\"\n",
        encoding="utf-8")
    site, uri = one_page(tmp_path, "fr", keywords={"primary": "cure express régime diabète"})
    site.project.registry_dir = registry
    from carepress.seo.analysis import _CACHE
    _CACHE.clear()
    assert score(site, "SE212", uri).score == POOR


@pytest.mark.parametrize("keywords, expected", [
    ({"primary": "alimentation diabète type 2"}, GOOD), ({"primary": "  "}, POOR), ({"primary": "de la le"}, POOR),
    ({"primary": "alimentation " * 12}, POOR), ({"primary": "ok mot clé long", "secondary": [""]}, POOR)])
def test_keyword_shape(tmp_path, keywords, expected):
    site, uri = one_page(tmp_path, "fr", keywords=keywords)
    assert score(site, "SE106", uri).score == expected


def test_page_without_keywords_is_warned_and_other_keyword_assessments_skip(tmp_path):
    site, uri = one_page(tmp_path, "fr", keywords=None)
    assert score(site, "SE105", uri).score == POOR
    assert score(site, "SE200", uri) is None and score(site, "SE210", uri) is None


@pytest.mark.parametrize("canonical, expected", [
    ("diabete-type-2/autre/", GOOD), ("https://patients.example.org/autre/", GOOD),
    ("../../etc/passwd", POOR), ("a/%2e%2e/b", POOR), ("https://evil.example.com/x/", POOR),
    ("//evil.example.com/", POOR), ("javascript:alert(1)", POOR), ("a\\b", POOR)])
def test_canonical_override_is_refused_outside_the_site(tmp_path, canonical, expected):
    site, uri = one_page(tmp_path, "fr", canonical=canonical)
    assert score(site, "SE103", uri).score == expected


def test_translations_must_point_to_pages(tmp_path):
    site = make_site(tmp_path, {
        "fr/page.md": ({"lang": "fr", "translations": {"en": "en/page.md"}}, "# Page\n"),
        "en/page.md": ({"lang": "en", "translations": {"fr": "fr/page.md", "de": "de/page.md"}}, "# Page\n"),
        "en/bad.md": ({"lang": "en", "translations": {"not a code": "fr/page.md"}}, "# Page\n")})
    assert score(site, "SE104", "fr/page.md").score == GOOD
    missing = score(site, "SE104", "en/page.md")
    assert missing.score == POOR and "de/page.md" in missing.sentence
    assert score(site, "SE104", "en/bad.md").score == POOR


def test_assessments_are_findings_of_check_and_the_gate(tmp_path):
    """Registered with the compliance engine: a poor score is a finding, a good one is not."""
    from carepress.compliance.engine import check_all

    site, uri = one_page(tmp_path, "fr", body="# Bien manger\n\nQuelques idées.\n")
    codes = {finding.code for finding in check_all(site)}
    assert {"SE200", "SE201", "SE303"} <= codes
    assert "SE301" not in codes and "SE202" not in codes


def test_keyword_that_is_not_text_is_a_finding(tmp_path):
    site = make_site(tmp_path, {"a.md": ({"keywords": {"primary": 42}}, "# A\n")})
    assert list(site.unreadable) == ["a.md"]
    assert any(f.code == "CP106" and "keywords.primary" in f.message for f in site.load_findings)


def test_home_page_is_neither_an_orphan_nor_judged_on_its_url(tmp_path):
    site = make_site(tmp_path, {"index.md": ({"keywords": {"primary": "informations santé diabète asthme"}}, "# Accueil\n")})
    assert score(site, "SE202", "index.md") is None and score(site, "SE304", "index.md") is None


def test_a_site_home_moved_by_the_home_option_is_not_an_orphan_on_that_site(tmp_path):
    site = make_site(tmp_path, {"pro/index.md": ({"audience": "hcp", "persona": ["hcp-medecin-generaliste"],
                                                  "keywords": {"primary": "espace professionnels diabète asthme"}}, "# Pro\n")})
    assert score(site, "SE304", "pro/index.md", SiteAudience.HCP).score == POOR  # no `home` option: linked from nowhere
    site.project.homes = {"hcp": "pro/index.md"}  # site_config/hcp.yml: `home: pro/index.md`
    site.replace_article(site.articles["pro/index.md"], [])  # facts computed before are stale
    assert score(site, "SE304", "pro/index.md", SiteAudience.HCP) is None


@settings(max_examples=300, deadline=None)
@given(sets=st.lists(st.frozensets(st.sampled_from("abcdefgh"), min_size=1, max_size=7), min_size=2, max_size=12),
       threshold=st.sampled_from([0.5, 0.6, 0.8, 1.0]))
def test_near_duplicate_search_finds_what_comparing_every_pair_finds(sets, threshold):
    # The index prunes comparisons by prefix, size and position: it must never prune a real match.
    pages = {f"p{n:02d}.md": SimpleNamespace(article=SimpleNamespace(src_uri=f"p{n:02d}.md"), keyword_set_stems=stems)
             for n, stems in enumerate(sets)}
    index = AudienceIndex(pages)
    index.order_stems()
    for uri, page in pages.items():
        expected = min((other for other, candidate in pages.items() if other != uri and
                        len(page.keyword_set_stems & candidate.keyword_set_stems)
                        >= threshold * len(page.keyword_set_stems | candidate.keyword_set_stems)), default=None)
        found = index.near_duplicate(page, threshold)
        assert (found.article.src_uri if found else None) == expected
    stranger = SimpleNamespace(article=SimpleNamespace(src_uri="elsewhere.md"), keyword_set_stems=sets[0] | {"z"})
    expected = min((other for other, candidate in pages.items() if len(stranger.keyword_set_stems & candidate.keyword_set_stems)
                    >= threshold * len(stranger.keyword_set_stems | candidate.keyword_set_stems)), default=None)
    found = index.near_duplicate(stranger, threshold)  # a page of no site of the index: its stem "z" is in no page
    assert (found.article.src_uri if found else None) == expected
