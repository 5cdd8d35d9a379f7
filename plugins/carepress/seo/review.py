"""The SEO review: every page's keyword, scores and search snippet, and the hub's coverage, from the sources.

No MkDocs build: the content tree is loaded once, judged for both sites by the compliance engine
(to know what is published), and scored by the registered SE assessments.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from carepress.compliance.engine import all_verdicts, judged_keys
from carepress.forked import forked_map
from carepress.model.schema import FunnelStage, SiteAudience
from carepress.report.finding import Severity
from carepress.model.site import Site
from carepress.outputs import write_text
from carepress.packs import PackCache, digest
from carepress.seo import metadata
from carepress.seo.analysis import (GOOD, INDEX_ENTRY, POOR, index_values, indexed_facts, registered_assessments,
                                    score_page)
from carepress.seo.hubwide import coverage_matrix
from carepress.seo.pixels import title_width, truncate_to_width

TEMPLATES = Path(__file__).parent / "templates"
HUB_CODES = {"SE210": "Cannibalisation", "SE211": "Not long-tail", "SE212": "Keyword ethics", "SE304": "Orphan pages"}


@dataclass
class Score:
    code: str
    title: str
    score: int
    sentence: str
    line: int | None


@dataclass
class PageReview:
    src_uri: str
    path: str
    site: str  # the site it is judged for: patient, or hcp for professionals' pages
    published: bool
    title: str
    snippet_title: str
    snippet_url: str
    description: str
    title_chars: int
    title_px: int
    persona: list[str]
    funnel_stage: str
    topic: str | None
    keyword: str | None
    secondary: list[str]
    words: int
    score: int  # the mean of the page's scores, 0-100
    scores: list[Score] = field(default_factory=list)

    @property
    def problems(self) -> list[Score]:
        return [score for score in self.scores if score.score < GOOD]


@dataclass
class Review:
    site_name: str
    pages: list[PageReview]
    personas: dict[str, str]  # id -> label
    stages: list[str]
    coverage: dict[str, dict[str, int]]
    codes: dict[str, str]  # SE code -> title

    @property
    def gaps(self) -> int:
        return sum(count == 0 for row in self.coverage.values() for count in row.values())

    def hub_issues(self) -> dict[str, list[tuple[PageReview, Score]]]:
        issues: dict[str, list] = {code: [] for code in HUB_CODES}
        for page in self.pages:
            for score in page.scores:
                if score.code in issues and score.score < GOOD:
                    issues[score.code].append((page, score))
        return issues


def review(site: Site, jobs: int = 1, cache: PackCache | None = None) -> Review:
    """A page's address is built on its site's `site_url` (`Project.site_urls`, site_config/<audience>.yml), else the project's.
    Pages are scored in `jobs` forked processes. With a `cache`, what the blocking rules and the page-local
    assessments found on an unchanged page (with its description and word count) is kept for the next report."""
    keys = _scored_keys(site) if cache else {}
    kept = {uri: entry for uri, key in keys.items() if (entry := cache.get(key)) is not None}
    facts = indexed_facts(site, jobs, {uri: entry[INDEX_ENTRY] for uri, entry in kept.items()})
    verdicts = all_verdicts(site, Severity.ERROR, jobs, cache)  # what is published: the blocking rules are enough
    # Per site: the assessments across pages look at the pages it publishes (a draft is no page's rival).
    published_on = {audience: frozenset(uri for uri, verdict in by_page.items() if verdict.published)
                    for audience, by_page in verdicts.items()}
    published = frozenset().union(*published_on.values())
    titles = {registered.code: registered.title for registered in registered_assessments()}
    local = [registered.code for registered in registered_assessments() if registered.page_local]

    def page_review(src_uri: str) -> tuple[PageReview, dict | None]:
        page = facts.pages[src_uri]
        known = kept.get(src_uri)
        if known:
            vars(page).update(description=known["description"], word_count=known["word_count"])
        meta = page.article.meta
        audience = SiteAudience.PATIENT if SiteAudience.PATIENT.accepts(meta.audience) else SiteAudience.HCP
        base = site.project.site_urls.get(audience) or site.project.site_url
        by_code = score_page(page, facts.audience(audience, published_on[audience]), known and known["scores"])
        fresh = None if known or src_uri not in keys else {
            "scores": {code: by_code.get(code) for code in local}, "description": page.description,
            "word_count": page.word_count, INDEX_ENTRY: index_values(page)}
        scores = [Score(code, titles[code], result.score, result.sentence, result.line) for code, result in by_code.items()]
        url = metadata.absolute(base, page.url) or page.url
        title = metadata.page_title(meta.title, site.project.site_name)
        return PageReview(
            src_uri=src_uri, path=page.article.path, site=audience.value, published=src_uri in published,
            title=meta.title, snippet_title=truncate_to_width(title), snippet_url=_breadcrumb(url),
            description=_cut(page.description), title_chars=len(meta.title), title_px=round(title_width(meta.title)),
            persona=list(meta.persona), funnel_stage=meta.funnel_stage.value, topic=meta.topic,
            keyword=page.keyword, secondary=[k for k in (meta.keywords.secondary if meta.keywords else [])],
            words=page.word_count, score=round(sum(s.score for s in scores) * 100 / (9 * len(scores))) if scores else 0,
            scores=scores), fresh

    pages = []
    for reviewed, fresh in forked_map(page_review, sorted(facts.pages), jobs, alongside=True):
        pages.append(reviewed)
        if fresh is not None:
            cache.put(keys[reviewed.src_uri], fresh)
    if cache:
        cache.seal()
    live = [facts.pages[p.src_uri] for p in pages if p.published]
    personas = {persona.id: persona.label for persona in site.personas.values()}
    return Review(site.project.site_name, pages, personas, [stage.value for stage in FunnelStage],
                  coverage_matrix(live, list(personas)), titles)


SCORED_FORMAT = "scored-2"  # bump when what is kept of a reviewed page changes


def _scored_keys(site: Site) -> dict[str, str]:
    """src_uri -> the key of what a review keeps of the page: the judged pages' keys hold all that a page-local
    score and the page's part of the SEO index read (the page, the settings, the registries)."""
    return {uri: digest(SCORED_FORMAT, key) for uri, key in judged_keys(site, list(SiteAudience), Severity.INFO).items()}


