"""The preview (`carepress serve`) keeps rejected pages and shows a status banner; `build` never does."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CAREPRESS_WITH_STACK_DUMPS, TODAY

pytestmark = pytest.mark.build

BROKEN_YAML = '---\ntitle: "Asthme\naudience: patient\n---\n\n# Asthme\n'


def _hub_with_every_state(hub):
    hub.article("asthme/ok.md", title="Asthme : bien vivre au quotidien")
    hub.article("asthme/brouillon.md", title="Asthme : un brouillon", validation={"status": "draft"})
    hub.article("asthme/inconnu.md", title="Asthme : persona inconnu", persona=["personne-inconnue"])
    hub.article("asthme/expire.md", title="Asthme : page expirée",
                validation={"status": "approved", "code": "X-1", "approved": "2025-01-01", "expires": "2026-01-01",
                            "reviewers": {"medical": "Dr A", "legal": "B", "regulatory": "C"}})
    hub.article("pro/reserve.md", title="Réservé aux professionnels", audience="hcp", persona=["hcp-medecin-generaliste"],
                content_type="medical_scientific")
    hub.write("asthme/casse.md", BROKEN_YAML)


def _env(**extra) -> dict[str, str]:
    return dict(os.environ, CAREPRESS_TODAY=TODAY, **extra)


def _preview_build(hub, site_dir):
    (hub.root / "site_config" / "preview.yml").write_text(
        "INHERIT: patient.yml\nplugins:\n  carepress/compliance:\n    audience: patient\n    preview: true\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "site_config/preview.yml", "-d", str(site_dir)],
                            cwd=hub.root, capture_output=True, text=True, env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    return lambda rel: (site_dir / rel / "index.html").read_text(encoding="utf-8")


def test_preview_shows_every_page_of_the_site_with_its_state_and_findings(hub, tmp_path):
    _hub_with_every_state(hub)
    page = _preview_build(hub, tmp_path / "preview")
    ok = page("asthme/ok")  # published; its banner may still list SEO advice, never a blocking finding
    assert 'data-cp-preview="approved"' in ok and "cp-preview-banner" in ok and "non publiée par le build" not in ok
    assert "admonition failure cp-preview-banner" not in ok
    draft = page("asthme/brouillon")
    assert 'data-cp-preview="draft"' in draft and "Brouillon" in draft and "CP200" in draft
    assert "non publiée par le build" in draft
    unknown = page("asthme/inconnu")
    assert "CP108" in unknown and "personne-inconnue" in unknown
    assert 'data-cp-preview="approved expired"' in page("asthme/expire") and "Validation expirée" in page("asthme/expire")
    broken = page("asthme/casse")  # no Article: a placeholder page, the parse finding in the banner
    assert 'data-cp-preview="broken"' in broken and "CP103" in broken and "content/asthme/casse.md" in broken
    assert not (tmp_path / "preview" / "pro" / "reserve").exists()  # the other site's pages stay out


def test_build_never_shows_the_banner_even_with_the_preview_variable_set(hub):
    _hub_with_every_state(hub)
    result = hub.carepress("build", "--audience", "patient", "--today", TODAY)  # hub.carepress has no preview variable
    assert result.returncode == 0, result.stderr
    leaked = subprocess.run([sys.executable, "-m", "carepress", "build", "--audience", "patient", "--site-dir", "site-env"],
                            cwd=hub.root, capture_output=True, text=True, env=_env(CAREPRESS_PREVIEW="1"), timeout=300)
    assert leaked.returncode == 0, leaked.stderr
    for folder in ("site/patient", "site-env/patient"):
        files = {p.relative_to(hub.root / folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
                 for p in (hub.root / folder).rglob("*") if p.is_file()}
        assert "asthme/ok/index.html" in files
        assert "asthme/brouillon/index.html" not in files and "asthme/casse/index.html" not in files
        assert not [name for name, text in files.items() if "cp-preview" in text or "Prévisualisation" in text]


def test_build_refuses_a_configuration_that_keeps_rejected_pages(hub):
    _hub_with_every_state(hub)
    config = hub.root / "site_config" / "patient.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("    audience: patient\n", "    audience: patient\n    preview: true\n"),
                      encoding="utf-8")
    assert "preview: true" in config.read_text(encoding="utf-8")
    result = hub.build("patient")
    assert result.returncode == 2 and "`preview: true` keeps rejected pages" in result.stderr
    assert not (hub.root / "site" / "patient").exists()  # nothing written, not even a partial site


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _serving(hub, tmp_path):
    """`carepress serve` on a free port: (its base URL, the process, its log file)."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")  # a file, not a pipe: a full pipe would block the server
    process = subprocess.Popen([sys.executable, "-c", CAREPRESS_WITH_STACK_DUMPS, "serve", "--dev-addr", f"127.0.0.1:{port}"],
                               cwd=hub.root, env=_env(), stdout=log, stderr=log, text=True)
    process.log_file = tmp_path / "serve.log"
    try:
        yield f"http://127.0.0.1:{port}", process, tmp_path / "serve.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _server_state(process: subprocess.Popen) -> str:
    """The end of the server's log, with where its threads are when it is still running."""
    if process.poll() is None:
        process.send_signal(signal.SIGUSR1)
        time.sleep(1)
    return process.log_file.read_text(encoding="utf-8", errors="replace")[-6000:]


