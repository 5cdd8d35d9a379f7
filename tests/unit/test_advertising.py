"""CP3xx, CP4xx, CP5xx and registry rules: a failing and a passing fixture for each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carepress.compliance.lexicon import (SHORT_TEXT, _WORD, PhraseMatcher, _fold_char, _singular, _vocabulary,
                                         _vocabulary_of_long_text, fold, load_lexicons)
from carepress.model.registries import ConfigurationError
from tests.conftest import REPO, front_matter
from tests.unit.helpers import codes, findings_of

HCP = {"audience": "hcp", "persona": ["hcp-medecin-generaliste"]}
VISA_PM = {"type": "PM", "number": "PM-2026-0001", "date": "2026-09-01"}


def _lexicons():
    return load_lexicons(REPO / "site_config", {})


def _page_codes(hub, rel, audience=None):
    return {f.code for f in findings_of(hub, audience) if f.path.endswith(rel) and not f.code.startswith("SE")}


# --- matching ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["la METFORMINE", "Metformine®", "les métformines", "du Doliprane", "paracetamol",
                                  "acide acétylsalicylique", "Ventoline", "Ven\u200btoline", "Ѕаlbutamol"])
def test_medicine_names_match_across_case_accents_plural_and_look_alikes(text):
    assert _lexicons().find_medicines(text), text


@pytest.mark.parametrize("text", ["l'insuline est une hormone", "un inhalateur de secours", "la glycémie du matin",
                                  "une formation de pharmacien", "des dolines calcaires", "un champi à la poêle",
                                  "ils se concerta", "une batterie au lithium"])
def test_neutral_words_are_not_medicines(text):
    assert _lexicons().find_medicines(text) == []


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from("aé1_ -'’°—.\u00a0\u0301\t\n\x1c«»"), st.characters()), max_size=60))
def test_the_fast_vocabulary_has_the_words_the_regex_finds(text):
    assert _vocabulary_of_long_text(text) == frozenset(_WORD.findall(text))  # the way of long texts, on any text
    assert _vocabulary((text + " ") * (SHORT_TEXT // (len(text) + 1) + 1)) == frozenset(_WORD.findall(text))


def test_a_text_is_matched_against_its_own_words_not_the_whole_lexicon():
    """A short text (a title, a keyword) is matched in time that does not grow with the lexicon's size."""
    class CountedKeys(dict):
        looked_at = 0

        def __iter__(self):
            CountedKeys.looked_at += len(self)
            return super().__iter__()

    matcher = PhraseMatcher(_singular)
    for number in range(5000):
        matcher.add(f"medicament{number}", f"m{number}", f"m{number}")
    matcher.phrases = CountedKeys(matcher.phrases)
    folded = fold("Le medicament42 et la medicament4242 ce matin")[0]
    assert [entry for _, _, entry, _ in matcher.find(folded, _vocabulary(folded))] == ["m42", "m4242"]
    assert CountedKeys.looked_at == 0


def test_words_met_before_a_phrase_was_added_still_match():
    matcher = PhraseMatcher(_singular)
    matcher.add("glucorex", "glucorex", "Glucorex")
    text = fold("Les doses de Respiral et de Glucorex ce matin")[0]
    assert [entry for _, _, entry, _ in matcher.find(text, _vocabulary(text))] == ["glucorex"]
    matcher.add("respiral", "respiral", "Respiral")  # "respiral" was met above, when no phrase had it
    assert [entry for _, _, entry, _ in matcher.find(text, _vocabulary(text))] == ["respiral", "glucorex"]


def test_the_text_that_fills_the_matchers_memory_keeps_the_words_met_before(monkeypatch):
    """Past its bound the matcher forgets the words it met: the text that crosses it is sorted anew, whole."""
    monkeypatch.setattr("carepress.compliance.lexicon._KeyMemo.LIMIT", 4)
    matcher = PhraseMatcher(_singular)
    matcher.add("glucorex", "glucorex", "Glucorex")
    for text in ["un deux trois quatre glucorex", "glucorex cinq", "six sept huit neuf dix glucorex onze", "glucorex"]:
        assert [entry for _, _, entry, _ in matcher.find(text, _vocabulary(text))] == ["glucorex"], text
    assert len(matcher.words_seen) <= 4 + 7


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from("aÉé\u0301ﬁßİ—’\u200b\U0001f600о"), st.characters()), max_size=40))
def test_folding_a_text_folds_each_of_its_characters(text):
    folded, offsets = fold(text)  # lone surrogates (in file names, say) included
    assert folded == "".join(map(_fold_char, text))
    if offsets is not None:
        assert len(offsets) == len(folded) and [text[i] for i in offsets] == [c for c in text for _ in _fold_char(c)]


