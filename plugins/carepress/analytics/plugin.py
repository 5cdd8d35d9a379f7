"""The MkDocs adapter of analytics: assets, per-page JSON configuration, privacy pages, security headers."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from carepress.analytics.config import AnalyticsConfig
from carepress.analytics.dimensions import content_dimensions, page_path, strip_url
from carepress.analytics.headers import netlify_headers, nginx_snippet, security_headers
from carepress.analytics.privacy import FOOTER_LABELS, OPT_OUT_SHORTCODE, PAGES, opt_out_control, privacy_markdown
from carepress.analytics.settings import Provider, parse_settings
from carepress.build.errors import ConfigurationPluginError
from carepress.compliance.plugin import build_state
from carepress.model.registries import ConfigurationError
from carepress.outputs import write_text

log = logging.getLogger("mkdocs.plugins.carepress.analytics")

ASSETS_DIR = Path(__file__).parent / "assets"
ASSETS_URI = "assets/carepress"
DEPLOY_DIR = "deploy"  # beside site/: server configuration, never published


class AnalyticsPlugin(BasePlugin[AnalyticsConfig]):
    parallel_safe = True  # page events only read the build state and transform the page (docs/performance.md)
    cacheable = True  # a page's output depends on its source, the config files, registries and the page list
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.settings = parse_settings(dict(self.config), config.site_url)
        except ConfigurationError as error:  # one line: exit code 2 with `carepress build`, no traceback with `mkdocs build`
            raise ConfigurationPluginError(str(error)) from None
        self.language = config.theme.get("language") or "fr"
        site_url = urlsplit(config.site_url or "")
        self.base_path = site_url.path.rstrip("/")
        self.site_origin = f"{site_url.scheme}://{site_url.netloc}" if site_url.netloc else None
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for asset in sorted(ASSETS_DIR.glob("*.js")):
            files.append(File.generated(config, f"{ASSETS_URI}/{asset.name}", abs_src_path=str(asset)))
        if self.config.privacy_page:
            for language, src_uri in PAGES.items():
                if files.get_file_from_path(src_uri) is None:  # an editor's own page wins
                    # Linked from every page's footer (theme/partials/copyright.html), as privacy notices are, not
                    # listed in the navigation: there, each page rendered two more items, one in another language.
                    files.append(File.generated(config, src_uri, content=privacy_markdown(self.settings, language),
                                                inclusion=InclusionLevel.NOT_IN_NAV))
        # What the footer links to: the privacy pages the site has, generated or the editor's (the page list is
        # in every page's cache key, so a page's footer changes with it).
        config.extra["carepress_privacy_links"] = [
            {"url": file.url, "label": FOOTER_LABELS[language], "lang": language}
            for language, src_uri in PAGES.items() if (file := files.get_file_from_path(src_uri)) and file.inclusion.is_included()]
        return files

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if OPT_OUT_SHORTCODE not in markdown:
            return markdown
        return markdown.replace(OPT_OUT_SHORTCODE, opt_out_control(self.settings, self._language(page)))

    def _language(self, page: Page) -> str:
        """The site's language, but English for the English privacy page (a page without an article)."""
        return "en" if page.file.src_uri == PAGES["en"] else self.language

    def on_page_context(self, context, page: Page, config: MkDocsConfig, nav):
        state = build_state(config)
        article = state.article(page.file.src_uri) if state else None
        path = self.base_path + page_path(page.url)
        title = article.meta.title if article else page.title  # the SEO plugin HTML-escapes page.meta titles
        context["carepress_analytics"] = self._block("article" if article else "page", title, path, article,
                                                     self._language(page))
        return context

    def on_template_context(self, context, template_name: str, config: MkDocsConfig):
        if template_name == "404.html":
            context["carepress_analytics"] = self._block("404", "404", self.base_path + "/404.html", None)
        return context

    def on_post_build(self, config: MkDocsConfig) -> None:
        headers = security_headers(self.settings)
        site_dir = Path(config.site_dir)
        (site_dir / "_headers").write_text(netlify_headers(headers), encoding="utf-8")
        state = build_state(config)  # the audience, not the folder name: a build may go through a temp folder
        if state and state.preview:
            return  # the preview's server is `carepress serve`: deploy/ holds what the published sites need
        deploy = Path(config.docs_dir).parent / DEPLOY_DIR
        deploy.mkdir(parents=True, exist_ok=True)
        name = state.audience.value if state else site_dir.name
        write_text(deploy / f"{name}.nginx.conf", nginx_snippet(headers))

    def _block(self, kind: str, title: str | None, path: str, article, language: str | None = None) -> str | None:
        """The JSON configuration block analytics.js reads (a CSP allows it: it is not executed)."""
        settings = self.settings
        if settings.provider is Provider.NONE:
            return None
        canonical = strip_url(self.site_origin + path) if self.site_origin else None
        data = {
            "provider": settings.provider.value,
            "endpoint": settings.collect_url,
            "site_id": settings.site_id,
            "downloads": list(settings.downloads),
            "matomo_dimensions": settings.matomo_dimensions,
            "page": {"type": kind, "title": title or "", "url": None if kind == "404" else canonical},
            "dimensions": content_dimensions(article, path, language or self.language),
        }
        # `<` escaped so page text can never close the <script> element.
        return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")

