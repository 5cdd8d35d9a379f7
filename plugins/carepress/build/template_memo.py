"""Memos for Material's templates, for CarePress' builder only.

`memoize_templates(env)` wraps the loader of the builder's environment: a few of Material's
templates are rewritten as they are loaded, so that what they render goes through a memo that
returns the HTML of an earlier call wherever that HTML cannot differ. A rewrite applies only to the
exact source it was written for (its SHA-256 in `ANALYSED_SOURCES`, Material 9.8.1's): another
Material version or a theme's override is left as it is, and the memos that depend on it are off.
A rewrite adds no character to the output: a macro of Material's is renamed and a macro of the
same name returns what the memo returns, or a part of a template becomes the body of a macro that
the memo calls. Another environment of the same theme (MkDocs' own build) is untouched. The memos
live as long as their environment: one build, and the incremental rebuilds of `Session`, which
fall back to a full build (a new environment) whenever an edit changes what other pages show of
it (title, `nav_title`, `icon`, `subtitle`, `status`).

What each memoized template reads, in the sources analysed, and how its key holds it:

partials/nav-item.html, the recursive macro `render(nav_item, path, level, parent)` (`NavMemo`):
`nav_item.active`, `page in nav_item.pages`, `index == page`, `nav_item == page` and `page.toc`
(about the page and what holds it), `parent.active` (navigation.tabs), titles, `typeset`,
`is_index` and `meta.icon/subtitle/status` (final once pages are converted), icons (`.icons/*.svg`,
memoized only when they hold no template code), `config.extra.status` (fixed for the environment),
`features`, `namespace`, the variables the macro assigns only on some paths (`is_section`,
`is_pruned`, `indeterminate`: read from the context where it does not, so memoized only when the
context has none of them), and the targets' URLs through `url`. Two memos:
- an item that is not active for the page and does not hold it (plain MkDocs items, none with a
  `pages` list) renders the same on every page whose relative URLs to the targets it lists come out
  the same: its HTML is kept under the item, the call's arguments, `features` and that class of
  page URLs;
- a section that is active for the page is, around its children's HTML, the same on every page
  with the same `index == page` and the same relative URL to its index page (the only page it
  links to itself, with navigation.indexes; an active section is never pruned), for the same
  arguments and `features`: Material's macro renders it once with a marker in place of each
  child's HTML (the children's calls do not depend on what they return), and the text between the
  markers is kept (if the markers do not split it, Material's macro renders it every time). The
  children then go through the memo again: on a page, only the page's own item (with its table of
  contents) is rendered.

partials/language.html, `t(key)` (`TranslationMemo`): `lang.t(key) or fallback.t(key) or key`, where
`lang` is partials/languages/<language>.html and `fallback` partials/languages/en.html. Analysed:
fr.html and en.html, each a macro `t(key)` that returns an entry of a literal table. With both,
`t(key)` depends on the key and the two tables' names only; the module also exports those names
(`carepress_languages`) for the keys of the fragments below, which call `lang.t` with literal keys.

Parts of templates (`FragmentMemo`, `FRAGMENTS`), each keyed on the values of the template's own
expressions for what it reads, evaluated where the part begins:
- partials/toc.html (with toc-item.html): `lang.t("toc")`, `config.mdx_configs.toc.title`, and of
  `page.toc` the entries' titles, ids (`url` is "#" + id), levels and children: plain MkDocs
  entries only;
- partials/header.html, up to the page's title: `features` (tabs), `lang.t`, the homepage's
  relative URL, `config.site_name`, the menu icon and logo.html (the logo's relative URL, or its
  icon); after the title: `features`, `lang.t`, the palette (memoized when it is a mapping or none:
  palette.html left aside, javascripts/palette.html is plain script), the search plugin's `enabled`
  and search.html (`lang.t`, `features`, its icons); not memoized with `extra.alternate`,
  `repo_url` or sticky tabs (alternate.html, source.html, tabs.html);
- partials/logo.html: the logo's relative URL, or its icon;
- partials/footer.html (with copyright.html): `features`, `config.copyright`, `extra.generator`, and
  with CarePress' copyright.html the privacy notices' links (`extra.carepress_privacy_links`) and
  `base_url` (their relative URLs); not memoized with navigation.footer (the page's neighbours) or
  `extra.social` (social.html);
- partials/top.html: its icon and `lang.t("top")`;
- base.html's `config` block: `namespace`, `base_url`, `features`, `lang.t`, the search worker's
  relative URL; not memoized with `extra.annotate`, `extra.tags` or `extra.version` (their JSON).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.environment import TemplateModule
from jinja2.runtime import Macro
from jinja2.utils import Namespace
from mkdocs import utils
from mkdocs.structure import StructureItem
from mkdocs.structure.nav import Link, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

log = logging.getLogger("mkdocs.plugins.carepress.build")

NAV_TEMPLATE = "partials/nav-item.html"
NAV_GLOBAL = "carepress_nav_memo"
NAV_MACRO = "{% macro render(nav_item, path, level, parent) %}"
NAV_ORIGINAL = "carepress_nav_render"
# The macro's arguments and what it reads of the context, as the context gives them to Material's macro.
NAV_WRAPPER = (NAV_MACRO + "{{ " + NAV_GLOBAL + "(" + NAV_ORIGINAL + ", nav_item, path, level, parent, page, features, "
               "namespace, is_section, is_pruned, indeterminate) }}{% endmacro %}")
LANGUAGE_TEMPLATE = "partials/language.html"
LANGUAGE_GLOBAL = "carepress_translations"
LANGUAGE_MACRO = "{% macro t(key) %}"
LANGUAGE_ORIGINAL = "carepress_t"
LANGUAGE_TABLES = "carepress_languages"
LANGUAGE_WRAPPER = (LANGUAGE_MACRO + "{{ " + LANGUAGE_GLOBAL + "(" + LANGUAGE_ORIGINAL + ", key, lang, fallback) }}"
                    "{% endmacro %}{% set " + LANGUAGE_TABLES + " = " + LANGUAGE_GLOBAL + ".tables(lang, fallback) %}")
FRAGMENT_GLOBAL = "carepress_fragments"
# SHA-256 of the sources whose reads are listed above, by template.
ANALYSED_SOURCES = {
    NAV_TEMPLATE: frozenset({"89895208f22d68ce405a4bcb6649b9150eba5bbb04663a6cb3f93f02daf1d2f7"}),
    LANGUAGE_TEMPLATE: frozenset({"3a44516f305006ac794f51a45ad7b532cf270916d8e92e8c42784e58b2eff0a3"}),
    "partials/languages/fr.html": frozenset({"dd9180ff3fdd3438be773c63d086cf2faf5fddb55e7b28b046c2083834584c2b"}),
    "partials/languages/en.html": frozenset({"902e36bb5ec5cb46fb41df377051591ec87cb4077e8de11e0efd8cd70fd4b2c6"}),
    "partials/toc.html": frozenset({"fde48f583563364b0e0e6865a5ab1e7060ec1826161f69f5cbee653e621b0f84"}),
    "partials/toc-item.html": frozenset({"418f31ce2e6d559934f610084a5c8493f9618b96268909601552ac48aa0c15c2"}),
    "partials/header.html": frozenset({"8cf3fb15bcf969ff596649616fd99366b3c31c08d57a86d05308efc16d8fa75f"}),
    "partials/logo.html": frozenset({"e0925ef6c190174a5162ed1ecc55295016dd8a7beec3018db3e04aac283a2dd9"}),
    "partials/search.html": frozenset({"bfd556535abcddb99396ab2a7e3acc2ebcd3f36756007d3969396caa4126be30"}),
    # Material's inline script, and CarePress' theme/ override that leaves it out (a comment: it reads nothing).
    "partials/javascripts/palette.html": frozenset({"8790389765ea6036effddba548b15093bb05bdc75624eaeaf8b13f3c24be4ab5",
                                                    "fe803b688affcc9ec6ddc97f8d95ea8aabb65114a42002839c26683283b4ef20"}),
    "partials/footer.html": frozenset({"50c2a75f013b7b03fb97f381860c77df8fd5d13d68f90d3281754b68f69ec894"}),
    # Material's, and CarePress' theme/ override that adds the privacy notices' links (`extra.carepress_privacy_links`).
    "partials/copyright.html": frozenset({"bc86bca3bf75070fe5d72e2a3463bdddf87c10f4d6459c945fe81c5d384e35ea",
                                          "8386870dce1a2080de0b26652d15ab5117a3c1adeb3e7d5b2e111797beb3ab95"}),
    "partials/top.html": frozenset({"98f6f9ac2ebf6ef943b62c0b0781a373cc03ca7e0959cfc60d9c3c7060157227"}),
    "base.html": frozenset({"8536d352b0093623df9e0032894f321cbe264b15a9b48cdd962583772455dadb"}),
}
# Plain MkDocs items only: plugins' own (blog views with `pages`...) may read more.
MEMOIZABLE = (Page, Section, Link)
TEMPLATE_MARKERS = ("{{", "{%", "{#")


def memoize_templates(env: jinja2.Environment) -> None:
    """Render Material's templates through memos in `env` (CarePress' builder's environment)."""
    if env.loader is None or not env.loader.has_source_access or env.autoescape is not False:
        return
    loader = env.loader = _MemoLoader(env.loader)
    icons = _StaticIcons(env)
    env.globals[NAV_GLOBAL] = NavMemo(env, icons)
    env.globals[LANGUAGE_GLOBAL] = TranslationMemo(loader.analysed)
    env.globals[FRAGMENT_GLOBAL] = FragmentMemo(env, loader.analysed, icons)


