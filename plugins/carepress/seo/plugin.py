"""SEO metadata for every published page (filled in by the SEO issue)."""

from mkdocs.plugins import BasePlugin

from carepress.seo.config import SeoConfig


class SeoPlugin(BasePlugin[SeoConfig]):
    pass
