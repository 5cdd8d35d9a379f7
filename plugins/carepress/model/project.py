"""Where a hub's files are and what its build settings are, read without MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pathspec

from carepress.model.registries import ConfigurationError

# MkDocs' own: it never builds a dot-file or what is under templates/, whatever `exclude_docs` says.
ALWAYS_UNBUILT = (".*", "/templates/")


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
    site_urls: dict[str, str] = field(default_factory=dict)  # audience -> its site's address (site_config/<audience>.yml)
    # The lines of MkDocs' `exclude_docs` and `draft_docs` (gitignore patterns): files `mkdocs build` leaves out,
    # which no site publishes and no report lists.
    unbuilt: tuple[str, ...] = ()
    markdown_extensions: tuple[str, ...] = ()  # their names: what renders as code depends on them (CP600)

    @cached_property
    def _unbuilt(self) -> pathspec.GitIgnoreSpec:
        return pathspec.GitIgnoreSpec.from_lines([*ALWAYS_UNBUILT, *self.unbuilt])

    def builds(self, src_uri: str) -> bool:
        """Whether MkDocs builds the content file `src_uri` (a path relative to the content folder, with `/`)."""
        return not self._unbuilt.match_file(src_uri)

    def check(self) -> None:
        if not self.content_dir.is_dir():
            raise ConfigurationError(f"content folder not found: {self.content_dir}")
        if not self.registry_dir.is_dir():
            raise ConfigurationError(f"registry folder not found: {self.registry_dir} (it holds personas.yml and products.yml)")
