"""The rule engine: rules are small pure functions registered with a stable code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from carepress.compliance.links import CP401, unpublished_link_findings, unpublished_links
from carepress.forked import collections_paused, forked_map
from carepress.model.article import Article
from carepress.model.schema import SiteAudience
from carepress.model.site import Site
from carepress.packs import PackCache, code_digest, digest, folder_state
from carepress.report.finding import Code, Finding, Severity, define


@dataclass(frozen=True)
class Violation:
    """What a rule yields: a sentence that says what to do, and where."""

    message: str
    line: int | None = None
    # A rule may lower its default, e.g. per audience; never raise it: rules that cannot reach the severity reported
    # are skipped, and a rule across pages, never an error, runs once publication is decided.
    severity: Severity | None = None


@dataclass(frozen=True)
class Context:
    site: Site
    audience: SiteAudience | None  # the site being built; None when checking the tree for every site
    today: dt.date
    # The pages the site publishes, for the rules across pages (judged after the others, which decide it);
    # None: every page of the site's audience.
    published: frozenset[str] | None = None


RuleFunction = Callable[[Article, Context], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    code: Code
    check: RuleFunction
    per_audience: bool  # its verdict depends on the site being built (patient or HCP)
    # Its verdict on a page depends on what other pages say (their links, keywords, topics), not only on
    # which pages the site has: after a preview's edit, every page is judged again by it (`rejudge`). It runs
    # once the other rules have decided what each site publishes, and looks at those pages only
    # (`Context.published`): so it never blocks a page itself.
    across_pages: bool = False
    # It reads only the page, the registries (lexicons included) and the hub's settings: its violations
    # are kept in the judged pages' cache. Never true for a rule that looks at other pages or at the date.
    page_local: bool = False


RULES: list[Rule] = []


def rule(code: str, severity: Severity, title: str, per_audience: bool = False,
         across_pages: bool = False, page_local: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule. Its docs page is docs/rules/<code>.md."""

    if across_pages and severity is Severity.ERROR:
        raise ValueError(f"{code}: a rule across pages runs once publication is decided, it cannot block a page")

    def register(function: RuleFunction) -> RuleFunction:
        RULES.append(Rule(define(code, severity, title), function, per_audience, across_pages, page_local))
        return function

    return register


def registered_rules() -> list[Rule]:
    importlib.import_module("carepress.compliance.rules")  # registers every rule module once
    return RULES


def deciding_rules() -> list[Rule]:
    """The rules judged first: what they find decides what each site publishes."""
    return [r for r in registered_rules() if not r.across_pages]


def rules_across_pages() -> list[Rule]:
    """The rules judged once publication is decided, on the pages each site publishes."""
    return [r for r in registered_rules() if r.across_pages]


def run_rules(article: Article, context: Context, shared: dict | None = None,
              min_severity: Severity = Severity.INFO, rules: list[Rule] | None = None) -> list[Finding]:
    """Every rule (or those of `rules`) on one page. `shared` keeps, by (audience or None, code), the
    violations of rules that do not depend on the audience, so a page on both sites is judged once by
    them, and those of page-local rules, which the judged pages' cache keeps (`judge`); a rule whose
    violations it already holds is not run.

    Rules whose findings cannot reach `min_severity` are skipped (a rule never raises its default
    severity), unless the page waives them: the manifest lists every waiver that was used."""
    waivers = article.meta.compliance.waive
    findings = []
    for registered, code, below, key, audience in _plan(rules, min_severity, context.audience, bool(waivers)):
        if below and code.code not in waivers:
            continue
        if shared is not None and key is not None:
            violations = shared.get(key)
            if violations is None:
                violations = shared[key] = list(registered.check(article, context))
        else:
            violations = registered.check(article, context)
        for violation in violations:
            findings.append(
                Finding(
                    path=article.path,
                    line=violation.line or 1,
                    code=code.code,
                    severity=violation.severity or code.severity,
                    message=violation.message,
                    audience=audience,
                    waived=waivers.get(code.code) if code.waivable else None,
                )
            )
    return findings


# Per rule: the rule, its code, whether it is below the severity asked for, its key in `shared` (None when
# it is not shared) and the audience its findings name. Judging asks for it on every page of every site:
# worked out once per (rules, severity, site), it was a third of judging an unchanged tree.
Step = tuple[Rule, Code, bool, tuple[str | None, str] | None, str | None]
# (the rules' identities, severity, site, whether the page waives a rule) -> steps. A page that waives
# nothing (most pages) is given no step below the severity: a rule that could not report is not run.
_PLANS: dict[tuple, list[Step]] = {}


