"""What the SEO assessments know about each page and about the hub, computed once per content tree.

`assessment` registers a scoring function as a rule of the compliance engine: the rule reports
the sentence when the score is not good, and the SEO report shows every score.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from carepress.compliance.engine import Context, Rule, Violation, before_pages, beside_pages, registered_rules, rule
from carepress.compliance.lexicon import Lexicons, load_lexicons
from carepress.forked import forked_map
from carepress.model.article import Article
from carepress.model.schema import SiteAudience
from carepress.model.site import Site
from carepress.report.finding import Severity
from carepress.seo import metadata
from carepress.seo.text import Analyzer, Heading, Outline, analyzer, headings, links, outline, page_url, resolve_link

GOOD, OK, POOR = 9, 6, 3  # Yoast's traffic lights


@dataclass(frozen=True)
class Assessment:
    score: int
    sentence: str  # one thing to do (or what is good)
    line: int | None = None


@dataclass
class PageFacts:
    """One article as the assessments see it: outline and stems, computed lazily, once."""

    article: Article
    language: str
    analyzer: Analyzer
    site_url: str | None
    all_pages: frozenset[str]  # every Markdown file of the content folder, loaded or not
    registry_dir: Path
    hub: SiteFacts = field(repr=False)
    _coverage: dict[str, float] = field(default_factory=dict, repr=False)

    @cached_property
    def outline(self) -> Outline:
        return outline(self.article.body, self.article.body_line)

    @cached_property
    def h1(self) -> list[Heading]:
        # Checked on every page (SE301); the outline, ten times dearer, only when another rule needs it.
        found = self.outline.headings if "outline" in self.__dict__ else headings(self.article.body, self.article.body_line)
        return [heading for heading in found if heading.level == 1]

    @cached_property
    def url(self) -> str:
        return page_url(self.article.src_uri)

    @property
    def is_home(self) -> bool:
        return self.url == ""

    @property
    def keyword(self) -> str | None:
        keywords = self.article.meta.keywords
        return keywords.primary if keywords and keywords.primary else None

    @property
    def keywords(self) -> list[str]:
        keywords = self.article.meta.keywords
        if not keywords:
            return []
        return [k for k in [keywords.primary, *keywords.secondary] if k]

    @cached_property
    def keyword_stems(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.analyzer.stems(self.keyword or "")))

    @cached_property
    def keyword_set_stems(self) -> frozenset[str]:
        return frozenset(stem for keyword in self.keywords for stem in self.analyzer.stems(keyword))

    @cached_property
    def description(self) -> str:
        # The outline is only read when the page has no description of its own.
        return self.article.meta.description or metadata.description(self.article, self.outline)

    @cached_property
    def body_stems(self) -> list[str]:
        return self.analyzer.stems(self.outline.plain)

    @cached_property
    def word_count(self) -> int:
        return len(self.outline.plain.split())

    @cached_property
    def internal_links(self) -> set[str]:
        found = self.outline.links if "outline" in self.__dict__ else links(self.article.body, self.article.body_line)
        targets = {resolve_link(self.article.src_uri, link.target) for link in found}
        return {target for target in targets if target and target != self.article.src_uri}

    def coverage(self, text: str) -> float:
        """The share of the primary keyword's significant stems found in `text`."""
        if not self.keyword_stems:
            return 0.0
        if text not in self._coverage:  # each place is scored by the gate, `check` and the report
            present = set(self.analyzer.stems(text))
            self._coverage[text] = sum(stem in present for stem in self.keyword_stems) / len(self.keyword_stems)
        return self._coverage[text]


EPSILON = 1e-9  # float slack in the similarity bounds
NEAR_IDENTICAL = 0.8  # Jaccard similarity of two pages' stemmed keyword sets that makes them near duplicates (SE210)


def _prefix_length(size: int, threshold: float) -> int:
    return size - math.ceil(threshold * size - EPSILON) + 1


