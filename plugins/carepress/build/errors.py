"""What the CarePress plugins raise for a configuration they cannot use, seen by MkDocs and by `carepress build`."""

from __future__ import annotations

from mkdocs.exceptions import PluginError


class ConfigurationPluginError(PluginError):
    """A hub's configuration or registry that cannot be used: one error line with `mkdocs build`, and with
    `carepress build` the one line on stderr and exit code 2 of every configuration error (build/parallel.py)."""