def _plan(rules: list[Rule] | None, min_severity: Severity, audience: SiteAudience | None,
          waives: bool) -> list[Step]:
    rules = registered_rules() if rules is None else rules
    # The steps hold the rules they were made of, so an identity that matches is of these very rules.
    key = (tuple(map(id, rules)), min_severity, audience, waives)
    known = _PLANS.get(key)
    if known is None:
        known = _PLANS[key] = _steps(rules, min_severity, audience, waives)
    return known


def _steps(rules: list[Rule], min_severity: Severity, audience: SiteAudience | None, waives: bool) -> list[Step]:
    steps = []
    for registered in rules:
        code = registered.code
        below = code.severity.rank > min_severity.rank
        if below and not waives:
            continue
        named = audience.value if audience and registered.per_audience else None
        shared = (named, code.code) if registered.page_local or not registered.per_audience else None
        steps.append((registered, code, below, shared, named))
    return steps


@dataclass
class Verdict:
    """Whether one page goes on one site, and why."""

    src_uri: str
    path: str
    in_audience: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.in_audience and not any(f.blocks_publication for f in self.findings)


# (site, the rules that will run, processes, what the cache kept per page) -> what to keep per page
Preparer = Callable[[Site, list[Rule], int, dict[str, dict]], dict[str, dict]]
PREPARERS: list[Preparer] = []


def before_pages(function: Preparer) -> Preparer:
    """Register what must be computed across the hub before pages are judged (in forked workers,
    each page's rules then share it instead of computing it again). It is given the site, the rules
    that will run, the number of processes it may share its own work between, and what the judged
    pages' cache kept of each unchanged page (src_uri -> entries). It returns what to keep of the pages
    it computed (src_uri -> {name: value}, names other than the rules' (audience, code) pairs): it is
    stored with their page-local violations, under the same key, so it must depend on nothing else."""
    PREPARERS.append(function)
    return function


# (site, the rules that will run) -> None
BesidePages = Callable[[Site, list[Rule]], None]
BESIDE_PAGES: list[BesidePages] = []


def beside_pages(function: BesidePages) -> BesidePages:
    """Register what only the rules across pages need of the hub (the SEO sites' indexes): made in this process
    while forked workers judge the pages (`forked_map`'s `meanwhile`), then shared with the workers that judge
    the rules across pages. No deciding rule may need it: those workers were forked before it was made."""
    BESIDE_PAGES.append(function)
    return function


def judge(site: Site, audiences: list[SiteAudience], min_severity: Severity = Severity.INFO,
          jobs: int = 1, cache: PackCache | None = None) -> dict[str, dict[SiteAudience, list[Finding]]]:
    """Per article, the findings of the rules on each of `audiences`' sites it belongs to.

    Audience-independent rules run once per page. The rules across pages run after the others, on what
    those let each site publish. With `jobs` > 1, pages are judged in `jobs` - 1 forked processes and in
    this one, which only collects their answers after its own share (`alongside`). With a `cache`, the
    violations of page-local rules on a page read before (`site.source_keys`) are taken from it; the
    other rules run on every page."""
    rules = [r for r in registered_rules() if r.code.severity.rank <= min_severity.rank]
    deciding = deciding_rules()
    today = site.project.today
    keys = judged_keys(site, audiences, min_severity) if cache else {}
    # Read here, before the workers fork: they inherit them, and the run's clean-up keeps them. Kept to the end: no
    # collection walks them as they are read (one did, 90 ms of a 2.7 s `check` of an unchanged 10,000-article tree).
    with collections_paused():
        cached = {src_uri: known for src_uri, key in keys.items() if (known := cache.get(key)) is not None}
    for src_uri, known in cached.items():  # what rules derived from an unchanged page (its links) is not derived again
        site.articles[src_uri].derived.update(known.get(DERIVED_ENTRY, {}))
    prepared: dict[str, dict] = defaultdict(dict)
    for prepare in PREPARERS:
        for src_uri, entries in prepare(site, rules, jobs, cached).items():
            prepared[src_uri].update(entries)
    # What a page-local rule found, by (audience or None, code); the cache keeps only what is not empty.
    local = {(audience.value if r.per_audience else None, r.code.code): ()
             for r in registered_rules() if r.page_local for audience in audiences}

    def judge_page(src_uri: str) -> tuple[dict[SiteAudience, list[Finding]], dict | None, dict | None]:
        article, key = site.articles[src_uri], keys.get(src_uri)
        known = cached.get(src_uri)
        shared = {} if known is None else {**local, **known}
        derived_before = len(article.derived)  # what the cache kept of an unchanged page is already in the parent
        by_audience = {audience: run_rules(article, Context(site, audience, today), shared, min_severity, deciding)
                       for audience in audiences if audience.accepts(article.meta.audience)}
        fresh = None if known is not None or not key else {k: v for k, v in shared.items() if v and k in local}
        derived = article.derived if known is None or len(article.derived) != derived_before else None
        return by_audience, derived, fresh

    def beside() -> None:
        for build in BESIDE_PAGES:
            build(site, rules)

    uris = list(site.articles)
    judged = {}
    answers = forked_map(judge_page, uris, jobs, alongside=True, meanwhile=beside)
    for src_uri, (by_audience, derived, fresh) in zip(uris, answers):
        # What the rules derived in a worker (a page's links) comes back: the parent's CP401 does not derive it again.
        if derived is not None:
            site.articles[src_uri].derived.update(derived)
        judged[src_uri] = by_audience
        if fresh is not None:
            cache.put(keys[src_uri], {**fresh, **prepared.get(src_uri, {}), DERIVED_ENTRY: derived})
    if cache:
        cache.seal()
    _judge_across_pages(site, judged, audiences, min_severity, jobs)
    return judged