def test_confusables_fold_to_latin_skeletons_with_original_offsets():
    assert fold("Le Gluc\u043erex") == ("le glucorex", None)  # Cyrillic о; one character for one
    folded, offsets = fold("Glu\u200bcоrex")  # a zero-width space and a Cyrillic о
    assert folded == "glucorex" and offsets == [0, 1, 2, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("text", ["un traitement miraculeux", "des résultats miraculeuses", "une molécule révolutionnaire",
                                  "Révolutionnaires !", "il guérit le diabète", "sans effets secondaires",
                                  "100 % efficace", "la plus efficace", "Demandez à votre médecin de vous le prescrire",
                                  "offre limitée", "no side effects", "a breakthrough", "Ask your doctor if Respiflo is right for you"])
def test_claims_match_across_word_forms(text):
    assert _lexicons().find_claims(text), text


@pytest.mark.parametrize("text", ["Parlez-en avec votre médecin.", "appelez le 15 sans attendre",
                                  "la promotion de la santé", "un dépistage gratuit", "ask your doctor about exercise",
                                  "les traitements efficaces existent", "une guerre des prix",
                                  "le diabète de type 2 ne se guérit pas", "un suivi exigeant", "il ne sort guère",
                                  "une répartition inégale"])
def test_neutral_sentences_are_not_claims(text):
    assert _lexicons().find_claims(text) == [], text


PIECES = ["guérir le diabète", "la plus efficace", "85 % d'efficacité", "Demandez à votre médecin de vous le prescrire",
          "ask your doctor if Respiflo is right for you", "miracle", "Metformine", "Ven\u200btoline", "Ѕаlbutamol",
          "le diabète", "de type 2", "efficace", "votre médecin", "ask your doctor", "repère n° 12", "guérir", "plus",
          " ", "\n", " : ", ", ", "-", "’", "«", "\u00a0"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), min_size=1, max_size=6))
def test_texts_matched_joined_give_what_each_gives_alone(texts):
    """A page's short texts are matched joined first (`medicines_in`, `claims_in`), and one by one only when the
    joined text may match: no claim or medicine of one text is missed (`le plus` ending one text, `efficace`
    starting the next, may only send them to the one-by-one reading)."""
    lexicons = _lexicons()
    assert lexicons.medicines_in(tuple(texts)) == [lexicons.find_medicines(text) for text in texts]
    assert lexicons.claims_in(tuple(texts)) == [lexicons.find_claims(text) for text in texts]


def test_a_lexicon_pattern_anchored_to_its_text_is_found_in_every_text(hub):
    """`^` and lookarounds read beyond the match: such a lexicon's claims are looked for one text at a time."""
    lexicon = hub.root / "site_config" / "lexicons" / "claims.fr.yml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "  - id: en-tete\n    pattern: '^(?<!x)offre'\n"
                       "    message: offer\n", encoding="utf-8")
    lexicons = load_lexicons(hub.root / "site_config", {})
    assert not lexicons.patterns_read_joined
    assert [bool(found) for found in lexicons.claims_in(("Un titre", "offre du jour"))] == [False, True]
    assert _lexicons().patterns_read_joined  # the demo's patterns do not: its pages' texts are read joined
    hub.article("patient/offre.md", description="Offre du jour : des repères simples pour bouger au quotidien.")
    assert "CP302" in _page_codes(hub, "patient/offre.md")


@pytest.mark.parametrize("pattern", [r"efficace\s*+\b", r"(?>efficace\s*)\b", r"\Aefficace"])
def test_a_pattern_that_does_not_give_back_what_it_took_keeps_the_one_by_one_reading(hub, pattern):
    r"""`efficace\s*+\b` matches "le plus efficace" alone; followed by the next text, its possessive `\s*+` takes the
    line break and the space, and no `\b` follows."""
    lexicon = hub.root / "site_config" / "lexicons" / "claims.fr.yml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + f"  - id: retenue\n    pattern: '{pattern}'\n"
                       "    message: held\n", encoding="utf-8")
    lexicons = load_lexicons(hub.root / "site_config", {})
    assert not lexicons.patterns_read_joined
    found = lexicons.claims_in(("efficace", " « guérir »"))
    assert any(match.entry == "retenue" for match in found[0])


