"""When the build may share pages between processes and use the page cache, and when not."""

from __future__ import annotations

from types import SimpleNamespace

from carepress.build.parallel import cache_blocker, plain_path_reason


class CollectsPagesSilently:
    def on_page_content(self, html, page, config, files):
        return html


class DeclaresParallelSafe(CollectsPagesSilently):
    parallel_safe = True


class HandsBackItsState(CollectsPagesSilently):
    def collect_page_state(self, page):
        return None

    def merge_page_state(self, page, state):
        pass


class Cacheable(CollectsPagesSilently):
    parallel_safe = True
    cacheable = True


def config_with(*plugins) -> SimpleNamespace:
    events = {event: [] for event in ("pre_page", "page_read_source", "page_markdown", "page_content",
                                       "page_context", "post_page", "config", "files")}
    for plugin in plugins:
        events["page_content"].append(plugin.on_page_content)
    return SimpleNamespace(plugins=SimpleNamespace(events=events))


def test_an_undeclared_plugin_with_page_events_keeps_the_serial_path():
    reason = plain_path_reason(config_with(CollectsPagesSilently()), pages=100, jobs=2)
    assert reason and "CollectsPagesSilently" in reason


def test_declared_plugins_allow_parallel_pages():
    assert plain_path_reason(config_with(DeclaresParallelSafe(), HandsBackItsState()), pages=100, jobs=2) is None


def test_one_job_or_too_few_pages_keep_the_serial_path():
    assert plain_path_reason(config_with(), pages=100, jobs=1) == "one job"
    assert plain_path_reason(config_with(), pages=1, jobs=2) == "fewer pages than jobs"


def test_the_page_cache_needs_every_plugin_to_be_cacheable():
    assert cache_blocker(config_with(DeclaresParallelSafe())) == "DeclaresParallelSafe"
    assert cache_blocker(config_with(Cacheable())) is None
