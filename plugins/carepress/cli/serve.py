"""`carepress serve`: live preview of one audience's site, with each page's status banner."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import click

from carepress.cli import Interrupted, main
from carepress.cli._common import configuration_errors, fail, today_option
from carepress.cli.build import AUDIENCES, audience_config, setup_logging
from carepress.compliance.preview import PREVIEW_VARIABLE
from carepress.model.registries import ConfigurationError
from carepress.settings import TODAY_VARIABLE, parse_today


log = logging.getLogger("mkdocs.plugins.carepress.serve")

WRITES = ("modified", "created", "deleted", "moved", "closed")  # watchdog event types that change a file


@main.command()
@click.option("--audience", "-a", type=click.Choice(AUDIENCES), default="patient", show_default=True)
@click.option("--config-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("site_config"),
              show_default=True, help="Where patient.yml and hcp.yml are.")
@click.option("--dev-addr", "dev_addr", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT")
@click.option("--open", "open_in_browser", is_flag=True, help="Open the preview in the default browser.")
@click.option("--verbose", "-v", is_flag=True)
@today_option
@configuration_errors
def serve(audience: str, config_dir: Path, dev_addr: str, open_in_browser: bool, verbose: bool, today: str | None) -> None:
    """Preview one audience's site on localhost, rebuilt on every save.

    Unlike `build`, the preview keeps the pages the build would leave out (drafts, pages in review,
    expired or rejected pages) and shows on every page a banner with its workflow state and findings.
    """
    from mkdocs.exceptions import ConfigurationError as MkDocsConfigurationError

    if today:
        os.environ[TODAY_VARIABLE] = parse_today(today).isoformat()
    os.environ[PREVIEW_VARIABLE] = "1"  # read by the compliance plugin at each rebuild
    config_file = audience_config(config_dir, audience)
    if not config_file.exists():
        fail(f"{config_file}: configuration not found (each audience has site_config/<audience>.yml)")
    setup_logging(verbose)
    try:
        # Registries (personas, products) change findings too: rebuild when they are saved.
        preview(config_file, dev_addr, [config_dir], open_in_browser)
    except MkDocsConfigurationError as error:
        fail(f"{config_file}: {error}")


def preview(config_file: Path, dev_addr: str, watched: list[Path], open_in_browser: bool) -> None:
    """MkDocs' live-reload server, with CarePress' incremental rebuild: files written in the content
    folder go to `Session.rebuild` (a saved article is redone alone, with the pages whose banner
    depends on it; a new or removed file builds the whole preview); anything else (configuration,
    registries, theme), or a rebuild that fails, builds the whole preview with a fresh configuration."""
    from urllib.parse import urlsplit

    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError as MkDocsConfigurationError
    from mkdocs.livereload import LiveReloadServer
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from carepress.build.cache import config_files
    from carepress.build.incremental import Session

    site_dir = Path(tempfile.mkdtemp(prefix="carepress-preview-"))
    changed: set[Path] = set()
    lock = threading.Lock()

    def fresh_session() -> Session:
        config = load_config(str(config_file), site_dir=str(site_dir), dev_addr=dev_addr)
        config.site_url = serve_url
        return Session(config)

    config = load_config(str(config_file), site_dir=str(site_dir), dev_addr=dev_addr)
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = f"http://{host}:{port}{mount_path}"
    config.site_url = serve_url
    session = Session(config)
    docs_dir = Path(config.docs_dir).resolve()

    def builder() -> None:
        nonlocal session
        with lock:
            paths = sorted(changed)
            changed.clear()
        if paths and all(path.is_relative_to(docs_dir) for path in paths):
            try:  # the edited pages alone, or a full build when the edit may change other pages
                session.rebuild(paths)
                return
            except Exception as error:  # noqa: BLE001  a half-done rebuild: start again from a fresh state
                log.warning(f"Incremental rebuild failed ({type(error).__name__}: {error}); building the whole preview")
        # the watcher's news came late, or a configuration, registry or theme file changed
        try:
            fresh = fresh_session()
            fresh.full()
        except (MkDocsConfigurationError, ConfigurationError) as error:
            # One line, where MkDocs' live-reload loop prints a traceback. A configuration refused stops the build
            # before it writes a page: the preview goes on serving the last build's.
            shown = str(error) if isinstance(error, ConfigurationError) else f"{config_file}: {error}"
            log.error(f"{shown} (the preview shows the last build that worked; it is rebuilt when a file is saved)")
            return
        session = fresh

    class Recorder(FileSystemEventHandler):
        def on_any_event(self, event) -> None:  # reading a file (opened, closed_no_write) is no change
            if not event.is_directory and event.event_type in WRITES:
                with lock:
                    changed.update(Path(p).resolve() for p in (event.src_path, getattr(event, "dest_path", "")) if p)

    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site_dir), mount_path=mount_path)
    server.error_handler = lambda code: (site_dir / f"{code}.html").read_bytes() if (site_dir / f"{code}.html").is_file() else None
    recorder = Observer()
    try:  # the address first: a port in use is said before a build that may take a minute, not as a traceback after it
        with socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET):
            pass
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        fail(f"--dev-addr {host}:{port}: {reason}; choose another, such as --dev-addr {host}:{port + 1}")
    try:
        session.full()
        # The configuration the site's file INHERITs (mkdocs.yml) and the theme's overrides: a full build, fresh.
        theme = [Path(config.theme.custom_dir)] if config.theme.custom_dir else []
        for path in [docs_dir, *config_files(Path(config.config_file_path)), *theme, *watched, *map(Path, config.watch)]:
            server.watch(str(path))
            recorder.schedule(Recorder(), str(path), recursive=path.is_dir())
        recorder.start()
        try:
            server.serve(open_in_browser=open_in_browser)
        except (KeyboardInterrupt, Interrupted):  # Ctrl-C is how a preview ends
            pass
        finally:
            server.shutdown()
    finally:
        if recorder.is_alive():
            recorder.stop()
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