class _MemoLoader(jinja2.BaseLoader):
    """`inner`'s templates, those of `ANALYSED_SOURCES` rewritten to go through their memo.

    `analysed` holds the names of the templates last loaded from the source they were analysed in
    (MkDocs' environment does not reload a template it has compiled)."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner
        self.analysed: set[str] = set()

    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template in ANALYSED_SOURCES:
            if hashlib.sha256(source.encode("utf-8")).hexdigest() in ANALYSED_SOURCES[template]:
                self.analysed.add(template)
                source = REWRITES.get(template, str)(source)
            else:
                self.analysed.discard(template)
                log.debug(f"Template memo off: {filename} is not the {template} it was written for.")
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def _nav_through_memo(source: str) -> str:
    return source.replace(NAV_MACRO, NAV_MACRO.replace("render", NAV_ORIGINAL, 1)) + NAV_WRAPPER


def _translations_through_memo(source: str) -> str:
    return source.replace(LANGUAGE_MACRO, LANGUAGE_MACRO.replace("t", LANGUAGE_ORIGINAL, 1)) + LANGUAGE_WRAPPER


def _fragments_through_memo(template: str, source: str) -> str:
    """Each fragment of the template as a macro's body, and a call of the memo in its place: the same output.

    A fragment that ends the template leaves out its one final newline, which Jinja does not render either."""
    regions = []
    for name, fragment in FRAGMENTS.items():
        if fragment.template == template:
            start = 0 if fragment.after is None else source.index(fragment.after) + len(fragment.after)
            end = len(source.removesuffix("\n")) if fragment.before is None else source.index(fragment.before, start)
            regions.append((start, end, name))
    parts, done = [], 0
    for start, end, name in sorted(regions):
        macro = f"carepress_{name.replace('-', '_')}_fragment"
        parts += [source[done:start], "{% macro ", macro, "() %}", source[start:end], "{% endmacro %}",
                  "{{ ", FRAGMENT_GLOBAL, f'({macro}, "{name}", {FRAGMENTS[name].arguments})', " }}"]
        done = end
    parts.append(source[done:])
    return "".join(parts)


class TranslationMemo:
    """Material's `t(key)`: the entry of its language's table, or of English's, or the key."""

    def __init__(self, analysed: set[str]) -> None:
        self.analysed = analysed
        self.entries: dict[tuple, Any] = {}
        self.hits = self.misses = 0

    def __call__(self, original: Macro, key: Any, lang: Any, fallback: Any) -> Any:
        tables = self.tables(lang, fallback)
        if tables is None or not isinstance(key, str):
            return original(key)
        text = self.entries.get((tables, key))
        if text is None:
            self.misses += 1
            text = self.entries[(tables, key)] = original(key)
        else:
            self.hits += 1
        return text

    def tables(self, lang: Any, fallback: Any) -> tuple[str, str] | None:
        """The two tables' names when both are the sources analysed: `t(key)` then depends on the key only."""
        if type(lang) is not TemplateModule or type(fallback) is not TemplateModule:
            return None
        names = lang.__name__, fallback.__name__
        return names if all(name in self.analysed for name in names) else None


