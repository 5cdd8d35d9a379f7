"""The judged pages' cache: an unchanged page is neither parsed nor judged by page-local rules again,
and nothing it depends on can change without its findings being computed anew."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

import carepress.model.loader as loader
import carepress.model.site as site_module
from benchmarks.generator import TODAY, generate, reapprove
from carepress.compliance import engine, links
from carepress.compliance.engine import Context, check_all, registered_rules
from carepress.forked import MIN_ITEMS_PER_JOB
from carepress.model.schema import SiteAudience
from carepress.model.site import load_site
from carepress.packs import PackCache
from carepress.report.finding import Severity
from carepress.seo import analysis
from carepress.seo.analysis import site_facts
from carepress.settings import load_project

REPO = Path(__file__).resolve().parents[2]
NEUTRAL_SENTENCE = "Quelques repères simples"  # in the generated articles' text


@pytest.fixture
def counted(monkeypatch):
    """How many files were parsed and how many times each rule ran, in this process."""
    counts = collections.Counter()
    parse = site_module.parse_article

    def parse_counted(*args):
        counts["parsed"] += 1
        return parse(*args)

    def counting(rule):
        def check(article, context):
            counts[rule.code.code] += 1
            return rule.check(article, context)
        return dataclasses.replace(rule, check=check)

    def counted_as(name, function):
        def call(*args):
            counts[name] += 1
            return function(*args)
        return call

    for module in (site_module, loader):
        monkeypatch.setattr(module, "parse_article", parse_counted)
    monkeypatch.setattr(analysis, "index_values", counted_as("indexed", analysis.index_values))
    monkeypatch.setattr(links, "_scan_links", counted_as("links scanned", links._scan_links))
    monkeypatch.setattr(engine, "RULES", [counting(rule) for rule in registered_rules()])
    return counts


def judged(hub: Path, cache_dir: Path | None, today: str = TODAY, jobs: int = 1):
    """`carepress check`'s findings, with what is kept in `cache_dir` (opened afresh: as a new run finds it)."""
    project, _ = load_project(hub / "mkdocs.yml", today)
    read, judged = (PackCache(cache_dir / "read"), PackCache(cache_dir / "judged")) if cache_dir else (None, None)
    findings = check_all(load_site(project, jobs=jobs, cache=read), Severity.INFO, jobs, cache=judged)
    for cache in filter(None, (read, judged)):
        cache.prune()
    return findings


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def hub(tmp_path):
    made = generate(tmp_path / "hub", 12)
    # A draft and a promotional claim: findings of page-local rules the cache must give back.
    edit(next((made / "content").rglob("fiche-*.md")), "status: approved", "status: draft")
    edit(sorted((made / "content").rglob("fiche-*.md"))[-1], NEUTRAL_SENTENCE, "Un remède miraculeux")
    return made


def test_a_second_run_finds_the_same_without_reading_or_judging_a_page_again(hub, tmp_path, counted):
    without = judged(hub, None)
    pages = counted["parsed"]
    first = judged(hub, tmp_path / "cache")
    counted.clear()
    second = judged(hub, tmp_path / "cache")
    assert without == first == second
    assert {"CP200", "CP203", "CP302", "SE304"} <= {f.code for f in second}
    assert counted["parsed"] == 0
    assert counted["CP203"] == counted["CP302"] == counted["SE301"] == counted["SE212"] == 0  # page-local: kept
    assert counted["indexed"] == counted["links scanned"] == 0  # what pages give the SEO index, their links: kept
    assert counted["CP112"] >= pages - 1 and counted["SE304"] > 0 and counted["SE104"] > 0  # they look at other pages


