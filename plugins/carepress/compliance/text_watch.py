"""The pages' text after the gate judged it: another plugin or a hook that changes it stops the build (CP119).

The gate judges each article as read from the content folder. MkDocs then gives every plugin and hook (`hooks:`) the
page's source (`on_page_read_source`) and its Markdown (`on_page_markdown`) to replace: what one of them puts there
would be published without a rule reading it, and editing what it inserts would not void the page's approval. The
plugins known to insert text are refused with the configuration (inserted_text.py); the handlers of the others are
watched here, and the first page whose text one of them changes fails the build (the navigation is built by then:
it is too late to leave the page out, other pages link to it).
"""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import PluginCollection
from mkdocs.structure.pages import Page

from carepress.report.finding import Severity, define

CP119 = define("CP119", Severity.ERROR, "Page text changed after the gate judged it")
WATCHED_EVENTS = ("page_read_source", "page_markdown")
# Handlers whose changes are not text for the page's reader: CarePress' own (escapes, links to pages left out, the
# opt-out control), and Material's tags plugin, whose listing markers become lists of the built pages' own titles.
OWN_PREFIX = "carepress/"
TRUSTED_ORIGINS = frozenset({"material/tags", "tags"})


class TextWatch:
    """A handler of one of `WATCHED_EVENTS`, called as MkDocs would, that raises CP119 when it changes the text."""

    def __init__(self, event: str, handler: Any, origin: str) -> None:
        self.event, self.handler, self.origin = event, handler, origin
        # What the builder knows of the plugin behind a handler (parallel_safe, cacheable, its page state) stays.
        if hasattr(handler, "__self__"):
            self.__self__ = handler.__self__
        self.__qualname__ = getattr(handler, "__qualname__", repr(handler))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.handler(*args, **kwargs)
        page: Page = kwargs["page"]
        if result is not None and result != (args[0] if args else page.file.content_string):
            kind = "hook" if not hasattr(self, "__self__") else "plugin"
            raise PluginError(
                f"{page.file.src_uri} {CP119.code} the {kind} `{self.origin}` changed this page's text after the "
                f"compliance gate judged it (on_{self.event}): what it put in would be published without any rule "
                "reading it, and editing it would not void the page's approval. Remove it from the configuration, or "
                "write the text in the article itself")
        return result


def watch_text_handlers(plugins: PluginCollection) -> None:
    """Wrap, once, every handler of `WATCHED_EVENTS` that is neither CarePress' nor trusted."""
    origins: dict = getattr(plugins, "_event_origins", {})  # MkDocs' name of each handler's plugin or hook
    for event in WATCHED_EVENTS:
        handlers = plugins.events[event]
        for index, handler in enumerate(handlers):
            origin = origins.get(handler, "<unknown>")
            if isinstance(handler, TextWatch) or origin.startswith(OWN_PREFIX) or origin in TRUSTED_ORIGINS:
                continue
            handlers[index] = watched = TextWatch(event, handler, origin)
            origins[watched] = origin
