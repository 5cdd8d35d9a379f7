"""`carepress serve`: live preview of one audience's site, with each page's status banner."""

from __future__ import annotations

import os
from pathlib import Path

import click

from carepress.cli import main
from carepress.cli._common import configuration_errors, fail, today_option
from carepress.cli.build import AUDIENCES, audience_config, setup_logging
from carepress.compliance.preview import PREVIEW_VARIABLE
from carepress.settings import TODAY_VARIABLE, parse_today


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
    from mkdocs.commands.serve import serve as mkdocs_serve
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
        mkdocs_serve(str(config_file), livereload=True, watch=[str(config_dir)], open_in_browser=open_in_browser,
                     dev_addr=dev_addr)
    except MkDocsConfigurationError as error:
        fail(f"{config_file}: {error}")
