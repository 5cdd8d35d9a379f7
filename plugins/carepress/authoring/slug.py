"""File names from French titles: `Asthme : l'œil du pneumologue` -> `asthme-l-oeil-du-pneumologue`."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into ASCII plus accents.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ð": "d", "þ": "th", "ł": "l", "Ł": "l"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 80


def untypable(text: str) -> bool:
    """Whether `text` holds what no one types into a one-line value: a control character, a line or paragraph
    separator, or a byte the terminal did not decode (a surrogate)."""
    return any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in text)


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens; apostrophes, quotes and punctuation separate words."""
    text = unicodedata.normalize("NFKD", title.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    slug = _NOT_SLUG.sub("-", text).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0]
    return slug
