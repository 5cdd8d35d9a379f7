"""Real builds through the compliance gate: canaries, strict mode, mentions, manifests, HCP access."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import TODAY, empty_hub, front_matter

pytestmark = pytest.mark.build

HCP = {"audience": "hcp", "persona": ["hcp-medecin-generaliste"], "content_type": "medical_scientific",
       "references": ["HAS 2024"]}
EXPIRED = {"status": "approved", "code": "FR-OLD-1", "approved": "2025-01-01", "expires": "2026-01-01",
           "reviewers": {"medical": "a", "legal": "b", "regulatory": "c"}}
# Each page that must never reach the patient site, with a unique token in its title and body.
CANARIES = {
    "brouillon": ("patient/brouillon.md", {"validation": {"status": "draft"}}),
    "expiree": ("patient/expiree.md", {"validation": EXPIRED}),
    "modifiee": ("patient/modifiee.md", {"fingerprint": "stale"}),
    "pro": ("pro/reco.md", HCP),
    "promo": ("patient/promo.md", {"content_type": "product_otc", "products": ["glucorex"],
                                   "visa": {"type": "GP", "number": "GP-1", "date": "2026-09-01"}}),
    "reclame": ("patient/reclame.md", {"description": "Un traitement miracle pour tous."}),
}


def _token(name: str) -> str:
    return f"canari{name}qx"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate") / "hub"
    hub = empty_hub(root)
    hub.article("index.md", title="Accueil", audience="all", persona=[], content_type="corporate",
                body="# Accueil\n\nBienvenue.\n\n- [Lire la suite](patient/brouillon.md)\n- [Bouger](patient/ok.md)\n"
                     "- [Ancienne page][old]\n\n[old]: patient/expiree.md\n\n"
                     "[Le brouillon](patient/brouillon.md){ .md-button } et [la page](patient/ok.md){ .md-button }\n")
    hub.article("patient/ok.md", title="Bouger au quotidien", references=["HAS 2024"])
    hub.article("templates/modele.md", title="Modèle de fiche")  # MkDocs leaves templates/ out (exclude_docs)
    hub.article("patient/derogation.md", title="Idées reçues", body="# Idées reçues\n\nUn aliment « miracle » ? Non.\n",
                compliance={"waive": {"CP302": "cite une idée reçue pour la réfuter"}})
    for name, (rel, fields) in CANARIES.items():
        fields = dict(fields)
        hub.article(rel, body=f"# Page {_token(name)}\n\nJeton : {_token(name)}.\n", title=f"Page {_token(name)}", **fields)
    result = hub.build("all")
    assert result.returncode == 0, result.stderr
    return hub


def test_no_canary_reaches_any_file_of_the_patient_site(built):
    files = built.site_files("patient")
    assert {"index.html", "404.html", "sitemap.xml", "search/search_index.json"} <= set(files)
    for name in CANARIES:
        leaks = [path for path, text in files.items() if _token(name) in text]
        assert leaks == [], f"{name} leaked into {leaks}"
    assert "Bouger au quotidien" in files["patient/ok/index.html"]


def test_sitemap_lists_only_published_pages(built):
    folder = built.root / "site" / "patient"
    sitemap = ET.parse(folder / "sitemap.xml").getroot()
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    paths = {loc.text.split(".org/", 1)[1] for loc in sitemap.findall("s:url/s:loc", namespace)}
    assert paths == {"", "patient/ok/", "patient/derogation/", "confidentialite/", "privacy/"}  # privacy pages are generated
    assert not (folder / "sitemap.xml.gz").exists()  # the SEO plugin writes the only sitemap


def test_link_to_a_dropped_page_becomes_plain_text(built):
    from selectolax.lexbor import LexborHTMLParser

    html = (built.root / "site" / "patient" / "index.html").read_text(encoding="utf-8")
    article = LexborHTMLParser(html).css_first("article")
    hrefs = [a.attributes.get("href") for a in article.css("a")]
    assert "Lire la suite" in article.text() and "Ancienne page" in article.text()
    assert "Le brouillon" in article.text() and "{" not in article.text()  # attr_list's braces go with the link
    assert [a.text() for a in article.css("a.md-button")] == ["la page"]
    assert not any(h and ("brouillon" in h or "expiree" in h) for h in hrefs)
    assert any(h and h.rstrip("/").endswith("patient/ok") for h in hrefs)


def test_mandatory_mentions_are_in_the_output(built):
    from selectolax.lexbor import LexborHTMLParser

    patient = LexborHTMLParser((built.root / "site" / "patient" / "patient" / "ok" / "index.html").read_text(encoding="utf-8"))
    assert "ne remplacent pas l'avis de votre médecin" in patient.css_first(".carepress-disclaimer").text()
    review = patient.css_first(".carepress-review").text()
    assert "FR-TEST-0001" in review and "2026-10-01" in review
    hcp = LexborHTMLParser((built.root / "site" / "hcp" / "pro" / "reco" / "index.html").read_text(encoding="utf-8"))
    assert hcp.css_first(".carepress-disclaimer") is None
    assert [li.text() for li in hcp.css(".carepress-references li")] == ["HAS 2024"]


def test_only_the_hcp_site_ships_the_gate(built):
    patient, hcp = built.site_files("patient"), built.site_files("hcp")
    assert not any("carepress-gate" in text or path.startswith("assets/carepress/gate.") for path, text in patient.items())
    assert "assets/carepress/gate.js" in hcp and 'id="carepress-gate"' in hcp["pro/reco/index.html"]
    assert "<script>" not in hcp["pro/reco/index.html"].split('id="carepress-gate"')[1].split("</div>\n</div>")[0]
    assert "onclick" not in hcp["pro/reco/index.html"]


def test_build_writes_manifests_and_the_access_snippet_outside_the_sites(built):
    reports = built.root / "reports"
    patient = json.loads((reports / "manifest" / "manifest-patient.json").read_text(encoding="utf-8"))
    # Only what the build wrote: not templates/modele.md, which the gate judged but MkDocs did not build.
    assert {page["src_uri"] for page in patient["pages"]} == {"index.md", "patient/ok.md", "patient/derogation.md"}
    assert not (built.root / "site" / "patient" / "templates").exists()
    waived = next(p for p in patient["pages"] if p["src_uri"] == "patient/derogation.md")
    assert [(w["code"], w["reason"]) for w in waived["waivers"]] == [("CP302", "cite une idée reçue pour la réfuter")]
    page = next(p for p in patient["pages"] if p["src_uri"] == "patient/ok.md")
    assert page["code"] == "FR-TEST-0001" and page["fingerprint"].startswith("sha256v2:")
    assert page["reviewers"] == {"medical": "Dr A. Martin", "legal": "B. Durand", "regulatory": "C. Petit"}
    hcp = json.loads((reports / "manifest" / "manifest-hcp.json").read_text(encoding="utf-8"))
    assert {p["src_uri"] for p in hcp["pages"]} == {"index.md", "pro/reco.md"}
    snippet = (reports / "hcp-access" / "nginx.conf").read_text(encoding="utf-8")
    assert "auth_basic_user_file" in snippet and str(built.root / "site" / "hcp") in snippet
    assert not list((built.root / "site").rglob("nginx.conf"))


def test_report_compliance_writes_json_sarif_and_html(built):
    result = built.carepress("report", "compliance")
    assert result.returncode == 0, result.stderr
    folder = built.root / "reports" / "compliance"
    data = json.loads((folder / "compliance.json").read_text(encoding="utf-8"))
    states = {page["src_uri"]: page["state"] for page in data["pages"]}
    assert states["patient/brouillon.md"] == "draft" and states["patient/expiree.md"] == "expired"
    assert states["patient/modifiee.md"] == "changed since approval" and states["patient/ok.md"] == "approved"
    sarif = json.loads((folder / "findings.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"CP200", "CP202", "CP203", "CP300", "CP302"}
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "FR-OLD-1" in html and "changed since approval" in html and "CP302" in html
    assert "cite une idée reçue pour la réfuter" in html


def test_status_lists_states_and_upcoming_expiry(built):
    result = built.carepress("status", "--json", "--today", "2025-12-20")
    data = json.loads(result.stdout)
    assert "content/patient/brouillon.md" in data["states"]["draft"]
    assert [e["path"] for e in data["expiring"]] == ["content/patient/expiree.md"]


def test_strict_build_fails_on_a_claim(hub):
    hub.article("patient/reclame.md", body="# Bouger\n\nUn programme révolutionnaire.\n")
    result = hub.build("patient", "--strict")
    assert result.returncode == 1 and "CP302" in result.stderr


def test_strict_build_fails_when_the_theme_drops_a_mention(hub):
    (hub.root / "theme" / "partials" / "carepress" / "mentions.html").write_text("", encoding="utf-8")
    hub.article("patient/ok.md")
    result = hub.build("patient", "--strict")
    assert result.returncode == 1
    assert "CP500" in result.stderr and "CP501" in result.stderr


def test_a_build_whose_pages_lack_their_mentions_publishes_nothing(hub):
    """Found in the written pages, too late to leave them out: the build fails, strict or not, and the site
    the build would have replaced stays as it was, with its manifest."""
    hub.article("patient/ok.md")
    assert hub.build("patient").returncode == 0
    published = hub.site_files("patient")
    manifest = (hub.root / "reports" / "manifest" / "manifest-patient.json").read_text(encoding="utf-8")
    partial = hub.root / "theme" / "partials" / "carepress" / "mentions.html"
    partial.write_text(partial.read_text(encoding="utf-8").replace("carepress-disclaimer", "disclaimer"), encoding="utf-8")
    hub.article("patient/ok.md", body="# Bouger\n\nMarcher chaque jour, à son rythme.\n")
    result = hub.build("patient")
    assert result.returncode == 1
    assert result.stderr.count(" CP500 the built page") == 2  # the home page's and the article's
    assert "do not show their mandatory mentions" in result.stderr and "the patient site's build fails" in result.stderr
    assert hub.site_files("patient") == published
    assert (hub.root / "reports" / "manifest" / "manifest-patient.json").read_text(encoding="utf-8") == manifest


def test_a_page_may_waive_a_mention_its_theme_does_not_show(hub):
    partial = hub.root / "theme" / "partials" / "carepress" / "mentions.html"
    partial.write_text(partial.read_text(encoding="utf-8").replace("carepress-disclaimer", "disclaimer"), encoding="utf-8")
    waiver = {"waive": {"CP500": "page d'accueil institutionnelle, sans information de santé"}}
    hub.article("index.md", title="Accueil", audience="all", persona=[], content_type="corporate",
                body="# Accueil\n\nBienvenue.\n", compliance=waiver)
    hub.article("patient/ok.md")
    result = hub.build("patient")
    assert result.returncode == 1 and result.stderr.count(" CP500 the built page") == 1 and "patient/ok.md" in result.stderr
    hub.article("patient/ok.md", compliance=waiver)
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    assert "CP500" not in result.stderr
    manifest = (hub.root / "reports" / "manifest" / "manifest-patient.json").read_text(encoding="utf-8")
    assert manifest.count('"code": "CP500"') == 2  # each waiver listed, with its reason


def test_mentions_written_in_an_article_do_not_stand_in_for_the_themes(hub):
    """The check reads the theme's block, the last on the page: a copy in the article's own HTML, before it, is not it."""
    partial = hub.root / "theme" / "partials" / "carepress" / "mentions.html"
    partial.write_text("\n".join(line for line in partial.read_text(encoding="utf-8").splitlines()
                                 if "carepress-disclaimer" not in line), encoding="utf-8")
    hub.article("patient/ok.md", body="# Bouger\n\nMarcher chaque jour.\n\n"
                '<aside class="carepress-mentions"><p class="carepress-disclaimer"><strong>'
                "Ces informations ne remplacent pas l'avis de votre médecin.</strong></p></aside>\n")
    result = hub.build("patient", "--strict")
    assert result.returncode == 1
    assert "CP500" in result.stderr and "CP501" not in result.stderr


def test_files_mkdocs_does_not_build_are_neither_judged_nor_listed(hub):
    """`exclude_docs`, `draft_docs` and MkDocs' own templates/: no finding, no count, no manifest entry."""
    config = hub.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "exclude_docs: |\n  notes/\n  *.brouillon.md\n"
                      "draft_docs: |\n  en-cours/\n", encoding="utf-8")
    hub.article("patient/ok.md", title="Bouger au quotidien")
    for rel in ("notes/idee.md", "patient/fiche.brouillon.md", "en-cours/plan.md", "templates/modele.md"):
        hub.write(rel, "---\ntitle: [pas fermé\n---\nNotes de travail.\n")  # broken: would be CP103 if judged
    checked = hub.carepress("check", "--today", TODAY, "--format", "json")
    assert checked.returncode == 0, checked.stdout
    report = json.loads(checked.stdout)
    assert {f["path"] for f in report["findings"]} <= {"content/index.md", "content/patient/ok.md"}
    assert hub.carepress("check", "--today", TODAY).stdout.rstrip().endswith("in 2 file(s)")
    built = hub.build("patient")
    assert built.returncode == 0, built.stderr
    assert "patient site: 2 page(s) published, 0 left out" in built.stderr
    assert hub.carepress("report", "compliance", "--today", TODAY).returncode == 0
    listed = json.loads((hub.root / "reports" / "compliance" / "compliance.json").read_text(encoding="utf-8"))
    assert "notes/idee.md" not in json.dumps(listed) and "en-cours" not in json.dumps(listed)
    assert "patient/ok.md" in json.dumps(listed)