@dataclass(frozen=True)
class _Fragment:
    """A part of a template rendered from a memo keyed on what it reads."""

    template: str
    arguments: str  # the template's own expressions for what the part reads
    key: Callable[..., tuple | None]  # (memo, *the arguments' values): None when it may render otherwise
    includes: tuple[str, ...] = ()  # templates it includes: memoized only from their analysed source
    after: str | None = None  # the part begins after this text of the template (None: at its beginning)
    before: str | None = None  # and ends before the next occurrence of this one (None: at its end)


def _features(features: Any) -> tuple[str, ...] | None:
    if not isinstance(features, (list, tuple)) or not all(isinstance(feature, str) for feature in features):
        return None
    return tuple(features)


def _toc_key(memo: FragmentMemo, toc: Any, lang: Any, configured_title: Any) -> tuple | None:
    languages = memo.languages(lang)
    if languages is None or type(toc) is not TableOfContents:
        return None
    if not configured_title:  # the template's title is then the translation
        configured_title = None
    elif not isinstance(configured_title, str):
        return None
    entries = _toc_entries(toc.items)
    return None if entries is None else (languages, configured_title, entries)


# What toc-item.html reads of an entry (`url` is "#" + id; `active`, on the first entry, it does not read).
ANCHOR_FIELDS = frozenset({"title", "id", "level", "children", "active"})


