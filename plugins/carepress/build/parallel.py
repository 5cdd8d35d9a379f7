"""MkDocs' build, with the per-page work shared between forked processes.

The steps and their order are MkDocs 1.6's own (mkdocs.commands.build.build); only the two
page loops change. Reading and converting pages, then rendering their templates, each run in
`jobs` forked workers that take disjoint shares of the pages. What a worker computes comes back
to the parent (converted pages, log records, what plugins collected per page), so everything
after the loops (search index, anchor validation, post_build events, strict mode) sees exactly
what a serial build would have seen, in the same page order.

`plain_path_reason` says when this cannot be done safely; the build then runs MkDocs' own
serial path, unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import traceback
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from carepress.build.atomic import Refill, final_folder, spare_folder
from carepress.build.block_triggers import install as install_block_triggers
from carepress.build.cache import build_inputs, files_digest, nav_digest, page_key, page_key_with
from carepress.build.errors import ConfigurationPluginError
from carepress.build.front_matter import known_front_matter
from carepress.build.inline_triggers import install as install_inline_triggers
from carepress.build.markdown_reuse import reused_markdown
from carepress.build.search_index import install as install_fast_search_index
from carepress.build.toc_tokens import install as install_toc_tokens
from carepress.build.template_bytecode import keep_compiled_templates
from carepress.build.template_memo import memoize_templates
from carepress.forked import available_jobs, can_fork, collections_paused, forked_pool, heap_frozen
from carepress.model.registries import ConfigurationError
from carepress.packs import PackCache

log = logging.getLogger("mkdocs.plugins.carepress.build")

PAGE_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content", "page_context", "post_page")
# Plugins whose per-page work we know how to bring back from a worker: attribute holding a list
# of entries that each page appends to.
KNOWN_COLLECTORS: dict[str, Callable[[Any], list]] = {
    "material.plugins.search.plugin.SearchPlugin": lambda plugin: plugin.search_index.entries,
    "mkdocs.contrib.search.SearchPlugin": lambda plugin: plugin.search_index._entries,
}
# Converted-page attributes a worker sends back (what Page.read_source and Page.render set).
PAGE_FIELDS = ("markdown", "meta", "content", "toc", "_title_from_render", "present_anchor_ids")
CONVERTED = (*PAGE_FIELDS, "title", "links_to_anchors")  # what converting a page may set on it, `restore` again


def plain_path_reason(config: MkDocsConfig, pages: int, jobs: int) -> str | None:
    """Why this build must run MkDocs' serial path, or None when it can run in parallel."""
    if jobs < 2:
        return "one job"
    if not can_fork():
        return "processes cannot be forked on this system"
    if pages < jobs:
        return "fewer pages than jobs"
    for event in PAGE_EVENTS:
        for method in config.plugins.events[event]:
            plugin = getattr(method, "__self__", None)
            if not _parallel_safe(plugin):
                name = type(plugin).__name__ if plugin is not None else getattr(method, "__qualname__", "?")
                return f"plugin {name} handles page events and does not declare itself safe to run in parallel"
    return None


def _qualified(plugin: Any) -> str:
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


def _parallel_safe(plugin: Any) -> bool:
    """A plugin may run in workers when we know its per-page state, or when it declares it.

    The hook for plugins (CarePress' own and others): `parallel_safe = True` when page events
    keep no state across pages; or `collect_page_state(page) -> picklable` (called in the worker
    after each page) with `merge_page_state(page, state)` (called in the parent, in page order).
    """
    if plugin is None:
        return False
    if _qualified(plugin) in KNOWN_COLLECTORS:
        return True
    return getattr(plugin, "parallel_safe", False) is True or (
        callable(getattr(plugin, "collect_page_state", None)) and callable(getattr(plugin, "merge_page_state", None)))


# What forked workers inherit: set by the parent just before each pool starts.
_shared: dict[str, Any] = {}


