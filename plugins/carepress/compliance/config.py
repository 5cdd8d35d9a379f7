"""Options of the `carepress/compliance` plugin in mkdocs.yml."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class ComplianceConfig(Config):
    audience = c.Choice(("patient", "hcp"), default="patient")  # the strictest site by default
    registries = c.Type(str, default="site_config")  # relative to the hub folder (parent of docs_dir)
    build_date = c.Optional(c.Type(str))  # YYYY-MM-DD; else $CAREPRESS_TODAY, else today
    expiry_warning_days = c.Type(int, default=30)
    preview = c.Type(bool, default=False)  # keep rejected pages and show the status banner (`carepress serve`)
    home = c.Optional(c.Type(str))  # src path of this site's home page when it is not index.md
