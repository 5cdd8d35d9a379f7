"""Estimated width of a title as Google's results page draws it.

Google shows titles in Arial at 20 px on desktop and cuts them near 580-600 px. The widths
below are Arial's advance widths in 1/1000 em (the Helvetica/Arial metrics, which are
metric-compatible), so width in px = sum(units) * 20 / 1000. Accented letters take the width
of their base letter; characters not listed count as an average lower-case letter.
"""

from __future__ import annotations

import unicodedata

FONT_SIZE_PX = 20
TITLE_LIMIT_PX = 580
DEFAULT_UNITS = 556

_GROUPS = {
    191: "'", 222: "ijl’‘", 260: "|", 278: " !,./:;I[\\]ftj\u00a0", 333: "()-`r“”", 334: "{}", 355: '"',
    389: "*", 469: "^", 500: "Jckvsxyz", 556: "#$0123456789?L_abdeghnopqu«»–€", 584: "+<=>~",
    611: "FTZ", 667: "&ABEKPSVXY", 722: "CDHNRUw", 778: "GOQ", 833: "Mm", 889: "%æ", 944: "Wœ",
    1000: "ÆŒ—…", 1015: "@",
}
WIDTHS = {char: units for units, chars in _GROUPS.items() for char in chars}


def _units(char: str) -> int:
    if char in WIDTHS:
        return WIDTHS[char]
    base = unicodedata.normalize("NFD", char)[0]
    return WIDTHS.get(base, DEFAULT_UNITS)


def title_width(text: str) -> float:
    """Estimated width in pixels of `text` in Arial 20 px."""
    return sum(_units(char) for char in text) * FONT_SIZE_PX / 1000


def truncate_to_width(text: str, limit: float = TITLE_LIMIT_PX) -> str:
    """What the results page would show: the text, cut on a word with an ellipsis when too wide."""
    if title_width(text) <= limit:
        return text
    budget = limit - title_width(" …")
    shown, width = [], 0.0
    for word in text.split(" "):
        extra = title_width((" " if shown else "") + word)
        if width + extra > budget:
            break
        shown.append(word)
        width += extra
    return " ".join(shown) + " …"