@dataclass
class AudienceIndex:
    """The pages of one site and the links between them. Seen by the rules across pages, a page the site
    does not publish links nowhere and rivals no page (`published`); it is still judged itself."""

    pages: dict[str, PageFacts]
    home: str | None = None  # the src_uri this site shows at its address when it is not index.md (`home` option)
    published: frozenset[str] | None = None  # None: every page of the audience counts
    inbound: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_topic: dict[str, list[PageFacts]] = field(default_factory=lambda: defaultdict(list))
    by_keyword: dict[tuple[str, ...], list[PageFacts]] = field(default_factory=lambda: defaultdict(list))
    # Stem -> its place in one order of every stem, rarest first (fewest pages whose keywords use it), then
    # alphabetical: the near-duplicate search orders each page's stems by it.
    _rank: dict[str, int] = field(default_factory=dict)
    _prefix_index: dict[float, dict[str, dict[tuple[int, int], list[str]]]] = field(default_factory=dict)
    _near: dict[tuple[str, float], list[str]] = field(default_factory=dict)  # every near duplicate, in path order
    _first_by_stage: dict[str, dict] = field(default_factory=dict)

    def seen_by(self, published: frozenset[str]) -> AudienceIndex:
        """This index as the rules across pages see it once `published` is known; it shares what does not depend
        on publication (links, keyword indexes, near duplicates found)."""
        return replace(self, published=published, _first_by_stage={})

    def counts(self, src_uri: str) -> bool:
        return self.published is None or src_uri in self.published

    def linked_from(self, src_uri: str) -> list[str]:
        return [source for source in self.inbound.get(src_uri, ()) if self.counts(source)]

    def same_keywords(self, page: PageFacts) -> list[PageFacts]:
        """The other pages whose primary keyword has the same stems as this page's."""
        return [other for other in self.by_keyword.get(tuple(sorted(page.keyword_stems)), [])
                if other is not page and self.counts(other.article.src_uri)]

    def first_by_stage(self, topic: str) -> dict:
        """Per funnel stage, the topic's page first in path order (computed once per topic, not per page)."""
        if topic not in self._first_by_stage:
            firsts: dict = {}
            for other in sorted(self.by_topic.get(topic, []), key=lambda other: other.article.src_uri):
                if self.counts(other.article.src_uri):
                    firsts.setdefault(other.article.meta.funnel_stage, other)
            self._first_by_stage[topic] = firsts
        return self._first_by_stage[topic]

    def near_duplicate(self, page: PageFacts, threshold: float) -> PageFacts | None:
        """Another page whose stemmed keyword set has a Jaccard similarity >= threshold with this one's."""
        key = (page.article.src_uri, threshold)
        if key not in self._near:
            self._near[key] = self._near_duplicates(page, threshold)
        return next((self.pages[uri] for uri in self._near[key] if self.counts(uri)), None)

    def _near_duplicates(self, page: PageFacts, threshold: float) -> list[str]:
        # PPJoin (Xiao et al. 2008): stems in one global order, rarest first. Two sets this similar share
        # a stem among the first len - ceil(t*len) + 1 of each; the first stem they share, at positions
        # i and j, bounds their overlap by 1 + min(len_a - i - 1, len_b - j - 1). Pages whose sizes or
        # bound cannot reach the overlap needed are never compared: common stems cost no comparisons.
        mine = page.keyword_set_stems
        if not mine:
            return []
        ordered, size = self._ordered(mine), len(mine)
        candidates: set[str] = set()
        for i, stem in enumerate(ordered[: _prefix_length(size, threshold)]):
            for (j, other_size), uris in self.by_prefix(threshold).get(stem, {}).items():
                if not threshold * size - EPSILON <= other_size <= size / threshold + EPSILON:
                    continue
                needed = math.ceil(threshold / (1 + threshold) * (size + other_size) - EPSILON)
                if 1 + min(size - i - 1, other_size - j - 1) >= needed:
                    candidates.update(uris)
        candidates.discard(page.article.src_uri)
        matches = [uri for uri in candidates
                   if len(mine & self.pages[uri].keyword_set_stems) >= threshold * len(mine | self.pages[uri].keyword_set_stems)]
        return sorted(matches)

    def _ordered(self, stems: frozenset[str]) -> list[str]:
        rank = self._rank
        try:
            return sorted(stems, key=rank.__getitem__)
        except KeyError:  # a stem no page of this site uses (a page from elsewhere): the rarest of all, it matches nothing
            return sorted(stems, key=lambda stem: rank.get(stem, -1))

    def by_prefix(self, threshold: float) -> dict[str, dict[tuple[int, int], list[str]]]:
        """Prefix stem -> (its position in the page's order, the page's size) -> pages. Built before
        judging forks (`indexed_facts`), so that each worker does not build it again."""
        if threshold not in self._prefix_index:
            index: dict[str, dict[tuple[int, int], list[str]]] = defaultdict(lambda: defaultdict(list))
            for uri, page in self.pages.items():
                stems = page.keyword_set_stems
                for position, stem in enumerate(self._ordered(stems)[: _prefix_length(len(stems), threshold)]):
                    index[stem][(position, len(stems))].append(uri)
            self._prefix_index[threshold] = index
        return self._prefix_index[threshold]

    @classmethod
    def build(cls, pages: dict[str, PageFacts], home: str | None = None) -> AudienceIndex:
        index = cls(pages, home)
        for src_uri, page in pages.items():
            for target in page.internal_links:
                index.inbound[target].add(src_uri)
            if page.article.meta.topic:
                index.by_topic[page.article.meta.topic].append(page)
            if page.keyword_stems:
                index.by_keyword[tuple(sorted(page.keyword_stems))].append(page)
        index.order_stems()
        return index

    def order_stems(self) -> None:
        """Ranks every stem of the site's keywords (`_rank`): a dictionary lookup per stem, where a key of
        (frequency, stem) per comparison was most of building the near-duplicate index."""
        frequency = Counter(stem for page in self.pages.values() for stem in page.keyword_set_stems)
        self._rank = {stem: rank for rank, stem in enumerate(sorted(frequency, key=lambda stem: (frequency[stem], stem)))}


