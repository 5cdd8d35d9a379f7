"""Material's search index, with each page's HTML tokenized by one regular expression.

Material's `SearchIndex.add_entry_from_context` divides a page into sections by feeding its HTML
to a subclass of `html.parser.HTMLParser`, whose tokenizing is about half of its cost. Here the
handlers of Material's own `Parser` receive exactly the calls HTMLParser would make (tags and
attribute names lowercased, attribute values and text with their character references
converted, one `handle_data` per run of text between two tags), from a regular expression that
understands only plain markup: start tags with simple attributes, `<tag/>`, end tags without
spaces, text. A page holding anything else (a comment, a declaration, `<?`, a raw-text element
like `<script>`, a `<` that opens no such tag) is fed to Material's parser whole instead, so the
sections are Material's for every page.

With the Material source these were written from (`MATCHES`), the handlers are `PlainParser`'s,
Material's own restated with sets of tags, and this build's `page_context` event removes the
`data-search-*` attributes only from a page that holds one.
"""

from __future__ import annotations

import hashlib
import re
import types
from html import escape, unescape
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import Element, Parser, SearchIndex, SearchPlugin, Section

# Whitespace between a tag's parts: HTMLParser's "\s" less what it may take into a tag's name
# (\v, spaces beyond ASCII).
_SPACE = r"[ \t\n\r\f]"
_TAG_NAME = r"[a-zA-Z][-.:a-zA-Z0-9_]*"  # what HTMLParser accepts in an end tag's name
_ATTRIBUTE_NAME = r"[a-zA-Z_:][-.:a-zA-Z0-9_]*"
_ATTRIBUTE = (rf"{_SPACE}+({_ATTRIBUTE_NAME})"  # name, then "=" and a value in double, single or no quotes
              rf"""(?:({_SPACE}*={_SPACE}*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
# Every "<" is one of: a start tag, an end tag, or (empty alternative) something only
# HTMLParser knows how to read.
_MARKUP = re.compile(rf"<(?:(?P<start>{_TAG_NAME})(?P<attributes>(?:{_ATTRIBUTE})*){_SPACE}*(?P<empty>/?)>"
                     rf"|/(?P<end>{_TAG_NAME})>|)")
_ATTRIBUTES = re.compile(_ATTRIBUTE)
# Elements whose content HTMLParser reads as raw text (script and style; newer Pythons add the
# escapable raw text of textarea and title), and those the HTML standard reads so too.
_RAW_TEXT = frozenset(("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                       "noscript", "plaintext"))


def read_plain_markup(parser: Parser, html: str) -> bool:
    """Drive `parser` over `html` as HTMLParser would; False as soon as `html` is not plain markup.

    The calls made before returning False are those HTMLParser makes first: the parser may then be
    in any state and is to be discarded."""
    handle_data, handle_starttag, handle_endtag = parser.handle_data, parser.handle_starttag, parser.handle_endtag
    position = 0
    for markup in _MARKUP.finditer(html):
        start = markup.start()
        if start > position:
            text = html[position:start]
            handle_data(unescape(text) if "&" in text else text)  # unescape's own test, without the call
        position = markup.end()
        tag, attributes, empty, end = markup.group("start", "attributes", "empty", "end")
        if end:
            handle_endtag(end.lower())
            continue
        if not tag:
            return False
        tag = tag.lower()
        if tag in _RAW_TEXT:
            return False
        attributes = [(name.lower(), unescape(double + single + bare) if equals else None)
                      for name, equals, double, single, bare in _ATTRIBUTES.findall(attributes)] if attributes else []
        if empty:
            parser.handle_startendtag(tag, attributes)
        else:
            handle_starttag(tag, attributes)
    if position < len(html):
        text = html[position:]
        handle_data(unescape(text) if "&" in text else text)
    return True


HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
ALWAYS_SKIPPED = ("script", "style", "object")


class PlainParser(Parser):
    """Material's `Parser` whose handlers give the same sections with C-level set and list operations.

    Material's `Element` compares and hashes by its tag alone, so its `skip.intersection(context)`,
    `section.el in context` and `"pre" in context` ask about the tags of the open elements: each
    call ran `Element.__hash__` and `__eq__` in Python for every open element (two thirds of indexing
    a page). Here `skip` holds tags, `tags` the open elements' tags beside `context`; the rest is
    Material's code line for line. Used only for the Material source it was written from (`MATCHES`)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        el = Element(tag, attrs)
        if tag in material_search.void:
            return
        self.context.append(el)
        self.tags.append(tag)
        if tag in HEADINGS:
            depth = len(self.context)
            if "id" in attrs:
                if tag != "h1" and not self.data:
                    self.section = Section(Element("hx"), depth)
                    self.data.append(self.section)
                self.section = Section(el, depth)
                if self.data:
                    self.section.id = attrs["id"]
                self.data.append(self.section)
        if not self.section:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        for key, value in attrs.items():
            if key == "data-search-exclude" or (key == "class" and value == "linenodiv"):
                self.skip.add(tag)
                return
        if tag in self.keep and self.skip.isdisjoint(self.tags):
            data = self.section.title if self.section.el.tag in self.tags else self.section.text
            data.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if not self.context or self.tags[-1] != tag:
            return
        if self.section.depth > len(self.context):
            for section in reversed(self.data):
                if section.depth <= len(self.context):
                    self.section.depth = float("inf")
                    self.section = section
                    break
        self.context.pop()
        self.tags.pop()
        if tag in self.skip:
            if tag not in ALWAYS_SKIPPED:
                self.skip.remove(tag)
            return
        if tag in self.keep and self.skip.isdisjoint(self.tags):
            data = self.section.title if self.section.el.tag in self.tags else self.section.text
            index = data.index(f"<{tag}>")
            for i in range(index + 1, len(data)):
                if not data[i].isspace():
                    index = len(data)
                    break
            if len(data) > index:
                del data[index:]
            else:
                data.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skip.isdisjoint(self.tags):
            return
        if "pre" not in self.tags:
            data = " " if data.isspace() else data.replace("\n", " ")
        if not self.section:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        if self.section.el.tag in self.tags:
            if not any(el.tag == "a" and el.attrs.get("class") == "headerlink" for el in self.context):
                self.section.title.append(escape(data, quote=False))
        elif data.isspace():
            if not self.section.text or not self.section.text[-1].isspace() or "pre" in self.tags:
                self.section.text.append(data)
        else:
            self.section.text.append(escape(data, quote=False))


# SHA-256 of the module whose Element, Section, Parser and void tags PlainParser restates: Material 9.8.1's.
ANALYSED = {"cc8a3ac0a8862662d11e87fefcdaa4a42d9ebd70a7943fa921c1c80e2661730b"}
MATCHES = hashlib.sha256(Path(material_search.__file__).read_bytes()).hexdigest() in ANALYSED


def parse(html: str) -> tuple[Parser, bool]:
    """Material's `Parser` after reading `html` (or `PlainParser`, the same sections sooner), and whether
    the fast tokenizer could read it."""
    parser = PlainParser() if MATCHES else Parser()
    if read_plain_markup(parser, html):
        return parser, True
    parser = Parser()
    parser.feed(html)
    parser.close()
    return parser, False


def add_entry_from_context(index: SearchIndex, page: Page) -> None:
    """Material's `SearchIndex.add_entry_from_context`, the page's HTML read by `parse`."""
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return
    parser, _ = parse(page.content)
    for section in parser.data:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)


