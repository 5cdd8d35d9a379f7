"""Content dimensions of a page, and the URL stripping every event goes through (no MkDocs here)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from carepress.model.article import Article


def content_dimensions(article: Article | None, page_path: str, site_language: str) -> dict[str, str]:
    """What an event may say about the page: its content, never its reader."""
    dimensions = {"persona": "", "funnel_stage": "", "content_type": "", "topic": "", "audience": "",
                  "language": site_language, "page_path": page_path}
    if article is not None:
        meta = article.meta
        dimensions.update(
            persona=",".join(meta.persona),
            funnel_stage=meta.funnel_stage.value,
            content_type=meta.content_type.value,
            topic=meta.topic or "",
            audience=meta.audience.value,
            language=meta.lang or site_language,
        )
    return dimensions


def page_path(url: str) -> str:
    """A page's site-absolute path from MkDocs' page URL ('' is the home page), without query or fragment."""
    path = urlsplit(url).path
    return "/" + path.lstrip("/")


def strip_url(url: str) -> str:
    """The URL without query string, fragment or credentials: they may hold personal data."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

