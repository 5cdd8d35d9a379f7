"""Builds at hub scale (MkDocs adapter): parallel page work across processes, atomic output."""
