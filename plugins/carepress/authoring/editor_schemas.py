"""JSON Schemas for editors' tools: the front-matter, and the registries VS Code's YAML extension validates."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from carepress.model.registries import Persona, Product
from carepress.model.schema import json_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _registry_schema(key: str, model: type[BaseModel], title: str) -> dict[str, Any]:
    entry = model.model_json_schema()
    definitions = entry.pop("$defs", {})
    return {"$schema": DRAFT, "title": title, "type": "object", "required": [key], "additionalProperties": False,
            "properties": {key: {"type": "array", "items": entry}}, "$defs": definitions}


def editor_schemas() -> dict[str, str]:
    """File name -> text, as committed in schema/ (a test fails when they are stale)."""
    schemas = {
        "front-matter.json": json_schema(),
        "personas.json": _registry_schema("personas", Persona, "CarePress personas registry (site_config/personas.yml)"),
        "products.json": _registry_schema("products", Product, "CarePress products registry (site_config/products.yml)"),
    }
    return {name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n" for name, schema in schemas.items()}