def _judge_across_pages(site: Site, judged: dict[str, dict[SiteAudience, list[Finding]]], audiences: list[SiteAudience],
                        min_severity: Severity, jobs: int) -> None:
    """Add to `judged` (each page's findings by site) what the rules across pages find, once the other
    rules' findings decide what each site publishes: a page linked only from a draft is an orphan, and
    a draft is no page's rival. Then, on each of `audiences`' sites, the links to pages it leaves out (CP401)."""
    across = rules_across_pages()
    blocked_on_load = {finding.path for finding in site.load_findings if finding.blocks_publication}
    published: dict[SiteAudience, set[str]] = defaultdict(set)
    for src_uri, by_audience in judged.items():
        if site.articles[src_uri].path not in blocked_on_load:
            for audience, findings in by_audience.items():
                if not any(finding.blocks_publication for finding in findings):
                    published[audience].add(src_uri)
    contexts = {audience: Context(site, audience, site.project.today, frozenset(published[audience]))
                for audience in SiteAudience}
    # Below the severity asked for, a rule runs only on a page that waives it (for the manifest's waivers).
    runs = {(audience, waives): bool(_plan(across, min_severity, audience, waives))
            for audience in SiteAudience for waives in (False, True)}
    uris = [src_uri for src_uri, by_audience in judged.items()
            if any(runs[audience, bool(site.articles[src_uri].meta.compliance.waive)] for audience in by_audience)]

    def judge_page(src_uri: str) -> dict[SiteAudience, list[Finding]] | None:
        article = site.articles[src_uri]
        found = {audience: findings for audience in judged[src_uri]
                 if (findings := run_rules(article, contexts[audience], None, min_severity, across))}
        if blocking := [f.code for findings in found.values() for f in findings if f.blocks_publication]:
            raise RuntimeError(f"{src_uri}: a rule across pages raised {blocking} to an error (see Violation.severity)")
        return found or None  # most pages: nothing to send back from a worker

    left_out: dict[SiteAudience, list[tuple[str, Finding]]] = {}

    def links_to_pages_left_out() -> None:  # what each site publishes is known: made here while the workers work
        for audience in audiences:
            on_site = {src_uri: False for src_uri in site.unreadable} | {src_uri: src_uri in published[audience]
                                                                        for src_uri in site.articles}
            left_out[audience] = list(unpublished_links(site, audience, on_site))

    answers = forked_map(judge_page, uris, jobs, alongside=True, meanwhile=links_to_pages_left_out)
    for src_uri, by_audience in zip(uris, answers):
        for audience, findings in (by_audience or {}).items():
            judged[src_uri][audience] += findings
    for audience, found in left_out.items():  # after the rules across pages, as each page's last findings
        for src_uri, finding in found:
            judged[src_uri][audience].append(finding)

DERIVED_ENTRY = "derived"  # a judged page's `Article.derived`, kept with its page-local violations
JUDGED_FORMAT = "judged-2"  # bump when what is stored changes (page-local violations by audience and code, derived, prepared)


def judged_keys(site: Site, audiences: list[SiteAudience], min_severity: Severity) -> dict[str, str]:
    """src_uri -> the key of its page-local violations: what it was read as (its bytes, paths and the code),
    the registries and lexicons, the hub's settings, the sites judged and the severity reported. Not the date:
    the rules that read it (expiry) are not page-local, so what is kept serves the next day's runs too."""
    project = site.project
    settings = json.dumps({**dataclasses.asdict(project), "today": None}, default=str, sort_keys=True)
    inputs = digest(JUDGED_FORMAT, code_digest(), settings, ",".join(a.value for a in audiences), min_severity.value,
                    *folder_state(project.registry_dir, content=True))
    return {src_uri: digest(inputs, key) for src_uri, key in site.source_keys.items()}