def _get_until(url: str, wanted: str, process: subprocess.Popen, limit: float = 90) -> str:
    """Poll the preview server until the page contains `wanted` (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + limit
    text = ""
    while time.monotonic() < deadline:
        assert process.poll() is None, f"carepress serve stopped:\n{_server_state(process)}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                text = response.read().decode("utf-8")
            if wanted in text:
                return text
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{wanted!r} never appeared at {url}; last page:\n{text[:2000]}\nserver:\n{_server_state(process)}")


def test_serve_shows_the_banner_and_survives_an_article_broken_mid_edit(hub, tmp_path):
    _hub_with_every_state(hub)
    assert hub.build("patient").returncode == 0
    published = {path: path.read_bytes() for folder in ("reports/manifest", "deploy") for path in (hub.root / folder).rglob("*")}
    with _serving(hub, tmp_path) as (base, process, log):
        draft = _get_until(f"{base}/asthme/brouillon/", 'data-cp-preview="draft"', process)
        assert "CP200" in draft
        # What the published build wrote for deployment stays: the preview publishes nothing (it lists its drafts
        # as built, at localhost addresses).
        assert {path: path.read_bytes() for folder in ("reports/manifest", "deploy")
                for path in (hub.root / folder).rglob("*")} == published
        assert any(path.name == "manifest-patient.json" for path in published)
        hub.write("asthme/ok.md", BROKEN_YAML)  # the editor saves a half-written front-matter
        broken = _get_until(f"{base}/asthme/ok/", 'data-cp-preview="broken"', process)
        assert "CP103" in broken
        hub.article("asthme/ok.md", title="Asthme : corrigé")  # fixed again: back to a normal page
        _get_until(f"{base}/asthme/ok/", 'data-cp-preview="approved"', process)
        hub.article("asthme/ok.md", title="Asthme : corrigé", body="# Asthme\n\nUn paragraphe réécrit.\n")
        _get_until(f"{base}/asthme/ok/", "Un paragraphe réécrit.", process)
        assert process.poll() is None
        assert "Rebuilt 1 page(s)" in log.read_text(encoding="utf-8")  # that page alone


def test_serve_redoes_an_article_saved_without_approval_alone_with_its_banner_and_the_pages_linking_to_it(hub, tmp_path):
    ok = hub.article("asthme/ok.md", title="Asthme : bien vivre au quotidien")
    hub.article("asthme/lien.md", title="Asthme : pour aller plus loin",
                body="# Asthme : pour aller plus loin\n\nLire aussi [la fiche sur le quotidien](ok.md).\n")
    with _serving(hub, tmp_path) as (base, process, log):
        _get_until(f"{base}/asthme/ok/", 'data-cp-preview="approved"', process)
        assert "CP401" not in _get_until(f"{base}/asthme/lien/", 'data-cp-preview="approved"', process)
        # Saved as many editors do: written to a temporary file, renamed over the article. Not approved again.
        temporary = ok.parent / "ok.md.tmp-5081"
        temporary.write_text(ok.read_text(encoding="utf-8").replace("Un texte neutre", "Un texte révisé"), encoding="utf-8")
        os.replace(temporary, ok)
        page = _get_until(f"{base}/asthme/ok/", "Un texte révisé", process)
        assert 'data-cp-preview="approved changed"' in page and "<strong>CP203</strong>" in page
        _get_until(f"{base}/asthme/lien/", "<strong>CP401</strong>", process)  # it links to a page the build drops
        text = log.read_text(encoding="utf-8")
        assert "Rebuilt 1 page(s) and 1 page(s)" in text  # through Session.rebuild, not a full build
        assert text.count("Documentation built") == 1  # the first build only


def test_serve_rebuilds_when_the_inherited_configuration_or_the_theme_changes(hub, tmp_path):
    hub.article("asthme/ok.md", title="Asthme : bien vivre au quotidien")
    with _serving(hub, tmp_path) as (base, process, _):
        page = f"{base}/asthme/ok/"
        _get_until(page, 'data-cp-preview="approved"', process)
        base_config = hub.root / "mkdocs.yml"  # site_config/patient.yml INHERITs it
        base_config.write_text(base_config.read_text(encoding="utf-8").replace("site_name: Vivre avec", "site_name: Vivre mieux avec"),
                               encoding="utf-8")
        _get_until(page, "Vivre mieux avec", process)
        mentions = hub.root / "theme" / "partials" / "carepress" / "mentions.html"  # the mandatory mentions' template
        mentions.write_text(mentions.read_text(encoding="utf-8").replace("Dernière relecture médicale", "Relecture médicale"),
                            encoding="utf-8")
        assert "Dernière relecture" not in _get_until(page, "Relecture médicale :", process)


def _log_until(log, wanted: str, process: subprocess.Popen, limit: float = 90) -> str:
    """Wait until the server's log holds `wanted` (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, f"carepress serve stopped:\n{_server_state(process)}"
        if wanted in (text := log.read_text(encoding="utf-8")):
            return text
        time.sleep(0.5)
    raise AssertionError(f"{wanted!r} never appeared in the log:\n{_server_state(process)}")


