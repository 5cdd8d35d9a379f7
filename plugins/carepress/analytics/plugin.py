"""Cookie-less analytics hooks (filled in by the analytics issue)."""

from mkdocs.plugins import BasePlugin

from carepress.analytics.config import AnalyticsConfig


class AnalyticsPlugin(BasePlugin[AnalyticsConfig]):
    pass