class _Collector(logging.Handler):
    """Keeps a worker's log records so the parent re-emits them (and strict mode counts them)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _in_worker(indices: list[int]) -> tuple[list[tuple[int, Any]], list[logging.LogRecord], tuple | None]:
    logger = logging.getLogger("mkdocs")
    collector = _Collector()
    logger.handlers = [collector]
    logger.propagate = False
    results = []
    try:
        for index in indices:
            results.append((index, _shared["work"](_shared["pages"][index])))
        _shared["finish"]()
    except Exception as error:  # reported by the parent, after this worker's log records
        # A file that cannot be written (a full disk) is raised again there, as in a serial build; the rest is a bug.
        return results, collector.records, (error if isinstance(error, OSError) else None,
                                            "".join(traceback.format_exception(error)))
    return results, collector.records, None


def _work_on(pages: Sequence[Page], jobs: int, work: Callable[[Page], Any],
             finish: Callable[[], None] = lambda: None) -> list[Any]:
    """`work` on every page, in forked workers when worth it, else here; the results in page order.

    `finish()` runs after each share of the pages, where the share was done."""
    if jobs < 2 or len(pages) < 2 * jobs:  # a handful of pages: forking costs more than it saves
        results = [work(page) for page in pages]
        finish()
        return results
    _shared.update(pages=pages, work=work, finish=finish)
    # Runs of neighbouring pages, eight shares per process taken as each ends: a worker then renders the pages of
    # fewer sections, whose navigation it memoizes once (template_memo.py). Interleaved shares had each worker
    # memoize every section's: the first share took 0.87 s instead of 0.66 (2,000 articles), against 0.41 and 0.32.
    size = -(-len(pages) // (jobs * 8))
    chunks = [list(range(start, min(start + size, len(pages)))) for start in range(0, len(pages), size)]
    chunks = [chunk for chunk in chunks if chunk]
    try:
        with forked_pool(jobs) as pool:
            answers = pool.map(_in_worker, chunks)
    finally:
        _shared.clear()
    by_index: dict[int, Any] = {}
    error = None
    for results, records, failure in answers:
        _emit(records)
        by_index.update(results)
        error = error or failure
    if error:
        unwritable, trace = error
        if unwritable is not None:
            raise unwritable
        raise BuildError(f"a page failed in a parallel worker: {trace}")
    return [by_index[index] for index in range(len(pages))]


def _logged(work: Callable[[Page], Any]) -> Callable[[Page], dict]:
    """`work` whose log records are kept with its result: re-emitted in page order, from the cache too."""

    def run(page: Page) -> dict:
        logger = logging.getLogger("mkdocs")
        collector, handlers = _Collector(), logger.handlers
        logger.handlers = [collector]
        try:
            result = work(page)
        except BaseException:
            logger.handlers = handlers
            _emit(collector.records)
            raise
        logger.handlers = handlers
        return {"result": result, "log": collector.records}

    return run


def _emit(records: list[logging.LogRecord]) -> None:
    for record in records:
        logging.getLogger(record.name).handle(record)


def _cached(cache: PackCache | None, keys: list[str], pages: Sequence[Page], jobs: int, work: Callable[[Page], Any],
            consume: Callable[[Page, Any], None], slim: Callable[[Any], Any] = lambda result: result) -> int:
    """`consume(page, result)` for every page, in page order; returns how many pages were redone.

    A result comes from the cache, or from `work` in a worker, which stores it in the cache and
    sends back only `slim(result)`, so that the main process never holds every page's HTML.
    The log records of every page (warnings for broken links...) are emitted again in page
    order, so a page taken from the cache warns exactly like a page converted anew.
    """
    missing = [index for index, key in enumerate(keys) if not (cache and cache.has(key))]
    key_of = {id(page): key for page, key in zip(pages, keys)}

    def compute(page: Page) -> dict:
        result = _logged(work)(page)
        if cache:
            cache.put(key_of[id(page)], result)
        return {"result": slim(result["result"]), "log": result["log"]}

    if cache:
        cache.seal()  # nothing of ours half-written when workers fork
    fresh = dict(zip(missing, _work_on([pages[index] for index in missing], jobs, compute,
                                       finish=cache.seal if cache else lambda: None)))
    with collections_paused():  # what is restored is kept
        for index, page in enumerate(pages):
            result = fresh.pop(index, None) or cache.get(keys[index])
            if result is None:  # removed meanwhile by a concurrent build's clean-up: redo it here
                result = compute(page)
            _emit(result["log"])
            consume(page, result["result"])
    return len(missing)


def _plugin_states(config: MkDocsConfig, page: Page, before: dict[str, int]) -> dict[str, Any]:
    states = {}
    for key, plugin in config.plugins.items():
        collector = KNOWN_COLLECTORS.get(_qualified(plugin))
        if collector:
            states[key] = collector(plugin)[before[key]:]
            del collector(plugin)[before[key]:]  # keeps each page's entries separate within a worker
        elif callable(getattr(plugin, "collect_page_state", None)):
            states[key] = plugin.collect_page_state(page)
    return states


def _merge_plugin_states(config: MkDocsConfig, page: Page, states: dict[str, Any]) -> None:
    for key, state in states.items():
        plugin = config.plugins[key]
        collector = KNOWN_COLLECTORS.get(_qualified(plugin))
        if collector:
            collector(plugin).extend(state)
        else:
            plugin.merge_page_state(page, state)


def _collected_sizes(config: MkDocsConfig) -> dict[str, int]:
    return {key: len(KNOWN_COLLECTORS[_qualified(plugin)](plugin))
            for key, plugin in config.plugins.items() if _qualified(plugin) in KNOWN_COLLECTORS}


@dataclass
class Built:
    """What a finished build holds in memory: enough to rebuild single pages (see incremental.py)."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    serial_reason: str | None  # why the pages were done serially, None when in parallel