def _toc_entries(items: Any) -> tuple | None:
    """The entries of a table of contents, nested; None if an entry may render otherwise than its fields say."""
    if not isinstance(items, list):
        return None
    entries = []
    for item in items:
        if type(item) is not AnchorLink or not vars(item).keys() <= ANCHOR_FIELDS:
            return None
        if not isinstance(item.title, str) or not isinstance(item.id, str) or type(item.level) is not int:
            return None
        children = _toc_entries(item.children)
        if children is None:
            return None
        entries.append((item.title, item.id, item.level, children))
    return tuple(entries)


def _logo_key(memo: FragmentMemo, logo_url: Any, logo_icon: Any) -> tuple | None:
    if isinstance(logo_url, jinja2.Undefined):  # no logo image: its icon
        return (None, logo_icon) if memo.icons.static((logo_icon,)) else None
    return (logo_url, None) if isinstance(logo_url, str) else None


def _header_start_key(memo: FragmentMemo, features: Any, lang: Any, homepage_url: Any, site_name: Any,
                      menu_icon: Any, logo_url: Any, logo_icon: Any) -> tuple | None:
    features, languages, logo = _features(features), memo.languages(lang), _logo_key(memo, logo_url, logo_icon)
    if features is None or languages is None or logo is None or not memo.icons.static((menu_icon,)):
        return None
    if not isinstance(homepage_url, str) or not isinstance(site_name, str):
        return None
    return features, languages, homepage_url, site_name, menu_icon, logo


def _header_end_key(memo: FragmentMemo, features: Any, lang: Any, palette: Any, alternate: Any, repo_url: Any,
                    search: Any, *search_icons: Any) -> tuple | None:
    features, languages = _features(features), memo.languages(lang)
    if features is None or languages is None:
        return None
    if (palette and not isinstance(palette, Mapping)) or alternate or repo_url:
        return None  # palette.html, alternate.html, source.html
    if "navigation.tabs.sticky" in features and "navigation.tabs" in features:  # tabs.html: the page's tabs
        return None
    icons = search_icons if search else ()
    if not memo.icons.static(icons):
        return None
    return features, languages, bool(palette), isinstance(palette, Mapping), bool(search), icons


def _footer_key(memo: FragmentMemo, features: Any, copyright: Any, no_generator: Any, social: Any, privacy: Any,
                base_url: Any) -> tuple | None:
    features = _features(features)
    if features is None or "navigation.footer" in features or social:  # the page's neighbours; social.html
        return None
    if not copyright:
        copyright = None
    elif not isinstance(copyright, str):
        return None
    links = _privacy_links(privacy)
    if links is None or (links and not isinstance(base_url, str)):
        return None
    # A link's relative URL depends on how deep the page is, which `base_url` says.
    return features, copyright, bool(no_generator), links, base_url if links else None


def _privacy_links(links: Any) -> tuple | None:
    """The privacy notices' links (url, label, language) as a key: () without any, None when not plain texts."""
    if not links:
        return ()
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        return None
    key = tuple((link.get("url"), link.get("label"), link.get("lang")) for link in links)
    return key if all(isinstance(value, str) for values in key for value in values) else None


