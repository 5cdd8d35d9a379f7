"""The `carepress/seo` MkDocs adapter: head tags per page, sitemap.xml and robots.txt per site.

It reads each page's Article from the compliance gate's build state (parsed once per build) and
hands the core's HeadTags to theme/partials/carepress/seo.html as `carepress_seo`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from carepress.compliance.plugin import BuildState, build_state
from carepress.seo.analysis import site_facts
from carepress.seo.config import SeoConfig
from carepress.seo.metadata import (SiteInfo, absolute, canonical_override, canonical_problem, canonical_url, head_tags,
                                    published_key)
from carepress.seo.sitemap import SitemapEntry, indexable, robots_txt, sitemap_xml

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

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # What the sitemap, hreflang and canonical tags need of the other pages is gathered here, not while
        # pages render: rendering may happen in worker processes (carepress build's parallel path).
        # Every page MkDocs builds, in the navigation or not (an explicit `nav:` may list a few); which of them
        # this site publishes is asked when needed: a preview's rebuild judges edited pages again.
        self.built_pages = {file.src_uri: file for file in files.documentation_pages()}
        self.addresses: dict[str, File] | None = None  # by address, made when a page names a `canonical` (rare)
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
        # The translations' addresses as served: directory URLs or not, a moved home page, percent-encoded.
        translations = {lang: _url(self.built_pages[target]) for lang, target in article.meta.translations.items()
                        if target in self.built_pages and _is_published(state, self.built_pages[target])}
        facts = site_facts(state.site).pages[article.src_uri]
        context["carepress_seo"] = head_tags(article, _site_info(config, state), page.url, facts.description, translations,
                                             _crumbs(page, config), page.is_homepage, self._published_at(config, state))
        return context

    def _published_at(self, config: MkDocsConfig, state: BuildState) -> Callable[[str], str | None]:
        """An address's `published_key` -> the URL of the page this site publishes there, as served, or None."""
        def served(key: str) -> str | None:
            if self.addresses is None:  # every page's address: 10,000 URL joins, for the few pages that need them
                self.addresses = {published_key(url): file for file in self.built_pages.values()
                                  if (url := absolute(config.site_url, _url(file)))}
            file = self.addresses.get(key)
            return absolute(config.site_url, _url(file)) if file and _is_published(state, file) else None

        return served

    def _sitemap_entries(self, config: MkDocsConfig, state: BuildState) -> list[SitemapEntry]:
        """Published pages whose canonical URL is their own; generated pages (privacy) have no review date."""
        info, published = _site_info(config, state), self._published_at(config, state)
        entries = []
        for file in self.built_pages.values():
            own_url = absolute(config.site_url, _url(file))
            article = state.article(file.src_uri)
            if not own_url or not _is_published(state, file):
                continue
            if article is None:
                entries.append(SitemapEntry(own_url, None))
            elif canonical_url(article, info, _url(file), published) == own_url:
                entries.append(SitemapEntry(own_url, article.meta.validation.approved))
        return entries

    def _warn_unpublished_canonicals(self, config: MkDocsConfig, state: BuildState) -> None:
        """A `canonical` naming an address of this site that is no page it publishes is ignored (canonical_override);
        one that is not an address of this site at all is SE103's."""
        if not config.site_url:
            return  # no canonical tags without a site URL
        info, published = _site_info(config, state), self._published_at(config, state)
        for file in self.built_pages.values():
            article = state.article(file.src_uri) if _is_published(state, file) else None
            value = article.meta.canonical if article else None
            if value and canonical_problem(value, config.site_url) is None and canonical_override(article, info, published) is None:
                log.warning(f"{article.path}:{article.line_of('canonical')} `canonical` points to `{value}`, which is "
                            "not a page this site publishes, so the page's own URL is used; point it at a published "
                            "page's address, with its final slash (such as `diabete-type-2/alimentation/`), or remove it")

    def on_post_build(self, config: MkDocsConfig) -> None:
        state = build_state(config)
        if not self.config.enabled or state is None:
            return
        self._warn_unpublished_canonicals(config, state)  # here, not in on_nav: a preview's rebuild judges pages again
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


def _url(file: File) -> str:
    """The page's site-relative URL, as Page.url gives it (pages out of the navigation have no Page yet)."""
    return "" if file.url in (".", "./") else file.url


def _is_published(state: BuildState, file: File) -> bool:
    """The gate published the page, or a plugin generated it (privacy)."""
    verdict = state.verdicts.get(file.src_uri)
    return bool(file.generated_by or (verdict and verdict.published))


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
