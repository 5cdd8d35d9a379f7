"""Every rule module; importing this package registers them all."""

from carepress.compliance.rules import advertising, analytics, mentions, references, workflow  # noqa: F401