def _top_key(memo: FragmentMemo, lang: Any, icon: Any) -> tuple | None:
    languages = memo.languages(lang)
    return None if languages is None or not memo.icons.static((icon,)) else (languages, icon)


def _config_key(memo: FragmentMemo, namespace: Any, base_url: Any, features: Any, lang: Any, annotate: Any, tags: Any,
                version: Any, search_url: Any) -> tuple | None:
    features, languages = _features(features), memo.languages(lang)
    if features is None or languages is None or namespace is not Namespace or annotate or tags or version:
        return None
    if not isinstance(base_url, str) or not isinstance(search_url, str):
        return None
    return base_url, features, languages, search_url


LOGO = '(config.theme.logo | url) if config.theme.logo, config.theme.icon.logo or "material/library"'
# The page's title in header.html, between its two memoized parts.
HEADER_TITLE = ("{% if page.meta and page.meta.title %}\n              {{ page.meta.title }}\n            {% else %}\n"
                "              {{ page.title }}\n            {% endif %}")
FRAGMENTS = {
    "toc": _Fragment("partials/toc.html", "page.toc, lang, config.mdx_configs.toc and config.mdx_configs.toc.title",
                     _toc_key, ("partials/toc-item.html",)),
    "header-start": _Fragment(
        "partials/header.html",
        "features, lang, config.extra.homepage | d(nav.homepage.url, true) | url, config.site_name, "
        'config.theme.icon.menu or "material/menu", ' + LOGO,
        _header_start_key, ("partials/logo.html",), before=HEADER_TITLE),
    "header-end": _Fragment(
        "partials/header.html",
        "features, lang, config.theme.palette, config.extra.alternate, config.repo_url, "
        '"material/search" in config.plugins and (config.plugins["material/search"] | attr("config")).enabled, '
        'config.theme.icon.search or "material/magnify", config.theme.icon.previous or "material/arrow-left", '
        'config.theme.icon.share or "material/share-variant", config.theme.icon.close or "material/close"',
        _header_end_key, ("partials/search.html", "partials/javascripts/palette.html"), after=HEADER_TITLE),
    "logo": _Fragment("partials/logo.html", LOGO, _logo_key),
    "footer": _Fragment("partials/footer.html",
                        "features, config.copyright, config.extra.generator == false, config.extra.social, "
                        "config.extra.carepress_privacy_links, base_url",
                        _footer_key, ("partials/copyright.html",)),
    "top": _Fragment("partials/top.html", 'lang, config.theme.icon.top or "material/arrow-up"', _top_key),
    "config": _Fragment(
        "base.html",
        "namespace, base_url, features, lang, config.extra.annotate, config.extra.tags, config.extra.version, "
        '"assets/javascripts/workers/search.a7633da7.min.js" | url',
        _config_key, after="{% block config %}", before="{% endblock %}"),
}
REWRITES: dict[str, Callable[[str], str]] = {
    NAV_TEMPLATE: _nav_through_memo,
    LANGUAGE_TEMPLATE: _translations_through_memo,
    **{fragment.template: functools.partial(_fragments_through_memo, fragment.template)
       for fragment in FRAGMENTS.values()},
}


class FragmentMemo:
    """The parts of templates of `FRAGMENTS`; `hits` and `misses` count them by name."""

    def __init__(self, env: jinja2.Environment, analysed: set[str], icons: _StaticIcons) -> None:
        self.env = env
        self.analysed = analysed
        self.icons = icons
        self.entries: dict[tuple, Any] = {}
        self.ready: set[str] = set()
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()

    def __call__(self, original: Macro, name: str, *values: Any) -> Any:
        fragment = FRAGMENTS[name]
        key = fragment.key(self, *values)
        if key is None or not self._includes_analysed(name, fragment):
            return original()
        html = self.entries.get((name, key))
        if html is None:
            self.misses[name] += 1
            html = self.entries[(name, key)] = original()
        else:
            self.hits[name] += 1
        return html

    def languages(self, lang: Any) -> tuple[str, str] | None:
        """What language.html's `t(key)` depends on besides the key; None if not known."""
        if type(lang) is not TemplateModule or lang.__name__ != LANGUAGE_TEMPLATE:
            return None
        tables = getattr(lang, LANGUAGE_TABLES, None) if LANGUAGE_TEMPLATE in self.analysed else None
        return tables if isinstance(tables, tuple) else None

    def _includes_analysed(self, name: str, fragment: _Fragment) -> bool:
        if name not in self.ready:
            for template in fragment.includes:
                try:
                    self.env.get_template(template)  # loaded, so that `analysed` knows its source
                except jinja2.TemplateNotFound:
                    return False
            if not all(template in self.analysed for template in fragment.includes):
                return False
            self.ready.add(name)
        return True


