"""Markdown extensions and MkDocs plugins that put text into a page as it is converted: refused with the gate.

The gate judges each article's own Markdown, and an approval's fingerprint covers that text and the files the page
attaches. Text that an extension or a plugin brings in at conversion (another file, an address, a template's
variables, a program's output) is published without having been judged, and editing its source changes approved
pages without voiding their approval. Such a configuration is refused, the build's and `carepress check`'s alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from carepress.model.registries import ConfigurationError

# Name in `markdown_extensions` -> what it puts in pages. `pymdownx.snippets` is refused whatever its options: its
# `auto_append` glossary (Material's abbreviations recipe) is text too, on every page, that no approval covers.
INSERTING_EXTENSIONS = {
    "pymdownx.snippets": "includes the text of other files or addresses (`--8<--`) and appends its `auto_append` "
                         "files, an abbreviations glossary too, to every page",
    "markdown_include.include": "includes the text of other files (`{!file.md!}`)",
    "mdx_include": "includes the text of other files or addresses (`{! file.md !}`)",
}
# Name in `plugins` -> what it puts in pages.
INSERTING_PLUGINS = {
    "include-markdown": "includes the text of other files or addresses (`{% include-markdown %}`, `{% include %}`)",
    "macros": "renders each page as a Jinja template: variables, macros and files included from elsewhere",
    "markdownextradata": "inserts values of `extra` and of data files (`{{ ... }}`)",
    "table-reader": "inserts tables and Markdown read from other files (`{{ read_csv(...) }}`, `read_raw`)",
    "external-markdown": "inserts Markdown fetched from addresses (`{{ external_markdown(...) }}`)",
    "markdown-exec": "inserts what the page's code blocks print when run",
    "execute": "inserts what the page's code prints when run",
}


def inserting_text(extensions: Iterable[str], plugins: Iterable[str]) -> list[str]:
    """Those of `extensions` and `plugins` that put text into pages, each with what it inserts.

    Names as mkdocs.yml or MkDocs gives them: an extension may be written `module:Class`, and MkDocs names a
    plugin's second instance `name #2`."""
    extension_names = dict.fromkeys(extension.partition(":")[0] for extension in extensions)
    plugin_names = dict.fromkeys(plugin.partition(" #")[0].lstrip("/") for plugin in plugins)
    return ([f"`{name}` (markdown_extensions) {INSERTING_EXTENSIONS[name]}" for name in extension_names
             if name in INSERTING_EXTENSIONS]
            + [f"`{name}` (plugins) {INSERTING_PLUGINS[name]}" for name in plugin_names if name in INSERTING_PLUGINS])


def refuse_inserted_text(config_file: Path, extensions: Iterable[str], plugins: Iterable[str]) -> None:
    """A ConfigurationError, one paragraph, when the configuration enables what `inserting_text` finds."""
    if found := inserting_text(extensions, plugins):
        raise ConfigurationError(
            f"{shown_config(config_file)}: {'; '.join(found)}. The compliance gate judges each article's own Markdown and an approval "
            "covers that text alone: what is inserted while pages are converted would be published without being "
            "judged (a medicine named on the patient site, a claim), and editing it would change approved pages "
            "without voiding their approval. Remove it from the configuration (this file or one it INHERITs) and "
            "write the text in the article itself; for what many pages repeat, the registries (site_config/) and "
            "the theme's partials (theme/partials/) are the place.")


def shown_config(config_file: Path) -> str:
    """A configuration file's path as messages give it: from the hub's root, which findings' paths are relative to."""
    here = Path.cwd()
    return config_file.relative_to(here).as_posix() if config_file.is_relative_to(here) else str(config_file)
