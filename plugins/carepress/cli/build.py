"""`carepress build`: the patient site, the HCP site, or both, from one content tree."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import click

from carepress.cli import main
from carepress.cli._common import CACHE_DIR, EXIT_FINDINGS, configuration_errors, fail, today_option
from carepress.compliance.preview import PREVIEW_VARIABLE
from carepress.outputs import held_back, write_held
from carepress.settings import COMPLIANCE_PLUGIN, TODAY_VARIABLE, parse_today

AUDIENCES = ("patient", "hcp")


def audience_config(config_dir: Path, audience: str) -> Path:
    return config_dir / f"{audience}.yml"


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


def build_audience(config_file: Path, audience: str, site_dir: Path, strict: bool, jobs: int | None = None,
                   cache_dir: Path | None = None) -> None:
    """One real MkDocs build of `audience`'s site, built aside and swapped in when complete."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError as MkDocsConfigurationError

    from carepress.build.atomic import atomic_folder, not_replaceable, spare_folder
    from carepress.build.parallel import build

    try:  # the site is built beside its folder, in a new folder of the same parent
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(site_dir.parent, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as error:
        fail(f"--site-dir: {site_dir.parent} cannot be written ({error.strerror or error}); choose a folder you can write to")
    # With the page cache, the site replaced is kept in it, for the next build to refill (build/atomic.py). What the
    # build writes beside the site (the publication manifest, server configuration) is written once it is swapped in.
    with held_back() as beside_the_site, atomic_folder(site_dir, spare_folder(cache_dir) if cache_dir else None) as staging:
        try:
            config = load_config(config_file=str(config_file), site_dir=str(staging), strict=strict)
        except MkDocsConfigurationError as error:
            fail(f"{config_file}: {error}")
        kept = {"the content folder": Path(config.docs_dir), "the configuration's folder": config_file.parent,
                "the hub's folder": Path.cwd()}
        if config.theme.custom_dir:
            kept["the theme's folder"] = Path(config.theme.custom_dir)
        if why := not_replaceable(site_dir, kept):
            fail(f"{config_file}: the site folder {site_dir} {why}: the build replaces the folder it writes; "
                 "choose another --site-dir")
        gate = config.plugins.get(COMPLIANCE_PLUGIN)
        if gate is None:  # absent from `plugins`, or `enabled: false` (MkDocs then loads no plugin)
            fail(f"{config_file}: the `{COMPLIANCE_PLUGIN}` plugin is not enabled, so nothing would keep drafts, "
                 "expired pages or the other audience's pages out of the site; `carepress build` publishes through "
                 f"the compliance gate only: add it under `plugins` (with `audience: {audience}`)")
        if gate.config.audience != audience:
            fail(f"{config_file}: the `{COMPLIANCE_PLUGIN}` plugin's `audience: {gate.config.audience}` would publish "
                 f"the {gate.config.audience} site's pages as the {audience} site; write `audience: {audience}`")
        if gate.config.preview:
            fail(f"{config_file}: the compliance plugin's `preview: true` keeps rejected pages (a reviewers' staging "
                 "build, with `mkdocs build`); `carepress build` publishes: remove the option")
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config, jobs, cache_dir)
        except Abort as error:
            click.echo(f"carepress: {config_file.stem} build failed: {error}", err=True)
            raise SystemExit(EXIT_FINDINGS) from None
        finally:
            config.plugins.on_shutdown()
    try:
        write_held(beside_the_site)
    except OSError as error:
        fail(f"{error.filename or 'a file beside the site'}: {error.strerror or error}; the {audience} site is published, "
             "but this record of it (the publication manifest or a server configuration) was not written: make its "
             "folder writable, then build again")


@main.command("build")
@click.option("--audience", "-a", type=click.Choice((*AUDIENCES, "all")), default="all", show_default=True)
@click.option("--config-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("site_config"),
              show_default=True, help="Where patient.yml and hcp.yml are.")
@click.option("--site-dir", "-d", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True, help="Each audience's site goes into a sub-folder of this one.")
@click.option("--strict", is_flag=True, help="Fail on any error finding instead of leaving the page out (for CI).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that share the page work (default: the CPUs available; 1 = MkDocs' serial path).")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help=f"Reuse pages whose inputs are unchanged since the last build, what the gate read and judged "
                   f"of them, the compiled templates and the site replaced, refilled (kept in {CACHE_DIR}/).")
@click.option("--verbose", "-v", is_flag=True)
@today_option
@configuration_errors
def build_command(audience: str, config_dir: Path, site_dir: Path, strict: bool, jobs: int | None, cache: bool, verbose: bool,
                  today: str | None) -> None:
    """Build the hub's sites into SITE_DIR/patient and SITE_DIR/hcp."""
    if today:
        os.environ[TODAY_VARIABLE] = parse_today(today).isoformat()
    os.environ.pop(PREVIEW_VARIABLE, None)  # a published build is never a preview
    setup_logging(verbose)
    for name in AUDIENCES if audience == "all" else (audience,):
        config_file = audience_config(config_dir, name)
        if not config_file.exists():
            fail(f"{config_file}: configuration not found (each audience has site_config/<audience>.yml)")
        build_audience(config_file, name, (site_dir / name).resolve(), strict, jobs,
                       (CACHE_DIR / name).resolve() if cache else None)
        click.echo(f"{name} site: {site_dir / name}/index.html", err=True)
