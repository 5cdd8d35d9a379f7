"""Which analytics engine a site sends to, validated once at build time (no MkDocs here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from carepress.model.registries import ConfigurationError


class Provider(StrEnum):
    NONE = "none"
    PLAUSIBLE = "plausible"  # Events API: POST {endpoint}/api/event
    MATOMO = "matomo"  # HTTP Tracking API: POST {endpoint}/matomo.php
    UMAMI = "umami"  # Send API: POST {endpoint}/api/send
    BEACON = "beacon"  # a plain JSON beacon: POST {endpoint}


ENGINE_NAMES = {
    Provider.NONE: "none",
    Provider.PLAUSIBLE: "Plausible Analytics",
    Provider.MATOMO: "Matomo",
    Provider.UMAMI: "Umami",
    Provider.BEACON: "first-party beacon",
}

# The path each engine documents under the configured base URL (beacon: the endpoint itself).
API_PATHS = {Provider.PLAUSIBLE: "/api/event", Provider.MATOMO: "/matomo.php", Provider.UMAMI: "/api/send", Provider.BEACON: ""}

DIMENSIONS = ("persona", "funnel_stage", "content_type", "topic", "audience", "language", "page_path")
DEFAULT_MATOMO_DIMENSIONS = {name: index for index, name in enumerate(DIMENSIONS, start=1)}
DEFAULT_DOWNLOADS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "csv", "zip", "epub")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


@dataclass(frozen=True)
class AnalyticsSettings:
    provider: Provider = Provider.NONE
    endpoint: str | None = None  # base URL of the engine (the full URL for a beacon)
    site_id: str | None = None  # Plausible domain, Matomo idsite, Umami website id
    retention_months: int = 13
    matomo_dimensions: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MATOMO_DIMENSIONS))
    downloads: tuple[str, ...] = DEFAULT_DOWNLOADS

    @property
    def enabled(self) -> bool:
        return self.provider is not Provider.NONE

    @property
    def engine(self) -> str:
        return ENGINE_NAMES[self.provider]

    @property
    def collect_url(self) -> str | None:
        """Where the browser sends events."""
        if not self.enabled or not self.endpoint:
            return None
        base = self.endpoint.rstrip("/") if self.provider is not Provider.BEACON else self.endpoint
        path = API_PATHS[self.provider]
        return base if base.endswith(path) else base + path

    @property
    def origin(self) -> str | None:
        """The endpoint's origin, for the Content-Security-Policy's connect-src."""
        if not self.collect_url:
            return None
        parts = urlsplit(self.collect_url)
        return f"{parts.scheme}://{parts.netloc}"


def _fail(message: str) -> None:
    raise ConfigurationError(f"carepress/analytics: {message}")


def check_endpoint(endpoint: Any) -> str:
    if not isinstance(endpoint, str) or not endpoint.strip():
        _fail("`endpoint` is missing; set it to your analytics server's URL, e.g. https://stats.example.org")
    endpoint = endpoint.strip()
    try:
        parts = urlsplit(endpoint)
        _ = parts.port  # a port that is not a number, or out of range, raises ValueError here
    except ValueError:  # `https://[host` (an unclosed IPv6 bracket), `https://host:abc`
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        _fail(f"`endpoint` {endpoint!r} is not a URL; write it as https://host[:port][/path]")
    if parts.query or parts.fragment or parts.username or parts.password:
        _fail(f"`endpoint` {endpoint!r} must not carry a query, fragment or credentials")
    if parts.scheme != "https" and parts.hostname not in LOCAL_HOSTS:
        _fail(f"`endpoint` {endpoint!r} must use https (plain http is only allowed for localhost)")
    return endpoint


def parse_settings(options: dict[str, Any], site_url: str | None = None) -> AnalyticsSettings:
    """Validate the plugin's options; any problem is one ConfigurationError sentence."""
    raw = options.get("provider") or "none"
    try:
        provider = Provider(str(raw).strip().lower())
    except ValueError:
        _fail(f"unknown provider {raw!r}; use one of {', '.join(p.value for p in Provider)}")
    if provider is Provider.NONE:
        return AnalyticsSettings(retention_months=_retention(options))
    endpoint = check_endpoint(options.get("endpoint"))
    site_id = options.get("site_id")
    if site_id is not None:
        site_id = str(site_id).strip()
    if provider is Provider.PLAUSIBLE and not site_id:
        site_id = urlsplit(site_url or "").hostname  # Plausible identifies a site by its domain
    if provider in (Provider.PLAUSIBLE, Provider.MATOMO, Provider.UMAMI) and not site_id:
        what = {Provider.PLAUSIBLE: "the site's domain in Plausible", Provider.MATOMO: "the Matomo idsite",
                Provider.UMAMI: "the Umami website id"}[provider]
        _fail(f"`site_id` is missing for {provider.value}; set it to {what}")
    if provider is Provider.MATOMO and not site_id.isdigit():
        _fail(f"`site_id` {site_id!r} must be Matomo's numeric idsite")
    return AnalyticsSettings(provider, endpoint, site_id, _retention(options), _matomo_dimensions(options),
                             _downloads(options))


def _retention(options: dict[str, Any]) -> int:
    value = options.get("retention_months", 13)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 25:
        _fail(f"`retention_months` {value!r} must be a whole number of months between 1 and 25 (CNIL's limit)")
    return value


def _matomo_dimensions(options: dict[str, Any]) -> dict[str, int]:
    mapping = options.get("matomo_dimensions") or DEFAULT_MATOMO_DIMENSIONS
    if not isinstance(mapping, dict):
        _fail("`matomo_dimensions` must map a dimension name to Matomo's custom dimension id")
    for name, index in mapping.items():
        if name not in DIMENSIONS:
            _fail(f"`matomo_dimensions` names unknown dimension {name!r}; known: {', '.join(DIMENSIONS)}")
        if not isinstance(index, int) or isinstance(index, bool) or index < 1:
            _fail(f"`matomo_dimensions.{name}` must be a positive custom dimension id, not {index!r}")
    return dict(mapping)


def _downloads(options: dict[str, Any]) -> tuple[str, ...]:
    extensions = options.get("downloads") or DEFAULT_DOWNLOADS
    if not isinstance(extensions, (list, tuple)) or not all(isinstance(e, str) and e.strip(".").isalnum() for e in extensions):
        _fail("`downloads` must be a list of file extensions, e.g. [pdf, docx]")
    return tuple(e.strip(".").lower() for e in extensions)
