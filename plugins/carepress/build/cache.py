"""Pages cached by content hash: an unchanged page is neither converted nor rendered again.

A page's converted form is keyed by everything it can depend on: its source bytes, the build's
inputs (configuration files with their INHERIT chain, theme files, registries, build date,
versions) and the site's file list (links resolve against it). Its rendered HTML is keyed, in
addition, by the navigation (titles and addresses of every page): editing an article's body
redoes that page only; renaming a title or adding a page redoes every page.

Used only when every plugin with page events is known to be safe to skip for an unchanged page
(see parallel.cacheable); otherwise the build converts and renders every page. The entries are
kept in packs (carepress/packs.py).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
from pathlib import Path
from typing import Any

import yaml

from carepress.packs import digest, folder_state
from carepress.settings import TODAY_VARIABLE

FORMAT = "3"  # bump when what is stored changes


def config_files(config_file: Path) -> list[Path]:
    """The configuration file and the files it INHERITs, parent first."""
    chain, current = [], config_file.resolve()
    while current and current not in chain:
        chain.append(current)
        try:
            parent = (yaml.safe_load(current.read_text(encoding="utf-8-sig")) or {}).get("INHERIT")
        except (OSError, yaml.YAMLError, AttributeError):
            parent = None
        current = (current.parent / parent).resolve() if parent else None
    return chain[::-1]


_ENV_TAG = re.compile(r"!ENV\s+(\[[^\]\n]*\]|[^\s#,\]}]+)")
_BARE_NAME = re.compile(r"""(?:^|[\[,])\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?=[,\]]|$)""")


def _environment_names(text: str) -> list[str]:
    """The variables the configuration's `!ENV` tags read (`!ENV NAME`, `!ENV [NAME, OTHER, 'default']`)."""
    names = []
    for tag in _ENV_TAG.finditer(text):
        names += _BARE_NAME.findall(tag.group(1))
    return names


def build_inputs(config: Any, extra: list[str]) -> str:
    """What every page of a build depends on, beyond its own source."""
    versions = [f"{name}={importlib.metadata.version(name)}" for name in ("mkdocs", "mkdocs-material", "carepress")]
    parts = [FORMAT, platform.python_version(), *versions, *extra,
             os.environ.get(TODAY_VARIABLE, ""), os.environ.get("SOURCE_DATE_EPOCH", "")]
    parts += folder_state(Path(__file__).resolve().parents[1], content=False)  # CarePress' own code
    for file in config_files(Path(config.config_file_path)):
        text = file.read_bytes()
        parts += [str(file), text]
        # `!ENV [HUB_URL, 'default']`: the value comes from the environment, not from the file's bytes.
        parts += [f"{name}={os.environ.get(name)}" for name in _environment_names(text.decode("utf-8", "replace"))]
    for index, folder in enumerate(config.theme.dirs):
        # The hub's own theme overrides by content; installed theme packages by size and date.
        parts += folder_state(Path(folder), content=index == 0 and bool(config.theme.custom_dir))
    return digest(*parts)


def files_digest(files: Any) -> str:
    return digest(*(f"{f.src_uri}>{f.dest_uri}>{f.url}>{f.inclusion}" for f in sorted(files, key=lambda f: f.src_uri)))


SHOWN_ELSEWHERE = ("icon", "status", "subtitle", "nav_title", "title")  # front-matter other pages' templates show


def nav_digest(nav: Any, pages: list[Any]) -> str:
    """What a page's template may show of other pages: navigation (titles, addresses, nesting,
    order) and the metadata Material shows of other pages (icons, status badges, subtitles).
    Other front-matter (validation, keywords...) only shows on the page itself, whose own key
    holds its source: a re-approval does not re-render the whole site."""
    parts: list[str] = []

    def walk(items, depth: int) -> None:
        for item in items:
            parts.append(f"{depth}|{type(item).__name__}|{item.title}|{getattr(item, 'url', '')}")
            if getattr(item, "children", None):
                walk(item.children, depth + 1)

    walk(nav.items, 0)
    parts += [f"{page.url}|{page.title}" for page in nav.pages]
    parts += [f"{page.url}|{page.title}|{json.dumps({k: page.meta.get(k) for k in SHOWN_ELSEWHERE}, default=str)}"
              for page in pages]
    return digest(*parts)


def page_key_with(source_key: str, navigation: str) -> str:
    return digest(source_key, navigation)


def page_key(inputs: str, page: Any, extra: list[str]) -> str:
    source = page.file.content_bytes  # generated pages (the privacy pages) have no source file
    return digest(inputs, page.file.src_uri, source, *extra)


