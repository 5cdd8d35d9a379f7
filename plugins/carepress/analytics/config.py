"""Options of the `carepress/analytics` plugin in mkdocs.yml (validated by carepress.analytics.settings)."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class AnalyticsConfig(Config):
    # Types are loose on purpose: settings.parse_settings turns any mistake into one clear sentence.
    provider = c.Type(str, default="none")  # none | plausible | matomo | umami | beacon
    endpoint = c.Optional(c.Type(str))  # the engine's base URL (the full URL for a beacon)
    site_id = c.Optional(c.Type((str, int)))  # Plausible domain, Matomo idsite, Umami website id
    retention_months = c.Type(int, default=13)
    matomo_dimensions = c.Optional(c.Type(dict))  # dimension name -> Matomo custom dimension id
    downloads = c.Optional(c.Type(list))  # file extensions counted as downloads
    privacy_page = c.Type(bool, default=True)  # generate confidentialite.md and privacy.md
