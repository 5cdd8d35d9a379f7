"""Assessments across the hub: cannibalisation, long tail, keyword ethics, orphans, coverage."""

from __future__ import annotations

from carepress.model.schema import FunnelStage
from carepress.report.finding import Severity
from carepress.seo.analysis import GOOD, NEAR_IDENTICAL, OK, POOR, Assessment, AudienceIndex, PageFacts, assessment

LONG_TAIL_WORDS = 3

@assessment("SE210", Severity.WARNING, "Keyword cannibalisation", per_audience=True, across_pages=True)
def cannibalisation(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keyword_stems:
        return None
    same = index.same_keywords(page)
    if same:
        return Assessment(POOR, f"`{same[0].article.src_uri}` targets the same primary keyword; give each page its own "
                          "long-tail query, or merge them", page.article.line_of("keywords", "primary"))
    other = index.near_duplicate(page, NEAR_IDENTICAL)
    if other:
        return Assessment(POOR, f"`{other.article.src_uri}` targets nearly the same keywords; differentiate the two "
                          "pages' queries, or merge them", page.article.line_of("keywords"))
    return Assessment(GOOD, "no other published page targets these keywords")


@assessment("SE211", Severity.WARNING, "Keyword is not long-tail", page_local=True)
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


@assessment("SE212", Severity.WARNING, "Keyword targets a promotional claim", page_local=True)
def keyword_ethics(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keywords:
        return None
    # The compliance lexicons and matcher (CP305 blocks such a page): one vocabulary for both views.
    lexicons = page.hub.lexicons
    for keyword, found in zip(page.keywords, lexicons.claims_in(tuple(page.keywords))):
        if found:
            claim = keyword[found[0].start:found[0].end]
            return Assessment(POOR, f"the keyword \u201c{keyword}\u201d targets the claim \u201c{claim}\u201d ({found[0].label}); "
                              "health content must not chase such queries, choose a neutral, informative one",
                              page.article.line_of("keywords"))
    return Assessment(GOOD, "keywords are neutral")


@assessment("SE304", Severity.WARNING, "Orphan page", per_audience=True, across_pages=True)
def orphan(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if page.is_home or page.article.src_uri == index.home:
        return None
    if index.linked_from(page.article.src_uri):
        return Assessment(GOOD, "linked from other pages")
    return Assessment(POOR, "no page this site publishes links here, so readers and crawlers only find it through the "
                      "menu; link to it from a published page of the same topic", page.article.body_line)


def coverage_matrix(pages: list[PageFacts], personas: list[str]) -> dict[str, dict[str, int]]:
    """Published pages per persona and funnel stage; a zero is a content gap."""
    matrix = {persona: {stage.value: 0 for stage in FunnelStage} for persona in personas}
    for page in pages:
        for persona in page.article.meta.persona:
            row = matrix.setdefault(persona, {stage.value: 0 for stage in FunnelStage})
            row[page.article.meta.funnel_stage.value] += 1
    return matrix