def test_an_explicit_nav_loses_the_entries_of_pages_the_site_leaves_out(hub):
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "nav:\n  - index.md\n  - Diabète:\n      - patient/ok.md\n      - Sommeil ZZDRAFT: patient/brouillon.md\n"
        "      - Glucorex ZZHCP: pro/reco.md\n  - Vide ZZSECTION:\n      - patient/brouillon.md\n"
        "  - HAS: https://www.has-sante.fr/\n"), encoding="utf-8")
    hub.article("patient/ok.md", title="Bouger au quotidien")
    hub.article("patient/brouillon.md", title="Brouillon", validation={"status": "draft"})
    hub.article("pro/reco.md", title="Recommandations", audience="hcp", persona=["hcp-medecin-generaliste"],
                content_type="medical_scientific", references=["HAS 2024"])
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    files = hub.site_files("patient")
    leaks = [path for path, text in files.items() if "ZZ" in text or "brouillon" in text or "pro/reco" in text]
    assert leaks == []
    home = files["index.html"]
    assert "Bouger au quotidien" in home and "https://www.has-sante.fr/" in home  # the rest of the nav as written
    assert "is not found" not in result.stderr  # no entry MkDocs could not place


def test_files_that_are_no_page_go_only_where_a_published_page_uses_them(hub):
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    audience: patient\n", "    audience: patient\n    shared_files: ['partage/*.pdf']\n"), encoding="utf-8")
    hub.article("patient/ok.md", title="Bouger au quotidien", body=(
        "# Bouger\n\n![Un schéma](images/schema.svg)\n\n[La fiche (PDF)][fiche]\n\n"
        '<img src="../images/photo.png" srcset="../images/photo-2x.png 2x, ../images/photo-3x.png 3x" alt="">\n\n'
        "[fiche]: fiches/fiche-bouger.pdf#page=2\n"))
    hub.article("patient/brouillon.md", title="Brouillon", validation={"status": "draft"},
                body="# Brouillon\n\n![Figure](images/figure-brouillon.svg) [PDF](fiches/brouillon.pdf)\n")
    hub.article("pro/reco.md", title="Recommandations", audience="hcp", persona=["hcp-medecin-generaliste"],
                content_type="medical_scientific", references=["HAS 2024"],
                body="# Recommandations\n\n[Le RCP](glucorex-rcp.pdf)\n")
    for rel in ("patient/images/schema.svg", "patient/images/photo.png", "patient/images/photo-2x.png",
                "patient/images/photo-3x.png", "patient/fiches/fiche-bouger.pdf", "patient/images/figure-brouillon.svg",
                "patient/fiches/brouillon.pdf", "pro/glucorex-rcp.pdf", "patient/notes.MD", "partage/charte.pdf"):
        hub.write(rel, f"ZZ {rel}")
    assert hub.build("all").returncode == 0
    patient, hcp = hub.site_files("patient"), hub.site_files("hcp")
    for rel in ("patient/images/schema.svg", "patient/images/photo.png", "patient/images/photo-2x.png",
                "patient/images/photo-3x.png", "patient/fiches/fiche-bouger.pdf", "partage/charte.pdf"):
        assert rel in patient, rel  # used by a published page (Markdown, reference, raw HTML, srcset), or shared
    assert not [rel for rel in patient if "brouillon" in rel or "glucorex" in rel or rel.endswith(".MD")]
    assert "pro/glucorex-rcp.pdf" in hcp
    assert not [rel for rel in hcp if rel.startswith(("patient/", "partage/"))]  # the HCP site names no shared file


