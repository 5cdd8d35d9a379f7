"""Local stand-ins for the analytics engines: each checks every request against its documented API.

Plausible Events API (POST /api/event, JSON), Matomo HTTP Tracking API (POST matomo.php, form
encoded), Umami send API (POST /api/send, JSON {type: "event", payload}), and CarePress' plain
beacon (POST, a JSON body sent as text/plain). Each accepted request becomes an Event with the same
shape whatever the engine, so tests assert once on names and dimensions."""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from carepress.analytics.settings import DEFAULT_MATOMO_DIMENSIONS

PATHS = {"plausible": "/api/event", "matomo": "/matomo.php", "umami": "/api/send", "beacon": "/collect"}
SITE_IDS = {"plausible": "patients.example.org", "matomo": "1", "umami": "6f0e3c2a-9d1b-4c55-8b7e-0a1b2c3d4e5f"}
PLAUSIBLE_NAMES = {"Outbound Link: Click": "outbound_link", "File Download": "file_download", "404": "not_found"}
# Anything that would identify or follow a visitor, in any engine's vocabulary.
IDENTIFIERS = {"_id", "uid", "cid", "_idts", "_idvc", "_viewts", "_ref", "pv_id", "id", "sessionId", "visitor", "screen", "res"}


@dataclass
class Event:
    name: str
    dimensions: dict[str, str]
    url: str  # the page address the engine receives
    referrer: str
    properties: dict[str, str] = field(default_factory=dict)


class InvalidRequest(AssertionError):
    pass


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidRequest(message)


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidRequest(f"body is not JSON: {body[:80]!r}") from None
    _check(isinstance(data, dict), "body is not a JSON object")
    return data


def _strings(mapping: dict, what: str) -> None:
    _check(isinstance(mapping, dict), f"{what} is not an object")
    for key, value in mapping.items():
        _check(isinstance(key, str) and isinstance(value, (str, int, float)), f"{what}.{key} is not a scalar")


def parse_plausible(content_type: str, body: bytes) -> Event:
    _check(content_type.startswith("application/json"), f"Content-Type {content_type!r}, documented: application/json")
    data = _json(body)
    _check(set(data) <= {"name", "url", "domain", "referrer", "props", "revenue", "interactive"}, f"unknown keys {set(data)}")
    for key in ("name", "url", "domain"):
        _check(isinstance(data.get(key), str) and data[key], f"`{key}` is required and must be a string")
    _check(data["domain"] == SITE_IDS["plausible"], f"domain {data['domain']!r}")
    _check(data.get("referrer") is None or isinstance(data["referrer"], str), "referrer must be a string")
    props = data.get("props") or {}
    _strings(props, "props")
    _check(len(props) <= 30, "Plausible takes at most 30 custom properties")
    name = PLAUSIBLE_NAMES.get(data["name"], data["name"])
    return _event(name, props, data["url"], data.get("referrer") or "")


def parse_matomo(content_type: str, body: bytes) -> Event:
    _check(content_type.startswith("application/x-www-form-urlencoded"), f"Content-Type {content_type!r}")
    raw = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=True)
    _check(all(len(values) == 1 for values in raw.values()), "a parameter is repeated")
    params = {key: values[0] for key, values in raw.items()}
    allowed = {"idsite", "rec", "url", "action_name", "urlref", "rand", "apiv", "send_image", "ca", "link", "download",
               "e_c", "e_a", "e_n"}
    _check(all(key in allowed or re.fullmatch(r"dimension\d+", key) for key in params), f"undocumented {set(params) - allowed}")
    _check(params.get("idsite") == SITE_IDS["matomo"] and params.get("rec") == "1", "idsite and rec=1 are required")
    _check(bool(params.get("url")), "url is required")
    _check(("e_c" in params) == ("e_a" in params), "an event needs both e_c and e_a")
    if "action_name" in params:
        _check("ca" not in params, "a page view is not a custom action")
        name = "not_found" if params["action_name"].startswith("404/URL = ") else "pageview"
    else:
        _check(params.get("ca") == "1", "a request that is not a page view must set ca=1")
        name = ("outbound_link" if "link" in params else "file_download" if "download" in params
                else "cta_click" if params.get("e_c") == "cta" else params.get("e_a", ""))
    index = {f"dimension{number}": dimension for dimension, number in DEFAULT_MATOMO_DIMENSIONS.items()}
    dimensions = {index[key]: value for key, value in params.items() if key in index}
    properties = {"url": params.get("link") or params.get("download") or "", "cta": params.get("e_n", "")}
    event = Event(name, dimensions, params["url"], params.get("urlref", "").rstrip("/"),
                  {key: value for key, value in properties.items() if value})
    if name == "cta_click":
        event.properties = {"cta": params["e_n"]}
    return event