def cache_blocker(config: MkDocsConfig) -> str | None:
    """A plugin whose effect on pages the cache keys may not capture, or None.

    The hook: a plugin declares `cacheable = True` when what it adds to a page depends only on
    that page's source, the configuration files and the site's pages (titles, addresses, metadata);
    `cache_key(page) -> str` adds anything else it depends on to that page's key.
    """
    for event, methods in config.plugins.events.items():
        for method in methods:
            plugin = getattr(method, "__self__", None)
            if plugin is None or not (_qualified(plugin) in KNOWN_COLLECTORS or getattr(plugin, "cacheable", False) is True):
                return type(plugin).__name__ if plugin is not None else getattr(method, "__qualname__", "?")
    return None


def build(config: MkDocsConfig, jobs: int | None = None, cache_dir: Path | None = None) -> Built:
    """A full build of `config`: pages shared between `jobs` processes and cached when safe."""
    jobs = available_jobs() if jobs is None else jobs
    logger = logging.getLogger("mkdocs")
    warning_counter = utils.CountHandler()
    warning_counter.setLevel(logging.WARNING)
    if config.strict:
        logger.addHandler(warning_counter)
    inclusion = InclusionLevel.is_included
    scope = contextlib.ExitStack()
    try:
        start = time.monotonic()
        if cache_dir:  # compiled templates kept beside the page cache (.cache/carepress/templates)
            keep_compiled_templates(config.theme, Path(cache_dir).parent / "templates")
        config = config.plugins.on_config(config)
        install_fast_search_index(config)  # Material's search index, its HTML tokenized faster
        install_inline_triggers(config)  # Markdown's inline patterns not searched where they cannot match
        install_block_triggers(config)  # nor its block processors' expressions
        install_toc_tokens(config)  # no HTML table of contents where the page has no [TOC] marker
        config.plugins.on_pre_build(config=config)
        utils.clean_directory(config.site_dir)
        log.info(f"Building documentation to directory: {config.site_dir}")

        known: dict[str, dict] = {}  # YAML text -> what it gave, as the gate read it (build/front_matter.py)
        for plugin in config.plugins.values():  # plugins that share and keep their own work (the compliance gate)
            if isinstance(getattr(plugin, "jobs", None), int):
                plugin.jobs = jobs
            if hasattr(plugin, "cache_dir"):
                plugin.cache_dir = cache_dir
            if hasattr(plugin, "front_matter"):  # filled by its on_files: MkDocs then parses no front-matter it read
                plugin.front_matter = known
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        with collections_paused():  # what it makes is kept: collections would walk a growing heap (0.27 s at 10,000)
            nav = get_navigation(files, config)
        # What the gate read and the navigation stay until the build ends: full collections leave them out (then
        # the converted pages, below). Each walked them again: 0.9 s of a build after one edit at 10,000 pages.
        scope.enter_context(heap_frozen())
        nav = config.plugins.on_nav(nav, config=config, files=files)

        pages = []
        for file in files.documentation_pages(inclusion=inclusion):
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
            assert file.page is not None
            pages.append(file.page)
        reason = plain_path_reason(config, len(pages), jobs)
        if reason:
            log.info(f"Serial build: {reason}.")
        blocker = cache_dir and cache_blocker(config)
        if blocker:
            log.info(f"Page cache not used: plugin {blocker} does not declare itself cacheable.")
        cache, unusable = PackCache.opened(Path(cache_dir)) if cache_dir and not blocker else (None, None)
        if unusable:
            log.info(f"Page cache not used ({unusable}).")
        workers = 1 if reason else jobs
        # The site a build into a staging folder replaces, kept by the previous build (build/atomic.py).
        site_dir = Path(config.site_dir)
        spare = spare_folder(Path(cache_dir)) if cache and final_folder(site_dir) != site_dir else None
        by_uri = {file.src_uri: file for file in files}

        def populate(page: Page) -> dict:
            before = _collected_sizes(config)
            unconverted = {name: vars(page)[name] for name in CONVERTED if name in vars(page)}
            mkdocs_build._populate_page(page, config, files)
            fields = {name: vars(page)[name] for name in (*PAGE_FIELDS, "title") if name in vars(page)}
            fields["links_to_anchors"] = {f.src_uri: anchors for f, anchors in (getattr(page, "links_to_anchors", None) or {}).items()}
            result = {"fields": fields, "plugins": _plugin_states(config, page, before)}
            # The page as it was: what it became goes in the result (`restore` sets it). A worker that kept every page
            # it converted walked them all again in each full collection (the workers' full collections of a
            # 10,000-article build: 1.9 s, 1.1 s since).
            for name in CONVERTED:
                vars(page).pop(name, None)
            vars(page).update(unconverted)
            return result

        def restore(page: Page, result: dict) -> None:
            fields = dict(result["fields"])
            page.links_to_anchors = {by_uri[uri]: anchors for uri, anchors in fields.pop("links_to_anchors").items()}
            for name, value in fields.items():  # `title` only when set explicitly (nav config or a plugin)
                setattr(page, name, value)
            _merge_plugin_states(config, page, result["plugins"])

        source_keys: dict[str, str] = {}
        if cache:
            inputs = build_inputs(config, [files_digest(files)])
            source_keys = {page.file.src_uri: page_key(inputs, page, _plugin_keys(config, page)) for page in pages}
        with known_front_matter(known), reused_markdown(config):  # one Markdown instance per process
            if reason and not cache:
                for page in pages:
                    mkdocs_build._populate_page(page, config, files)
                converted = len(pages)
            else:
                keys = [source_keys.get(page.file.src_uri, "") for page in pages]
                converted = _cached(cache, keys, pages, workers, populate, restore)
        scope.enter_context(heap_frozen())

        env = config.plugins.on_env(env, config=config, files=files)
        memoize_templates(env)
        doc_files = files.documentation_pages(inclusion=inclusion)
        rendering = [file.page for file in doc_files]
        navigation = nav_digest(nav, rendering) if cache else ""
        keys = [page_key_with(source_keys.get(p.file.src_uri, ""), navigation) for p in rendering]
        refill = None
        if spare:  # before anything is written: of the spare, only the pages the cache will restore are kept
            restored = {page.file.dest_uri for page, key in zip(rendering, keys) if cache.has(key)}
            refill = Refill.take(spare, site_dir, restored)
        files.copy_static_files(inclusion=inclusion)
        for template in config.theme.static_templates:
            mkdocs_build._build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            mkdocs_build._build_extra_template(template, files, config, nav)

        def render(page: Page) -> dict:
            before = _collected_sizes(config)
            if refill:
                refill.discard(page.file.abs_dest_path)
            mkdocs_build._build_page(page, config, doc_files, nav, env, excluded=page.file.inclusion.is_excluded())
            output = Path(page.file.abs_dest_path)
            html = output.read_bytes() if cache and output.is_file() else None
            return {"html": html, "plugins": _plugin_states(config, page, before)}

        if reason and not cache:
            for file in doc_files:
                mkdocs_build._build_page(file.page, config, doc_files, nav, env, excluded=file.inclusion.is_excluded())
            rendered = len(doc_files)
        else:
            def written(page: Page, result: dict) -> None:
                if result["html"] is not None:  # from the cache: fresh pages were written by their worker
                    (refill.write if refill else utils.write_file)(result["html"], page.file.abs_dest_path)
                _merge_plugin_states(config, page, result["plugins"])

            rendered = _cached(cache, keys, rendering, workers, render, written, slim=lambda result: {**result, "html": None})
        log.info(f"{len(pages)} pages: {converted} converted, {rendered} rendered"
                 f"{f' in {workers} processes' if workers > 1 else ''}"
                 f"{f', the others from the page cache' if cache else ''}.")

        for file in doc_files:
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        if refill:
            refill.prune()
            log.info(f"{refill.kept} page(s) kept as the previous build had written them.")
        if cache and (failed := cache.prune()):
            log.info(f"Page cache: nothing more kept ({failed}).")
        if counts := warning_counter.get_counts():
            raise Abort(f"Aborted with {', '.join(f'{v} {k.lower()}s' for k, v in counts)} in strict mode!")
        log.info(f"Documentation built in {time.monotonic() - start:.2f} seconds")
        return Built(config, files, nav, env, reason)
    except Exception as error:
        config.plugins.on_build_error(error=error)
        if isinstance(error, ConfigurationPluginError):  # exit code 2 with one line, as every configuration error
            raise ConfigurationError(str(error)) from None
        if isinstance(error, BuildError):
            log.error(str(error))
            raise Abort("Aborted with a BuildError!") from None
        if isinstance(error, jinja2.TemplateError):  # the hub's theme: where and what, in one line
            where = (f"{os.path.relpath(error.filename)}:{error.lineno}: "
                     if isinstance(error, jinja2.TemplateSyntaxError) and error.filename else "")
            log.error(f"{where}theme template error: {error.message or error}")
            raise Abort("Aborted with a template error!") from None
        # A file that cannot be written: a full disk, a folder made read-only (after the template errors: a template
        # not found is an OSError too).
        if isinstance(error, OSError):
            where = error.filename or final_folder(Path(config.site_dir))
            log.error(f"{where}: {error.strerror or error}; the build stops: free space there, or make it writable, "
                      "then build again")
            raise Abort("Aborted: a file could not be written") from None
        raise
    finally:
        scope.close()
        logger.removeHandler(warning_counter)


def _plugin_keys(config: MkDocsConfig, page: Page) -> list[str]:
    return [str(plugin.cache_key(page)) for plugin in config.plugins.values() if callable(getattr(plugin, "cache_key", None))]
