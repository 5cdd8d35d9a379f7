"""A memo for Material's navigation macro, for CarePress' builder only.

Material renders the whole navigation on every page, through the recursive macro
`render(nav_item, path, level, parent)` of partials/nav-item.html. Most of the items it renders
are not active for the page (neither the page nor a section holding it), and such an item's HTML
is the same on every page except for the relative URLs the `url` filter writes. `memoize_navigation(env)`
rewrites that template as it is loaded: Material's macro is renamed and a `render` with the same
signature asks a `NavMemo` first, which returns the HTML of an earlier page whose relative URLs
come out the same, or renders the item and keeps it.

What the macro reads, in the source this was written for (Material 9.8.1's, `ANALYSED_SOURCES`):
`nav_item.active`, `page in nav_item.pages`, `index == page`, `nav_item == page` and `page.toc`
(all about the page and what holds it: never memoized), `parent.active` (navigation.tabs, in the
key), titles, `typeset` and `meta.icon/subtitle/status` (final once pages are converted), icons
(`.icons/*.svg`, memoized only when they hold no template code), `config.extra.status` and
`features` (fixed for the environment), and the targets' URLs through `url`. Any other source
(another Material version, a theme's override) is left as it is: no memo.

The memo lives as long as its environment: one build, and the incremental rebuilds of
`Session`, which fall back to a full build (a new environment) whenever an edit changes what
other pages' navigation shows (title, `nav_title`, `icon`, `subtitle`, `status`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.runtime import Macro
from mkdocs import utils
from mkdocs.structure import StructureItem
from mkdocs.structure.nav import Link, Section
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.carepress.build")

TEMPLATE = "partials/nav-item.html"
# SHA-256 of the nav-item.html sources whose reads are listed above.
ANALYSED_SOURCES = frozenset({"89895208f22d68ce405a4bcb6649b9150eba5bbb04663a6cb3f93f02daf1d2f7"})
MACRO = "{% macro render(nav_item, path, level, parent) %}"
ORIGINAL = "carepress_nav_render"
GLOBAL = "carepress_nav_memo"
# No character outside the tags: the macro's output is exactly what the memo returns.
WRAPPER = MACRO + "{{ " + GLOBAL + "(" + ORIGINAL + ", nav_item, path, level, parent, page) }}{% endmacro %}"
# Plain MkDocs items only: plugins' own (blog views with `pages`...) may read more.
MEMOIZABLE = (Page, Section, Link)
TEMPLATE_MARKERS = ("{{", "{%", "{#")


def memoize_navigation(env: jinja2.Environment) -> None:
    """Render Material's navigation items through a memo in `env` (CarePress' builder's environment)."""
    if env.loader is None or not env.loader.has_source_access:
        return
    env.loader = _MemoLoader(env.loader)
    env.globals[GLOBAL] = NavMemo(env)


class _MemoLoader(jinja2.BaseLoader):
    """`inner`'s templates, nav-item.html rewritten to go through the memo."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template == TEMPLATE:
            source = _through_memo(source, filename)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def _through_memo(source: str, filename: str | None) -> str:
    if hashlib.sha256(source.encode("utf-8")).hexdigest() not in ANALYSED_SOURCES:
        log.debug(f"Navigation memo off: {filename} is not a nav-item.html it was written for.")
        return source
    return source.replace(MACRO, MACRO.replace("render", ORIGINAL, 1)) + WRAPPER


@dataclass(frozen=True)
class _Subtree:
    """What an item's HTML can depend on of the site, besides its own fields."""

    item: StructureItem  # held so that its id is not reused while the memo lives
    memoizable: bool
    src_uris: frozenset[str]  # the pages in it: rendered differently on those pages
    folders: frozenset[tuple[str, ...]]  # every leading part of its relative targets' paths