class _StaticIcons:
    """Whether icons' templates (included with the page's context) are plain SVG."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.known: dict[str, bool] = {}

    def static(self, icons: tuple) -> bool:
        return all(self._static(icon) for icon in icons)

    def _static(self, icon: Any) -> bool:
        if not isinstance(icon, str):
            return False
        if icon not in self.known:
            try:
                source = self.env.loader.get_source(self.env, f".icons/{icon}.svg")[0]
            except jinja2.TemplateNotFound:
                source = "{{"  # the template raises the error
            self.known[icon] = not any(marker in source for marker in TEMPLATE_MARKERS)
        return self.known[icon]


@dataclass(frozen=True)
class _Subtree:
    """What an item's HTML can depend on of the site, besides its own fields."""

    item: StructureItem  # held so that its id is not reused while the memo lives
    memoizable: bool
    src_uris: frozenset[str]  # the pages in it: rendered differently on those pages
    folders: frozenset[tuple[str, ...]]  # every leading part of its relative targets' paths


@dataclass(frozen=True)
class _Shell:
    """An active section's HTML around its children's: `parts[i]` before the child of `calls[i]`."""

    parts: tuple[str, ...]
    calls: tuple[tuple, ...]  # (nav_item, path, level, parent) of each child, in order


class NavMemo:
    """Calls of the navigation macro; `hits` and `misses` count the items not active, `shell_hits` and
    `shell_misses` the active sections."""

    def __init__(self, env: jinja2.Environment, icons: _StaticIcons) -> None:
        self.env = env
        self.icons = icons
        self.entries: dict[tuple, Any] = {}
        self.shells: dict[tuple, _Shell | None] = {}
        self.subtrees: dict[int, _Subtree] = {}
        self.indexes: dict[tuple[int, bool], tuple[Section, Any, frozenset]] = {}
        self.marker = f"\x00carepress-{secrets.token_hex(8)}-"
        self.holes: list[tuple] | None = None  # the children's calls while a shell is rendered
        self.hits = self.misses = self.shell_hits = self.shell_misses = 0

    def __call__(self, original: Macro, nav_item: Any, path: Any, level: Any, parent: Any, page: Any,
                 features: Any, namespace: Any, *assigned_on_some_paths: Any) -> Any:
        if self.holes is not None:  # a shell being rendered: the child's HTML goes in later
            self.holes.append((nav_item, path, level, parent))
            return f"{self.marker}{len(self.holes) - 1}\x00"
        features = _features(features)
        if (features is None or not isinstance(page, Page) or namespace is not Namespace
                or not all(isinstance(name, jinja2.Undefined) for name in assigned_on_some_paths)):
            return original(nav_item, path, level, parent)
        return self._render(original, nav_item, path, level, parent, page, features)

    def _render(self, original: Macro, nav_item: Any, path: Any, level: Any, parent: Any, page: Page,
                features: tuple[str, ...]) -> Any:
        if type(nav_item) not in MEMOIZABLE or not isinstance(path, str) or type(level) is not int:
            return original(nav_item, path, level, parent)
        if isinstance(parent, StructureItem):
            parent_active = parent.active
        elif isinstance(parent, jinja2.Undefined):  # a top-level call
            parent_active = None
        else:
            return original(nav_item, path, level, parent)
        subtree = self._subtree(nav_item)
        if not subtree.memoizable:
            return original(nav_item, path, level, parent)
        folder = _folder_parts(page.url)
        if not nav_item.active and page.file.src_uri not in subtree.src_uris:  # `nav_item == page`, `index == page`
            key = id(nav_item), path, level, parent_active, features, _relative_url_class(folder, subtree.folders)
            html = self.entries.get(key)
            if html is None:
                self.misses += 1
                html = self.entries[key] = original(nav_item, path, level, parent)
            else:
                self.hits += 1
            return html
        if type(nav_item) is not Section or not nav_item.active:  # the page's own item, or a section listing it again
            return original(nav_item, path, level, parent)
        index, index_folders = self._index(nav_item, "navigation.indexes" in features)
        key = (id(nav_item), path, level, parent_active, features, index is not None and index == page,
               _relative_url_class(folder, index_folders))
        if key in self.shells:
            shell = self.shells[key]
            self.shell_hits += shell is not None
        else:
            self.shell_misses += 1
            shell = self.shells[key] = self._shell(original, nav_item, path, level, parent)
        if shell is None:
            return original(nav_item, path, level, parent)
        html = [shell.parts[0]]
        for call, part in zip(shell.calls, shell.parts[1:]):
            html.append(self._render(original, *call, page, features))
            html.append(part)
        return "".join(html)

    def _shell(self, original: Macro, nav_item: Section, path: str, level: int, parent: Any) -> _Shell | None:
        """Material's macro for the section, each child's HTML replaced by a marker; None if they do not split it."""
        self.holes = []
        try:
            html = original(nav_item, path, level, parent)
        finally:
            calls, self.holes = self.holes, None
        parts, start = [], 0
        for number in range(len(calls)):
            marker = f"{self.marker}{number}\x00"
            at = html.find(marker, start)
            if at < 0:
                return None
            parts.append(html[start:at])
            start = at + len(marker)
        parts.append(html[start:])
        if any(self.marker in part for part in parts):
            return None
        return _Shell(tuple(parts), tuple(calls))

    def _index(self, section: Section, indexes: bool) -> tuple[Any, frozenset]:
        """The page the macro links the section to (navigation.indexes), and its URL's folders."""
        known = self.indexes.get((id(section), indexes))
        if known is None:
            candidates = section.children if indexes else []
            index = next((child for child in candidates if self.env.getattr(child, "is_index")), None)
            folders = _target_folders([] if index is None else [index.url])
            known = self.indexes[(id(section), indexes)] = (section, index, folders)
        return known[1], known[2]

    def _subtree(self, item: StructureItem) -> _Subtree:
        known = self.subtrees.get(id(item))
        if known is None:
            known = self.subtrees[id(item)] = self._walk(item)
        return known

    def _walk(self, item: StructureItem) -> _Subtree:
        src_uris: set[str] = set()
        urls: list[str] = []
        unmemoizable = _Subtree(item, False, frozenset(), frozenset())
        stack = [item]
        while stack:
            node = stack.pop()
            if type(node) not in MEMOIZABLE or hasattr(node, "pages"):
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
                if icon and not self.icons.static((icon,)):
                    return unmemoizable
            url = str(node.url)
            if "\\" in url:  # normalize_url warns about it: only where MkDocs itself would
                return unmemoizable
            urls.append(url)
        return _Subtree(item, True, frozenset(src_uris), _target_folders(urls))


