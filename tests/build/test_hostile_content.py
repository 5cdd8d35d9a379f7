"""Hostile content in a real build: nothing crashes, nothing leaks, nothing runs in a visitor's browser."""

from __future__ import annotations

import os

import pytest

from tests.conftest import empty_hub

pytestmark = pytest.mark.build


def payloads(field: str) -> str:
    """A script tag, and a quote that would close an attribute and open an element, tagged with the field."""
    return f'<script>alert("{field}")</script> "><img src=x onerror=alert(\'{field}\')> & fin'


STRING_FIELDS = {
    "title": payloads("title"),
    "description": payloads("description"),
    "subtitle": payloads("subtitle"),
    "keywords": {"primary": payloads("primary"), "secondary": [payloads("secondary")]},
    "references": [payloads("references")],
    "validation": {"status": "approved", "code": payloads("code"), "approved": "2026-10-01", "expires": "2027-10-01",
                   "reviewers": {"medical": payloads("medical"), "legal": payloads("legal"),
                                 "regulatory": payloads("regulatory")}},
    "compliance": {"waive": {"CP302": payloads("waive")}},
}
SECRET = "cp-secret-outside-content-7f3a"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    hub = empty_hub(base / "hub")
    hub.article("index.md", title="Accueil", audience="all", persona=[], content_type="corporate",
                body="# Accueil\n\n[Une page patient](patient/xss.md)\n\n[Un gabarit absent](gabarits/absent.md)\n\n"
                     "[Le document](lien-interne.txt)\n")  # a file that is no page is published where a page uses it
    hub.article("patient/xss.md", body="# Page piégée\n\nTexte.\n", **STRING_FIELDS)

    outside = base / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "notes.md").write_text(hub.content.joinpath("patient/xss.md").read_text().replace("Texte.", SECRET))
    (outside / "secret.txt").write_text(SECRET)
    (outside / "folder" / "leak.txt").write_text(SECRET)
    os.symlink(outside / "notes.md", hub.content / "lien-article.md")
    os.symlink(outside / "secret.txt", hub.content / "image.png")
    os.symlink(outside / "folder", hub.content / "dossier")
    os.symlink(base / "nowhere.txt", hub.content / "casse.txt")
    hub.write("reel.txt", "inside")
    os.symlink(hub.content / "reel.txt", hub.content / "lien-interne.txt")

    for rel in ("doublons/page.md", "doublons/page/index.md", "casse/Asthme.md", "casse/asthme.md",
                "accents/diabète.md", "accents/diabete.md"):
        hub.article(rel, title=f"Doublon {rel}", body=f"# Doublon\n\njeton-{rel.replace('/', '-')}\n")
    # The same address on two different sites is no conflict.
    hub.article("pro/page.md", audience="hcp", persona=["hcp-medecin-generaliste"], content_type="medical_scientific",
                references=["HAS, Stratégie thérapeutique du patient vivant avec un diabète de type 2, 2024"])
    hub.article("pro/page/index.md", body="# Patient\n\njeton-patient-pro\n")

    hub.article("gabarits/traversee.md", template="../../../../etc/passwd")
    hub.article("gabarits/absent.md", template="absent.html")
    hub.article("gabarits/valide.md", template="main.html")
    (hub.root / "theme" / "blog-sante.html").write_text('{% extends "main.html" %}\n', encoding="utf-8")  # the hub's own
    hub.article("gabarits/propre.md", template="blog-sante.html")
    for name in ("blog-post.html", "partials/post.html", "fragments/tags/default/listing.html"):  # not page templates
        hub.article(f"gabarits/{name.split('/')[-1].replace('.html', '')}.md", template=name)
    hub.article("piege/index.md", title="Piège", nav_title=payloads("nav_title"))  # names its section in the navigation
    hub.article("liens/ipv6.md", body="# IPv6\n\nVoir [le serveur](http://[::1/) ici.\n")  # MkDocs' urlsplit raises on it
    hub.article("piege/page.md", title="Page de la section")
    hub.article("imbrication/liste.md", body="# Liste\n\n" + "".join("  " * level + "- x\n" for level in range(3000)))
    hub.article("imbrication/citation.md", body="# Citation\n\n" + "> " * 5000 + "profond\n")
    hub.write("binaire.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    mixed = hub.content / "fins-de-ligne.md"
    hub.article("fins-de-ligne.md", title="Fins de ligne", body="# Fins\n\njeton-fins-de-ligne\n")
    lines = mixed.read_text(encoding="utf-8").split("\n")
    mixed.write_bytes("".join(line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(lines)).encode())
    result = hub.build("all")
    return hub, result


def test_the_build_finishes_without_a_traceback(hostile):
    _, result = hostile
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr


def test_front_matter_html_comes_out_escaped_in_every_file(hostile):
    hub, _ = hostile
    files = hub.site_files("patient")
    page = files["patient/xss/index.html"]
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page  # published, and shown as text
    for path, text in files.items():
        if path.endswith((".js", ".map")):
            continue  # Material's own bundle
        assert "<script>alert(" not in text, path
        assert "<img src=x" not in text, path


def test_binary_files_are_refused_and_mixed_line_endings_publish(hostile):
    hub, result = hostile
    files = hub.site_files("patient")
    assert "binaire/index.html" not in files
    assert "content/binaire.md:3 CP100 the file contains NUL bytes" in result.stderr
    assert "jeton-fins-de-ligne" in files["fins-de-ligne/index.html"]


def test_links_out_of_the_content_folder_are_never_published(hostile):
    hub, result = hostile
    for audience in ("patient", "hcp"):
        site = hub.root / "site" / audience
        leaks = [path for path, text in hub.site_files(audience).items() if SECRET in text]
        assert leaks == []
        assert not (site / "image.png").exists() and not (site / "dossier").exists()
        assert not (site / "casse.txt").exists()
    assert (hub.root / "site" / "patient" / "lien-interne.txt").read_text() == "inside"  # a link inside is fine
    for name in ("lien-article.md", "image.png", "dossier/leak.txt", "casse.txt"):
        assert f"content/{name} CP111" in result.stderr or f"content/{name}:" in result.stderr, name


def test_plain_mkdocs_build_does_not_publish_links_out_of_the_content_folder(hostile, tmp_path):
    import subprocess
    import sys

    hub, _ = hostile
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "site_config/patient.yml", "-d", str(tmp_path / "out")],
                            cwd=hub.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    published = [path for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert published and not [path for path in published if SECRET in path.read_text(errors="replace")]
    assert not (tmp_path / "out" / "dossier").exists()


def test_check_lists_every_link_out_of_the_content_folder(hostile):
    hub, _ = hostile
    result = hub.carepress("check", "--format", "json")
    import json

    findings = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "CP111"]
    assert {f["path"] for f in findings} == {"content/lien-article.md", "content/image.png", "content/dossier",
                                            "content/casse.txt"}


