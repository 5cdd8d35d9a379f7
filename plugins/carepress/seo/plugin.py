"""The `carepress/seo` MkDocs adapter: head tags per page, sitemap.xml and robots.txt per site.

It reads each page's Article from the compliance gate's build state (parsed once per build) and
hands the core's HeadTags to theme/partials/carepress/seo.html as `carepress_seo`.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from carepress.compliance.plugin import BuildState, build_state
from carepress.seo.analysis import site_facts
from carepress.seo.config import SeoConfig
from carepress.seo.metadata import SiteInfo, absolute, canonical_url, head_tags
from carepress.seo.sitemap import SitemapEntry, indexable, robots_txt, sitemap_xml
from carepress.seo.text import page_url

log = logging.getLogger("mkdocs.plugins.carepress.seo")

SITEMAP = "sitemap.xml"


class SeoPlugin(BasePlugin[SeoConfig]):
    parallel_safe = True  # page events only read the build state and transform the page (docs/performance.md)
    cacheable = True  # a page's output depends on its source, the config files, registries and the page list

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.enabled:
            # The sitemap is written in on_post_build, from published pages only, with approval dates.
            config.theme.static_templates.discard(SITEMAP)
        return config

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files) -> Navigation:
        # The sitemap is made from the navigation's pages, not while pages render: rendering may
        # happen in worker processes (carepress build's parallel path).
        self.pages = list(nav.pages)
        state = build_state(config)
        if state and self.config.enabled:
            # The hub's facts (every page's description, links...), once here: the workers that render pages are
            # forked after, and share them. Built in each worker, they copied its part of the parent's memory.
            site_facts(state.site)
        return nav

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
        state = build_state(config)
        article = state.article(page.file.src_uri) if state and self.config.enabled else None
        if article is None:
            return context
        translations = {lang: page_url(target) for lang, target in article.meta.translations.items()
                        if _published(state, target)}
        facts = site_facts(state.site).pages[article.src_uri]
        context["carepress_seo"] = head_tags(article, _site_info(config, state), page.url, facts.description, translations,
                                             _crumbs(page, config), page.is_homepage)
        return context

    def _sitemap_entries(self, config: MkDocsConfig, state: BuildState) -> list[SitemapEntry]:
        """Published pages whose canonical URL is their own; generated pages (privacy) have no review date."""
        info = _site_info(config, state)
        entries = []
        for page in self.pages:
            own_url = absolute(config.site_url, page.url)
            article = state.article(page.file.src_uri)
            if own_url and article is not None and canonical_url(article, info, page.url) == own_url:
                entries.append(SitemapEntry(own_url, article.meta.validation.approved))
            elif own_url and article is None and page.file.generated_by:
                entries.append(SitemapEntry(own_url, None))
        return entries

    def on_post_build(self, config: MkDocsConfig) -> None:
        state = build_state(config)
        if not self.config.enabled or state is None:
            return
        site_dir = Path(config.site_dir)
        sitemap = site_dir / SITEMAP
        for stale in (sitemap, site_dir / f"{SITEMAP}.gz"):
            stale.unlink(missing_ok=True)
        sitemap_url = None
        entries = self._sitemap_entries(config, state) if indexable(state.audience) else []
        if indexable(state.audience):
            sitemap.write_text(sitemap_xml(entries), encoding="utf-8")
            sitemap_url = absolute(config.site_url, SITEMAP)
        (site_dir / "robots.txt").write_text(robots_txt(state.audience, sitemap_url), encoding="utf-8")
        log.info(f"{state.audience.value} site: sitemap with {len(entries)} page(s)" if sitemap_url
                 else f"{state.audience.value} site: no sitemap, robots.txt disallows crawling")


def _site_info(config: MkDocsConfig, state: BuildState) -> SiteInfo:
    return SiteInfo(config.site_name, config.site_url, config.theme.get("language") or "fr", state.audience,
                    state.site.project.registry_dir)


def _published(state: BuildState, src_uri: str) -> bool:
    verdict = state.verdicts.get(src_uri)
    return bool(verdict and verdict.published)


def _crumbs(page: Page, config: MkDocsConfig) -> list[tuple[str, str | None]]:
    """Home, each ancestor section that has an index page, then the page itself (names as plain text:
    the hardening plugin has escaped front-matter titles, and JSON-LD is not HTML)."""
    crumbs: list[tuple[str, str | None]] = [(config.site_name, absolute(config.site_url, ""))]
    if page.is_homepage:
        return crumbs
    for section in reversed(page.ancestors):
        index = _index_page(section) if isinstance(section, Section) else None
        if index is not None and index is not page:
            crumbs.append((_plain(section.title), absolute(config.site_url, index.url)))
    crumbs.append((_plain(page.title or ""), absolute(config.site_url, page.url)))
    return crumbs


@functools.lru_cache(maxsize=4096)
def _index_page(section: Section) -> Page | None:
    # Cached per section object: every page of a section asks, and a section may list hundreds of pages.
    return next((child for child in section.children if isinstance(child, Page) and child.is_index), None)


def _plain(title: str) -> str:
    return title.unescape() if isinstance(title, Markup) else title
