"""Options of the `carepress/hardening` plugin in mkdocs.yml."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class HardeningConfig(Config):
    enabled = c.Type(bool, default=True)
