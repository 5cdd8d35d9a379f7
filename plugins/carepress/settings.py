"""Read a hub's mkdocs.yml into a Project without starting MkDocs (fast, for `carepress check`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from carepress.compliance.inserted_text import refuse_inserted_text
from carepress.model.project import Project
from carepress.model.registries import ConfigurationError

COMPLIANCE_PLUGIN = "carepress/compliance"
AUDIENCES = ("patient", "hcp")  # the sites, each configured by site_config/<audience>.yml
DEFAULT_REGISTRIES = "site_config"
TODAY_VARIABLE = "CAREPRESS_TODAY"  # pins the build date, for reproducible builds and tests


class _TolerantLoader(yaml.SafeLoader):
    """Safe loading that reads MkDocs' `!!python/name:` and `!ENV` tags as plain values."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """The config as MkDocs would merge it, INHERIT included (mappings merge, the child wins)."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            data = yaml.load(handle, Loader=_TolerantLoader) or {}
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: configuration file not found (run from the hub's folder or pass --config)") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigurationError(f"{path}{where}: invalid YAML: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: expected a mapping of settings")
    parent = data.pop("INHERIT", None)
    if parent:
        data = _merge(read_mkdocs_yml((path.parent / parent).resolve()), data)
    data["__file__"] = str(path.resolve())
    return data


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _plugin_entries(config: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """(name, options) of each of mkdocs.yml's `plugins` (a list of names or of {name: options}, or a mapping)."""
    plugins = config.get("plugins") or []
    return plugins.items() if isinstance(plugins, dict) else (
        next(iter(p.items())) if isinstance(p, dict) else (p, {}) for p in plugins)


def plugin_options(config: dict[str, Any], name: str) -> dict[str, Any]:
    for key, options in _plugin_entries(config):
        if key == name:
            return options or {}
    return {}


def enabled_plugins(config: dict[str, Any]) -> tuple[str, ...]:
    """The names of the plugins mkdocs.yml enables: one with `enabled: false` is not, as MkDocs loads it."""
    return tuple(str(name) for name, options in _plugin_entries(config)
                 if not (isinstance(options, dict) and options.get("enabled") is False))


def parse_today(value: str | dt.date | None) -> dt.date:
    if isinstance(value, dt.date):
        return value
    value = value or os.environ.get(TODAY_VARIABLE)
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigurationError(f"build date {value!r} is not a date; write it as YYYY-MM-DD") from None


def project_from_options(config_file: Path, docs_dir: str, options: dict[str, Any], site_name: str | None,
                         site_url: str | None, language: str | None, today: str | dt.date | None = None,
                         unbuilt: tuple[str, ...] = (), markdown_extensions: tuple[str, ...] = (),
                         sites: dict[str, dict[str, Any]] | None = None) -> Project:
    """The one place that turns MkDocs-level settings into a Project (CLI and plugins share it). `sites`: each
    audience's configuration (`audience_configs(config_file)`, read here when not given)."""
    content_dir = (config_file.parent / docs_dir).resolve()
    root = content_dir.parent  # the hub folder: content/, site_config/, mkdocs.yml side by side
    sites = audience_configs(config_file) if sites is None else sites
    homes = {audience: home for audience, site in sites.items()
             if isinstance(home := plugin_options(site, COMPLIANCE_PLUGIN).get("home"), str)}
    if isinstance(options.get("home"), str) and options.get("audience"):
        homes[options["audience"]] = options["home"]  # the configuration being built, when it is none of those files
    return Project(
        root=Path.cwd(),
        content_dir=content_dir,
        registry_dir=(root / options.get("registries", DEFAULT_REGISTRIES)).resolve(),
        site_name=site_name or "CarePress",
        site_url=site_url,
        language=language or "fr",
        today=parse_today(today or options.get("build_date")),
        expiry_warning_days=int(options.get("expiry_warning_days", 30)),
        homes=homes,
        site_urls={audience: url for audience, site in sites.items() if (url := _site_url(site))},
        unbuilt=unbuilt,
        markdown_extensions=markdown_extensions,
    )


def load_project(config_file: Path, today: str | None = None) -> tuple[Project, dict[str, Any]]:
    config = read_mkdocs_yml(config_file)
    sites = audience_configs(config_file)
    for read in (config, *sites.values()):  # each site's build reads its own, INHERIT merged
        _refuse_inserted_text(read)
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    project = project_from_options(
        config_file, str(config.get("docs_dir", "docs")), plugin_options(config, COMPLIANCE_PLUGIN),
        config.get("site_name"), config.get("site_url"), theme.get("language"), today,
        tuple(line for key in ("exclude_docs", "draft_docs") if isinstance(config.get(key), str)
              for line in config[key].splitlines()),
        extension_names(config.get("markdown_extensions")), sites)
    return project, config


def _refuse_inserted_text(config: dict[str, Any]) -> None:
    """What the gate's build refuses (compliance/inserted_text.py), refused without MkDocs; a configuration
    without the gate is not the gate's."""
    plugins = enabled_plugins(config)
    if COMPLIANCE_PLUGIN in plugins:
        extensions = extension_names(config.get("markdown_extensions"))
        refuse_inserted_text(Path(config["__file__"]), extensions, plugins)


def extension_names(extensions: Any) -> tuple[str, ...]:
    """The names of mkdocs.yml's `markdown_extensions` (a list of names or of {name: options}, or a mapping)."""
    if isinstance(extensions, dict):
        return tuple(map(str, extensions))
    if not isinstance(extensions, list):
        return ()
    return tuple(str(next(iter(entry))) if isinstance(entry, dict) and entry else str(entry)
                 for entry in extensions if isinstance(entry, (str, dict)) and entry)


def audience_configs(config_file: Path) -> dict[str, dict[str, Any]]:
    """Each audience's configuration, when present: <audience>.yml beside `config_file` (`carepress build` builds
    <config-dir>/<audience>.yml; a staging configuration may sit beside them), else in site_config/ beside it."""
    for folder in (config_file.parent, config_file.parent / DEFAULT_REGISTRIES):
        found = [audience for audience in AUDIENCES if (folder / f"{audience}.yml").is_file()]
        if found:
            return {audience: read_mkdocs_yml(folder / f"{audience}.yml") for audience in found}
    return {}


def _site_url(config: dict[str, Any]) -> str | None:
    """The site's `site_url`, checked as MkDocs would: the patient site's gate reads the HCP site's (CP400)."""
    url = config.get("site_url")
    if not url:  # none, or `!ENV` (read as nothing without MkDocs)
        return None
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError:  # `https://[pro/`
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{config['__file__']}: site_url {url!r} is not a web address; write the site's "
                                 "address, such as https://pro.example.org/")
    return url
