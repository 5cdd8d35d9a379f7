"""Security headers of a built site: one policy, written for Netlify/Cloudflare (`_headers`) and nginx."""

from __future__ import annotations

from carepress.analytics.settings import AnalyticsSettings

# Only the site itself, plus the analytics endpoint when one is configured. Material needs data:
# images (SVG icons in its CSS) and a same-origin worker (search); no inline script or style remains.
PERMISSIONS_POLICY = ("accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
                      "geolocation=(), gyroscope=(), interest-cohort=(), magnetometer=(), microphone=(), "
                      "midi=(), payment=(), usb=()")


def content_security_policy(settings: AnalyticsSettings) -> str:
    connect = " ".join(["'self'", *([settings.origin] if settings.origin else [])])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": connect,
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: AnalyticsSettings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",  # a health page's address never leaves the site
        "Permissions-Policy": PERMISSIONS_POLICY,
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP level 2
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def netlify_headers(headers: dict[str, str]) -> str:
    """The `_headers` file Netlify and Cloudflare Pages read from the site root."""
    lines = ["# Security headers for every page (Netlify and Cloudflare Pages format), written by CarePress.", "/*"]
    lines += [f"  {name}: {value}" for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def nginx_snippet(headers: dict[str, str]) -> str:
    """`include` it inside the site's nginx `server` or `location` block."""
    lines = ["# Security headers written by CarePress: include this file in the site's server block."]
    lines += [f'add_header {name} "{value}" always;' for name, value in headers.items()]
    return "\n".join(lines) + "\n"
