"""`carepress`: the command line. Each command lives in its own module of this package."""

from __future__ import annotations

import importlib
import signal

import click

from carepress import __version__


class LazyGroup(click.Group):
    """A group whose commands are imported when one is asked for: a command starts without importing the
    others (jinja2 for `new`, the SEO review for `report seo`), about 35 ms of every run."""

    def __init__(self, *args, modules: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.modules = modules  # command name -> the module that defines it

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.modules})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.modules:
            importlib.import_module(self.modules[name])  # registers the command on this group
        return self.commands.get(name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             modules={name: f"{__name__}.{name}" for name in
                      ("approve", "build", "check", "new", "report", "schema", "serve", "status")})
@click.version_option(__version__, prog_name="carepress")
def main() -> None:
    """CarePress: compliant health content hubs on MkDocs and Material for MkDocs."""


class Interrupted(BaseException):
    """Ctrl-C (SIGINT), or a request to stop (SIGTERM: a cancelled CI job, `docker stop`), raised where the command is.
    Not a KeyboardInterrupt, which click reports as "Aborted!": it unwinds the command, whose sites and files are
    replaced only once complete (build/atomic.py, outputs.py), then `run` says so."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame) -> None:
    raise Interrupted(signum)


def run() -> None:  # the console entry point
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        main()
    except Interrupted as stop:
        how = "interrupted (Ctrl-C)" if stop.signum == signal.SIGINT else f"stopped ({signal.Signals(stop.signum).name})"
        click.echo(f"\ncarepress: {how}; what it was writing is left out: each site, manifest and report is as the "
                   "last run that completed it left it", err=True)
        raise SystemExit(128 + stop.signum) from None
    finally:
        # At exit the interpreter searches everything still alive (the whole content tree) for garbage
        # cycles: a second at 10,000 articles. The operating system reclaims it faster.
        from carepress.forked import freeze_heap  # the one way CarePress freezes it (its flag stays true)

        freeze_heap()
