"""SE1xx, SE2xx and SE3xx on one page: metadata, keyword placement, structure (Yoast-style scores)."""

from __future__ import annotations

from carepress.model.schema import ContentType, FunnelStage
from carepress.report.finding import Severity
from carepress.seo import metadata
from carepress.seo.analysis import GOOD, OK, POOR, Assessment, AudienceIndex, PageFacts, assessment
from carepress.seo.pixels import TITLE_LIMIT_PX, title_width

TITLE_MAX_CHARS, TITLE_MIN_CHARS = 60, 30
KEYWORD_MAX_CHARS, KEYWORD_MAX_WORDS = 80, 8
EARLY_POSITION = 1  # the keyword's first significant word may follow one other word in the title
DENSITY_BAND = (0.5, 3.0)  # percent of the words
MIN_WORDS = {FunnelStage.ATTRACT: 600, FunnelStage.CONVERT: 500, FunnelStage.CLOSE: 300, FunnelStage.DELIGHT: 300}


def _keyword_line(page: PageFacts) -> int:
    return page.article.line_of("keywords", "primary")


def _placement(page: PageFacts, text: str, where: str, line: int | None, fix: str) -> Assessment | None:
    """Score the primary keyword's presence in one place of the page."""
    if not page.keyword_stems:
        return None
    share = page.coverage(text)
    if share == 1:
        return Assessment(GOOD, f"the primary keyword appears in {where}", line)
    if share >= 0.5:
        return Assessment(OK, f"only part of the primary keyword \u201c{page.keyword}\u201d appears in {where}; {fix}", line)
    return Assessment(POOR, f"the primary keyword \u201c{page.keyword}\u201d is missing from {where}; {fix}", line)


# --- SE1xx: metadata -----------------------------------------------------------------------------

@assessment("SE100", Severity.WARNING, "Title length", page_local=True)
def title_length(page: PageFacts, index: AudienceIndex) -> Assessment:
    title, line = page.article.meta.title, page.article.line_of("title")
    chars, width = len(title), title_width(title)
    if chars > TITLE_MAX_CHARS or width > TITLE_LIMIT_PX:
        return Assessment(POOR, f"the title is {chars} characters, about {width:.0f} px wide: Google cuts it past "
                          f"{TITLE_MAX_CHARS} characters or {TITLE_LIMIT_PX} px; shorten it, keyword first", line)
    if chars < TITLE_MIN_CHARS:
        return Assessment(OK, f"the title is only {chars} characters; use the room (up to {TITLE_MAX_CHARS}) to say what the page answers", line)
    return Assessment(GOOD, f"the title fits ({chars} characters, about {width:.0f} px)", line)