class SiteFacts:
    @cached_property
    def lexicons(self) -> Lexicons:
        """The compliance lexicons, as the gate loads them: a text both look at is scanned once."""
        return load_lexicons(self.site.project.registry_dir, self.site.products)

    def __init__(self, site: Site):
        folder = str(site.project.registry_dir)
        every_file = frozenset(site.articles) | frozenset(site.unreadable)
        self.site = site
        self.pages = {}
        analyzers: dict[str, Analyzer] = {}  # by language: the stop words are read once per tree
        for src_uri, article in site.articles.items():
            lang = article.meta.lang or site.project.language
            base = lang.split("-")[0]
            if base not in analyzers:
                analyzers[base] = analyzer(folder, base)
            self.pages[src_uri] = PageFacts(article, lang, analyzers[base], site.project.site_url, every_file,
                                            site.project.registry_dir, self)
        self._audiences: dict[SiteAudience | None, AudienceIndex] = {}
        self._views: dict[SiteAudience | None, AudienceIndex] = {}

    def audience(self, audience: SiteAudience | None, published: frozenset[str] | None = None) -> AudienceIndex:
        """The index of `audience`'s pages; with `published`, as the rules across pages see it."""
        if audience not in self._audiences:
            pages = {uri: page for uri, page in self.pages.items()
                     if audience is None or audience.accepts(page.article.meta.audience)}
            home = self.site.project.homes.get(audience.value) if audience else None
            self._audiences[audience] = AudienceIndex.build(pages, home)
        index = self._audiences[audience]
        if published is None:
            return index
        view = self._views.get(audience)
        if view is None or view.published is not published:  # one set per site and run: asked on every page
            view = self._views[audience] = index.seen_by(published)
        return view


_CACHE: dict[int, tuple[weakref.ref, int, SiteFacts]] = {}  # id -> (site, its revision, facts)


def _known_facts(site: Site) -> SiteFacts | None:
    cached = _CACHE.get(id(site))
    return cached[2] if cached and cached[0]() is site and cached[1] == site.revision else None


def site_facts(site: Site) -> SiteFacts:
    """The facts of a loaded content tree, shared by every rule that looks at it."""
    known = _known_facts(site)
    if known:
        return known
    if len(_CACHE) > 4:
        _CACHE.clear()
    facts = SiteFacts(site)
    _CACHE[id(site)] = (weakref.ref(site), site.revision, facts)
    return facts


def own_facts(site: Site, article: Article) -> PageFacts:
    """The facts of one page, for a page-local assessment: those of the whole site when they were computed
    (the page's outline and stems are then shared with the other assessments), else those of a site of
    this page alone, so that what other pages hold cannot reach the score."""
    known = _known_facts(site)
    if known:
        return known.pages[article.src_uri]
    return SiteFacts(replace(site, articles={article.src_uri: article}, unreadable={})).pages[article.src_uri]


INDEXED = ("internal_links", "keyword_stems", "keyword_set_stems")  # what the sites' indexes read of each page


def index_values(page: PageFacts) -> tuple:
    return tuple(getattr(page, name) for name in INDEXED)


