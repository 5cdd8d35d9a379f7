"""`carepress schema`: the front-matter's JSON Schema, for editors' tools."""

from __future__ import annotations

import json
from pathlib import Path

import click

from carepress.cli import main
from carepress.model.schema import json_schema


@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
def schema(output: Path | None) -> None:
    """Write the JSON Schema of article front-matter (for VS Code's YAML extension and others)."""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