def test_a_patterns_escapes_keep_their_case_when_it_is_folded(hub):
    r"""Patterns are folded like the texts they read (lower case, no accents), their escapes as written: `\W` stays
    "not a letter" (folded, it was `\w`, "a letter")."""
    lexicon = hub.root / "site_config" / "lexicons" / "claims.fr.yml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "  - id: offre\n    pattern: '\\bOFFRE\\W+LIMITÉE\\b'\n"
                       "    message: offer\n", encoding="utf-8")
    lexicons = load_lexicons(hub.root / "site_config", {})
    assert [match.entry for match in lexicons.find_claims("Une offre, limitée !") if match.entry == "offre"] == ["offre"]
    assert not [match for match in lexicons.find_claims("offrelimitee") if match.entry == "offre"]


def test_a_broken_lexicon_pattern_is_one_line_naming_file_and_entry(hub):
    lexicon = hub.root / "site_config" / "lexicons" / "claims.fr.yml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "  - id: casse\n    pattern: '(ouvert'\n    message: x\n",
                       encoding="utf-8")
    result = hub.carepress("check")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "claims.fr.yml" in result.stderr and "`casse`" in result.stderr and "invalid pattern" in result.stderr
    with pytest.raises(ConfigurationError):
        load_lexicons(hub.root / "site_config", {})


# --- CP300 prescription-only product on the patient site ---------------------------------------

def test_cp300_rx_product_page_is_refused_on_the_patient_site_only(hub):
    hub.article("patient/glucorex.md", content_type="product_otc", products=["glucorex"],
                visa={"type": "GP", "number": "GP-1", "date": "2026-09-01"})
    hub.article("pro/glucorex.md", content_type="product_rx", products=["glucorex"], visa=VISA_PM, **HCP)
    assert "CP300" in _page_codes(hub, "patient/glucorex.md", "patient")
    assert "CP300" not in _page_codes(hub, "pro/glucorex.md", "hcp")
    assert _page_codes(hub, "pro/glucorex.md", "hcp") == set()


# --- CP301 medicine named on a disease-awareness page -----------------------------------------

@pytest.mark.parametrize("body", [
    "# Bouger\n\nLa metformine aide.\n",
    "# Bouger\n\n![Boîte de Glucоrex](boite.png)\n",  # Cyrillic о in the alt text
    "# Bouger\n\nVoir [le site du laboratoire](https://www.glucorex.example/).\n",
    "# Bouger\n\n## Et le Doliprane ?\n\nTexte.\n",
])
def test_cp301_disease_awareness_page_naming_a_medicine_fails(hub, body):
    hub.article("patient/page.md", body=body)
    assert "CP301" in _page_codes(hub, "patient/page.md")


def test_cp300_points_at_the_line_that_names_the_product(hub):
    hub.article("patient/page.md", content_type="corporate", body="# Entreprise\n\nNotre gamme.\n\nLe Respiflo soulage.\n")
    found = [f for f in findings_of(hub, "patient") if f.code == "CP300"]
    text = (hub.content / "patient" / "page.md").read_text(encoding="utf-8").split("\n")
    assert len(found) == 1 and "Respiflo" in text[found[0].line - 1]


def test_cp301_title_and_description_count(hub):
    hub.article("patient/page.md", title="Diabète et Respiflo")
    assert "CP301" in _page_codes(hub, "patient/page.md")


@pytest.mark.parametrize("rel, fields, body", [
    ("patient/page.md", {"nav_title": "Metformine : repères"}, None),  # in every page's menu
    ("patient/page.md", {"subtitle": "Avec le Glucophage"}, None),
    ("patient/page.md", {"tags": ["glycémie", "Doliprane"]}, None),
    ("glucophage/reperes.md", {}, None),  # the folder: a menu section and the page's address
    ("patient/page.md", {}, "# Bouger\n\nLa Metf&#111;rmine aide.\n"),  # an entity inside the word
    ("patient/page.md", {}, "# Bouger\n\nLa Metfor*mine* aide.\n"),  # emphasis inside the word
    ("patient/page.md", {}, "# Bouger\n\nLe Gluco**phage**, et la Metfor<span></span>mine.\n"),
])
def test_cp301_what_the_reader_sees_counts_wherever_it_is_written(hub, rel, fields, body):
    hub.article(rel, body=body, **fields)
    assert "CP301" in _page_codes(hub, rel)


