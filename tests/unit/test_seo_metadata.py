"""Head tags: title width, generated descriptions, canonical, JSON-LD, and escaping of hostile values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from carepress.model.schema import SiteAudience
from carepress.seo import metadata
from carepress.seo.analysis import site_facts
from carepress.seo.pixels import title_width, truncate_to_width
from carepress.seo.sitemap import SitemapEntry, robots_txt, sitemap_xml
from carepress.seo.text import headings, outline, page_url, plain_text, resolve_link, words
from tests.conftest import REPO
from tests.unit.seo_helpers import SITE_URL, make_site

HOSTILE = 'Diabète </script><script>alert("x")</script> & \'quotes\' <b>gras</b> --> <!--'


def test_title_width_uses_per_character_widths():
    assert title_width("iiii") < title_width("MMMM")
    assert title_width("é") == title_width("e")
    assert title_width("W" * 10) == pytest.approx(10 * 944 * 20 / 1000)
    cut = truncate_to_width("mot " * 80)
    assert cut.endswith(" …") and title_width(cut) <= 580


def test_page_title_keeps_the_site_name_as_suffix_when_it_fits():
    assert metadata.page_title("Asthme : les signes d'une crise", "CarePress") == "Asthme : les signes d'une crise | CarePress"
    long = "Diabète de type 2 : que manger au quotidien pour équilibrer ses repas ?"
    assert metadata.page_title(long, "Vivre avec — CarePress") == long


@pytest.mark.parametrize("paragraphs", [
    ["Avec un diabète de type 2, l'alimentation reste avant tout variée et agréable. Il n'existe pas de régime diabétique unique : quelques repères aident à équilibrer ses repas sur la journée."],
    ["Un début court.", "Puis un second paragraphe qui complète la présentation du sujet pour que la description atteigne une longueur suffisante."],
])
def test_generated_description_is_120_to_156_characters_cut_on_a_word(paragraphs):
    text = metadata.generate_description(paragraphs)
    assert 120 <= len(text) <= 156
    whole = " ".join(paragraphs)
    if text.endswith("…"):
        kept = text[:-1]
        assert whole.startswith(kept) and whole[len(kept)] in " ,;:"
    else:
        assert whole.startswith(text)


@pytest.mark.parametrize("value, refused", [
    ("rubrique/page/", False), ("/rubrique/page/", False), ("https://patients.example.org/x/", False),
    ("../secret/", True), ("rubrique/../../x", True), ("%2e%2e/x", True), ("http://evil.example/", True),
    ("https://patients.example.org.evil.example/", True), ("//evil.example/x", True), ("file:///etc/passwd", True)])
def test_canonical_problem(value, refused):
    assert (metadata.canonical_problem(value, SITE_URL) is not None) is refused


def test_json_ld_cannot_close_its_script_element():
    text = metadata.json_ld_text({"name": HOSTILE})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == HOSTILE


def _tags(tmp_path: Path, site_audience=SiteAudience.PATIENT, **fields):
    site = make_site(tmp_path, {"dt2/page.md": (fields, "# Titre\n\nIntroduction.\n")})
    article = site.articles["dt2/page.md"]
    info = metadata.SiteInfo("Vivre avec", SITE_URL, "fr", site_audience, REPO / "site_config")
    page = site_facts(site).pages["dt2/page.md"]
    return metadata.head_tags(article, info, "dt2/page/", metadata.description(article, page.outline), {"en": "en/page/"},
                              [("Vivre avec", SITE_URL), ("Titre", SITE_URL + "dt2/page/")])


def render_partial(tags) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(REPO / "theme")))
    return env.get_template("partials/carepress/seo.html").render(carepress_seo=tags)


def test_hostile_title_and_description_stay_inside_their_attributes_and_script(tmp_path):
    tags = _tags(tmp_path, title=HOSTILE, description=HOSTILE + " suite")
    html = render_partial(tags)
    assert "<script>alert" not in html and "</script><script>" not in html
    tree = HTMLParser(f"<html><head>{html}</head></html>")
    assert [node.text() for node in tree.css("title")] == [tags.title]
    assert tree.css_first('meta[name="description"]').attributes["content"] == HOSTILE + " suite"
    assert tree.css_first('meta[property="og:title"]').attributes["content"] == HOSTILE
    scripts = tree.css("script")
    assert len(scripts) == 1 and scripts[0].attributes["type"] == "application/ld+json"
    assert json.loads(scripts[0].text())["name"] == HOSTILE
    assert len(tree.css("meta")) == len(re.findall(r"<meta ", html))  # no tag was injected


def test_patient_page_tags(tmp_path):
    tags = _tags(tmp_path, lang="fr", topic="diabete-type-2")
    assert tags.robots == "index, follow"
    assert tags.canonical == SITE_URL + "dt2/page/"
    assert tags.alternates == [("en", SITE_URL + "en/page/"), ("fr", SITE_URL + "dt2/page/")]
    data = json.loads(tags.json_ld)
    assert data["@type"] == "MedicalWebPage" and data["audience"]["audienceType"] == "Patient"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Diabète de type 2"}
    assert data["lastReviewed"] == "2026-10-01" and data["reviewedBy"]["name"] == "Dr A. Martin"
    assert data["breadcrumb"]["itemListElement"][1]["item"] == SITE_URL + "dt2/page/"


def test_hcp_pages_are_noindex_for_clinicians(tmp_path):
    tags = _tags(tmp_path, SiteAudience.HCP, audience="hcp", persona=["hcp-medecin-generaliste"])
    assert "noindex" in tags.robots
    assert json.loads(tags.json_ld)["audience"]["audienceType"] == "Clinician"


def test_refused_canonical_falls_back_to_the_page_url(tmp_path):
    assert _tags(tmp_path, canonical="https://evil.example/").canonical == SITE_URL + "dt2/page/"


def test_sitemap_and_robots():
    import datetime as dt

    xml = sitemap_xml([SitemapEntry(SITE_URL + "a/?x=1&y=2", dt.date(2026, 10, 1))])
    assert "<loc>https://patients.example.org/a/?x=1&amp;y=2</loc><lastmod>2026-10-01</lastmod>" in xml
    from xml.sax.saxutils import escape  # what XML text needs, as the standard library escapes it

    odd = SITE_URL + "b/?q=<a>&r='s'\"t\""
    assert f"<loc>{escape(odd)}</loc>" in sitemap_xml([SitemapEntry(odd, None)])
    assert "Sitemap: " + SITE_URL + "sitemap.xml" in robots_txt(SiteAudience.PATIENT, SITE_URL + "sitemap.xml")
    hcp = robots_txt(SiteAudience.HCP, None)
    assert "Disallow: /" in hcp and "Sitemap" not in hcp


def test_markdown_outline_and_links():
    body = ("Titre\n=====\n\nL'**introduction** avec [un lien](../autre.md#x) et <https://has-sante.fr>.\n\n"
            "```\n## pas un titre\n![pas une image](x.png)\n```\n\n## Sous-titre {#id}\n\n- liste\n\n![Alt texte](i.png)\n")
    result = outline(body, 10)
    assert [(h.level, h.text, h.line) for h in result.headings] == [(1, "Titre", 10), (2, "Sous-titre", 20)]
    assert result.introduction == "L'introduction avec un lien et https://has-sante.fr."
    assert result.images == [("Alt texte", 24)]
    assert [link.target for link in result.links] == ["../autre.md#x", "https://has-sante.fr"]
    assert resolve_link("dt2/page.md", "../autre.md#x") == "autre.md"
    assert resolve_link("page.md", "../../x.md") is None and resolve_link("a.md", "https://x.org/y.md") is None
    assert page_url("index.md") == "" and page_url("a/index.md") == "a/" and page_url("a/b.md") == "a/b/"
    assert words("L'asthme d’effort, c'est sûr") == ["asthme", "effort", "est", "sur"]
    assert headings(body, 10) == result.headings


MARKDOWN_LINES = ["# Titre", "## Sous-titre {#x}", "Texte **gras**", "suite du paragraphe", "", "   ", "===", "---",
                  "- item", "> citation", "```", "~~~", "    code indenté", "!!! note", "<div>", "| a | b |", "####### sept"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_LINES), max_size=30), st.integers(min_value=1, max_value=50))
def test_headings_alone_are_the_outlines_headings(lines, first_line):
    """SE301 reads the headings without the outline: both must agree on every body."""
    body = "\n".join(lines)
    assert headings(body, first_line) == outline(body, first_line).headings


SPACES = " \t\r\x0b\x1c\u2028\xa0"
# Without fences and underlines, where `headings` looks further only at the lines that start with `#`: odd blanks after
# the hashes, at the end of a line and alone on one.
LINES_WITHOUT_FENCES_OR_UNDERLINES = ["# Titre", "## Sous-titre {#x}", "#\tTab", "#\x0bvertical", "#\u2028ligne", "# fin\r",
                                      "#", "# ", "#\r", "  # indenté", "####### sept", "###### six #", "Texte", "", "\r",
                                      "- item", "-- tirets au texte", "=égal", "> # citation"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINES_WITHOUT_FENCES_OR_UNDERLINES), max_size=30), st.integers(min_value=1, max_value=50))
def test_headings_searched_in_the_whole_body_are_the_outlines_headings(lines, first_line):
    body = "\n".join(lines)
    assert headings(body, first_line) == outline(body, first_line).headings


@settings(max_examples=500, deadline=None)
@given(st.tuples(st.text("#", max_size=8), st.text(SPACES, max_size=3), st.text("aé#{}=-" + SPACES, max_size=10),
                 st.text("#" + SPACES, max_size=6)).map("".join))
def test_a_headings_text_is_what_the_closing_sequence_leaves(line):
    """The text of an ATX heading, as the expression that matched the closing hashes and spaces itself gave it."""
    from carepress.seo.text import HEADING, heading_text

    closing = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
    expected, match = closing.match(line), HEADING.match(line)
    assert (match is None) == (expected is None)
    if match:
        assert (match.group(1), heading_text(match)) == expected.groups()


def test_plain_text_keeps_comparisons_and_reads_character_references():
    """A generated description must say what the article says: "<" and ">" between numbers are prose."""
    prose = "L'objectif est une HbA1c < 7 % ; chez la personne âgée fragile, une cible > 8 % peut suffire."
    assert plain_text(prose) == prose
    assert plain_text("Sucre &amp; sel, &lt;5 g&gt;, 1&nbsp;000 pas") == "Sucre & sel, <5 g>, 1 000 pas"  # &nbsp; separates words
    assert plain_text('Un <b class="x">mot</b><!-- note\nsur deux lignes --> et <https://has-sante.fr>') == \
        "Un mot et https://has-sante.fr"
    assert metadata.generate_description([prose]) == prose


@pytest.mark.parametrize("lang, locale", [("fr", "fr_FR"), ("en", "en_GB"), ("en-US", "en_US"), ("fr-CA", "fr_CA"),
                                          ("fr-be", "fr_BE"), ("de", "de"), ("zh-Hant", "zh")])
def test_open_graph_locale_keeps_the_region_the_page_names(lang, locale):
    assert metadata.og_locale(lang) == locale


def test_a_topic_renamed_in_the_registry_is_seen_without_a_restart(tmp_path):
    """A long-lived preview forks its builds' workers from a process that read topics.yml before."""
    from carepress.seo.metadata import topic_name

    topics = tmp_path / "topics.yml"
    topics.write_text("topics:\n  asthme: {fr: Asthme}\n", encoding="utf-8")
    assert topic_name("asthme", "fr", tmp_path) == "Asthme"
    topics.write_text("topics:\n  asthme: {fr: Asthme (maladie respiratoire)}\n", encoding="utf-8")
    assert topic_name("asthme", "fr", tmp_path) == "Asthme (maladie respiratoire)"
