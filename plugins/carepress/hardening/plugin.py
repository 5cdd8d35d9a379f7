"""A thin MkDocs adapter: valid markup on every page, and no link to a page this site left out."""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from carepress.hardening.config import HardeningConfig
from carepress.compliance.plugin import build_state
from carepress.hardening.markup import escape_front_matter, fix_markup
from carepress.report.finding import CATALOGUE, make

log = logging.getLogger("mkdocs.plugins.carepress.hardening")


ACCESSIBILITY_CSS = "assets/carepress/accessibility.css"  # in theme/, copied with the theme's files
# Material's top-level templates that render something else than a page (the blog plugin's posts and indexes, the
# 404 page, redirects): a page naming one stops the build with a traceback.
NOT_PAGE_TEMPLATES = frozenset({"blog.html", "blog-post.html", "404.html", "redirect.html"})  # Material 9.8's


def _page_template(name: str, templates: set[str]) -> bool:
    """A template of the theme that renders a page: at its top level (partials/, fragments/... are parts)."""
    return name in templates and "/" not in name and name not in NOT_PAGE_TEMPLATES


class HardeningPlugin(BasePlugin[HardeningConfig]):
    parallel_safe = True  # page events only read the build state and transform the page (docs/performance.md)
    cacheable = True  # a page's output depends on its source, the config files, registries and the page list
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.enabled and ACCESSIBILITY_CSS not in config.extra_css:
            config.extra_css.append(ACCESSIBILITY_CSS)
        return config

    @event_priority(90)  # after the gate (100) has judged the pages, before navigation and search see them
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        state = build_state(config)
        if not self.config.enabled or state is None:
            return files
        templates: set[str] | None = None  # listed only for a page that names one: the theme holds 15,000 files
        for file in list(files.documentation_pages()):
            article = state.article(file.src_uri)
            template = (article.meta.model_extra or {}).get("template") if article else None
            if isinstance(template, str) and templates is None:
                templates = set(config.theme.get_env().list_templates())
            if isinstance(template, str) and not _page_template(template, templates):
                # MkDocs would stop the whole build with a traceback on this page.
                finding = make(CATALOGUE["CP113"], article.path, article.line_of("template"),
                               f"`template` {template!r} is not a page template of the theme; remove the field or "
                               "name a template of theme/ that renders a page (e.g. main.html)")
                state.verdicts[file.src_uri].findings.append(finding)
                files.remove(file)
                log.warning(f"{finding.location()} {finding.code} {finding.message} (not published)")
        return files

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.config.enabled:
            page.meta = escape_front_matter(page.meta)
        return markdown

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        return fix_markup(output) if self.config.enabled else output

    def on_post_template(self, output_content: str, template_name: str, config: MkDocsConfig) -> str:
        # 404.html and the other static templates are rendered without a page.
        return fix_markup(output_content) if self.config.enabled else output_content
