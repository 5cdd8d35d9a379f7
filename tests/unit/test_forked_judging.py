"""Pages judged and indexed in forked processes give what one process gives."""

from __future__ import annotations

import pickle
from pathlib import Path

from benchmarks.generator import TODAY, generate
from carepress.compliance.engine import check_all
from carepress.compliance.links import page_links
from carepress.forked import MIN_ITEMS_PER_JOB
from carepress.model.loader import parse_article
from carepress.model.site import load_site
from carepress.report.finding import Severity
from carepress.seo.review import review, to_json
from carepress.settings import load_project

REPO = Path(__file__).resolve().parents[2]


def test_check_and_the_seo_review_are_the_same_in_one_process_and_in_two(tmp_path):
    hub = generate(tmp_path / "hub", 2 * MIN_ITEMS_PER_JOB + 30)  # enough pages for forked_map to fork
    # An unpublishable target: CP401 findings depend on the links read once per article.
    draft = hub / "content" / "diabete-type-2" / "dossier-01" / "theme-001" / "fiche-00001.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("status: approved", "status: draft"), encoding="utf-8")
    project, _ = load_project(hub / "mkdocs.yml", TODAY)

    def judged(jobs: int):
        site = load_site(project, jobs=jobs)
        return check_all(site, Severity.INFO, jobs), to_json(review(load_site(project, jobs=jobs), jobs=jobs))

    serial, forked = judged(1), judged(2)
    assert forked == serial
    assert any(f.code == "CP401" for f in serial[0])
    assert any(f.code.startswith("SE") for f in serial[0])


def test_an_articles_links_are_read_once_and_never_pickled():
    source = REPO / "content" / "asthme" / "index.md"  # a hub page: it links to its topic's pages
    page = parse_article(source.read_bytes(), "asthme/index.md", "content/asthme/index.md").article
    first = page_links(page)
    assert first and all(target.endswith(".md") and line > page.body_line - 1 for target, line in first)
    assert page_links(page) is first
    assert pickle.loads(pickle.dumps(page)).derived == {}


def test_a_pool_leaves_the_heap_frozen_as_it_found_it():
    """A command freezes its content tree so that no collection walks it again (`load_for_the_run`); a pool
    of workers must not unfreeze it. A heap the pool froze itself is unfrozen after, for long-lived processes."""
    import gc

    from carepress.forked import forked_map, freeze_heap, unfreeze_heap

    items = list(range(2 * MIN_ITEMS_PER_JOB + 1))
    unfreeze_heap()
    try:
        assert forked_map(abs, items, jobs=2) == items
        assert gc.get_freeze_count() == 0
        freeze_heap()
        frozen = gc.get_freeze_count()
        assert forked_map(abs, items, jobs=2) == items
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        unfreeze_heap()


def test_the_sites_indexes_are_made_here_while_the_workers_judge_the_pages(tmp_path, monkeypatch):
    """Only the rules across pages read the SEO sites' indexes: this process makes them while forked workers judge
    the pages (`beside_pages`), and no worker makes them (none needs them, and they were forked before)."""
    import os

    from carepress import forked
    from carepress.seo import analysis

    hub = generate(tmp_path / "hub", 2 * MIN_ITEMS_PER_JOB + 30)
    project, _ = load_project(hub / "mkdocs.yml", TODAY)
    made = tmp_path / "made"
    build = analysis.AudienceIndex.build.__func__

    def recorded(cls, pages, home=None):
        with made.open("a", encoding="utf-8") as handle:  # a worker's list would not reach this process
            handle.write(f"{os.getpid()} {bool(forked._answers)}\n")  # `_answers`: set while a pool works
        return build(cls, pages, home)

    monkeypatch.setattr(analysis.AudienceIndex, "build", classmethod(recorded))
    findings = check_all(load_site(project, jobs=2), Severity.INFO, jobs=2)
    assert any(f.code == "SE304" for f in findings)  # a rule across pages read them
    assert made.read_text(encoding="utf-8").split("\n")[:-1] == [f"{os.getpid()} True"] * 2  # one a site
