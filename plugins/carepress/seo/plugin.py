"""The `carepress/seo` MkDocs adapter: head tags per page, sitemap.xml and robots.txt per site.

It reads each page's Article from the compliance gate's build state (parsed once per build) and
hands the core's HeadTags to theme/partials/carepress/seo.html as `carepress_seo`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from carepress.compliance.plugin import BuildState, build_state
from carepress.seo.analysis import site_facts
from carepress.seo.config import SeoConfig
from carepress.seo.metadata import SiteInfo, absolute, head_tags
from carepress.seo.sitemap import SitemapEntry, indexable, robots_txt, sitemap_xml
from carepress.seo.text import page_url

log = logging.getLogger("mkdocs.plugins.carepress.seo")

SITEMAP = "sitemap.xml"


class SeoPlugin(BasePlugin[SeoConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.enabled:
            # The sitemap is written in on_post_build, from published pages only, with approval dates.
            config.theme.static_templates.discard(SITEMAP)
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.entries: list[SitemapEntry] = []  # reset on each rebuild of `mkdocs serve`

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
        state = build_state(config)
        article = state.article(page.file.src_uri) if state and self.config.enabled else None
        if article is None:
            # Generated pages (the privacy pages) have no Article and no review date, but are public.
            own_url = absolute(config.site_url, page.url)
            if state and self.config.enabled and page.file.generated_by and indexable(state.audience) and own_url:
                self.entries.append(SitemapEntry(own_url, None))
            return context
        info = SiteInfo(config.site_name, config.site_url, config.theme.get("language") or "fr", state.audience,
                        state.site.project.registry_dir)
        translations = {lang: page_url(target) for lang, target in article.meta.translations.items()
                        if _published(state, target)}
        facts = site_facts(state.site).pages[article.src_uri]
        tags = head_tags(article, info, page.url, facts.outline, translations, _crumbs(page, config), page.is_homepage)
        context["carepress_seo"] = tags
        own_url = absolute(config.site_url, page.url)
        if indexable(state.audience) and own_url and tags.canonical == own_url:
            self.entries.append(SitemapEntry(own_url, article.meta.validation.approved))
        return context

    def on_post_build(self, config: MkDocsConfig) -> None:
        state = build_state(config)
        if not self.config.enabled or state is None:
            return
        site_dir = Path(config.site_dir)
        sitemap = site_dir / SITEMAP
        for stale in (sitemap, site_dir / f"{SITEMAP}.gz"):
            stale.unlink(missing_ok=True)
        sitemap_url = None
        if indexable(state.audience):
            sitemap.write_text(sitemap_xml(self.entries), encoding="utf-8")
            sitemap_url = absolute(config.site_url, SITEMAP)
        (site_dir / "robots.txt").write_text(robots_txt(state.audience, sitemap_url), encoding="utf-8")
        log.info(f"{state.audience.value} site: sitemap with {len(self.entries)} page(s)" if sitemap_url
                 else f"{state.audience.value} site: no sitemap, robots.txt disallows crawling")


def _published(state: BuildState, src_uri: str) -> bool:
    verdict = state.verdicts.get(src_uri)
    return bool(verdict and verdict.published)


def _crumbs(page: Page, config: MkDocsConfig) -> list[tuple[str, str | None]]:
    """Home, each ancestor section that has an index page, then the page itself."""
    crumbs: list[tuple[str, str | None]] = [(config.site_name, absolute(config.site_url, ""))]
    if page.is_homepage:
        return crumbs
    for section in reversed(page.ancestors):
        index = next((child for child in section.children if isinstance(child, Page) and child.is_index), None)
        if isinstance(section, Section) and index is not None and index is not page:
            crumbs.append((section.title, absolute(config.site_url, index.url)))
    crumbs.append((page.title or "", absolute(config.site_url, page.url)))
    return crumbs
