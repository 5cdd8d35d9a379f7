"""sitemap.xml and robots.txt of one site.

The patient sitemap lists published, indexable pages with the date they were approved. The HCP
site is for professionals only: it has no sitemap and its robots.txt disallows everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape  # & < > as xml.sax.saxutils does, without its import of urllib.request and ssl (20 ms)

from carepress.model.schema import SiteAudience

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True, order=True)
class SitemapEntry:
    url: str  # absolute
    lastmod: dt.date | None


def sitemap_xml(entries: list[SitemapEntry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for entry in sorted(set(entries)):
        lastmod = f"<lastmod>{entry.lastmod.isoformat()}</lastmod>" if entry.lastmod else ""
        lines.append(f"  <url><loc>{escape(entry.url, quote=False)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def indexable(audience: SiteAudience) -> bool:
    return audience is SiteAudience.PATIENT


def robots_txt(audience: SiteAudience, sitemap_url: str | None) -> str:
    if not indexable(audience):
        return "# Professionals' site: not for search engines.\nUser-agent: *\nDisallow: /\n"
    text = "User-agent: *\nAllow: /\n"
    return text + (f"\nSitemap: {sitemap_url}\n" if sitemap_url else "")