def test_two_files_for_one_address_are_both_refused(hostile):
    hub, result = hostile
    files = hub.site_files("patient")
    everything = "\n".join(files.values())
    for token in ("doublons-page.md", "doublons-page-index.md", "casse-Asthme.md", "casse-asthme.md",
                  "accents-diabète.md", "accents-diabete.md"):
        assert f"jeton-{token}" not in everything
    assert result.stderr.count("CP112") >= 6
    assert "content/doublons/page.md:1 CP112 this file and `doublons/page/index.md`" in result.stderr


def test_the_same_address_on_two_sites_is_no_conflict(hostile):
    hub, _ = hostile
    assert "jeton-patient-pro" in hub.site_files("patient")["pro/page/index.html"]
    assert "pro/page/index.html" in hub.site_files("hcp")


def test_template_traversal_and_unknown_templates_are_refused(hostile):
    hub, result = hostile
    files = hub.site_files("patient")
    assert "gabarits/valide/index.html" in files and "gabarits/propre/index.html" in files
    assert "gabarits/traversee/index.html" not in files and "gabarits/absent/index.html" not in files
    assert "content/gabarits/traversee.md:" in result.stderr and "CP113" in result.stderr
    assert "`template` 'absent.html' is not a page template of the theme" in result.stderr
    home = files["index.html"]  # a link to a page the hardening plugin refused is text, as to any page left out
    assert "Un gabarit absent" in home and "gabarits/absent" not in home
    for name in ("blog-post", "post", "listing"):  # templates of the theme that render something else than a page
        assert f"gabarits/{name}/index.html" not in files
        assert f"content/gabarits/{name}.md:" in result.stderr


def test_a_link_that_is_no_address_rejects_its_page_instead_of_stopping_the_build(hostile):
    hub, result = hostile
    assert "liens/ipv6/index.html" not in hub.site_files("patient")
    assert "content/liens/ipv6.md:" in result.stderr and "CP115" in result.stderr


def test_a_section_title_from_nav_title_is_escaped(hostile):
    hub, _ = hostile
    page = hub.site_files("patient")["piege/page/index.html"]
    assert "&lt;script&gt;alert(&#34;nav_title&#34;)&lt;/script&gt;" in page  # the section's label, shown as text


def test_deep_nesting_in_the_body_is_refused_instead_of_stalling_the_build(hostile):
    hub, result = hostile
    files = hub.site_files("patient")
    assert "imbrication/liste/index.html" not in files and "imbrication/citation/index.html" not in files
    assert "content/imbrication/liste.md:" in result.stderr and "CP114" in result.stderr


def test_a_link_to_a_page_of_the_other_site_becomes_plain_text(hostile):
    hub, _ = hostile
    patient_home = hub.site_files("patient")["index.html"]
    hcp_home = hub.site_files("hcp")["index.html"]
    assert 'href="patient/xss/"' in patient_home
    assert "Une page patient" in hcp_home and "patient/xss" not in hcp_home


def test_a_ten_megabyte_article_builds(hub):
    paragraph = "Une phrase neutre et informative sur le diabète de type 2, avec des repères simples.\n\n"
    body = "# Gros\n\n" + "".join(("## Partie %d\n\n" % i if i % 500 == 0 else "") + paragraph for i in range(120_000))
    path = hub.article("patient/gros.md", body=body)
    assert path.stat().st_size > 10 * 1024 * 1024
    result = hub.build("patient")
    assert result.returncode == 0, result.stderr[-2000:]
    page = hub.root / "site" / "patient" / "patient" / "gros" / "index.html"
    assert page.stat().st_size > 10 * 1024 * 1024
    assert "Partie 119500" in page.read_text(encoding="utf-8")