def test_cp301_fields_readers_do_not_see_are_not_read(hub):
    hub.article("patient/page.md", template="main.html", icon="ventoline", notes_internes="Doliprane ?")
    assert "CP301" not in _page_codes(hub, "patient/page.md")


def test_cp302_a_claim_followed_by_an_entity_is_one_finding(hub):
    hub.article("patient/page.md", body="# Nouveau\n\nUn traitement miracle&nbsp;!\n")
    assert len([f for f in findings_of(hub, "patient") if f.code == "CP302"]) == 1


def test_cp302_a_claim_split_by_markup_or_an_entity_is_a_claim(hub):
    hub.article("patient/page.md", body="# Nouveau\n\nUn traitement mir&#97;cle, r*évolutionnaire*.\n")
    found = [f for f in findings_of(hub, "patient") if f.code == "CP302"]
    assert {f.line for f in found} == {found[0].line} and len(found) >= 2  # both, at their line
    text = (hub.content / "patient" / "page.md").read_text(encoding="utf-8").split("\n")
    assert "mir&#97;cle" in text[found[0].line - 1]


def test_cp301_neutral_disease_awareness_page_passes(hub):
    hub.article("patient/page.md", body="# Bouger\n\nMarcher chaque jour aide à équilibrer la glycémie.\n")
    assert _page_codes(hub, "patient/page.md") == set()


# --- CP302 promotional claims -------------------------------------------------------------------

def test_cp302_claims_are_errors_for_patients_and_warnings_for_hcps(hub):
    body = "# Nouveau\n\nUn traitement révolutionnaire.\n"
    hub.article("commun/page.md", body=body, audience="all", persona=["patient-dt2-recent"])
    severities = {f.audience: f.severity.value for f in findings_of(hub) if f.code == "CP302"}
    assert severities == {"patient": "error", "hcp": "warning"}


def test_cp302_can_be_waived_with_a_reason(hub):
    hub.article("patient/page.md", body="# T\n\nUn effet « miracle » ? Non : c'est une idée reçue.\n",
                compliance={"waive": {"CP302": "cite une idée reçue pour la réfuter"}})
    found = [f for f in findings_of(hub) if f.code == "CP302"]
    assert found and all(f.waived == "cite une idée reçue pour la réfuter" for f in found)
    assert not any(f.blocks_publication for f in findings_of(hub, "patient") if f.path.endswith("page.md"))


# --- CP303 visa ---------------------------------------------------------------------------------

def test_cp303_promotional_pages_need_the_right_visa(hub):
    hub.article("pro/sans-visa.md", content_type="product_rx", products=["glucorex"], **HCP)
    hub.article("pro/visa-gp.md", content_type="product_rx", products=["glucorex"], **HCP,
                visa={"type": "GP", "number": "GP-1", "date": "2026-09-01"})
    hub.article("pro/visa-pm.md", content_type="product_rx", products=["glucorex"], visa=VISA_PM, **HCP)
    assert "CP303" in _page_codes(hub, "pro/sans-visa.md", "hcp")
    assert "CP303" in _page_codes(hub, "pro/visa-gp.md", "hcp")
    assert "CP303" not in _page_codes(hub, "pro/visa-pm.md", "hcp")


# --- CP304 suspended product ---------------------------------------------------------------------

def test_cp304_suspended_product_blocks_every_page(hub):
    registry = hub.root / "site_config" / "products.yml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        "  - id: respiflo\n", "  - id: respiflo\n    advertising_suspended: true\n"), encoding="utf-8")
    hub.article("pro/respiflo.md", content_type="product_rx", products=["respiflo"], visa=VISA_PM, **HCP)
    hub.article("pro/glucorex.md", content_type="product_rx", products=["glucorex"], visa=VISA_PM, **HCP)
    assert "CP304" in _page_codes(hub, "pro/respiflo.md", "hcp")
    assert "CP304" not in _page_codes(hub, "pro/glucorex.md", "hcp")


# --- CP305 target keywords ----------------------------------------------------------------------

@pytest.mark.parametrize("keyword, fails", [("guérir le diabète", True), ("traitement miracle", True),
                                            ("activité physique diabète type 2", False)])
