"""What makes every page of a site request another host: refused with the gate.

A page's own content is judged by CP600 (nothing embedded from another host). Some of Material's settings make
every page load something from Google instead, on each reader's visit and before any consent: the fonts, unless
`font: false`, and Material's Google Analytics (`extra.analytics`), which sets cookies too. The configuration names
a font or a tracking id there, not a host: CarePress' sites request no host that the configuration does not name.
Those two are refused with the configuration; whatever else the theme loads (an override of its templates, another
setting) is found once built, in the page the theme renders alone (`404.html`) and in one page of each template.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carepress.compliance.inserted_text import shown_config
from carepress.compliance.resources import address_host, html_addresses
from carepress.model.registries import ConfigurationError

MATERIAL = "material"


def third_party_settings(theme_name: str | None, font: Any, extra: Any) -> list[str]:
    """The settings among these that make every page request another host, each with what to do instead."""
    found = []
    if theme_name == MATERIAL and font is not False:
        found.append("`theme.font` makes every page load its fonts from fonts.googleapis.com and fonts.gstatic.com "
                     "(Google's; without `font`, Material loads Roboto so): write `font: false` for the system fonts, "
                     "or serve the font files from the hub, with `@font-face` in a stylesheet of `extra_css`")
    analytics = extra.get("analytics") if isinstance(extra, Mapping) else None  # MkDocs' `extra` is no dict
    if isinstance(analytics, Mapping) and analytics.get("provider"):
        found.append("`extra.analytics` (Material's Google Analytics) sets cookies and sends every visit to "
                     "googletagmanager.com: remove it; the `carepress/analytics` plugin measures without cookies "
                     "(docs/analytics.md)")
    return found


def refuse_third_party_settings(config_file: Path, theme_name: str | None, font: Any, extra: Any) -> None:
    """A ConfigurationError, one paragraph, when the theme's settings make pages request another host."""
    if found := third_party_settings(theme_name, font, extra):
        raise ConfigurationError(
            f"{shown_config(config_file)} (or a file it INHERITs): {'; '.join(found)}. Each reader's visit would tell that "
            "host which page they read, without their consent (CNIL): the sites request no host that the configuration "
            "does not name.")


def named_hosts(value: Any) -> set[str]:
    """The hosts of the addresses written anywhere in `value` (a configuration: mappings, lists, texts)."""
    if isinstance(value, str):
        return {host.lower()} if "//" in value and (host := address_host(value)) else set()
    if isinstance(value, Mapping):
        return set().union(*map(named_hosts, value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*map(named_hosts, value))
    return set()


def theme_requests(page: str, named: set[str]) -> list[str]:
    """The addresses of other hosts than `named` that the theme's page `page` (HTML) makes the browser fetch."""
    return sorted({address for address, _ in html_addresses(page)
                   if (host := address_host(address)) and host.lower() not in named})
