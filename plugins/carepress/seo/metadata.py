"""Per-page metadata: title, description, canonical, robots, hreflang, Open Graph, JSON-LD.

Values are plain text here; the template escapes each for its context (attribute, text), and
the JSON-LD is serialised so that no value can close its <script> element.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from carepress.model.article import Article
from carepress.model.schema import ContentType, SiteAudience
from carepress.seo.pixels import TITLE_LIMIT_PX, title_width
from carepress.seo.text import Outline, file_state

DESCRIPTION_MIN, DESCRIPTION_MAX = 120, 156
TITLE_SEPARATOR = " | "
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
MEDICAL_AUDIENCE = {SiteAudience.PATIENT: "Patient", SiteAudience.HCP: "Clinician"}
ROBOTS = {SiteAudience.PATIENT: "index, follow", SiteAudience.HCP: "noindex, nofollow"}


@dataclass(frozen=True)
class SiteInfo:
    name: str
    url: str | None
    language: str
    audience: SiteAudience
    registry_dir: Path


@dataclass
class HeadTags:
    title: str
    description: str
    canonical: str | None
    robots: str
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (hreflang, absolute URL)
    open_graph: list[tuple[str, str]] = field(default_factory=list)
    twitter: list[tuple[str, str]] = field(default_factory=list)
    json_ld: str = ""


def page_title(title: str, site_name: str) -> str:
    """The page's own title first (its keyword early), the site name as suffix when it fits."""
    full = f"{title}{TITLE_SEPARATOR}{site_name}"
    return full if title_width(full) <= TITLE_LIMIT_PX else title


def generate_description(paragraphs: list[str]) -> str:
    """120-156 characters from the introduction (and following paragraphs if it is short), cut on a word."""
    text = ""
    for paragraph in paragraphs:
        text = f"{text} {paragraph}".strip()
        if len(text) >= DESCRIPTION_MIN:
            break
    if len(text) <= DESCRIPTION_MAX:
        return text
    cut = text[: DESCRIPTION_MAX - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:–—-") + "…"


def description(article: Article, outline: Outline) -> str:
    return article.meta.description or generate_description(outline.paragraphs)


def language(article: Article, site: SiteInfo) -> str:
    return article.meta.lang or site.language


def canonical_problem(value: str, site_url: str | None) -> str | None:
    """Why a front-matter `canonical` cannot be used, or None when it is a page of this site."""
    parts = urlsplit(value.strip())
    path = unquote(parts.path)
    if "\\" in value or any(ord(c) < 32 for c in value):
        return "contains a backslash or a control character"
    if ".." in path.split("/"):
        return "climbs out of the site with `..`"
    if parts.scheme or parts.netloc or value.startswith("//"):
        site = urlsplit(site_url or "")
        if parts.scheme not in ("http", "https") or (parts.netloc or "").lower() != site.netloc.lower():
            return f"points to another host than this site ({site.netloc or 'no site_url set'})"
        if not parts.path.startswith(site.path or "/"):
            return "points outside this site's path"
    return None


@functools.lru_cache(maxsize=8192)  # breadcrumbs ask for the same section addresses on every page
def absolute(site_url: str | None, path: str) -> str | None:
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, path.lstrip("/")) if not urlsplit(path).scheme else path


def published_key(url: str) -> str:
    """How an absolute URL is looked up among the published pages: `é` and `%C3%A9` are one address."""
    return unquote(url)


def canonical_override(article: Article, site: SiteInfo,
                       published: Callable[[str], str | None] | None = None) -> str | None:
    """The absolute URL the page's `canonical` names, when usable: an address of this site and, when
    `published` is known (an address's `published_key` -> the URL of the page this site publishes there, as
    served, or None), one of its pages; any other address of this site is a 404 or a page it leaves out."""
    target = canonical_target(article, site.url)
    if published is None or target is None:
        return target
    return published(published_key(target))


def canonical_target(article: Article, site_url: str | None) -> str | None:
    """The absolute URL the page's `canonical` names, when it is an address of this site (`canonical_problem`)."""
    override = article.meta.canonical
    if not override or canonical_problem(override, site_url) is not None:
        return None
    return absolute(site_url, override)


def canonical_url(article: Article, site: SiteInfo, page_url: str,
                  published: Callable[[str], str | None] | None = None) -> str | None:
    return canonical_override(article, site, published) or absolute(site.url, page_url)


