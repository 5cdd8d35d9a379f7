"""The preview side of the compliance plugin (MkDocs adapter): keep rejected pages, add the banner."""

from __future__ import annotations

from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

from carepress.compliance.engine import Verdict
from carepress.compliance.preview import placeholder_markdown, preview_enabled, preview_status
from carepress.report.finding import Severity


class PreviewHooks:
    """Mixed into CompliancePlugin, whose options (`preview`, `home`) are `self.config`."""

    def in_preview(self) -> bool:
        return preview_enabled(self.config.preview)

    def reported_severity(self) -> Severity:
        """The preview's banner shows every finding, SEO advice included. The real build runs only the
        rules that decide publication: warnings and advice are `carepress check`'s and the reports' job."""
        return Severity.INFO if self.in_preview() else Severity.ERROR

    def keeps(self, verdict: Verdict | None) -> bool:
        """The real build keeps published pages; the preview also keeps the rejected pages of this site."""
        if verdict is None:
            return False
        return verdict.published or (verdict.in_audience and self.in_preview())

    def move_home(self, files: Files) -> None:
        """`home: professionnels/index.md` makes that page this site's index.html."""
        home = self.config.home
        if not home:
            return
        page = files.get_file_from_path(home)
        if page is None or any(f.dest_uri == "index.html" for f in files if f is not page):
            return  # not published on this site, or the site already has a home page: nothing to move
        _set_destination(page, "index.html")

    def on_nav(self, nav, config: MkDocsConfig, files: Files):
        """A section takes the `nav_title` of its index page (folder names have no accents)."""
        state = _build_state(config)
        if state:
            _title_sections(nav.items, state)
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        state = _build_state(config)
        if self.in_preview() and state and state.article(page.file.src_uri) is None:
            verdict = state.verdicts.get(page.file.src_uri)
            return placeholder_markdown(verdict.path if verdict else page.file.src_uri)
        return markdown

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
        state = _build_state(config)
        verdict = state.verdicts.get(page.file.src_uri) if state and self.in_preview() else None
        if verdict is not None:
            context["carepress_preview"] = preview_status(verdict, state.article(page.file.src_uri), state.site.project.today)
        return context


def _title_sections(items, state) -> None:
    for item in items:
        if isinstance(item, Section):
            index = next((c for c in item.children if isinstance(c, Page) and c.file.name == "index"), None)
            article = state.article(index.file.src_uri) if index else None
            nav_title = (article.meta.model_extra or {}).get("nav_title") if article else None
            if isinstance(nav_title, str) and nav_title.strip():
                item.title = escape(nav_title.strip())  # front-matter is plain text; Material prints titles as they are
            _title_sections(item.children, state)


def _set_destination(file: File, dest_uri: str) -> None:
    file.dest_uri = dest_uri
    for derived in ("url", "abs_dest_path"):  # cached from the old destination
        file.__dict__.pop(derived, None)


def _build_state(config: MkDocsConfig):
    from carepress.compliance.plugin import build_state  # the plugin module imports this one

    return build_state(config)
