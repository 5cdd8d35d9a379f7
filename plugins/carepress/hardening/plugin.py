"""A thin MkDocs adapter: valid markup on every page, and no link to a page this site left out."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from carepress.hardening.config import HardeningConfig
from carepress.hardening.markup import fix_markup, unlink_left_out_pages

log = logging.getLogger("mkdocs.plugins.carepress.hardening")


ACCESSIBILITY_CSS = "assets/carepress/accessibility.css"  # in theme/, copied with the theme's files


class HardeningPlugin(BasePlugin[HardeningConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.enabled and ACCESSIBILITY_CSS not in config.extra_css:
            config.extra_css.append(ACCESSIBILITY_CSS)
        return config

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not self.config.enabled:
            return html
        docs_dir = Path(config.docs_dir)
        html, targets = unlink_left_out_pages(html, page.file.src_uri, lambda target: not target.startswith("../") and (docs_dir / target).is_file())
        for target in targets:
            log.info(f"{page.file.src_uri}: the link to {target} is plain text on this site (that page is not published here)")
        return html

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        return fix_markup(output) if self.config.enabled else output

    def on_post_template(self, output_content: str, template_name: str, config: MkDocsConfig) -> str:
        # 404.html and the other static templates are rendered without a page.
        return fix_markup(output_content) if self.config.enabled else output_content