def parse_umami(content_type: str, body: bytes) -> Event:
    _check(content_type.startswith("application/json"), f"Content-Type {content_type!r}, documented: application/json")
    data = _json(body)
    _check(set(data) == {"type", "payload"} and data["type"] == "event", "body must be {type: 'event', payload}")
    payload = data["payload"]
    _check(isinstance(payload, dict), "payload must be an object")
    documented = {"hostname", "screen", "language", "url", "referrer", "title", "tag", "id", "website", "name", "data"}
    _check(set(payload) <= documented, f"undocumented {set(payload) - documented}")
    for key in set(payload) - {"data"}:
        _check(isinstance(payload[key], str), f"payload.{key} must be a string")
    _check(payload.get("website") == SITE_IDS["umami"], "payload.website must be the website id")
    _check(payload.get("url", "").startswith("/") and payload.get("hostname"), "payload.url (a path) and hostname")
    data_ = payload.get("data") or {}
    _strings(data_, "payload.data")
    return _event(payload.get("name", "pageview"), data_, payload["url"], payload.get("referrer", ""))


def parse_beacon(content_type: str, body: bytes) -> Event:
    _check(content_type.startswith("text/plain"), f"Content-Type {content_type!r}, the beacon sends text/plain")
    data = _json(body)
    _check(set(data) == {"event", "url", "referrer", "dimensions", "properties"}, f"keys {set(data)}")
    _strings(data["dimensions"], "dimensions")
    _strings(data["properties"], "properties")
    return Event(data["event"], data["dimensions"], data["url"], data["referrer"], data["properties"])


def _event(name: str, props: dict, url: str, referrer: str) -> Event:
    dimensions = {key: props[key] for key in DEFAULT_MATOMO_DIMENSIONS if key in props}
    properties = {key: value for key, value in props.items() if key not in dimensions}
    return Event(name, dimensions, url, referrer, properties)


PARSERS = {"plausible": parse_plausible, "matomo": parse_matomo, "umami": parse_umami, "beacon": parse_beacon}


def assert_private(raw: str) -> None:
    """No visitor id and nothing of a query string or fragment, in any engine's body."""
    for identifier in IDENTIFIERS:
        _check(f'"{identifier}"' not in raw and not re.search(rf"(^|&){re.escape(identifier)}=", raw), f"identifier {identifier}")
    _check("jane" not in raw and "secret" not in raw, f"a query string or fragment leaked: {raw}")


class Receiver:
    """One engine's endpoint on 127.0.0.1; `events` are the valid requests, `errors` the invalid ones."""

    def __init__(self, provider: str):
        self.provider = provider
        self.events: list[Event] = []
        self.errors: list[str] = []
        self.changed = threading.Condition()
        self.url = ""

    def record(self, headers, path: str, body: bytes) -> None:
        content_type = headers.get("Content-Type", "")
        with self.changed:
            try:
                _check(path == PATHS[self.provider], f"path {path!r}, documented: {PATHS[self.provider]}")
                # The engine set a cookie on the first answer, as Matomo does: the browser neither keeps nor sends it.
                _check(headers.get("Cookie") is None, f"the request carries a cookie: {headers.get('Cookie')}")
                _check(headers.get("Referer") is None, f"the request names the page: Referer {headers.get('Referer')}")
                assert_private(body.decode("utf-8", "replace"))
                event = PARSERS[self.provider](content_type, body)
                for address in (event.url, event.properties.get("url", "")):
                    parts = urlsplit(address)
                    _check(not parts.query and not parts.fragment and "?" not in address, f"address not stripped: {address}")
                _check(urlsplit(event.referrer).path in ("", "/") and not urlsplit(event.referrer).query,
                       f"referrer beyond its host: {event.referrer}")
                self.events.append(event)
            except InvalidRequest as error:
                self.errors.append(str(error))
            self.changed.notify_all()

    def wait_for(self, name: str, count: int = 1, timeout: float = 15) -> list[Event]:
        """The events called `name`, once `count` of them arrived (waits, does not time anything)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.named(name)) < count and not self.errors and time.monotonic() < deadline:
                self.changed.wait(deadline - time.monotonic())
        assert not self.errors, self.errors
        found = self.named(name)
        assert len(found) >= count, f"{name}: {len(found)} received, events: {[e.name for e in self.events]}"
        return found

    def named(self, name: str) -> list[Event]:
        return [event for event in self.events if event.name == name]


@contextmanager
def receiver(provider: str) -> Iterator[Receiver]:
    made = Receiver(provider)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")

        def do_OPTIONS(self) -> None:  # CORS preflight of JSON requests
            self.send_response(204)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            made.record(self.headers, self.path, body)
            self.send_response(202)
            self._cors()
            self.send_header("Set-Cookie", "_pk_uid=visiteur-4f2a; Path=/; Max-Age=34128000")  # an identifier
            self.end_headers()

        def do_GET(self) -> None:
            made.record({}, self.path, b"GET is not used")
            self.send_response(405)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    made.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield made
    finally:
        server.shutdown()
        server.server_close()
