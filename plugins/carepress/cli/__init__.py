"""`carepress`: the command line. Each command lives in its own module of this package."""

from __future__ import annotations

import gc
import importlib
import pkgutil

import click

from carepress import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="carepress")
def main() -> None:
    """CarePress: compliant health content hubs on MkDocs and Material for MkDocs."""


for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def run() -> None:  # the console entry point
    try:
        main()
    finally:
        # At exit the interpreter searches everything still alive (the whole content tree) for garbage
        # cycles: a second at 10,000 articles. The operating system reclaims it faster.
        gc.freeze()