def test_links_written_as_addresses_are_judged_and_unlinked_like_links_to_files(hub):
    hub.article("patient/brouillon.md", title="Brouillon", validation={"status": "draft"})
    hub.article("pro/reco.md", title="Recommandations", audience="hcp", persona=["hcp-medecin-generaliste"],
                content_type="medical_scientific", references=["HAS 2024"])
    hub.article("patient/liens.md", title="Liens", body=(
        "# Liens\n\nLire [la suite ZZUN](../brouillon/).\n\nOu [la suite ZZDEUX][suite].\n\n"
        '<p><a href="/patient/brouillon/">la suite ZZTROIS</a></p>\n\n[suite]: ../brouillon/#partie\n'))
    hub.article("patient/vers-pro.md", title="Vers le site pro",
                body='# Vers le site pro\n\nVoir <a href="../../pro/reco/">les recommandations</a>.\n')
    # By their addresses on the HCP site (site_config/hcp.yml's `site_url`): an HCP-only page, a page for everyone.
    hub.article("pro/commun.md", title="Pour tous", audience="all", persona=[], content_type="corporate")
    hub.article("patient/vers-pro-url.md", title="Vers le site pro par son adresse",
                body="# Vers le site pro\n\nVoir [les recommandations](https://pro.example.org/pro/reco/#doses).\n")
    hub.article("patient/vers-commun-url.md", title="Vers une page pour tous",
                body="# Vers une page pour tous\n\nVoir [la page](https://pro.example.org/pro/commun/).\n")
    checked = json.loads(hub.carepress("check", "--today", TODAY, "--format", "json").stdout)["findings"]
    rejected = {f["path"] for f in checked if f["code"] == "CP400"}
    assert rejected == {"content/patient/vers-pro.md", "content/patient/vers-pro-url.md"}
    lines = sorted(f["line"] for f in checked if f["code"] == "CP401" and f["path"] == "content/patient/liens.md")
    text = (hub.content / "patient" / "liens.md").read_text(encoding="utf-8").split("\n")
    assert [text[line - 1][:8] for line in lines] == ["Lire [la", '<p><a hr', "[suite]:"]  # each form, at its line
    assert hub.build("patient").returncode == 0
    files = hub.site_files("patient")
    page = files["patient/liens/index.html"]
    assert all(f"la suite {word}" in page for word in ("ZZUN", "ZZDEUX", "ZZTROIS"))  # the text stays
    assert "brouillon" not in page  # no address of the draft, in any form
    # A patient page leading to HCP content is refused, by a relative link or by the address on the HCP site.
    assert "patient/vers-pro/index.html" not in files and "patient/vers-pro-url/index.html" not in files
    assert "patient/vers-commun-url/index.html" in files


