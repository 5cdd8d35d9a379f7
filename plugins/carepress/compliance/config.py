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
    disclaimer = c.Type(str, default="Ces informations ne remplacent pas l'avis de votre médecin.")  # patient pages
    reports_dir = c.Type(str, default="reports")  # publication manifest, HCP access snippet; never inside site/
    access_control = c.Choice(("basic", "auth_request"), default="basic")  # the HCP site's nginx snippet
    patient_site_url = c.Optional(c.Type(str))  # where the HCP gate sends visitors who are not professionals
    # Files of the content folder this site publishes even when none of its pages uses them (gitignore patterns,
    # such as `downloads/*.pdf`); any other file that is no page goes only where a published page uses it.
    shared_files = c.ListOfItems(c.Type(str), default=[])
