"""`carepress`: the command line. Each command lives in its own module of this package."""

from __future__ import annotations

import gc
import importlib

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


def run() -> None:  # the console entry point
    try:
        main()
    finally:
        # At exit the interpreter searches everything still alive (the whole content tree) for garbage
        # cycles: a second at 10,000 articles. The operating system reclaims it faster.
        gc.freeze()