@pytest.mark.parametrize("change", ["article", "lexicon", "registry", "date", "code"])
def test_whatever_a_finding_depends_on_changes_it(hub, tmp_path, counted, monkeypatch, change):
    cache, today = tmp_path / "cache", TODAY
    before = judged(hub, cache)
    pages = len(list((hub / "content").rglob("*.md")))
    counted.clear()
    if change == "article":
        edited = sorted((hub / "content").rglob("fiche-*.md"))[3]
        edit(edited, NEUTRAL_SENTENCE, "Une guérison garantie")
        reapprove(edited)
    elif change == "lexicon":
        claims = hub / "site_config" / "lexicons" / "claims.fr.yml"
        claims.write_text(claims.read_text(encoding="utf-8") + '  - id: reperes\n    phrases: ["repères simples"]\n'
                          '    message: "a test claim"\n', encoding="utf-8")
    elif change == "registry":
        edit(hub / "site_config" / "personas.yml", "id: patient-asthme", "id: patient-asthme-adulte")
    elif change == "date":
        today = "2027-11-22"  # every approval has expired
    elif change == "code":
        for module in (site_module, engine):  # what an upgrade of CarePress or of a library it reads with changes
            monkeypatch.setattr(module, "code_digest", lambda: "another version of CarePress")
    after = judged(hub, cache, today)
    parsed, judged_again = counted["parsed"], counted["CP203"]
    assert after == judged(hub, None, today)  # what a run without the cache finds
    more = set(collections.Counter(f.code for f in after) - collections.Counter(f.code for f in before))
    expected = {"article": "CP302", "lexicon": "CP302", "registry": "CP108", "date": "CP202"}.get(change)
    assert expected in more if expected else after == before
    assert parsed == {"article": 1, "code": pages}.get(change, 0)
    # Another day judges no page again: the rules that read the date (expiry) are not kept.
    assert judged_again == {"article": 1, "date": 0}.get(change, pages)


def test_a_new_stop_word_changes_the_seo_index_as_without_the_cache(hub, tmp_path, counted):
    """What a page gives the SEO index (its keywords' stems) depends on the stop words, which are registry files."""
    before = judged(hub, tmp_path / "cache")
    stop_words = hub / "site_config" / "stopwords.fr.yml"
    keyword = next((hub / "content").rglob("fiche-*.md")).read_text(encoding="utf-8").split("primary:")[1].split("\n")[0]
    word = keyword.strip().strip('"').split()[0]
    edit(stop_words, "stopwords: [", f"stopwords: [{word}, ")
    counted.clear()
    after = judged(hub, tmp_path / "cache")
    assert counted["indexed"] > 0
    assert after == judged(hub, None) != before


def test_a_page_local_finding_is_kept_but_one_about_other_pages_is_not(hub, tmp_path):
    """A patient page links to a page that becomes HCP-only: its own bytes did not change, its CP400 appears."""
    content = hub / "content"
    linking, target = sorted(content.rglob("fiche-*.md"))[4:6]
    link = Path("../" * (len(linking.relative_to(content).parts) - 1)) / target.relative_to(content)
    linking.write_text(linking.read_text(encoding="utf-8") + f"\n[Voir aussi]({link.as_posix()})\n", encoding="utf-8")
    assert "CP400" not in {f.code for f in judged(hub, tmp_path / "cache")}
    edit(target, "audience: patient", "audience: hcp")
    after = judged(hub, tmp_path / "cache")
    assert any(f.code == "CP400" and f.path.endswith(linking.name) for f in after)
    assert after == judged(hub, None)


