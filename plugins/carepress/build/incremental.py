"""Incremental rebuilds for previews: after one article is edited, redo that page only.

A `Session` keeps a finished build in memory (MkDocs' files, navigation, converted pages and
plugin state). `rebuild(paths)` re-reads the edited articles, asks the compliance gate again,
re-converts and re-renders only those pages, replaces their search index entries and runs the
`post_build` events. Other pages whose output depends on the edited pages' verdicts (the findings
in their preview banner, their alternate-language links) are rendered again. When an edit could
change every page (a new, removed or renamed file, a new title or section title shown in the
navigation, a page entering or leaving the site), it runs a full build instead, so a preview
never shows a page other than the one a full build would show.

The hook for `carepress serve`: build once with `Session(config).full()`, then call
`session.rebuild(changed_paths)` from the file watcher instead of MkDocs' full rebuild.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig

from carepress.build.parallel import KNOWN_COLLECTORS, Built, _qualified, build
from carepress.compliance.engine import rejudge
from carepress.compliance.plugin import CompliancePlugin, build_state
from carepress.model.loader import read_file
from carepress.seo.metadata import absolute, canonical_target, published_key

log = logging.getLogger("mkdocs.plugins.carepress.build")


class Session:
    def __init__(self, config: MkDocsConfig, jobs: int | None = None, cache_dir: Path | None = None) -> None:
        self.config = config
        self.jobs = jobs
        self.cache_dir = cache_dir  # a page cache folder (`carepress build`'s too: a preview's pages are keyed apart)
        self.built: Built | None = None

    def full(self) -> Built:
        self.built = build(self.config, self.jobs, self.cache_dir)
        # The build makes no collection while its workers run (forked.forked_pool): do the one it put off
        # now, not in the first rebuild after an edit (0.8 s of a 10,000-article preview).
        gc.collect()
        return self.built

    def rebuild(self, paths: list[Path]) -> str:
        """Bring the output up to date after `paths` (files of the docs folder) changed: 'pages', 'full',
        or 'none' when none of them is part of the site (an editor's temporary or hidden files)."""
        start = time.monotonic()
        edited = self._pages(paths)
        if edited == []:
            return "none"
        dependents = self._rejudge(edited) if edited is not None else None
        if dependents is None or not self._rebuild_pages(edited, dependents):
            self.full()
            return "full"
        self.built.config.plugins.on_post_build(config=self.built.config)
        also = f" and {len(dependents)} page(s) whose banner or links depend on them" if dependents else ""
        log.info(f"Rebuilt {len(edited)} page(s){also} in {time.monotonic() - start:.2f} seconds")
        return "pages"

    def _pages(self, paths: list[Path]):
        """The edited pages; None when the page set may change (new, removed or renamed files, other files)."""
        if self.built is None:
            return None
        docs_dir = Path(self.built.config.docs_dir).resolve()
        pages = []
        for path in paths:
            path = Path(path).resolve()
            if not path.is_relative_to(docs_dir):
                return None  # outside the content: let the full build decide
            rel = path.relative_to(docs_dir).as_posix()
            file = self.built.files.get_file_from_path(rel)
            if file is None and (not path.exists() or any(part.startswith(".") for part in rel.split("/"))):
                continue  # a temporary file already renamed or removed (an atomic save), or one MkDocs ignores
            if file is None or file.page is None or not path.is_file():
                return None  # new, removed, not on this site or not a page: the page set may change
            if file.page not in pages:
                pages.append(file.page)
        return pages

    def _rejudge(self, pages) -> list | None:
        """Judge the edited articles again: None when any page enters or leaves this site, otherwise the
        other pages whose output changes with them (their findings in the preview banner: links to an
        edited page that is no longer published, orphans, cannibalisation; their alternate-language links).

        In the preview, a page the gate rejects stays (with its banner): an approved page whose
        text is edited gains CP203 and is redone like any other edit."""
        state = build_state(self.built.config)
        gate = next((p for p in self.built.config.plugins.values() if isinstance(p, CompliancePlugin)), None)
        if state is None or gate is None:
            return []  # no compliance gate in this configuration
        project = state.site.project
        for page in pages:
            loaded = read_file(Path(page.file.abs_src_path), project.content_dir, project.root)
            if loaded.article is None or _template(loaded.article) != _template(state.site.articles.get(page.file.src_uri)):
                return None  # a new `template` is checked where pages are collected (CP113), by a full build
            state.site.replace_article(loaded.article, loaded.findings)
        edited = {page.file.src_uri for page in pages}
        before = state.verdicts
        verdicts = rejudge(state.site, state.audience, before, edited, gate.reported_severity())
        if any(gate.keeps(verdicts[uri]) != gate.keeps(old) for uri, old in before.items()):
            return None
        state.verdicts = verdicts
        flipped = {uri for uri in edited if verdicts[uri].published != before[uri].published}
        changed = {uri for uri, verdict in verdicts.items()
                   if uri not in edited and _shown(verdict) != _shown(before[uri])}
        changed |= {uri for uri, article in state.site.articles.items()
                    if uri not in edited and flipped.intersection(article.meta.translations.values())}
        # A page whose `canonical` names one that is published no more (or again) names its own address instead.
        site_url = self.built.config.site_url
        flipped_urls = {published_key(url) for uri in flipped
                        if (file := self.built.files.get_file_from_path(uri)) and (url := absolute(site_url, file.url))}
        changed |= {uri for uri, article in state.site.articles.items() if uri not in edited and flipped_urls
                    and (target := canonical_target(article, site_url)) and published_key(target) in flipped_urls}
        files = (self.built.files.get_file_from_path(uri) for uri in sorted(changed))
        return [file.page for file in files if file is not None and file.page is not None]

    def _rebuild_pages(self, pages, dependents) -> bool:
        """Convert and render the edited `pages` again, and render `dependents` again (their source is
        unchanged); False when an edit changes what other pages' navigation shows."""
        built, config = self.built, self.built.config
        doc_files = built.files.documentation_pages()
        for page in pages:
            shown = _in_navigation(page)
            page.markdown = page.content = None
            mkdocs_build._populate_page(page, config, built.files)
            if _in_navigation(page) != shown:
                return False  # the navigation of other pages shows the old title
        for page in [*pages, *dependents]:
            for plugin in config.plugins.values():
                collector = KNOWN_COLLECTORS.get(_qualified(plugin))
                if collector:
                    entries = collector(plugin)
                    entries[:] = [e for e in entries if e["location"].split("#")[0] != page.url]
            mkdocs_build._build_page(page, config, doc_files, built.nav, built.env)
            page.validate_anchor_links(files=built.files, log_level=config.validation.links.anchors)
        return True


def _template(article) -> object:
    return (article.meta.model_extra or {}).get("template") if article is not None else None


# What other pages' menus, breadcrumbs and footers show of a page: its title, and the front-matter keys
# that name its section (`nav_title` of an index page) or that Material shows in the navigation.
NAVIGATION_KEYS = ("nav_title", "icon", "subtitle", "status")


def _in_navigation(page) -> tuple:
    return (page.title, *((page.meta or {}).get(key) for key in NAVIGATION_KEYS))


def _shown(verdict) -> list[tuple]:
    """What the preview banner shows of a verdict, in an order that does not depend on how it was judged."""
    return sorted((f.code, f.line or 0, f.severity.value, f.message, f.waived or "") for f in verdict.findings)
