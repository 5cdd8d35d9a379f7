"""Every rule module; importing this package registers them all."""

from carepress.compliance.rules import advertising, analytics, bounds, mentions, paths, privacy, references, workflow  # noqa: F401
from carepress.seo import assessments, hubwide  # noqa: F401,E402  SE codes: SEO assessments
