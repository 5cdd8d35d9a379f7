"""`carepress new`: start an article in the right shape, from a template."""

from __future__ import annotations

from pathlib import Path

import click

from carepress.authoring.scaffold import Request, ScaffoldError, prepare, write
from carepress.cli import main
from carepress.cli._common import config_option, configuration_errors, fail
from carepress.model.registries import load_registries
from carepress.model.schema import Audience, ContentType
from carepress.settings import load_project


@main.command()
@click.argument("title")
@click.option("--persona", "-p", "personas", multiple=True, required=True, help="Persona id (site_config/personas.yml); repeat for several.")
@click.option("--stage", "-s", required=True, help="Funnel stage: attract, convert, close, delight, or an alias (attraction, fermeture...).")
@click.option("--topic", "-t", required=True, help="Topic folder under the content folder, e.g. diabete-type-2.")
@click.option("--type", "content_type", type=click.Choice([t.value for t in ContentType]), default=None,
              help="Content type (default: medical_scientific for HCP personas, else disease_awareness).")
@click.option("--audience", type=click.Choice([a.value for a in Audience]), default=None,
              help="Audience (default: the persona's).")
@click.option("--product", "products", multiple=True, help="Product id (site_config/products.yml) for product pages.")
@config_option
@configuration_errors
def new(title: str, personas: tuple[str, ...], stage: str, topic: str, content_type: str | None,
        audience: str | None, products: tuple[str, ...], config_file: Path) -> None:
    """Create content/<topic>/<slug-of-TITLE>.md as a draft. An existing file is never overwritten."""
    project, _ = load_project(config_file)
    project.check()
    registries = load_registries(project.registry_dir, project.root)
    request = Request(title, personas, stage, topic, content_type, audience, products)
    try:
        draft = prepare(request, project.content_dir, registries.personas, registries.products)
        write(draft)
    except ScaffoldError as error:
        fail(str(error))
    except FileExistsError:
        fail(f"{_shown(draft.path)} already exists; nothing was written (choose another title or edit that file)")
    click.echo(f"created {_shown(draft.path)} (draft)")


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