def test_a_damaged_cache_is_read_as_missing(hub, tmp_path, counted):
    cache = tmp_path / "cache"
    first = judged(hub, cache)
    for pack in cache.rglob("pack-*"):
        data = bytearray(pack.read_bytes())
        data[:len(data) // 2] = bytes(len(data) // 2)  # entries zeroed, the index intact
        pack.write_bytes(bytes(data))
    counted.clear()
    assert judged(hub, cache) == first
    assert counted["parsed"] > 0


def test_a_cache_that_cannot_be_written_changes_no_finding(hub, tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("carepress.packs.tempfile.mkstemp", read_only)
    assert judged(hub, tmp_path / "cache") == judged(hub, None)
    assert not list((tmp_path / "cache").rglob("pack-*"))


def test_forked_runs_keep_and_find_the_same(tmp_path):
    hub = generate(tmp_path / "hub", 2 * MIN_ITEMS_PER_JOB + 30)  # enough pages for forked_map to fork
    edit(next((hub / "content").rglob("fiche-*.md")), "status: approved", "status: draft")
    serial = judged(hub, None)
    assert judged(hub, tmp_path / "cache", jobs=2) == serial
    assert judged(hub, tmp_path / "cache", jobs=2) == serial
    assert judged(hub, tmp_path / "cache", jobs=1) == serial


class NoOtherPages(Mapping):
    """A site's articles that a rule may not look at."""

    def __getitem__(self, key):
        raise AssertionError(f"a page-local rule looked at another page ({key})")

    def __iter__(self):
        raise AssertionError("a page-local rule looked at other pages")

    def __len__(self):
        raise AssertionError("a page-local rule counted the pages")


@pytest.mark.parametrize("hub_root", ["demo", "generated"])
def test_page_local_rules_look_at_no_other_page(tmp_path, hub_root):
    """What makes a rule's findings safe to keep per page: it reads the page, the registries, the settings and the
    date, nothing of the other pages. Each page-local rule runs on every page of a site whose other pages are gone,
    and finds what it finds when the hub's facts (its links, keywords and file list) were computed, as in a run."""
    root = REPO if hub_root == "demo" else generate(tmp_path / "hub", 40)
    project, _ = load_project(root / "mkdocs.yml", TODAY)
    site = load_site(project)
    site_facts(site)  # what `check` computes before judging: a page-local SEO assessment could reach it from there
    alone = dataclasses.replace(site, articles=NoOtherPages(), unreadable=NoOtherPages())
    local = [rule for rule in registered_rules() if rule.page_local]
    assert {rule.code.code for rule in local} >= {"CP200", "CP203", "CP300", "CP302", "SE102", "SE212", "SE301"}
    assert not {rule.code.code for rule in local} & {"SE104", "SE210", "SE302", "SE304"}  # links, keywords, files
    assert not any(rule.across_pages for rule in local)
    for article in site.articles.values():
        for audience in SiteAudience:
            for rule in local:
                expected = list(rule.check(article, Context(site, audience, project.today)))
                assert list(rule.check(article, Context(alone, audience, project.today))) == expected


@pytest.mark.parametrize("hub_root", ["demo", "generated"])
def test_page_local_rules_find_the_same_on_any_date(tmp_path, hub_root):
    """The date is not in the judged pages' key, so no page-local rule may read it. Each runs on every page as of
    the days around the page's approval, expiry and expiry warning, and twenty years later."""
    root = REPO if hub_root == "demo" else generate(tmp_path / "hub", 40)
    project, _ = load_project(root / "mkdocs.yml", TODAY)
    site = load_site(project)
    local = [rule for rule in registered_rules() if rule.page_local]
    assert not {rule.code.code for rule in local} & {"CP202", "CP204"}  # expiry: they read the date
    one_day, warning = dt.timedelta(days=1), dt.timedelta(days=project.expiry_warning_days)
    for article in site.articles.values():
        validation = article.meta.validation
        marks = [day for day in (validation.approved, validation.expires) if day]
        marks += [validation.expires - warning] if validation.expires else []
        days = {day + shift for day in marks for shift in (-one_day, dt.timedelta(0), one_day)}
        days.add(project.today.replace(year=project.today.year + 20))
        expected = {(audience, rule.code.code): list(rule.check(article, Context(site, audience, project.today)))
                    for audience in SiteAudience for rule in local}
        for day in sorted(days):
            dated = dataclasses.replace(site, project=dataclasses.replace(project, today=day))
            for audience in SiteAudience:
                for rule in local:
                    found = list(rule.check(article, Context(dated, audience, day)))
                    assert found == expected[(audience, rule.code.code)], (article.path, rule.code.code, day)


def test_the_seo_review_keeps_page_local_scores_and_sees_an_edit(hub, tmp_path, monkeypatch):
    """`report seo` with its cache: a second review scores no page again by a page-local assessment, and an
    edited page is scored anew; every review equals one without the cache."""
    from carepress.seo.review import review, to_json

    calls = collections.Counter()

    def counting(registered):
        def score(page, index):
            calls[registered.code] += 1
            return registered.score(page, index)
        return dataclasses.replace(registered, score=score)

    def indexing(page):
        calls["indexed"] += 1
        return index_values(page)

    index_values = analysis.index_values
    monkeypatch.setattr(analysis, "ASSESSMENTS", [counting(registered) for registered in analysis.registered_assessments()])
    monkeypatch.setattr(analysis, "index_values", indexing)
    project, _ = load_project(hub / "mkdocs.yml", TODAY)

    def reviewed(cached: bool) -> str:
        read, judged = (PackCache(tmp_path / "read"), PackCache(tmp_path / "judged")) if cached else (None, None)
        result = to_json(review(load_site(project, cache=read), cache=judged))
        for cache in filter(None, (read, judged)):
            cache.prune()
        return result

    without = reviewed(False)
    assert reviewed(True) == without
    calls.clear()
    assert reviewed(True) == without
    assert calls["SE201"] == calls["SE206"] == 0 and calls["SE210"] > 0  # page-local kept, cannibalisation anew
    assert calls["indexed"] == 0  # what each page gives the SEO index: kept too
    edited = sorted((hub / "content").rglob("fiche-*.md"))[2]
    edit(edited, NEUTRAL_SENTENCE, "Des repères utiles et " + NEUTRAL_SENTENCE.lower())
    calls.clear()
    after = reviewed(True)
    assert calls["SE206"] == 1  # the edited page alone
    assert after == reviewed(False) != without
