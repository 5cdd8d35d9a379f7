"""Incremental rebuilds for previews: after one article is edited, redo that page only.

A `Session` keeps a finished build in memory (MkDocs' files, navigation, converted pages and
plugin state). `rebuild(paths)` re-reads the edited articles, asks the compliance gate again,
re-converts and re-renders only those pages, replaces their search index entries and runs the
`post_build` events. When an edit could change other pages (a new, removed or renamed file, a
new title shown in the navigation, a page entering or leaving the site), it runs a full build
instead, so a preview never shows a page that the full build would not show.

The hook for `carepress serve`: build once with `Session(config).full()`, then call
`session.rebuild(changed_paths)` from the file watcher instead of MkDocs' full rebuild.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig

from carepress.build.parallel import KNOWN_COLLECTORS, Built, _qualified, build
from carepress.compliance.engine import rejudge
from carepress.compliance.plugin import CompliancePlugin, build_state
from carepress.model.loader import read_file

log = logging.getLogger("mkdocs.plugins.carepress.build")


class Session:
    def __init__(self, config: MkDocsConfig, jobs: int | None = None, cache_dir: Path | None = None) -> None:
        self.config = config
        self.jobs = jobs
        self.cache_dir = cache_dir  # the page cache of `carepress build`: the first preview starts warm
        self.built: Built | None = None

    def full(self) -> Built:
        self.built = build(self.config, self.jobs, self.cache_dir)
        return self.built

    def rebuild(self, paths: list[Path]) -> str:
        """Bring the output up to date after `paths` (files of the docs folder) changed: 'pages' or 'full'."""
        start = time.monotonic()
        pages = self._pages(paths)
        if pages is None or not self._gate_unchanged(pages) or not self._rebuild_pages(pages):
            self.full()
            return "full"
        self.built.config.plugins.on_post_build(config=self.built.config)
        log.info(f"Rebuilt {len(pages)} page(s) in {time.monotonic() - start:.2f} seconds")
        return "pages"

    def _pages(self, paths: list[Path]):
        if self.built is None:
            return None
        docs_dir = Path(self.built.config.docs_dir).resolve()
        pages = []
        for path in paths:
            path = Path(path).resolve()
            if not path.is_file() or not path.is_relative_to(docs_dir):
                return None  # removed, or outside the content: let the full build decide
            file = self.built.files.get_file_from_path(path.relative_to(docs_dir).as_posix())
            if file is None or file.page is None:
                return None  # new, or not on this site: the page set may change
            pages.append(file.page)
        return pages

    def _gate_unchanged(self, pages) -> bool:
        """Judge the edited articles again; False when any page enters or leaves this site.

        In the preview, a page the gate rejects stays (with its banner): an approved page whose
        text is edited gains CP203 and is redone like any other edit."""
        state = build_state(self.built.config)
        gate = next((p for p in self.built.config.plugins.values() if isinstance(p, CompliancePlugin)), None)
        if state is None or gate is None:
            return True  # no compliance gate in this configuration
        project = state.site.project
        for page in pages:
            loaded = read_file(Path(page.file.abs_src_path), project.content_dir, project.root)
            if loaded.article is None:
                return False
            state.site.replace_article(loaded.article, loaded.findings)
        verdicts = rejudge(state.site, state.audience, state.verdicts, {page.file.src_uri for page in pages},
                           gate.reported_severity())
        if any(gate.keeps(verdicts[uri]) != gate.keeps(old) for uri, old in state.verdicts.items()):
            return False
        state.verdicts = verdicts
        return True

    def _rebuild_pages(self, pages) -> bool:
        built, config = self.built, self.built.config
        doc_files = built.files.documentation_pages()
        for page in pages:
            title = page.title
            page.markdown = page.content = None
            mkdocs_build._populate_page(page, config, built.files)
            if page.title != title:
                return False  # the navigation of other pages shows the old title
            for plugin in config.plugins.values():
                collector = KNOWN_COLLECTORS.get(_qualified(plugin))
                if collector:
                    entries = collector(plugin)
                    entries[:] = [e for e in entries if e["location"].split("#")[0] != page.url]
            mkdocs_build._build_page(page, config, doc_files, built.nav, built.env)
            page.validate_anchor_links(files=built.files, log_level=config.validation.links.anchors)
        return True