def _target_folders(urls: list[str]) -> frozenset[tuple[str, ...]]:
    """Every leading part of the relative targets' paths (absolute ones are the same from every page)."""
    folders: set[tuple[str, ...]] = set()
    for url in urls:
        target, up = utils._get_norm_url(url)
        if up >= 0:  # relative: written from the page's folder
            parts = tuple(utils._norm_parts(target))
            folders.update(parts[:depth] for depth in range(len(parts) + 1))
    return frozenset(folders)


@functools.lru_cache(maxsize=None)
def _folder_parts(page_url: str) -> tuple[str, ...]:
    """The folder `get_relative_url(target, page.url)` writes from (mkdocs.utils): the URL without a file name."""
    dirname, _, basename = page_url.rpartition("/")
    return tuple(utils._norm_parts(dirname if "." in basename else page_url))


def _relative_url_class(folder: tuple[str, ...], folders: frozenset[tuple[str, ...]]) -> tuple:
    """Pages whose relative URLs to every target of `folders` are the same share a class.

    get_relative_url writes `../` for each part of the page's folder past the leading parts it
    shares with the target, then the rest of the target. Those shared parts never go deeper than
    the deepest leading part of the folder that some target lies in: for every target, the URL
    depends only on that part and on the folder's length. Sibling pages share a class, and so do
    pages of sibling folders for the targets outside them.
    """
    shared = 0
    while shared < len(folder) and folder[:shared + 1] in folders:
        shared += 1
    return folder[:shared], len(folder)