def _breadcrumb(url: str) -> str:
    parts = urlsplit(url)
    path = [part for part in parts.path.split("/") if part]
    return " › ".join([f"{parts.scheme}://{parts.netloc}" if parts.netloc else url, *path])


def _cut(text: str, limit: int = metadata.DESCRIPTION_MAX) -> str:
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit - 1)
    return text[: space if space > 0 else limit - 1] + " …"  # a text with no space is cut where it must be


# --- output -----------------------------------------------------------------------------------------

def to_json(result: Review) -> str:
    data = {"site_name": result.site_name, "stages": result.stages, "personas": result.personas,
            "coverage": result.coverage, "content_gaps": result.gaps, "codes": result.codes,
            "pages": [{**vars(page), "scores": [vars(score) for score in page.scores]} for page in result.pages]}
    return json.dumps(data, ensure_ascii=False) + "\n"  # no indent: the C encoder, fast on thousands of pages


def to_csv(result: Review) -> str:
    codes = sorted(result.codes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "site", "published", "persona", "funnel_stage", "topic", "primary_keyword", "title",
                     "title_chars", "title_px", "words", "score", *codes, "to_do"])
    for page in result.pages:
        by_code = {score.code: score.score for score in page.scores}
        row = [page.path, page.site, page.published, " ".join(page.persona), page.funnel_stage, page.topic or "",
               page.keyword or "", page.title, page.title_chars, page.title_px, page.words, page.score,
               *(by_code.get(code, "") for code in codes), " | ".join(f"{s.code}: {s.sentence}" for s in page.problems)]
        writer.writerow([_safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: every text cell (an editor wrote most of them,
    a keyword as well as a title) is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_html(result: Review) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    peak = max((count for row in result.coverage.values() for count in row.values()), default=0)
    return env.get_template("report.html").render(review=result, script=script, peak=peak or 1, GOOD=GOOD, POOR=POOR,
                                                  hub_codes=HUB_CODES, issues=result.hub_issues())


def write(result: Review, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("index.html", to_html(result)), ("pages.csv", to_csv(result)), ("seo.json", to_json(result))):
        written.append(write_text(folder / name, text))
    return written
