"""MkDocs' reading of a page's front-matter, taken from the gate's reading of the same YAML text.

The compliance gate parses every page's YAML before the build (it must, to judge the page), and
MkDocs parses it again when it reads the page (`mkdocs.utils.meta.get_data`, about 0.2 ms a page,
the YAML loader's Python half). Both use PyYAML's safe loader on the same text, so the data is the
same: while `known_front_matter` lasts, `get_data` looks the page's YAML text up among what the gate
parsed (the text MkDocs' own pattern finds, so a page whose front-matter MkDocs would read
differently finds nothing) and parses only what it does not find.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from mkdocs.utils import meta


@contextlib.contextmanager
def known_front_matter(known: dict[str, dict]) -> Iterator[None]:
    """MkDocs takes each page's front-matter from `known` (YAML text -> what it gave), each entry once (the
    page then owns it), and `known` is emptied at the end. Forked workers each take from their own copy."""
    original = meta.get_data

    def get_data(doc: str) -> tuple[str, dict[str, Any]]:
        found = meta.YAML_RE.match(doc)
        data = known.pop(found.group(1), None) if found else None
        if data is None:
            return original(doc)
        return doc[found.end():].lstrip("\n"), data  # what `get_data` returns for YAML that gives a mapping

    meta.get_data = get_data
    try:
        yield
    finally:
        meta.get_data = original
        known.clear()
