"""The HCP site's server-side access control: a generated nginx snippet.

The ANSM charter for internet and e-media asks that promotional content for professionals be
reserved to them by real access control, not by a self-declaration alone: the interstitial gate
is a courtesy, this snippet is the control.
"""

from __future__ import annotations

from pathlib import Path

from carepress.outputs import write_text

_BASIC = """\
# CarePress: access control for the HCP site (generated; include it in the site's `server` block).
# The ANSM charter for internet and e-media reserves promotional content for professionals to
# them with real access control; the interstitial gate alone is only a self-declaration.
# Create the password file with: htpasswd -c /etc/nginx/carepress-hcp.htpasswd <user>
{server_level}location / {{
    auth_basic "Espace reserve aux professionnels de sante";  # ASCII: a header's bytes are read as Latin-1
    auth_basic_user_file /etc/nginx/carepress-hcp.htpasswd;
    try_files $uri $uri/ =404;
}}
"""

_AUTH_REQUEST = """\
# CarePress: access control for the HCP site (generated; include it in the site's `server` block).
# The ANSM charter for internet and e-media reserves promotional content for professionals to
# them with real access control. Every request is checked by your identity service (for
# example a Pro Santé Connect / RPPS verification service) before the static file is served.
{server_level}location = /_carepress_auth {{
    internal;
    proxy_pass http://127.0.0.1:9180/verify;  # your authentication service: 2xx allows, 401/403 refuses
    proxy_pass_request_body off;
    proxy_set_header Content-Length "";
    proxy_set_header X-Original-URI $request_uri;
}}
location / {{
    auth_request /_carepress_auth;
    error_page 401 = @carepress_login;
    error_page 404 /404.html;  # a location's own error_page drops the server's
    try_files $uri $uri/ =404;
}}
location @carepress_login {{
    return 302 /login?next=$request_uri;
}}
# Your identity service's login pages (its assets and callbacks under /login/): outside the control, or the redirect
# would loop.
location = /login {{
    proxy_pass http://127.0.0.1:9180;
}}
location ^~ /login/ {{
    proxy_pass http://127.0.0.1:9180;
}}
"""


# At server level, with the security headers of deploy/hcp.nginx.conf: an `add_header` inside a `location`
# would drop every header that block inherits (nginx inherits `add_header` only where a block has none).
_SERVER_LEVEL = """\
root {site_dir};
add_header X-Robots-Tag "noindex, nofollow" always;
error_page 404 /404.html;  # the site's own not-found page, gated as its other pages
"""


def nginx_snippet(site_dir: Path, method: str) -> str:
    template = _AUTH_REQUEST if method == "auth_request" else _BASIC
    return template.format(server_level=_SERVER_LEVEL.format(site_dir=site_dir.as_posix()))


def write_nginx_snippet(site_dir: Path, method: str, reports_dir: Path) -> Path:
    folder = reports_dir / "hcp-access"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nginx.conf"
    return write_text(path, nginx_snippet(site_dir, method))
