"""Authoring: what editors use before a page reaches review (scaffolding, preview status)."""
