"""An article: one Markdown file of the content tree, parsed and typed."""

from __future__ import annotations

import functools
import pickle
from dataclasses import dataclass, field

from carepress.model.schema import FrontMatter
from carepress.model.yamlmap import Path as KeyPath
from carepress.model.yamlmap import line_of

_PACKED = "_packed"  # what an unpickled article has not unpacked yet: name -> bytes


@dataclass
class Article:
    src_uri: str  # relative to the content folder, POSIX separators (MkDocs' own key)
    path: str  # as shown in findings: relative to the project root
    meta: FrontMatter
    text: str  # the whole file, BOM removed, newlines normalised to \n
    body_start: int  # offset in `text` where the body starts
    body_line: int  # 1-based line of the file where the body starts
    key_lines: dict[KeyPath, int] = field(default_factory=dict)  # front-matter key path -> file line
    # What rules derive from the text alone and several of them ask for, on both sites (its links):
    # computed once, not pickled with the article; the judged pages' cache keeps it with the page.
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def body(self) -> str:
        return self.text[self.body_start:]

    def __getstate__(self) -> dict:
        # Articles read in worker processes are pickled back: the body travels once, inside `text`.
        state = dict(vars(self))
        state.pop("body", None)
        state["derived"] = {}
        # The text as UTF-8 and the key lines as one pickle, unpacked when first read (`__getattr__`): a
        # process that unpickles a whole tree (a `check` of unchanged pages) reads neither for most pages,
        # and they were a third of an article's unpickling (11 of 35 µs).
        packed = dict(state.pop(_PACKED, {}))
        if "text" in state:
            packed["text"] = state.pop("text").encode("utf-8", "surrogatepass")
        if "key_lines" in state:
            packed["key_lines"] = pickle.dumps(state.pop("key_lines"), protocol=pickle.HIGHEST_PROTOCOL)
        state[_PACKED] = packed
        return state

    def __setstate__(self, state: dict) -> None:
        vars(self).update(state)  # said, not looked for: a missing `__setstate__` would be asked of `__getattr__`

    def __getattr__(self, name: str):
        # Called only for an attribute the instance lacks: `text` or `key_lines` still packed after unpickling.
        packed = vars(self).get(_PACKED)
        if not packed or name not in packed:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raw = packed.pop(name)
        value = raw.decode("utf-8", "surrogatepass") if name == "text" else pickle.loads(raw)
        setattr(self, name, value)
        return value

    def line_of(self, *key: str | int) -> int:
        """The file line of a front-matter key (or of its closest parent), else the first line."""
        return line_of(self.key_lines, key, default=1) or 1

    def body_line_at(self, offset: int) -> int:
        """The file line of a character offset within the body."""
        return self.body_line + self.body.count("\n", 0, offset)
