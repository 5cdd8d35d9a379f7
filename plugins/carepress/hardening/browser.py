"""Headless Chromium (Debian's package, driven by Playwright) and a localhost server for built sites.

Shared by the browser tests and `make audit`. Playwright is a test dependency: import this module
only where it is installed.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's hosts at start; this machine's network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers: dict[str, str] = {}
    not_found_page: str | None = None  # served with status 404 for a missing path, like a real host

    def send_error(self, code, message=None, explain=None) -> None:
        page = Path(self.directory) / self.not_found_page if self.not_found_page else None
        if code != 404 or page is None or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@contextmanager
def serve_folder(folder: Path, headers: dict[str, str] | None = None, not_found_page: str | None = None) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 at a free port; yields its base URL."""
    handler = type("Handler", (_Handler,), {"extra_headers": headers or {}, "not_found_page": not_found_page})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