def test_pages_left_out_after_the_gate_or_never_built_leave_nothing_behind(hub):
    """A page the hardening plugin leaves out (CP113) or MkDocs does not build (`exclude_docs`): no nav entry, no
    file only it used, no link to it in any form (unquoted `href`, a reference inside a quote)."""
    shared = hub.root / "mkdocs.yml"
    shared.write_text(shared.read_text(encoding="utf-8") + "exclude_docs: |\n  notes/\n", encoding="utf-8")
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "nav:\n  - index.md\n  - patient/ok.md\n  - Gabarit ZZNAV: patient/gabarit.md\n  - Idee ZZNAV: notes/idee.md\n"),
        encoding="utf-8")
    hub.article("patient/gabarit.md", title="Gabarit", template="absent.html",
                body="# Gabarit\n\n![Secret](img/secret.png)\n")
    hub.write("patient/img/secret.png", "ZZSECRET")
    hub.write("notes/idee.md", "# Idée ZZIDEE\n")
    hub.article("patient/ok.md", title="Bouger au quotidien", body=(
        "# Bouger\n\nUne [idée ZZUN](../notes/idee.md).\n\n<p><a href=gabarit.md>le gabarit ZZDEUX</a></p>\n\n"
        "> Voir [la note ZZTROIS][note].\n>\n> [note]: ../notes/idee.md\n"))
    checked = json.loads(hub.carepress("check", "--today", TODAY, "--format", "json").stdout)["findings"]
    text = (hub.content / "patient" / "ok.md").read_text(encoding="utf-8").split("\n")
    lines = sorted(f["line"] for f in checked if f["code"] == "CP401" and f["path"] == "content/patient/ok.md")
    assert [text[line - 1][:8] for line in lines] == ["Une [idé", "> [note]"]  # the draft MkDocs does not build
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    assert "CP113" in result.stderr
    files = hub.site_files("patient")
    assert "patient/img/secret.png" not in files and "patient/gabarit/index.html" not in files
    assert [path for path, content in files.items() if "ZZNAV" in content or "ZZSECRET" in content] == []
    page = files["patient/ok/index.html"]
    assert all(f" {word}" in page for word in ("ZZUN", "ZZDEUX", "ZZTROIS"))  # the links' text stays
    assert "notes/idee" not in page and "gabarit" not in page.lower().replace("gabarit zz", "")