class NavMemo:
    """Calls of the navigation macro; `hits` and `misses` count the memoized ones."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.entries: dict[tuple, Any] = {}
        self.subtrees: dict[int, _Subtree] = {}
        self.static_icons: dict[str, bool] = {}
        self.hits = self.misses = 0

    def __call__(self, original: Macro, nav_item: Any, path: Any, level: Any, parent: Any,
                 page: Any) -> Any:
        key = self._key(nav_item, path, level, parent, page)
        if key is None:
            return original(nav_item, path, level, parent)
        html = self.entries.get(key)
        if html is None:
            self.misses += 1
            html = self.entries[key] = original(nav_item, path, level, parent)
        else:
            self.hits += 1
        return html

    def _key(self, nav_item: Any, path: Any, level: Any, parent: Any, page: Any) -> tuple | None:
        """Equal for two pages only when the item renders the same on both; None when not memoized."""
        if type(nav_item) not in MEMOIZABLE or nav_item.active or not isinstance(page, Page):
            return None
        if not isinstance(path, str) or type(level) is not int:
            return None
        if isinstance(parent, StructureItem):
            parent_active = parent.active
        elif isinstance(parent, jinja2.Undefined):  # a top-level call
            parent_active = None
        else:
            return None
        subtree = self._subtree(nav_item)
        if not subtree.memoizable or page.file.src_uri in subtree.src_uris:  # `nav_item == page`, `index == page`
            return None
        return id(nav_item), path, level, parent_active, _relative_url_class(_folder_parts(page.url), subtree)

    def _subtree(self, item: StructureItem) -> _Subtree:
        known = self.subtrees.get(id(item))
        if known is None:
            known = self.subtrees[id(item)] = self._walk(item)
        return known

    def _walk(self, item: StructureItem) -> _Subtree:
        src_uris: set[str] = set()
        folders: set[tuple[str, ...]] = set()
        unmemoizable = _Subtree(item, False, frozenset(), frozenset())
        stack = [item]
        while stack:
            node = stack.pop()
            if type(node) not in MEMOIZABLE:
                return unmemoizable
            if isinstance(node, Section):
                # Activity goes up parent links: through them only, a section holding the page is active.
                if any(getattr(child, "parent", None) is not node for child in node.children):
                    return unmemoizable
                stack.extend(node.children)
                continue
            if isinstance(node, Page):
                src_uris.add(node.file.src_uri)
                icon = node.meta.get("icon") if node.meta else None
                if icon and not self._static_icon(icon):
                    return unmemoizable
            url = str(node.url)
            if "\\" in url:  # normalize_url warns about it: only where MkDocs itself would
                return unmemoizable
            target, up = utils._get_norm_url(url)
            if up >= 0:  # relative: written from the page's folder (absolute ones are the same everywhere)
                parts = tuple(utils._norm_parts(target))
                folders.update(parts[:depth] for depth in range(len(parts) + 1))
        return _Subtree(item, True, frozenset(src_uris), frozenset(folders))

    def _static_icon(self, icon: Any) -> bool:
        """Whether the icon's template (included with the page's context) is plain SVG."""
        if not isinstance(icon, str):
            return False
        if icon not in self.static_icons:
            try:
                source = self.env.loader.get_source(self.env, f".icons/{icon}.svg")[0]
            except jinja2.TemplateNotFound:
                source = "{{"  # the original macro raises the error
            self.static_icons[icon] = not any(marker in source for marker in TEMPLATE_MARKERS)
        return self.static_icons[icon]


@functools.lru_cache(maxsize=None)
def _folder_parts(page_url: str) -> tuple[str, ...]:
    """The folder `get_relative_url(target, page.url)` writes from (mkdocs.utils): the URL without a file name."""
    dirname, _, basename = page_url.rpartition("/")
    return tuple(utils._norm_parts(dirname if "." in basename else page_url))


def _relative_url_class(folder: tuple[str, ...], subtree: _Subtree) -> tuple:
    """Pages whose relative URLs to every target of `subtree` are the same share a class.

    get_relative_url writes `../` for each part of the page's folder past the leading parts it
    shares with the target, then the rest of the target. Those shared parts never go deeper than
    the deepest leading part of the folder that some target lies in: for every target, the URL
    depends only on that part and on the folder's length. Sibling pages share a class, and so do
    pages of sibling folders for the targets outside them.
    """
    shared = 0
    while shared < len(folder) and folder[:shared + 1] in subtree.folders:
        shared += 1
    return folder[:shared], len(folder)