@assessment("SE101", Severity.INFO, "Primary keyword not early in the title", page_local=True)
def keyword_in_title(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    found = _placement(page, page.article.meta.title, "the title", page.article.line_of("title"),
                       "start the title with it")
    if found and found.score == GOOD:
        title_stems = page.analyzer.stems(page.article.meta.title)
        first = min(title_stems.index(stem) for stem in page.keyword_stems)
        if first > EARLY_POSITION:
            return Assessment(OK, "the primary keyword comes late in the title; move it to the start", found.line)
    return found


@assessment("SE102", Severity.WARNING, "Meta description length", page_local=True)
def description_length(page: PageFacts, index: AudienceIndex) -> Assessment:
    own = page.article.meta.description
    length = len(page.description)
    low, high = metadata.DESCRIPTION_MIN, metadata.DESCRIPTION_MAX
    if own is None:
        if length < low:
            return Assessment(POOR, f"no `description`, and the introduction gives only {length} characters; "
                              f"write a description of {low}-{high} characters", page.article.line_of("title"))
        return Assessment(GOOD, "the description is generated from the introduction", None)
    if low <= length <= high:
        return Assessment(GOOD, f"the description is {length} characters", page.article.line_of("description"))
    advice = "shorten it" if length > high else "lengthen it"
    return Assessment(OK, f"the description is {length} characters; {advice} to {low}-{high} so the snippet shows it whole",
                      page.article.line_of("description"))


@assessment("SE103", Severity.WARNING, "Canonical URL refused", page_local=True)
def canonical_override(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    value = page.article.meta.canonical
    if value is None:
        return None
    problem = metadata.canonical_problem(value, page.site_url)
    if problem:
        return Assessment(POOR, f"`canonical` {problem}, so the page's own URL is used; point it at a page of this site "
                          "(a path such as `diabete-type-2/alimentation/`) or remove it", page.article.line_of("canonical"))
    return Assessment(GOOD, "the canonical URL is a page of this site")


@assessment("SE104", Severity.WARNING, "Translation is invalid")
def translations(page: PageFacts, index: AudienceIndex | None) -> Assessment | None:
    links = page.article.meta.translations
    if not links:
        return None
    for lang, target in links.items():
        line = page.article.line_of("translations", lang)
        if not metadata.LANGUAGE_CODE.match(lang):
            return Assessment(POOR, f"`{lang}` is not a language code; write it as `en`, `fr` or `fr-BE`", line)
        if target not in page.all_pages:
            return Assessment(POOR, f"translation `{lang}` points to `{target}`, which is not a page of the content folder; "
                              "write the path of the translated file relative to the content folder", line)
    return Assessment(GOOD, "every translation points to a page")


@assessment("SE105", Severity.WARNING, "Page has no keywords", page_local=True)
def has_keywords(page: PageFacts, index: AudienceIndex) -> Assessment:
    if page.keyword:
        return Assessment(GOOD, "the page has a primary keyword")
    return Assessment(POOR, "the page has no primary keyword, so its placement cannot be assessed; add "
                      "`keywords: {primary: \"...\"}` with the long-tail query it answers", page.article.line_of("keywords"))


@assessment("SE106", Severity.WARNING, "Keyword is empty or too long", page_local=True)
def keyword_shape(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    keywords = page.article.meta.keywords
    if keywords is None:
        return None
    listed = [(("keywords", "primary"), keywords.primary)] if keywords.primary is not None else []
    listed += [(("keywords", "secondary", i), value) for i, value in enumerate(keywords.secondary)]
    for key, value in listed:
        line = page.article.line_of(*key)
        if not value.strip() or not page.analyzer.stems(value):
            return Assessment(POOR, "a keyword is empty (or only stop words); write the query or remove the entry", line)
        if len(value) > KEYWORD_MAX_CHARS or len(value.split()) > KEYWORD_MAX_WORDS:
            return Assessment(POOR, f"the keyword \u201c{value[:40]}…\u201d is too long for a query (over {KEYWORD_MAX_CHARS} "
                              f"characters or {KEYWORD_MAX_WORDS} words); keep the words people type", line)
    return Assessment(GOOD, "keywords are well formed")


# --- SE2xx: keyword placement ---------------------------------------------------------------------

@assessment("SE200", Severity.INFO, "Primary keyword not in the H1", page_local=True)
def keyword_in_h1(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    h1 = page.h1
    return _placement(page, h1[0].text if h1 else page.article.meta.title, "the H1",
                      h1[0].line if h1 else None, "put it in the `# ` heading")


@assessment("SE201", Severity.INFO, "Primary keyword not in the introduction", page_local=True)
def keyword_in_introduction(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    return _placement(page, page.outline.introduction, "the introduction", page.outline.intro_line,
                      "use it in the first paragraph")


@assessment("SE202", Severity.INFO, "Primary keyword not in the URL", page_local=True)
def keyword_in_url(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if page.is_home:  # the home page's URL is the site's address
        return None
    return _placement(page, page.url.replace("/", " ").replace("-", " "), f"the URL `{page.url or '/'}`", 1,
                      "rename the file (and its folder) with the keyword's main words")


@assessment("SE203", Severity.INFO, "Primary keyword not in the meta description", page_local=True)
def keyword_in_description(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    line = page.article.line_of("description") if page.article.meta.description else page.outline.intro_line
    return _placement(page, page.description, "the meta description", line, "rewrite the description around it")


@assessment("SE204", Severity.INFO, "Primary keyword not in a subheading", page_local=True)
def keyword_in_subheading(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keyword_stems:
        return None
    subheadings = page.outline.subheadings
    if not subheadings:
        return Assessment(OK, "the page has no subheading; structure it with `## ` headings, one of them with the keyword",
                          page.outline.intro_line)
    best = max(subheadings, key=lambda h: page.coverage(h.text))
    return _placement(page, best.text, "the subheadings", best.line, "reword one `## ` heading with it")


@assessment("SE205", Severity.INFO, "Primary keyword not in image alt text", page_local=True)
def keyword_in_alt(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keyword_stems:
        return None
    images = page.outline.images
    if not images:
        return Assessment(OK, "the page has no image; an illustration whose alt text uses the keyword helps image search",
                          page.outline.intro_line)
    best = max(images, key=lambda image: page.coverage(image[0]))
    return _placement(page, best[0], "the images' alt text", best[1], "describe one image with it in `![alt](...)`")


@assessment("SE206", Severity.INFO, "Keyword density out of band", page_local=True)
def keyword_density(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if not page.keyword_stems or not page.word_count:
        return None
    counts = {stem: 0 for stem in page.keyword_stems}
    for stem in page.body_stems:
        if stem in counts:
            counts[stem] += 1
    density = min(counts.values()) * 100 / page.word_count
    low, high = DENSITY_BAND
    line = page.outline.intro_line
    if density > high:
        return Assessment(POOR, f"the keyword makes {density:.1f}% of the words, over {high}%: it reads as stuffing; use synonyms", line)
    if density < low:
        return Assessment(OK, f"the keyword makes {density:.1f}% of the words, under {low}%; use it a few more times where it reads naturally", line)
    return Assessment(GOOD, f"keyword density {density:.1f}%")


# --- SE3xx: structure and links ----------------------------------------------------------------------

@assessment("SE300", Severity.INFO, "Text too short for its funnel stage", page_local=True)
def text_length(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    meta = page.article.meta
    if meta.content_type is ContentType.CORPORATE:
        return None
    wanted, count = MIN_WORDS[meta.funnel_stage], page.word_count
    if count >= wanted:
        return Assessment(GOOD, f"{count} words")
    score = OK if count >= wanted // 2 else POOR
    return Assessment(score, f"{count} words for a `{meta.funnel_stage.value}` page; aim for at least {wanted} by answering "
                      "the persona's next questions", page.article.line_of("funnel_stage"))


@assessment("SE301", Severity.WARNING, "Not exactly one H1", page_local=True)
def single_h1(page: PageFacts, index: AudienceIndex) -> Assessment:
    h1 = page.h1
    if len(h1) == 1:
        return Assessment(GOOD, "one H1")
    if not h1:
        return Assessment(OK, "the page has no `# ` heading, so the title is used as H1; write one with the keyword", page.article.body_line)
    return Assessment(POOR, f"the page has {len(h1)} H1 headings; keep one `# ` heading and make the others `## `", h1[1].line)


@assessment("SE302", Severity.INFO, "No link to other funnel stages of the topic", per_audience=True, across_pages=True)
def funnel_links(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    meta = page.article.meta
    if not meta.topic or meta.content_type is ContentType.CORPORATE:
        return None
    firsts = {stage: other for stage, other in index.first_by_stage(meta.topic).items() if stage is not meta.funnel_stage}
    if not firsts:
        return None
    for uri in page.internal_links:
        other = index.pages.get(uri) if index.counts(uri) else None
        if other and other.article.meta.topic == meta.topic and other.article.meta.funnel_stage is not meta.funnel_stage:
            return Assessment(GOOD, "links to another funnel stage of the topic")
    suggestion = min(firsts.values(), key=lambda other: other.article.src_uri)
    return Assessment(POOR, f"no link to another funnel stage of `{meta.topic}`; link to `{suggestion.article.src_uri}` "
                      f"({suggestion.article.meta.funnel_stage.value}) so readers can take the next step", page.article.body_line)


@assessment("SE303", Severity.INFO, "No outbound link to a reference", page_local=True)
def outbound_references(page: PageFacts, index: AudienceIndex) -> Assessment | None:
    if page.article.meta.content_type is ContentType.CORPORATE:
        return None
    if any(link.external for link in page.outline.links):
        return Assessment(GOOD, "links to its sources")
    return Assessment(POOR, "no outbound link to a source; link the statements to their references (HAS, ameli.fr, a journal)",
                      page.article.line_of("references"))
