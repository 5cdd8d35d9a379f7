"""Options of the `carepress/seo` plugin in mkdocs.yml."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class SeoConfig(Config):
    enabled = c.Type(bool, default=True)