def topic_names(registry_dir: Path) -> dict[str, dict[str, str]]:
    """site_config/topics.yml: topic id -> {language: name of the condition}."""
    return _read_topic_names(registry_dir, file_state(os.path.join(registry_dir, "topics.yml")))  # asked per page


@functools.lru_cache(maxsize=8)
def _read_topic_names(registry_dir: Path, state: tuple[int, int] | None) -> dict[str, dict[str, str]]:
    # `state` (the file's date and size) is in the memo's key: a long-lived preview, whose builds fork workers
    # from a process that read the file before, sees an edited list.
    try:
        data = yaml.safe_load((registry_dir / "topics.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    topics = data.get("topics") if isinstance(data, dict) else None
    return {str(k): v for k, v in topics.items() if isinstance(v, dict)} if isinstance(topics, dict) else {}


def topic_name(topic: str, lang: str, registry_dir: Path) -> str:
    names = topic_names(registry_dir).get(topic, {})
    return names.get(lang) or next(iter(names.values()), None) or topic.replace("-", " ").capitalize()


def json_ld_text(data: dict) -> str:
    """JSON for a <script> element: `<`, `>` and `&` as \\u escapes, so `</script>` cannot occur."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def medical_web_page(article: Article, site: SiteInfo, title: str, summary: str, url: str | None,
                     crumbs: list[tuple[str, str | None]]) -> dict:
    meta, lang = article.meta, language(article, site)
    data: dict = {"@context": "https://schema.org", "@type": "MedicalWebPage", "name": title,
                  "description": summary, "inLanguage": lang}
    if url:
        data["url"] = url
    approved = meta.validation.approved
    if approved:
        data["dateModified"] = data["lastReviewed"] = approved.isoformat()
    if meta.validation.reviewers.medical:
        data["reviewedBy"] = {"@type": "Person", "name": meta.validation.reviewers.medical}
    data["audience"] = {"@type": "MedicalAudience", "audienceType": MEDICAL_AUDIENCE[site.audience]}
    if meta.topic and meta.content_type is not ContentType.CORPORATE:
        data["about"] = {"@type": "MedicalCondition", "name": topic_name(meta.topic, lang, site.registry_dir)}
    publisher = {"@type": "Organization", "name": site.name}
    if site.url:
        publisher["url"] = site.url
    data["publisher"] = publisher
    if crumbs:
        items = []
        for position, (name, link) in enumerate(crumbs, start=1):
            item = {"@type": "ListItem", "position": position, "name": name}
            if link:
                item["item"] = link
            items.append(item)
        data["breadcrumb"] = {"@type": "BreadcrumbList", "itemListElement": items}
    return data


def og_locale(lang: str) -> str:
    """Open Graph's language_TERRITORY: a region the page names is kept (en-US -> en_US); a bare language gets its
    usual territory (fr -> fr_FR)."""
    language, _, region = lang.partition("-")
    if len(region) == 2 and region.isalpha():
        return f"{language.lower()}_{region.upper()}"
    return LOCALES.get(language.lower(), language.lower())


def head_tags(article: Article, site: SiteInfo, page_url: str, summary: str,
              translations: dict[str, str] | None = None, crumbs: list[tuple[str, str | None]] | None = None,
              is_home: bool = False, published: Callable[[str], str | None] | None = None) -> HeadTags:
    """Every tag of one page. `summary`: its description (`description()`); `translations` maps
    languages to site-relative URLs of published pages; `published`: see `canonical_override`."""
    title = page_title(article.meta.title, site.name)
    url = canonical_url(article, site, page_url, published)
    lang = language(article, site)
    alternates = []
    if translations:
        own = {lang: page_url, **translations}
        alternates = [(code, absolute(site.url, link) or link) for code, link in sorted(own.items())]
    open_graph = [("og:type", "website" if is_home else "article"), ("og:title", article.meta.title),
                  ("og:description", summary), ("og:site_name", site.name),
                  ("og:locale", og_locale(lang))]
    if url:
        open_graph.insert(3, ("og:url", url))
    twitter = [("twitter:card", "summary"), ("twitter:title", article.meta.title), ("twitter:description", summary)]
    data = medical_web_page(article, site, article.meta.title, summary, url, crumbs or [])
    return HeadTags(title, summary, url, ROBOTS[site.audience], alternates, open_graph, twitter, json_ld_text(data))