def evaluate(site: Site, audience: SiteAudience, min_severity: Severity = Severity.INFO, jobs: int = 1,
             judged: dict[str, dict[SiteAudience, list[Finding]]] | None = None,
             cache: PackCache | None = None) -> dict[str, Verdict]:
    """The verdict on every Markdown file for one audience's site, with its findings down to
    `min_severity` (`Severity.ERROR` is enough to know what is published). `judged`: pages already judged (`judge`,
    which finds the links to pages a site leaves out too)."""
    if judged is None:
        judged = judge(site, [audience], min_severity, jobs, cache)
    verdicts: dict[str, Verdict] = {}
    unreadable_findings: dict[str, list[Finding]] = {}
    for finding in site.load_findings:
        unreadable_findings.setdefault(finding.path, []).append(finding)
    for src_uri, path in site.unreadable.items():
        verdicts[src_uri] = Verdict(src_uri, path, in_audience=True, findings=unreadable_findings.get(path, []))
    for src_uri, article in site.articles.items():
        in_audience = audience.accepts(article.meta.audience)
        findings = unreadable_findings.get(article.path, []) + judged[src_uri].get(audience, [])
        verdicts[src_uri] = Verdict(src_uri, article.path, in_audience, findings)  # CP401 among them (`judge`)
    return verdicts


def rejudge(site: Site, audience: SiteAudience, verdicts: dict[str, Verdict], changed: set[str],
            min_severity: Severity = Severity.INFO) -> dict[str, Verdict]:
    """`verdicts` after the articles `changed` were edited (a preview): those pages are judged again, and
    every other page by the rules that look at other pages (`across_pages`: orphans, cannibalisation,
    links between funnel stages) and for its links to pages left out (CP401). The rules that depend only
    on which pages the site has are not run again: a new or removed page, or one entering or leaving
    the site, takes a full build."""
    context = Context(site, audience, site.project.today)
    across = rules_across_pages()
    again = {r.code.code for r in across} | {CP401.code}
    updated = {}
    for src_uri, verdict in verdicts.items():
        article = site.articles.get(src_uri)
        if src_uri in changed:
            in_audience = audience.accepts(article.meta.audience)
            findings = [f for f in site.load_findings if f.path == article.path]
            findings += run_rules(article, context, {}, min_severity, deciding_rules()) if in_audience else []
            verdict = Verdict(src_uri, article.path, in_audience)
        else:
            findings = [f for f in verdict.findings if f.code not in again]
        updated[src_uri] = replace(verdict, findings=findings)
    context = replace(context, published=frozenset(src_uri for src_uri, verdict in updated.items() if verdict.published))
    for src_uri, verdict in updated.items():
        article = site.articles.get(src_uri)
        if article is not None and verdict.in_audience:
            verdict.findings += run_rules(article, context, None, min_severity, across)
    unpublished_link_findings(site, audience, updated)
    return updated


def all_verdicts(site: Site, min_severity: Severity = Severity.INFO, jobs: int = 1,
                 cache: PackCache | None = None) -> dict[SiteAudience, dict[str, Verdict]]:
    """Every audience's verdicts, each page judged once."""
    judged = judge(site, list(SiteAudience), min_severity, jobs, cache)
    return {audience: evaluate(site, audience, judged=judged) for audience in SiteAudience}


def check_all(site: Site, min_severity: Severity = Severity.INFO, jobs: int = 1,
              verdicts: dict[SiteAudience, dict[str, Verdict]] | None = None,
              cache: PackCache | None = None) -> list[Finding]:
    """Every finding of the tree down to `min_severity`, each page judged for every site it belongs to
    (or the findings of `verdicts`, from `all_verdicts`)."""
    unique: dict[tuple, Finding] = {}
    for finding in site.load_findings:
        unique[(finding.path, finding.line, finding.code, finding.message, finding.severity)] = finding
    for by_page in (verdicts or all_verdicts(site, min_severity, jobs, cache)).values():
        for verdict in by_page.values():
            for finding in verdict.findings:
                key = (finding.path, finding.line, finding.code, finding.message, finding.severity)
                known = unique.setdefault(key, finding)
                if known.audience != finding.audience:  # the same on both sites: not audience-specific
                    unique[key] = replace(known, audience=None)
    return sorted(unique.values())
