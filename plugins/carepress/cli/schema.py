"""`carepress schema`: the front-matter's JSON Schema, for editors' tools."""

from __future__ import annotations

from pathlib import Path

import click

from carepress.authoring.editor_schemas import editor_schemas
from carepress.cli import main
from carepress.cli._common import output_errors
from carepress.outputs import write_text


@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.option("--folder", type=click.Path(path_type=Path, file_okay=False),
              help="Write every editor schema (front-matter.json, personas.json, products.json) into this folder.")
@output_errors
def schema(output: Path | None, folder: Path | None) -> None:
    """Write the JSON Schema of article front-matter (for VS Code's YAML extension and others)."""
    schemas = editor_schemas()
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in schemas.items():
            write_text(folder / name, text)
        click.echo(f"wrote {', '.join(str(folder / name) for name in schemas)}", err=True)
    elif output:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, schemas["front-matter.json"])
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(schemas["front-matter.json"], nl=False)