def test_a_file_named_only_where_the_page_shows_nothing_is_not_published(hub):
    """A reference definition no link uses, a code sample and a comment name a draft's files: the page shows none."""
    hub.article("patient/brouillon/index.md", title="Brouillon", validation={"status": "draft"},
                body="# Brouillon\n\n![Schéma](zz-schema.png) [PDF](zz-secret.pdf)\n")
    for name in ("zz-schema.png", "zz-secret.pdf", "zz-exemple.png"):
        hub.write(f"patient/brouillon/{name}", "ZZDRAFTFILE")
    hub.write("patient/fiche.pdf", "PDF")
    hub.article("patient/index.md", title="Patients", body=(
        "# Patients\n\nLa [fiche][Fiche].\n\n<!-- ![Schéma](brouillon/zz-schema.png) -->\n\n"
        "```\n![Exemple](brouillon/zz-exemple.png)\n```\n\n[Fiche]: fiche.pdf\n[schema]: brouillon/zz-secret.pdf\n"))
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    files = hub.site_files("patient")
    assert "patient/fiche.pdf" in files  # used by its reference
    assert [path for path, text in files.items() if "ZZDRAFTFILE" in text] == []


def test_files_kept_for_a_page_keep_what_they_load(hub):
    """A stylesheet the configuration names keeps its background image; an image whose name holds a space
    (`![x](<img/mon schéma.svg>)`) and an SVG's own image go with the page that shows them."""
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8") + "extra_css:\n  - css/site.css\n", encoding="utf-8")
    hub.write("css/site.css", ".md-header { background: url('../img/fond.png') }\n@import \"theme.css\";\n")
    hub.write("css/theme.css", "body { background-image: url(\"motif.svg\") }\n")
    hub.write("css/motif.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    hub.write("img/fond.png", "PNG")
    hub.write("patient/img/mon schéma.svg", "<svg xmlns='http://www.w3.org/2000/svg'><image href='detail.png'/></svg>")
    hub.write("patient/img/detail.png", "PNG")
    hub.write("img/inutile.png", "PNG")
    hub.article("patient/ok.md", title="Bouger au quotidien", body="# Bouger\n\n![Un schéma](<img/mon schéma.svg>)\n")
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    files = hub.site_files("patient")
    for rel in ("css/site.css", "css/theme.css", "css/motif.svg", "img/fond.png", "patient/img/mon schéma.svg",
                "patient/img/detail.png"):
        assert rel in files, rel
    assert "img/inutile.png" not in files


def test_markdown_files_that_are_no_article_are_listed_and_never_published(hub):
    """`Notes.MD` would be copied as it is (a draft's source, front-matter included), `vieux.markdown` built unjudged."""
    hub.write("patient/Notes.MD", front_matter("# Notes ZZMD\n", validation={"status": "draft"}) + "\n# Notes ZZMD\n")
    hub.write("patient/vieux.markdown", front_matter("# Vieux ZZMARKDOWN\n") + "\n# Vieux ZZMARKDOWN\n")
    hub.article("patient/ok.md", title="Bouger au quotidien", body="# Bouger\n\nVoir [nos notes](Notes.MD).\n")
    hub.write("patient/.brouillon.MD", "notes cachées")  # MkDocs takes no dot-file,
    hub.write("templates/ancien.markdown", "gabarit")  # nor MkDocs' own templates/ (exclude_docs by default)
    checked = json.loads(hub.carepress("check", "--today", TODAY, "--format", "json").stdout)["findings"]
    assert sorted(f["path"] for f in checked if f["code"] == "CP117") == ["content/patient/Notes.MD",
                                                                         "content/patient/vieux.markdown"]
    result = hub.build("all")
    assert result.returncode == 0, result.stderr
    for audience in ("patient", "hcp"):
        files = hub.site_files(audience)
        assert [path for path, text in files.items() if "ZZMD" in text or "ZZMARKDOWN" in text] == []
        assert not [path for path in files if path.lower().endswith((".md", ".markdown"))]


def test_a_site_whose_pages_would_include_text_never_judged_is_not_built(hub):
    hub.add_markdown_extension("pymdownx.snippets:\n      base_path: [content]")
    hub.write("extraits/traitement.txt", "Parlez de Glucorex à votre médecin.\n")  # prescription-only
    hub.article("patient/ok.md", body='# Bouger\n\nUn texte neutre.\n\n--8<-- "extraits/traitement.txt"\n')
    mkdocs = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml"],
                            cwd=hub.root, capture_output=True, text=True, timeout=300)
    # A configuration error: exit code 2 and one line with `carepress build`, MkDocs' one error line with `mkdocs build`.
    for result, code, prefix in ((hub.build("patient"), 2, "carepress: "), (mkdocs, 1, "ERROR")):
        assert result.returncode == code and "Traceback" not in result.stderr
        [error] = [line for line in result.stderr.splitlines() if "pymdownx.snippets" in line]
        assert error.startswith(prefix)
        assert "site_config/patient.yml: `pymdownx.snippets` (markdown_extensions) includes" in error
        assert "published without being judged" in error and "Remove it from the configuration" in error
    assert not list((hub.root / "site").rglob("*.html"))