def test_cp305_target_keywords(hub, keyword, fails):
    hub.article("patient/page.md", keywords={"primary": "diabète au quotidien", "secondary": [keyword]})
    assert ("CP305" in _page_codes(hub, "patient/page.md")) is fails


# --- CP120 registry contradictions ---------------------------------------------------------------

def test_cp120_rx_product_with_a_public_visa_is_a_finding(hub):
    registry = hub.root / "site_config" / "products.yml"
    registry.write_text(
        "products:\n  - id: glucorex\n    brands: [Glucorex]\n    rx: true\n    reimbursed: true\n"
        "    visas: [{type: GP, number: GP-9, date: 2026-01-01}]\n    smpc_url: https://example.org/rcp\n"
        "    pharmacovigilance: pv@example.org\n", encoding="utf-8")
    found = [f for f in findings_of(hub) if f.code == "CP120"]
    assert len(found) == 1 and "`rx: true`, `reimbursed: true` contradicts" in found[0].message and found[0].line == 2


def test_cp120_the_repository_registry_is_consistent(hub):
    assert "CP120" not in codes(findings_of(hub))


# --- CP400 / CP401 links ------------------------------------------------------------------------

def test_cp400_patient_page_linking_to_hcp_only_page(hub):
    hub.article("pro/reco.md", content_type="medical_scientific", references=["HAS 2024"], **HCP)
    hub.article("patient/lien.md", body="# Lien\n\nVoir [les recommandations](../pro/reco.md).\n")
    hub.article("patient/neutre.md")
    assert "CP400" in _page_codes(hub, "patient/lien.md", "patient")
    assert "CP400" not in _page_codes(hub, "patient/neutre.md", "patient")


@pytest.mark.parametrize("link", ["[les recommandations](../pro/reco.md)", "[reco][r]\n\n[r]: ../pro/reco.md",
                                  "> - [r]: ../pro/reco.md\n\n[reco][r]", '<a HREF="../pro/reco.md">reco</a>',
                                  "<a href=../pro/reco.md>reco</a>", "<a href = '../../pro/reco/'>reco</a>"])
def test_cp400_finds_every_form_of_link(hub, link):
    # Each form is searched only when the text it needs (`](`, `]:`, `=`) is on the page.
    hub.article("pro/reco.md", content_type="medical_scientific", references=["HAS 2024"], **HCP)
    hub.article("patient/lien.md", body=f"# Lien\n\nVoir la suite.\n\n{link}\n")
    assert "CP400" in _page_codes(hub, "patient/lien.md", "patient")


@pytest.mark.parametrize("link", [
    "[les recommandations](https://pro.example.org/pro/reco/)", "[reco][r]\n\n[r]: <http://pro.example.org/pro/reco/>",
    '<a href="https://WWW.pro.example.org/pro/reco/?utm=x#doses">reco</a>', "[reco](//pro.example.org/pro/reco.html)",
    "[reco](https://pro.example.org/pro/reco/index.html)", "[reco](https://pro.example.org:8443/pro/reco#doses)",
    "[reco](https://pro.example.org/../pro/./reco/)"])
def test_cp400_finds_a_link_to_an_hcp_only_page_by_its_address_on_the_hcp_site(hub, link):
    # site_config/hcp.yml: `site_url: https://pro.example.org/`, read by the patient site's judgement too
    hub.article("pro/reco.md", content_type="medical_scientific", references=["HAS 2024"], **HCP)
    hub.article("patient/lien.md", body=f"# Lien\n\nVoir la suite.\n\n{link}\n")
    found = [f for f in findings_of(hub, "patient") if f.code == "CP400"]
    assert len(found) == 1 and found[0].path.endswith("patient/lien.md")
    lines = (hub.content / "patient" / "lien.md").read_text(encoding="utf-8").split("\n")
    assert "pro.example.org" in lines[found[0].line - 1].lower()  # the line that holds the address
    assert "the HCP site's page pro/reco.md" in found[0].message and "https://pro.example.org/" in found[0].message
    assert "CP400" in _page_codes(hub, "patient/lien.md")  # `carepress check` judges the patient site the same way


