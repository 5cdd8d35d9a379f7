"""Markup fixes the built pages need to pass the W3C Nu HTML checker. No MkDocs here.

Material 9.x writes a few attributes HTML does not allow. Its base template puts them outside
any block a theme can override, so they are corrected in the rendered page instead of copying
Material's templates. Each fix matches only the markup it corrects; the Nu checker gate
(`make audit`, tests/build/test_output_gates.py) shows when a Material upgrade changes it.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Literal replacements (`str.replace`: a regex over a 100 kB page is slower), each with how many to make. Material's
# drawer and search controls come once, at the top of the page: their fix stops at the first match, and leaves
# the article alone (a code sample showing this markup). Scanning a whole page for each took 40-55 µs at 75 kB.
MATERIAL_FIXES: list[tuple[str, str, int]] = [
    # `autocomplete` is only allowed on text-like inputs; Material sets it on its drawer and search checkboxes.
    ('type="checkbox" id="__drawer" autocomplete="off"', 'type="checkbox" id="__drawer"', 1),
    ('type="checkbox" id="__search" autocomplete="off"', 'type="checkbox" id="__search"', 1),
    # `autocorrect` is a Safari extension the HTML standard does not define (search field).
    (' autocapitalize="off" autocorrect="off"', ' autocapitalize="off"', 1),
    # Section labels of the navigation get an empty tabindex, which is not an integer: one per section. Matched with
    # the label's id before it, so that an article's code sample (`<button tabindex="">`) is left as written.
    ('_label" tabindex=""', '_label"', -1),
]

# A section index page (navigation.indexes) gets the table of contents' label but not its toggle.
ORPHAN_TOC_LABEL = '<label class="md-nav__title" for="__toc"'

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_LABEL = re.compile(r'<input [^>]*class="md-search__input"[^>]*\baria-label="([^"]*)"')


def fix_markup(html: str) -> str:
    for wrong, right, count in MATERIAL_FIXES:
        html = html.replace(wrong, right, count)
    if 'id="__toc"' not in html:
        html = html.replace(ORPHAN_TOC_LABEL, '<label class="md-nav__title"')
    # The search dialog needs an accessible name (axe-core: aria-dialog-name); its field's label is the right one.
    label = SEARCH_LABEL.search(html)
    if label:
        html = html.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{label.group(1)}">', 1)
    return html


def escape_front_matter(value):
    """Every string of the front-matter as escaped, safe markup: front-matter is plain text.

    Material writes titles and descriptions into pages without escaping them (a title may hold
    HTML when it comes from a heading); MkDocs' templates do not autoescape. Escaped `Markup`
    prints as entities and is never escaped twice by a template's `| e`.
    """
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: escape_front_matter(item) for key, item in value.items()}
    if isinstance(value, list):
        return [escape_front_matter(item) for item in value]
    return value
