"""Every rule module; importing this package registers them all."""

from carepress.compliance.rules import bounds, paths, references, workflow  # noqa: F401
