"""`carepress new`: templates valid against the schema, French slugs, no overwrite, errors write nothing."""

import itertools

import pytest

from carepress.authoring.scaffold import Request, ScaffoldError, prepare, template_names
from carepress.authoring.slug import slugify
from carepress.model.loader import parse_article
from carepress.model.registries import load_registries
from carepress.model.schema import ContentType, FunnelStage, Status
from tests.conftest import REPO


@pytest.mark.parametrize("title, slug", [
    ("Diabète de type 2 : que manger au quotidien ?", "diabete-de-type-2-que-manger-au-quotidien"),
    ("L'asthme de l’enfant", "l-asthme-de-l-enfant"),
    ("« Bien vivre » avec l'œdème", "bien-vivre-avec-l-oedeme"),
    ("Cœur, ŒIL et æquo", "coeur-oeil-et-aequo"),
    ("Hypoglycémie : êtes-vous prêt·e ?", "hypoglycemie-etes-vous-pret-e"),
    ("  Crise d'asthme — que faire ?  ", "crise-d-asthme-que-faire"),
    ("Noël à l'hôpital", "noel-a-l-hopital"),
])
def test_slug_rules_for_french_titles(title, slug):
    assert slugify(title) == slug


def test_long_titles_are_cut_on_a_word():
    slug = slugify("Diabète " * 30)
    assert len(slug) <= 80 and slug.endswith("diabete") and "--" not in slug


REGISTRIES = load_registries(REPO / "site_config", REPO)


@pytest.mark.parametrize("persona, stage, content_type", list(itertools.product(
    sorted(REGISTRIES.personas), list(FunnelStage), list(ContentType))))
def test_every_template_gives_valid_front_matter(tmp_path, persona, stage, content_type):
    products = ("glucorex",) if content_type.is_product else ()
    draft = prepare(Request("Asthme : l'œil du pneumologue", (persona,), stage.value, "asthme", content_type.value,
                            products=products), tmp_path, REGISTRIES.personas, REGISTRIES.products)
    loaded = parse_article(draft.text.encode(), "asthme/x.md", "content/asthme/x.md")
    assert loaded.findings == [] and loaded.article is not None
    meta = loaded.article.meta
    assert meta.title == "Asthme : l'œil du pneumologue"
    assert meta.persona == [persona] and meta.funnel_stage is stage and meta.content_type is content_type
    assert meta.audience is REGISTRIES.personas[persona].audience
    assert meta.validation.status is Status.DRAFT and meta.products == list(products)
    assert draft.path == tmp_path / "asthme" / "asthme-l-oeil-du-pneumologue.md"
    assert draft.text.endswith("\n") and "# Asthme : l'œil du pneumologue\n" in draft.text


def test_the_template_depends_on_type_and_stage(tmp_path):
    def body(stage, content_type=None):
        return prepare(Request("Titre", ("patient-asthme",), stage, "asthme", content_type), tmp_path,
                       REGISTRIES.personas, REGISTRIES.products).text
    assert 'data-cp-event="download-guide"' in body("conversion")
    assert "Les questions à poser" in body("fermeture")
    assert "Au quotidien" in body("delight")
    assert "Pharmacovigilance" in body("close", "product_otc")
    assert template_names(ContentType.PRODUCT_RX, FunnelStage.CLOSE)[0] == "product_rx-close.md.j2"


def test_hcp_persona_defaults_to_medical_scientific_and_audience_can_be_forced(tmp_path):
    hcp = prepare(Request("Titre", ("hcp-medecin-generaliste",), "attract", "asthme"), tmp_path,
                  REGISTRIES.personas, REGISTRIES.products)
    assert "content_type: medical_scientific" in hcp.text and "audience: hcp" in hcp.text
    forced = prepare(Request("Titre", ("patient-asthme",), "attract", "asthme", audience="all"), tmp_path,
                     REGISTRIES.personas, REGISTRIES.products)
    assert "audience: all" in forced.text
    both = prepare(Request("Titre", ("patient-asthme", "hcp-pneumologue"), "attract", "asthme", audience="all"), tmp_path,
                   REGISTRIES.personas, REGISTRIES.products)
    assert "audience: all" in both.text


