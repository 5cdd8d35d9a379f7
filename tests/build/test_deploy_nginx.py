"""The HCP site served by real nginx, set up as the generated snippets say: both included in the site's
`server` block. The access control must not cost the site its security headers, nor its own 404 page."""

from __future__ import annotations

import base64
import http.server
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

NGINX = shutil.which("nginx") or str(REPO / ".cache" / "tools" / "nginx" / "usr" / "sbin" / "nginx")  # scripts/ensure-nginx
HCP = {"audience": "hcp", "persona": ["hcp-medecin-generaliste"], "content_type": "medical_scientific",
       "references": ["HAS 2024"]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _IdentityService(http.server.BaseHTTPRequestHandler):
    """Stands for the identity service of `access_control: auth_request`: a professional's token passes."""

    def do_GET(self) -> None:
        if self.path.startswith("/login"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"Connexion des professionnels")
            return
        self.send_response(200 if self.headers.get("Authorization") == "Basic " + base64.b64encode(b"medecin:secret").decode() else 401)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(params=["basic", "auth_request"])
def served_hcp_site(request, hub, tmp_path):
    hub.article("pro/reco.md", title="Recommandations", **HCP)
    work = tmp_path / "nginx"
    (work / "tmp").mkdir(parents=True)
    if request.param == "auth_request":
        config = hub.root / "site_config" / "hcp.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("    audience: hcp\n", "    audience: hcp\n    access_control: auth_request\n"),
                          encoding="utf-8")
        identity = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _IdentityService)
        threading.Thread(target=identity.serve_forever, daemon=True).start()
        request.addfinalizer(identity.shutdown)
    assert hub.build("hcp").returncode == 0
    access = (hub.root / "reports" / "hcp-access" / "nginx.conf").read_text(encoding="utf-8")
    if request.param == "auth_request":
        assert "http://127.0.0.1:9180/verify" in access
        access = access.replace("http://127.0.0.1:9180", f"http://127.0.0.1:{identity.server_address[1]}")
    else:
        assert "/etc/nginx/carepress-hcp.htpasswd" in access
        (work / "htpasswd").write_text("medecin:{PLAIN}secret\n", encoding="utf-8")
        access = access.replace("/etc/nginx/carepress-hcp.htpasswd", str(work / "htpasswd"))
    (work / "access.conf").write_text(access, encoding="utf-8")
    port = _free_port()
    temp = " ".join(f"{kind}_temp_path {work / 'tmp'};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"daemon off; master_process off; worker_processes 1; pid {work / 'nginx.pid'}; error_log {work / 'error.log'};\n"
        f"events {{}}\nhttp {{\n  types {{ text/html html; text/css css; application/javascript js; }}\n"
        f"  access_log off; {temp}\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n"
        f"    include {hub.root / 'deploy' / 'hcp.nginx.conf'};\n    include {work / 'access.conf'};\n  }}\n}}\n",
        encoding="utf-8")
    server = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf")], stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    for _ in range(100):  # until it listens (not timing anything)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # the redirect itself is the answer looked at


def _get(url: str, user: str | None = None):
    request = urllib.request.Request(url)
    if user:
        request.add_header("Authorization", "Basic " + base64.b64encode(user.encode()).decode())
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def test_the_hcp_site_behind_its_access_control_keeps_its_security_headers(served_hcp_site):
    status, headers, body = _get(served_hcp_site + "pro/reco/")
    assert "Recommandations" not in body  # no page without credentials: basic auth asks, or the login page is next
    assert (status, headers["WWW-Authenticate"]) == (401, 'Basic realm="Espace reserve aux professionnels de sante"') \
        or (status, headers["Location"]) == (302, served_hcp_site + "login?next=/pro/reco/")
    if status == 302:  # the login pages are outside the control (they would redirect to themselves)
        assert _get(headers["Location"])[::2] == (200, "Connexion des professionnels")
        assert _get(served_hcp_site + "login/callback?code=x")[::2] == (200, "Connexion des professionnels")
    assert headers["X-Frame-Options"] == "DENY"
    status, headers, body = _get(served_hcp_site + "pro/reco/", "medecin:secret")
    assert status == 200 and "Recommandations" in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Robots-Tag"] == "noindex, nofollow"


def test_a_missing_page_gets_the_site_own_gated_not_found_page(served_hcp_site):
    status, headers, body = _get(served_hcp_site + "page/absente/", "medecin:secret")
    assert status == 404 and 'id="carepress-gate"' in body and "Content-Security-Policy" in headers
