"""Options of the `carepress/analytics` plugin in mkdocs.yml."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class AnalyticsConfig(Config):
    provider = c.Choice(("none", "plausible", "matomo", "umami", "beacon"), default="none")
