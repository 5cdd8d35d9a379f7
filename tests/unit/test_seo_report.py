"""`carepress report seo`: HTML, CSV and JSON from the sources, with coverage gaps and hub-wide issues."""

from __future__ import annotations

import csv
import io
import json

from selectolax.lexbor import LexborHTMLParser


def _hub(hub):
    hub.article("dt2/alimentation.md", keywords={"primary": "alimentation diabète type 2"},
                body="# Alimentation et diabète de type 2\n\nTexte.\n")
    hub.article("dt2/menus.md", keywords={"primary": "Alimentations du diabete de type 2"}, funnel_stage="convert",
                body="# Menus\n\nVoir [alimentation](alimentation.md).\n")
    hub.article("dt2/brouillon.md", keywords={"primary": "régime miracle diabète"}, validation={"status": "draft"})
    hub.article("pro/reco.md", title='=HYPERLINK("x") <script>alert(1)</script>', audience="hcp",
                persona=["hcp-medecin-generaliste"], content_type="medical_scientific",
                keywords={"primary": "@diabète"}, description="x" * 200,
                references=["HAS, Stratégie thérapeutique du patient vivant avec un diabète de type 2, 2024"])


def test_report_writes_html_csv_and_json(hub):
    _hub(hub)
    result = hub.carepress("report", "seo", "--today", "2026-11-22")
    assert result.returncode == 0, result.stderr
    folder = hub.root / "reports" / "seo"
    data = json.loads((folder / "seo.json").read_text(encoding="utf-8"))
    pages = {page["src_uri"]: page for page in data["pages"]}
    assert set(pages) == {"index.md", "dt2/alimentation.md", "dt2/menus.md", "dt2/brouillon.md", "pro/reco.md"}
    assert pages["dt2/brouillon.md"]["published"] is False and pages["dt2/menus.md"]["published"] is True
    assert pages["pro/reco.md"]["site"] == "hcp" and pages["pro/reco.md"]["snippet_url"].startswith("https://pro.example.org")
    assert len(pages["pro/reco.md"]["description"]) <= 158  # the snippet's, cut even with no space to cut at
    codes = {page: {s["code"]: s["score"] for s in pages[page]["scores"]} for page in pages}
    assert codes["dt2/alimentation.md"]["SE210"] == 3 and codes["dt2/brouillon.md"]["SE212"] == 3
    assert codes["pro/reco.md"]["SE211"] == 6
    # Coverage counts published pages only: the draft does not fill a cell.
    assert data["coverage"]["patient-dt2-recent"] == {"attract": 1, "convert": 1, "close": 0, "delight": 0}
    assert data["coverage"]["hcp-medecin-generaliste"]["attract"] == 1
    assert data["content_gaps"] == sum(v == 0 for row in data["coverage"].values() for v in row.values())

    rows = list(csv.DictReader(io.StringIO((folder / "pages.csv").read_text(encoding="utf-8"))))
    reco = next(row for row in rows if row["file"].endswith("pro/reco.md"))
    assert reco["title"].startswith("'=HYPERLINK")  # not a spreadsheet formula
    assert reco["primary_keyword"] == "'@diabète"  # nor any other cell an editor wrote
    assert not [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "-", "@")]
    assert reco["SE211"] == "6" and "SE211" in reco["to_do"]


def test_report_html_has_heatmap_sortable_tables_and_snippets(hub):
    _hub(hub)
    assert hub.carepress("report", "seo", "-o", "out/seo").returncode == 0
    text = (hub.root / "out" / "seo" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text
    tree = LexborHTMLParser(text)
    assert len(tree.css(".heat td.gap")) == sum(1 for _ in tree.css(".heat td.cell")) - 3  # three filled cells
    assert len(tree.css(".card .serp")) == 5
    assert tree.css_first("#pages-table th.sortable") is not None
    reco = next(card for card in tree.css(".card") if "pro/reco.md" in card.css_first("h3").text())
    assert reco.css_first(".serp .title").text().startswith('=HYPERLINK("x") <script>')
    assert not [node for node in tree.css("script[src], link[href^='http'], img[src^='http']")]  # nothing third-party


def test_report_on_a_broken_config_is_exit_2(hub):
    result = hub.carepress("report", "seo", "--config", "nope.yml")
    assert result.returncode == 2 and "nope.yml" in result.stderr
