"""Assessments across the hub: cannibalisation, long tail, keyword ethics, orphans, coverage."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from carepress.model.schema import FunnelStage
from carepress.report.finding import Severity
from carepress.seo.analysis import GOOD, OK, POOR, Assessment, AudienceIndex, PageFacts, assessment
from carepress.seo.text import words

LONG_TAIL_WORDS = 3
NEAR_IDENTICAL = 0.8  # Jaccard similarity of two pages' stemmed keyword sets

# Used when site_config/lexicons/claims.<lang>.yml is absent: the queries French practice forbids.
FALLBACK_CLAIMS = {
    "fr": ["miracle", "miraculeux", "révolutionnaire", "guérir le diabète", "guérison garantie", "sans effet secondaire",
           "100 % naturel", "remède définitif"],
    "en": ["miracle", "revolutionary", "cure diabetes", "guaranteed cure", "no side effects", "100% natural"],
}


@functools.lru_cache(maxsize=8)
def claims(registry_dir: Path, language: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Claim phrases of a language with their folded words: site_config/lexicons/claims.<lang>.yml (`claims:` list)."""
    phrases = FALLBACK_CLAIMS.get(language, FALLBACK_CLAIMS["fr"])
    try:
        data = yaml.safe_load((registry_dir / "lexicons" / f"claims.{language}.yml").read_text(encoding="utf-8"))
        listed = data.get("claims") if isinstance(data, dict) else None
        if isinstance(listed, list):
            phrases = [item if isinstance(item, str) else item.get("phrase") for item in listed
                       if isinstance(item, str) or (isinstance(item, dict) and isinstance(item.get("phrase"), str))]
    except (OSError, yaml.YAMLError):
        pass
    return tuple((phrase, tuple(words(phrase))) for phrase in phrases if words(phrase))


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return any(tuple(haystack[i:i + size]) == needle for i in range(len(haystack) - size + 1))


@assessment("SE210", Severity.WARNING, "Keyword cannibalisation", per_audience=True)
def cannibalisation(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keyword_stems:
        return None
    same = [other for other in index.by_keyword.get(tuple(sorted(page.keyword_stems)), []) if other is not page]
    if same:
        return Assessment(POOR, f"`{same[0].article.src_uri}` targets the same primary keyword; give each page its own "
                          "long-tail query, or merge them", page.article.line_of("keywords", "primary"))
    other = index.near_duplicate(page, NEAR_IDENTICAL)
    if other:
        return Assessment(POOR, f"`{other.article.src_uri}` targets nearly the same keywords; differentiate the two "
                          "pages' queries, or merge them", page.article.line_of("keywords"))
    return Assessment(GOOD, "no other page targets these keywords")


@assessment("SE211", Severity.WARNING, "Keyword is not long-tail")
def long_tail(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    keywords = page.article.meta.keywords
    if not keywords:
        return None
    listed = ([("primary", keywords.primary)] if keywords.primary else []) + [(i, k) for i, k in enumerate(keywords.secondary)]
    for key, keyword in listed:
        count = len(page.analyzer.significant_words(keyword))
        if 0 < count < LONG_TAIL_WORDS:
            line = page.article.line_of("keywords", key) if key == "primary" else page.article.line_of("keywords", "secondary", key)
            return Assessment(OK, f"\u201c{keyword}\u201d has {count} significant word(s), a head term this page is unlikely to "
                              f"rank for; review it and target a query of {LONG_TAIL_WORDS} or more words", line)
    return Assessment(GOOD, "keywords are long-tail")


@assessment("SE212", Severity.WARNING, "Keyword targets a promotional claim")
def keyword_ethics(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keywords:
        return None
    lexicon = claims(page.registry_dir, page.language.split("-")[0])
    for keyword in page.keywords:
        folded = words(keyword)
        for phrase, phrase_words in lexicon:
            if _contains(folded, phrase_words):
                return Assessment(POOR, f"the keyword \u201c{keyword}\u201d targets the claim \u201c{phrase}\u201d; health "
                                  "content must not chase such queries, choose a neutral, informative one",
                                  page.article.line_of("keywords"))
    return Assessment(GOOD, "keywords are neutral")


@assessment("SE304", Severity.WARNING, "Orphan page", per_audience=True)
def orphan(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if page.is_home:
        return None
    if index.inbound.get(page.article.src_uri):
        return Assessment(GOOD, "linked from other pages")
    return Assessment(POOR, "no page of this site links here, so readers and crawlers only find it through the menu; "
                      "link to it from a page of the same topic", page.article.body_line)


def coverage_matrix(pages: list[PageFacts], personas: list[str]) -> dict[str, dict[str, int]]:
    """Published pages per persona and funnel stage; a zero is a content gap."""
    matrix = {persona: {stage.value: 0 for stage in FunnelStage} for persona in personas}
    for page in pages:
        for persona in page.article.meta.persona:
            row = matrix.setdefault(persona, {stage.value: 0 for stage in FunnelStage})
            row[page.article.meta.funnel_stage.value] += 1
    return matrix