def indexed_facts(site: Site, jobs: int = 1, known: dict[str, tuple] | None = None, sites: bool = True) -> SiteFacts:
    """The facts of `site` with what each page gives the indexes (its links, its keywords' stems), read in `jobs`
    processes (this one and forked workers) or taken from `known` (src_uri -> those values, as `index_values` gave
    them), and with `sites`, the link graph and keyword index of each site built (`index_the_sites`). Done before
    forking, so that worker processes share them instead of each building them again."""
    facts = site_facts(site)
    for src_uri, values in (known or {}).items():
        if src_uri in facts.pages:
            vars(facts.pages[src_uri]).update(zip(INDEXED, values))
    pages = [page for page in facts.pages.values() if not all(name in vars(page) for name in INDEXED)]
    for page, values in zip(pages, forked_map(index_values, pages, jobs, alongside=True)):
        vars(page).update(zip(INDEXED, values))  # what the cached properties would have computed here
    if sites:
        index_the_sites(facts)
    return facts


def index_the_sites(facts: SiteFacts) -> None:
    for audience in SiteAudience:
        facts.audience(audience).by_prefix(NEAR_IDENTICAL)


INDEX_ENTRY = "seo-index"  # what a page gives the hub's indexes, kept with its page-local violations


@before_pages
def _index_the_hub(site: Site, rules: list[Rule], jobs: int, kept: dict[str, dict]) -> dict[str, dict]:
    """What each page gives the hub's indexes, when an assessment will run. It depends on the page's bytes, paths,
    the settings (its language) and the registries (stop words): the judged pages' key holds all of them."""
    scored = {registered.code for registered in ASSESSMENTS}
    if not any(registered.code.code in scored for registered in rules):
        return {}
    known = {src_uri: entries[INDEX_ENTRY] for src_uri, entries in kept.items() if INDEX_ENTRY in entries}
    facts = indexed_facts(site, jobs, known, sites=False)
    return {src_uri: {INDEX_ENTRY: index_values(page)} for src_uri, page in facts.pages.items() if src_uri not in known}


@beside_pages
def _index_the_sites(site: Site, rules: list[Rule]) -> None:
    """The sites' indexes, which only the assessments across pages read, when one will run: made while the pages
    are judged (0.2-0.3 s at 10,000 articles, in this process alone)."""
    across = {registered.code for registered in ASSESSMENTS} & {r.code.code for r in rules if r.across_pages}
    if across:
        index_the_sites(site_facts(site))


Scorer = Callable[[PageFacts, AudienceIndex], Assessment | None]


@dataclass(frozen=True)
class Registered:
    code: str
    title: str
    score: Scorer
    page_local: bool = False


ASSESSMENTS: list[Registered] = []


def assessment(code: str, severity: Severity, title: str, per_audience: bool = False,
               across_pages: bool = False, page_local: bool = False) -> Callable[[Scorer], Scorer]:
    """Register a scorer as the rule `code`: a poor score is a finding at `severity`, a middling one is info.
    `across_pages`: the score depends on other pages' links or keywords (see `rule`); only such a scorer is given
    its site's index. `page_local`: the score reads only the page, the registries and the settings. A scorer that
    is neither reads the page's facts and which files the hub has (`PageFacts.all_pages`), and is given None: the
    sites' indexes are made while such rules run (`beside_pages`)."""

    def register(scorer: Scorer) -> Scorer:
        def check(article: Article, context: Context):
            if page_local:
                result = scorer(own_facts(context.site, article), None)
            elif not across_pages:  # it reads which files the hub has, not the sites' indexes (`beside_pages`)
                result = scorer(site_facts(context.site).pages[article.src_uri], None)
            else:
                facts = site_facts(context.site)
                result = scorer(facts.pages[article.src_uri], facts.audience(context.audience, context.published))
            if result and result.score < GOOD:
                yield Violation(result.sentence, result.line, None if result.score <= POOR else Severity.INFO)

        check.__name__ = scorer.__name__
        rule(code, severity, title, per_audience, across_pages, page_local)(check)
        ASSESSMENTS.append(Registered(code, title, scorer, page_local))
        return scorer

    return register


def registered_assessments() -> list[Registered]:
    registered_rules()  # imports every rule module, the SEO ones included
    return ASSESSMENTS


def score_page(page: PageFacts, index: AudienceIndex,
               known: dict[str, Assessment | None] | None = None) -> dict[str, Assessment]:
    """Every applicable assessment of one page, by code (for the SEO report). `known`: the page-local
    assessments' results on this page (None where one does not apply), kept from an earlier report."""
    scores = {}
    for registered in registered_assessments():
        if registered.page_local:
            result = known[registered.code] if known is not None else registered.score(page, None)
        else:
            result = registered.score(page, index)
        if result:
            scores[registered.code] = result
    return scores