DATA_SEARCH = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # the attributes Material's on_page_context removes


def on_page_context(plugin: SearchPlugin, context, *, page, config, nav):
    """Material's `SearchPlugin.on_page_context`, whose removal of `data-search-*` attributes runs only on
    a page that holds one: the expression, with its optional leading space, was tried at every character
    of every page (90 µs a page)."""
    if not plugin.config.enabled:
        return
    plugin.search_index.add_entry_from_context(page)
    if "data-search-" in page.content:
        page.content = DATA_SEARCH.sub("", page.content)


def install(config: MkDocsConfig) -> None:
    """Give the search index of Material's search plugin the fast tokenizer; call after `on_config`.

    Only this build's index changes: the plugin's `on_config` makes a new one for every build, so
    another build in the process has Material's code. And only an index of Material's own class,
    whose method `add_entry_from_context` mirrors. With the Material source analysed (`MATCHES`),
    this build's `page_context` event calls `on_page_context` above, bound to the same plugin."""
    for plugin in config.plugins.values():
        # A disabled plugin may still hold the index of an earlier build: MkDocs keeps one instance per process.
        if not isinstance(plugin, SearchPlugin) or not plugin.config.enabled:
            continue
        index = getattr(plugin, "search_index", None)
        if type(index) is SearchIndex:
            index.add_entry_from_context = types.MethodType(add_entry_from_context, index)
    events = config.plugins.events["page_context"]
    origins = getattr(config.plugins, "_event_origins", {})  # MkDocs' names of the plugins, for its error messages
    for position, method in enumerate(events):
        if MATCHES and getattr(method, "__func__", None) is SearchPlugin.on_page_context and type(method.__self__) is SearchPlugin:
            events[position] = types.MethodType(on_page_context, method.__self__)
            if method in origins:
                origins[events[position]] = origins[method]