@pytest.mark.parametrize("link", [
    "https://pro.example.org/pro/commun/",  # a page for everyone: the patient site has it too
    "https://pro.example.org/", "https://www.pro.example.org", "https://pro.example.org/index.html",  # the portal's entry
    "https://pro.example.org/professionnels/",  # the HCP home page (`home: professionnels/index.md`), at its own path
    "https://pro.example.org/pro/absente/", "https://pro.example.org/pro/fiche.pdf", "https://pro.example.org/login",
    "https://patients.example.org/pro/reco-ailleurs/", "ftp://pro.example.org/pro/reco/",  # another site, not the web
    "https://example.org/pro/reco/"])
def test_cp400_leaves_other_addresses_on_the_hcp_site_alone(hub, link):
    hub.article("pro/reco.md", content_type="medical_scientific", references=["HAS 2024"], **HCP)
    hub.article("professionnels/index.md", content_type="corporate", persona=["hcp-medecin-generaliste"], audience="hcp")
    hub.article("pro/commun.md", audience="all", persona=[], content_type="corporate")
    hub.article("patient/lien.md", body=f"# Lien\n\n[la suite]({link})\n")
    assert "CP400" not in _page_codes(hub, "patient/lien.md", "patient")


def test_cp400_leaves_the_hcp_sites_own_address_alone_whichever_page_it_shows(hub):
    config = hub.root / "site_config" / "hcp.yml"  # no `home`: the HCP site's home is an HCP-only index.md
    config.write_text("".join(line for line in config.read_text(encoding="utf-8").splitlines(keepends=True)
                              if not line.strip().startswith("home:")), encoding="utf-8")
    hub.article("index.md", title="Accueil professionnels", persona=["hcp-medecin-generaliste"], content_type="corporate",
                audience="hcp")
    hub.article("patient/lien.md", body="# Lien\n\n[Espace pro](https://pro.example.org/) "
                                        "[Accueil pro](https://pro.example.org/index.html)\n")
    assert "CP400" not in _page_codes(hub, "patient/lien.md", "patient")


def test_cp400_reads_the_hcp_site_at_a_path_of_its_host(hub):
    config = hub.root / "site_config" / "hcp.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_url: https://pro.example.org/",
                                                                 "site_url: https://example.org/espace-pro"), encoding="utf-8")
    hub.article("pro/reco.md", content_type="medical_scientific", references=["HAS 2024"], **HCP)
    hub.article("patient/lien.md", body="# Lien\n\n[reco](https://example.org/espace-pro/pro/reco/)\n")
    hub.article("patient/ailleurs.md", body="# Ailleurs\n\n[reco](https://example.org/pro/reco/) "
                                           "[reco](https://example.org/espace-pro/../pro/reco/)\n")
    assert "CP400" in _page_codes(hub, "patient/lien.md", "patient")
    assert "CP400" not in _page_codes(hub, "patient/ailleurs.md", "patient")


@pytest.mark.parametrize("value", ["pro.example.org", "ftp://pro.example.org/", "https://[pro/", "[https://x/]"])
def test_a_malformed_hcp_site_url_is_a_configuration_error(hub, value):
    config = hub.root / "site_config" / "hcp.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("https://pro.example.org/", value), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"hcp\.yml: site_url .* is not a web address"):
        findings_of(hub, "patient")


@pytest.mark.parametrize("link", ["[le serveur](http://[::1/)", "[x](http://exemple]org/)", '<a href="http://[fe80::1">x</a>',
                                  "[réf][s]\n\n[s]: http://[::1/", "[x](https://exa\u2100mple.org/)"])
def test_cp115_a_link_that_is_no_address_is_an_error_at_its_line(hub, link):
    hub.article("patient/lien.md", body=f"# Lien\n\nTexte.\n\n{link}\n")
    found = [f for f in findings_of(hub, "patient") if f.code == "CP115"]
    assert len(found) == 1 and found[0].severity.value == "error" and found[0].blocks_publication
    lines = (hub.content / "patient" / "lien.md").read_text(encoding="utf-8").split("\n")
    assert lines[found[0].line - 1].startswith(link.split("\n")[-1][:3])  # the line that holds the target


def test_cp115_leaves_ipv6_addresses_and_ordinary_links_alone(hub):
    hub.article("patient/lien.md", body="# Lien\n\n[local](http://[::1]:8000/) [page](autre.md) [ancre](#a)\n")
    assert "CP115" not in _page_codes(hub, "patient/lien.md", "patient")


