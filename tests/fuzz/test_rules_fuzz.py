"""Property-based fuzzing of the rules: every rule on any valid Article gives findings, never an exception."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from carepress.compliance.engine import Context, evaluate, run_rules
from carepress.model.loader import parse_article
from carepress.model.project import Project
from carepress.model.registries import load_registries
from carepress.model.schema import FUNNEL_STAGE_ALIASES, Audience, ContentType, SiteAudience, Status
from carepress.model.site import Site
from carepress.report.finding import CATALOGUE
from tests.conftest import REPO

REGISTRIES = load_registries(REPO / "site_config", REPO)
TODAY = dt.date(2026, 11, 22)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
dates = st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))


def ids(known) -> st.SearchStrategy[list[str]]:
    return st.lists(st.one_of(st.sampled_from(sorted(known) or ["x"]), text), max_size=3)


front_matters = st.fixed_dictionaries(
    {
        "title": text.filter(lambda value: value.strip()),
        "audience": st.sampled_from([a.value for a in Audience]),
        "funnel_stage": st.sampled_from(["attract", "convert", "close", "delight", *FUNNEL_STAGE_ALIASES]),
        "content_type": st.sampled_from([c.value for c in ContentType]),
        "persona": ids(REGISTRIES.personas).filter(bool),
    },
    optional={
        "description": text,
        "topic": text,
        "keywords": st.fixed_dictionaries({}, optional={"primary": text, "secondary": st.lists(text, max_size=3)}),
        "products": ids(REGISTRIES.products),
        "references": st.lists(text, max_size=3),
        "validation": st.fixed_dictionaries({}, optional={
            "status": st.sampled_from([s.value for s in Status]), "code": text, "approved": dates, "expires": dates,
            "reviewers": st.fixed_dictionaries({}, optional={"medical": text, "legal": text, "regulatory": text}),
            "fingerprint": text}),
        "visa": st.fixed_dictionaries({"type": st.sampled_from(["GP", "PM"]), "number": text, "date": dates}),
        "compliance": st.fixed_dictionaries({"waive": st.dictionaries(st.sampled_from(sorted(CATALOGUE)), text, max_size=3)}),
        "template": text,
        "hide": st.lists(st.sampled_from(["navigation", "toc", "footer"]), max_size=2),
    },
)
markdown_bits = st.sampled_from(["# Titre", "## Section", "- item", "  - sous-item", "> citation", "[lien](a.md)",
                                 "![image](i.png)", "<div markdown>x</div>", "| a | b |\n|---|---|\n| 1 | 2 |", "`code`",
                                 "!!! note\n    texte", "    code indenté", ""])
bodies = st.lists(st.one_of(markdown_bits, text), max_size=15).map("\n".join)
segment = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=12)
src_uris = st.lists(segment, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".md")


@st.composite
def articles(draw):
    data = draw(front_matters)
    src_uri = draw(src_uris)
    raw = ("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + draw(bodies)).encode("utf-8")
    loaded = parse_article(raw, src_uri, "content/" + src_uri)
    assume(loaded.article is not None)
    return loaded.article


def site_of(*pages) -> Site:
    project = Project(REPO, REPO / "content", REPO / "site_config", today=TODAY)
    return Site(project, REGISTRIES.personas, REGISTRIES.products, {page.src_uri: page for page in pages})


def assert_findings(findings, article) -> None:
    lines = article.text.count("\n") + 1
    for finding in findings:
        assert finding.code in CATALOGUE
        assert finding.message
        assert finding.line is not None and 1 <= finding.line <= lines, finding


@given(articles())
def test_every_rule_gives_findings_for_any_valid_article(article):
    site = site_of(article)
    for audience in (*SiteAudience, None):
        assert_findings(run_rules(article, Context(site, audience, TODAY)), article)


@given(st.lists(articles(), min_size=2, max_size=5, unique_by=lambda article: article.src_uri))
def test_a_whole_site_of_generated_articles_gets_a_verdict_on_every_page(pages):
    site = site_of(*pages)
    for audience in SiteAudience:
        verdicts = evaluate(site, audience)
        assert set(verdicts) == {page.src_uri for page in pages}
        for verdict in verdicts.values():
            assert_findings(verdict.findings, site.articles[verdict.src_uri])
