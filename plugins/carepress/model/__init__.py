"""The content model: articles, front-matter schema, registries, loading with clear errors."""