@pytest.mark.parametrize("request_, message", [
    (Request("Titre", ("inconnu",), "attract", "asthme"), "unknown persona `inconnu`"),
    (Request("Titre", ("patient-asthme",), "plus-tard", "asthme"), "unknown funnel stage `plus-tard`"),
    (Request("« … » ?!", ("patient-asthme",), "attract", "asthme"), "empty file name"),
    (Request("Titre", ("patient-asthme",), "attract", "«»"), "empty folder name"),
    (Request("Titre", ("patient-asthme",), "attract", "asthme", products=("aucun",)), "unknown product `aucun`"),
    (Request("Titre", ("patient-asthme", "hcp-medecin-generaliste"), "attract", "asthme"), "--audience"),
    (Request("Titre", ("hcp-pneumologue",), "attract", "asthme", audience="patient"), "`hcp` persona .*CP116"),
    (Request("Titre", ("patient-asthme",), "attract", "asthme", audience="hcp"), "`patient` persona .*CP116"),
    (Request("Asthme caf\udce9", ("patient-asthme",), "attract", "asthme"), "undecodable byte"),  # not UTF-8 in the shell
    (Request("Asthme \x7f ok", ("patient-asthme",), "attract", "asthme"), "control character"),
])
def test_bad_requests_are_refused(tmp_path, request_, message):
    with pytest.raises(ScaffoldError, match=message):
        prepare(request_, tmp_path, REGISTRIES.personas, REGISTRIES.products)


def test_new_writes_a_draft_that_check_reports_as_draft(hub):
    result = hub.carepress("new", "--persona", "aidant-dt2", "--stage", "fermeture", "--topic", "diabete-type-2",
                           "Préparer la consultation d'un proche")
    assert result.returncode == 0, result.stderr
    path = hub.content / "diabete-type-2" / "preparer-la-consultation-d-un-proche.md"
    assert path.is_file() and "audience: caregiver" in path.read_text(encoding="utf-8")
    checked = hub.carepress("check", str(path.relative_to(hub.root)))
    assert checked.returncode == 1 and checked.stdout.count(" CP") == 1 and " CP200 " in checked.stdout


def test_new_never_overwrites(hub):
    path = hub.write("asthme/mon-article.md", "le texte de l'éditeur\n")
    result = hub.carepress("new", "-p", "patient-asthme", "-s", "attract", "-t", "asthme", "Mon article")
    assert result.returncode == 2 and "already exists" in result.stderr
    assert path.read_text(encoding="utf-8") == "le texte de l'éditeur\n"


@pytest.mark.parametrize("args, message", [
    (["-p", "inconnu", "-s", "attract", "-t", "asthme", "Titre"], "unknown persona"),
    (["-p", "patient-asthme", "-s", "jamais", "-t", "asthme", "Titre"], "unknown funnel stage"),
    (["-p", "patient-asthme", "-s", "attract", "-t", "asthme", "?!"], "empty file name"),
    (["-p", "patient-asthme", "-s", "attract", "-t", "un-fichier", "Titre"], "is no folder"),  # content/un-fichier is a file
    (["-p", "patient-asthme", "-s", "attract", "-t", "asthme\udce9", "Titre"], "undecodable byte"),
])
def test_errors_write_nothing(hub, args, message):
    hub.write("un-fichier", "le texte de l'éditeur\n")
    before = sorted(p for p in hub.root.rglob("*"))
    result = hub.carepress("new", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert sorted(p for p in hub.root.rglob("*")) == before


@pytest.mark.parametrize("topic", ["2026", "yes", "null", "2026-01-01", "1e3"])
def test_a_topic_that_yaml_reads_as_another_type_stays_text(tmp_path, topic):
    draft = prepare(Request("Titre", ("patient-asthme",), "attract", topic), tmp_path, REGISTRIES.personas,
                    REGISTRIES.products)
    loaded = parse_article(draft.text.encode(), f"{topic}/titre.md", f"content/{topic}/titre.md")
    assert loaded.findings == [] and loaded.article.meta.topic == topic


def test_new_refuses_a_topic_folder_that_links_out_of_the_content_folder(hub, tmp_path):
    import os

    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    os.symlink(elsewhere, hub.content / "lien")
    result = hub.carepress("new", "-p", "patient-asthme", "-s", "attract", "-t", "lien", "Titre")
    assert result.returncode == 2 and "link out of the content folder" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    from carepress.authoring import scaffold

    draft = prepare(Request("Titre", ("patient-asthme",), "attract", "asthme"), tmp_path, REGISTRIES.personas,
                    REGISTRIES.products)

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError("No space left on device")

    real_open = type(draft.path).open
    monkeypatch.setattr(type(draft.path), "open", lambda path, *a, **k: FullDisk(real_open(path, *a, **k)))
    with pytest.raises(OSError):
        scaffold.write(draft)
    assert not draft.path.exists()
