"""What several commands share: finding the hub's config, and turning errors into exit codes."""

from __future__ import annotations

import functools
import gc
from pathlib import Path

import click

from carepress.forked import freeze_heap
from carepress.model.project import Project
from carepress.model.registries import ConfigurationError
from carepress.model.site import Site, load_site
from carepress.packs import PackCache

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
CACHE_DIR = Path(".cache/carepress")  # below the hub's root: pages built, files read, pages judged

config_option = click.option(
    "--config", "-f", "config_file", type=click.Path(path_type=Path), default=Path("mkdocs.yml"),
    show_default=True, help="The hub's base MkDocs configuration.")
today_option = click.option(
    "--today", metavar="YYYY-MM-DD", default=None,
    help="Judge expiry as of this date instead of today ($CAREPRESS_TODAY works too).")
cache_option = click.option(
    "--cache/--no-cache", default=True, show_default=True,
    help=f"Reuse what unchanged pages were read as and the findings of the rules that look at the page alone "
         f"(kept in {CACHE_DIR}/).")


def fail(message: str) -> None:
    click.echo(f"carepress: {message}", err=True)
    raise SystemExit(EXIT_USAGE)


def configuration_errors(command):
    """A broken mkdocs.yml or registry is one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigurationError as error:
            fail(str(error))

    return wrapper


def output_errors(command):
    """An output that cannot be written (a folder that is a file, no permission, no space left) is one line on stderr
    and exit code 2, never a traceback; what was written before it stays."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            fail(f"{where}cannot be written ({error.strerror or error}); write to a folder you can write to")

    return wrapper


def open_cache(folder: Path) -> PackCache | None:
    """The cache kept in `folder`; None, said on stderr, when it cannot be written: the run goes on without it."""
    cache, unusable = PackCache.opened(folder)
    if unusable:
        click.echo(f"carepress: cache not used ({unusable})", err=True)
    return cache


def close_cache(cache: PackCache | None) -> None:
    """What the run did not use is dropped; a cache that could not be written is said on stderr."""
    if cache and (failed := cache.prune()):
        click.echo(f"carepress: nothing more kept in the cache ({failed})", err=True)


def judged_cache(project: Project, command: str, enabled: bool = True) -> PackCache | None:
    """What the page-local rules found, kept for one command (`judged/<command>/`): each command judges
    with its own sites and severity, so one command's clean-up never drops what another kept."""
    return open_cache(project.root / CACHE_DIR / "judged" / command) if enabled else None


def load_for_the_run(project: Project, jobs: int = 1, keep: bool = True) -> Site:
    """The content tree, for a command that reads it once and exits; with `keep`, what each file was read as is
    kept in CACHE_DIR/read, which every command shares, and a file whose bytes were read before is not parsed again.

    Its tens of thousands of objects live until the end, and make no garbage: the collector is off
    while they are read, then they are frozen so that no collection scans them again (at 10,000
    articles, those scans were about a quarter of `check`). What the command makes next lives until
    the end too, and the collector runs rarely until the command is over (`collect_rarely`)."""
    cache = open_cache(project.root / CACHE_DIR / "read") if keep else None
    gc.disable()
    try:
        site = load_site(project, jobs=jobs, cache=cache)
    finally:
        freeze_heap()
        gc.enable()
    close_cache(cache)
    collect_rarely()
    return site


# A collection every 200,000 new objects, not every 700: mypy's thresholds, for the same reason. What a
# command makes after reading the tree (cached findings, indexes, scores, verdicts) is kept until it exits,
# so each collection found next to nothing, and the full ones walked all of it again. At 10,000 articles
# they were 0.25 s of a `check` of an unchanged tree, and 2 s of `report seo`'s 7.
RARE_COLLECTIONS = (200_000, 30, 30)


def collect_rarely() -> None:
    """`RARE_COLLECTIONS` until the running command is over; the thresholds before it afterwards (a test
    process, or the caller of `main`, goes on with its own)."""
    context = click.get_current_context(silent=True)
    if context is None:  # not inside a command: nothing says when it would be over
        return
    previous = gc.get_threshold()
    gc.set_threshold(*RARE_COLLECTIONS)
    context.call_on_close(lambda: gc.set_threshold(*previous))