@pytest.mark.parametrize("audience, personas, expected", [
    ("patient", ["patient-asthme", "hcp-pneumologue"], ["hcp-pneumologue"]),  # an HCP reader on the patient site
    ("hcp", ["hcp-pneumologue", "aidant-asthme-parent"], ["aidant-asthme-parent"]),
    ("caregiver", ["aidant-asthme-parent", "patient-asthme"], []),  # both read the patient site
    ("all", ["patient-asthme", "hcp-pneumologue"], []),  # on both sites
])
def test_cp116_a_persona_must_read_a_site_the_page_is_on(hub, audience, personas, expected):
    extra = {"content_type": "medical_scientific", "references": ["HAS 2024"]} if audience == "hcp" else {}
    path = hub.article("asthme/page.md", audience=audience, persona=personas, **extra)
    found = [f for f in findings_of(hub) if f.code == "CP116"]
    assert [f.message.split("`")[1] for f in found] == expected
    lines = path.read_text(encoding="utf-8").split("\n")
    for finding in found:
        assert finding.blocks_publication and lines[finding.line - 1].strip() == f"- {expected[0]}"


def test_cp401_link_to_an_unpublished_page_is_a_warning(hub):
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    hub.article("patient/lien.md", body="# Lien\n\nVoir [la suite](brouillon.md#partie).\n")
    found = [f for f in findings_of(hub, "patient") if f.code == "CP401"]
    assert len(found) == 1 and found[0].severity.value == "warning" and found[0].path.endswith("lien.md")


def test_cp401_a_link_by_the_site_s_own_address_to_an_unpublished_page_is_a_warning(hub):
    """mkdocs.yml's `site_url` (https://patients.example.org/), which the patient site's configuration INHERITs."""
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    hub.article("patient/ok.md", title="Diabète : publié")
    body = ("# Liens\n\nVoir [le brouillon](https://patients.example.org/patient/brouillon/#partie).\n\n"
            "Voir [la page publiée](https://www.patients.example.org/patient/ok/) et [le site](https://patients.example.org/).\n")
    path = hub.article("patient/liens.md", body=body)
    found = [f for f in findings_of(hub, "patient") if f.code == "CP401"]
    assert len(found) == 1 and found[0].severity.value == "warning" and found[0].path.endswith("liens.md")
    assert "https://patients.example.org/patient/brouillon/#partie" in found[0].message and "page not found" in found[0].message
    assert path.read_text(encoding="utf-8").split("\n")[found[0].line - 1].startswith("Voir [le brouillon]")


# --- CP502 / CP503 data for mandatory mentions ----------------------------------------------------

def test_cp502_medical_scientific_page_needs_references(hub):
    hub.article("pro/sans.md", content_type="medical_scientific", **HCP)
    hub.article("pro/avec.md", content_type="medical_scientific", references=["HAS 2024"], **HCP)
    assert "CP502" in _page_codes(hub, "pro/sans.md")
    assert "CP502" not in _page_codes(hub, "pro/avec.md")


def test_cp503_product_page_needs_its_product(hub):
    hub.article("pro/produit.md", content_type="product_rx", visa=VISA_PM, **HCP)
    assert "CP503" in _page_codes(hub, "pro/produit.md", "hcp")


# --- CP114 nesting bounds ------------------------------------------------------------------------

@pytest.mark.parametrize("body, deep", [
    (" " * 129 + "- trop loin\n\nTexte.\n", True),  # the first line after the blank one `hub.article` writes
    ("# Titre\n\nTexte.\n\n" + "\t" * 32 + " - trop loin\n", True),  # a later line, in tabs (4 columns each)
    ("# Titre\n\n" + " " * 2 + "\t" * 31 + " " * 3 + "- trop loin\n", True),  # mixed: 2 + 124 + 3 = 129 columns
    ("# Titre\n\n" + " " * 128 + "- à la limite\n", False),
    ("# Titre\n\nTexte " + " " * 200 + "avec des blancs au milieu.\n", False),  # not at the start of a line
])
def test_cp114_finds_deep_indentation_on_any_line(hub, body, deep):
    hub.article("patient/liste.md", body=body)
    assert ("CP114" in _page_codes(hub, "patient/liste.md", "patient")) is deep


def test_cp114_finds_deep_indentation_right_after_the_front_matter(hub):
    # The body's first line, with no blank line before it: no newline precedes its blanks.
    deep = " " * 129 + "- trop loin\n"
    hub.write("patient/liste.md", front_matter(deep) + deep)
    assert "CP114" in _page_codes(hub, "patient/liste.md", "patient")