def test_a_registry_that_cannot_be_read_stops_the_build_before_it_empties_the_site_folder(hub):
    hub.article("patient/ok.md")
    site = hub.root / "site" / "plain"
    build = [sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml", "-d", str(site)]
    assert subprocess.run(build, cwd=hub.root, capture_output=True, text=True, timeout=300).returncode == 0
    before = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    assert site / "patient" / "ok" / "index.html" in before
    personas = hub.root / "site_config" / "personas.yml"
    personas.write_text(personas.read_text(encoding="utf-8") + "\n  - id: [\n", encoding="utf-8")
    # mkdocs build writes in place: read once the folder is emptied, the registry would leave no site at all.
    result = subprocess.run(build, cwd=hub.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if "personas.yml" in line]
    assert error.startswith("ERROR") and "invalid YAML" in error
    assert {path: path.read_bytes() for path in site.rglob("*") if path.is_file()} == before


HOOK_ADDING_PAGES = '''
from mkdocs.structure.files import File


def on_files(files, config):
    # A page generated from nothing in the content folder, and an article's file swapped for another one.
    files.append(File.generated(config, "patient/genere.md", content="# Traitement\\n\\nParlez de Glucorex (ZZGENERE).\\n"))
    files.remove(files.get_file_from_path("patient/ok.md"))
    files.append(File("patient/ok.md", src_dir=ELSEWHERE, dest_dir=config.site_dir,
                      use_directory_urls=config.use_directory_urls))
    return files
'''


def test_a_page_that_a_hook_or_a_plugin_adds_or_swaps_in_is_left_out_as_never_judged(hub):
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien")
    hub.article("patient/autre.md", title="Diabète : manger équilibré")
    elsewhere = hub.root / "ailleurs"
    (elsewhere / "patient").mkdir(parents=True)
    (elsewhere / "patient" / "ok.md").write_text("# Traitement\n\nParlez de Glucorex (ZZAILLEURS).\n", encoding="utf-8")
    hook = hub.root / "hooks" / "ajout.py"
    hook.parent.mkdir()
    hook.write_text(HOOK_ADDING_PAGES.replace("ELSEWHERE", repr(str(elsewhere))), encoding="utf-8")
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"hooks:\n  - {hook}\n", encoding="utf-8")
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr
    left_out = sorted(line.split("CP118", 1)[0].split()[-1] for line in result.stderr.splitlines() if "CP118" in line)
    assert left_out == ["patient/genere.md", "patient/ok.md"]
    assert "read from " + str(elsewhere / "patient" / "ok.md") in result.stderr
    files = hub.site_files("patient")
    assert "patient/autre/index.html" in files  # the articles the hook left alone
    assert [path for path, text in files.items() if "ZZGENERE" in text or "ZZAILLEURS" in text or "genere" in text] == []
    assert "patient/ok/" not in files["sitemap.xml"] and "patient/ok/index.html" not in files
    assert hub.build("patient", "--strict").returncode != 0


