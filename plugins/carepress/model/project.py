"""Where a hub's files are and what its build settings are, read without MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from carepress.model.registries import ConfigurationError


@dataclass
class Project:
    root: Path  # findings show paths relative to it
    content_dir: Path
    registry_dir: Path
    site_name: str = "CarePress"
    site_url: str | None = None
    language: str = "fr"
    today: dt.date = field(default_factory=dt.date.today)
    expiry_warning_days: int = 30
    homes: dict[str, str] = field(default_factory=dict)  # audience -> src_uri of its home page, when not index.md

    def check(self) -> None:
        if not self.content_dir.is_dir():
            raise ConfigurationError(f"content folder not found: {self.content_dir}")
        if not self.registry_dir.is_dir():
            raise ConfigurationError(f"registry folder not found: {self.registry_dir} (it holds personas.yml and products.yml)")