def test_serve_says_what_is_wrong_with_a_configuration_saved_broken_in_one_line_and_recovers(hub, tmp_path):
    hub.article("asthme/ok.md", title="Asthme : bien vivre au quotidien")
    base_config = hub.root / "mkdocs.yml"
    written = base_config.read_text(encoding="utf-8")
    with _serving(hub, tmp_path) as (base, process, log):
        page = f"{base}/asthme/ok/"
        _get_until(page, 'data-cp-preview="approved"', process)
        base_config.write_text(written.replace("site_name:", "site_name: [", 1), encoding="utf-8")  # YAML broken mid-edit
        _log_until(log, "site_config/patient.yml: MkDocs encountered an error parsing the configuration file", process)
        # Refused by the gate (an extension that inserts text no rule judges), raised inside the build.
        base_config.write_text(written + "\nmarkdown_extensions:\n  - pymdownx.snippets\n", encoding="utf-8")
        _log_until(log, "pymdownx.snippets", process)
        base_config.write_text(written, encoding="utf-8")
        personas = hub.root / "site_config" / "personas.yml"  # read when pages are judged, after the site is emptied
        kept = personas.read_text(encoding="utf-8")
        personas.write_text(kept + "\n  - id: [\n", encoding="utf-8")
        text = _log_until(log, "site_config/personas.yml:", process)
        assert "Traceback" not in text
        assert "(the preview shows the last build that worked; it is rebuilt when a file is saved)" in text
        _get_until(page, 'data-cp-preview="approved"', process)  # the last good build's pages, still served
        personas.write_text(kept, encoding="utf-8")
        base_config.write_text(written.replace("site_name: Vivre avec", "site_name: Vivre mieux avec"), encoding="utf-8")
        _get_until(page, "Vivre mieux avec", process)


def test_serve_on_an_address_in_use_says_so_in_one_line(hub):
    hub.article("asthme/ok.md", title="Asthme : bien vivre au quotidien")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "carepress", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                cwd=hub.root, env=_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"carepress: --dev-addr 127.0.0.1:{port}: Address already in use; choose another" in result.stderr
    assert "Documentation built" not in result.stderr  # said before building


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_stopped_by_ctrl_c_or_sigterm_ends_quietly_and_removes_its_preview(hub, tmp_path, signum):
    with _serving(hub, tmp_path) as (base, process, log):
        _get_until(f"{base}/", "Bienvenue", process)
        preview = re.search(r"Building documentation to directory: (\S+)", log.read_text(encoding="utf-8")).group(1)
        assert Path(preview).is_dir()
        process.send_signal(signum)
        assert process.wait(timeout=30) == 0  # how a preview ends: no error
    assert "Traceback" not in log.read_text(encoding="utf-8")
    assert not Path(preview).exists()  # the rejected pages it showed go with it