HOOK_CHANGING_TEXT = '''
from pathlib import Path

CHANGED = Path(__file__).parent / "changed.txt"  # the page whose text the hook changes, once the test writes it


def on_page_markdown(markdown, page, config, files):
    if CHANGED.exists() and page.file.src_uri == CHANGED.read_text() == "patient/ok.md":
        return markdown.replace("Un texte neutre", "Parlez de Glucorex (ZZHOOK) à votre médecin. Un texte neutre")
    return markdown  # read, not changed


def on_page_read_source(page, config):
    if CHANGED.exists() and page.file.src_uri == CHANGED.read_text() == "patient/lu.md":
        return page.file.content_string + "\\nParlez de Glucorex (ZZSOURCE).\\n"
    return None
'''


@pytest.mark.parametrize("changed", ["patient/ok.md", "patient/lu.md"])
def test_a_hook_that_changes_a_page_s_text_after_it_was_judged_stops_the_build(hub, changed):
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien")
    hub.article("patient/autre.md", title="Diabète : manger équilibré")
    assert hub.build("patient").returncode == 0
    before = hub.site_files("patient")
    hook = hub.root / "hooks" / "texte.py"
    hook.parent.mkdir()
    hook.write_text(HOOK_CHANGING_TEXT, encoding="utf-8")
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"hooks:\n  - {hook}\n", encoding="utf-8")
    assert hub.build("patient").returncode == 0  # the hook reads every page and changes none of them
    assert hub.site_files("patient").keys() == before.keys()
    hub.article("patient/lu.md", title="Diabète : lire les étiquettes")
    (hook.parent / "changed.txt").write_text(changed, encoding="utf-8")
    mkdocs = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml", "-d",
                             str(hub.root / "plain")], cwd=hub.root, capture_output=True, text=True, timeout=300)
    for result in (hub.build("patient"), hub.build("patient", "--jobs", "1"), mkdocs):
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        [error] = [line for line in result.stderr.splitlines() if "CP119" in line]
        assert f"{changed} CP119 the hook `{hook}` changed this page's text" in error
    assert [path for path, text in hub.site_files("patient").items() if "ZZHOOK" in text or "ZZSOURCE" in text] == []


def test_material_s_tags_listing_is_no_change_of_a_page_s_text(hub):
    """Material's tags plugin replaces a listing marker: a list of the built pages' own titles, not text to judge."""
    config = hub.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  material/tags: {}\n", 1),
                      encoding="utf-8")
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien", tags=["activité"])
    hub.article("patient/etiquettes.md", title="Diabète : les sujets",
                body="# Diabète : les sujets\n\nUn texte neutre.\n\n<!-- material/tags -->\n")
    result = hub.build("patient")
    assert result.returncode == 0 and "CP119" not in result.stderr, result.stderr
    listing = hub.site_files("patient")["patient/etiquettes/index.html"]
    assert "activité" in listing and "Diabète : bouger au quotidien" in listing


@pytest.mark.parametrize("change", ["gate turned off", "gate removed", "the other audience"])
def test_carepress_build_refuses_a_site_configuration_without_its_own_gate(hub, change):
    """Without the gate, or with the HCP site's, the patient site would publish drafts and HCP-only pages."""
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien")
    hub.article("patient/brouillon.md", title="Diabète : un brouillon (ZZDRAFT)", validation={"status": "draft"})
    assert hub.build("patient").returncode == 0
    before = hub.site_files("patient")
    gate = "  carepress/compliance:\n    audience: patient\n"
    for config in (hub.root / "site_config" / "patient.yml", hub.root / "mkdocs.yml"):  # the site's, and what it INHERITs
        text = config.read_text(encoding="utf-8")
        if change == "gate turned off":
            text = text.replace(gate, gate + "    enabled: false\n")
        elif change == "gate removed":  # the plugin and its options
            text = re.sub(r"  carepress/compliance:\n(?:    .*\n)*", "", text)
        else:
            text = text.replace(gate, gate.replace("patient", "hcp"))
        config.write_text(text, encoding="utf-8")
    result = hub.build("patient")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if line.startswith("carepress: site_config/patient.yml:")]
    assert ("`audience: hcp` would publish the hcp site's pages as the patient site" if change == "the other audience"
            else "the `carepress/compliance` plugin is not enabled") in error
    assert hub.site_files("patient") == before  # the site as the last build left it


@pytest.mark.parametrize("setting", ["font left out", "a Google font", "Material's Google Analytics"])
def test_a_theme_setting_that_makes_every_page_request_google_is_refused(hub, setting):
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien")
    config = hub.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert re.search(r"^  font: false", text, flags=re.MULTILINE)
    if setting == "font left out":  # Material's default: Roboto, from Google
        text = re.sub(r"^  font: false.*\n", "", text, flags=re.MULTILINE)
    elif setting == "a Google font":
        text = re.sub(r"^  font: false.*\n", "  font:\n    text: Roboto\n", text, flags=re.MULTILINE)
    else:
        text += "\nextra:\n  analytics:\n    provider: google\n    property: G-XXXXXXX\n"
    config.write_text(text, encoding="utf-8")
    mkdocs = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml", "-d",
                             str(hub.root / "plain")], cwd=hub.root, capture_output=True, text=True, timeout=300)
    wanted = "`extra.analytics` (Material's Google Analytics)" if setting.startswith("Material") else "`theme.font` makes every page"
    for result, code, prefix in ((hub.build("patient"), 2, "carepress: "), (mkdocs, 1, "ERROR")):
        assert result.returncode == code and "Traceback" not in result.stderr, result.stderr
        [error] = [line for line in result.stderr.splitlines() if wanted in line]
        assert error.startswith(prefix) and "site_config/patient.yml (or a file it INHERITs):" in error
    assert not (hub.root / "site" / "patient").exists() and not list((hub.root / "plain").rglob("*.html"))


def test_a_theme_template_that_loads_from_another_host_fails_the_build_unless_the_configuration_names_it(hub):
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien")
    assert hub.build("patient").returncode == 0
    before = hub.site_files("patient")
    override = hub.root / "theme" / "main.html"  # the hub's own override of Material's page template
    include = '{% include "partials/carepress/analytics.html" ignore missing %}\n'
    override.write_text(override.read_text(encoding="utf-8").replace(
        include, include + '  <script src="https://tags.exemple-traceur.com/t.js"></script>\n'), encoding="utf-8")
    assert "tags.exemple-traceur.com" in override.read_text(encoding="utf-8")
    mkdocs = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml", "-d",
                             str(hub.root / "plain")], cwd=hub.root, capture_output=True, text=True, timeout=300)
    for result in (hub.build("patient"), mkdocs):
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        [error] = [line for line in result.stderr.splitlines() if "tags.exemple-traceur.com" in line]
        assert "the theme makes pages load https://tags.exemple-traceur.com/t.js (404.html)" in error
    assert hub.site_files("patient") == before  # carepress build keeps the site it would have replaced
    config = hub.root / "site_config" / "patient.yml"  # named by the configuration: the hub's choice
    config.write_text(config.read_text(encoding="utf-8") + "extra:\n  tag_manager: https://tags.exemple-traceur.com/\n",
                      encoding="utf-8")
    assert hub.build("patient").returncode == 0


def test_a_page_template_that_loads_from_another_host_fails_the_build_but_a_page_s_waived_embed_does_not(hub):
    hub.article("patient/ok.md", title="Diabète : bouger au quotidien")
    hub.article("patient/video.md", title="Diabète : la vidéo", compliance={"waive": {"CP600": "vidéo de la HAS, sans cookie"}},
                body='# Diabète : la vidéo\n\n<iframe src="https://video.exemple-has.fr/embed/1" title="Vidéo"></iframe>\n')
    assert hub.build("patient").returncode == 0  # the waived embed is the page's own, judged by CP600
    (hub.root / "theme" / "accueil.html").write_text(
        '{% extends "main.html" %}\n{% block content %}{{ super() }}'
        '<script src="https://widgets.exemple-traceur.com/w.js"></script>{% endblock %}\n', encoding="utf-8")
    hub.article("patient/accueil.md", title="Diabète : accueil", template="accueil.html")
    result = hub.build("patient")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [error] = [line for line in result.stderr.splitlines() if "widgets.exemple-traceur.com" in line]
    assert "the theme makes pages load https://widgets.exemple-traceur.com/w.js (accueil.html)" in error


def test_a_build_run_from_another_folder_keeps_its_manifest_in_the_hub(hub, tmp_path):
    elsewhere = tmp_path / "ci-workspace"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-m", "carepress", "build", "-a", "hcp", "--today", TODAY,
                             "--config-dir", str(hub.root / "site_config"), "-d", str(hub.root / "site")],
                            cwd=elsewhere, capture_output=True, text=True, env={**os.environ, "CAREPRESS_TODAY": TODAY},
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert (hub.root / "reports" / "manifest" / "manifest-hcp.json").is_file()
    assert (hub.root / "reports" / "hcp-access" / "nginx.conf").is_file()
    assert (hub.root / "deploy" / "hcp.nginx.conf").is_file()
    assert not (elsewhere / "reports").exists()  # documented as the hub's, like deploy/
