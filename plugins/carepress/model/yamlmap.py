"""Safe YAML loading that remembers the line of every key, for findings that point at it."""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 32  # deeper than any real front-matter; bounds hostile input

Path = tuple[str | int, ...]


@dataclass
class YamlProblem(Exception):
    message: str
    line: int | None  # 1-based, relative to the YAML text
    advice: str | None = None  # what to do, when it is not the usual check of indentation, colons and quotes


def parse_yaml(text: str) -> tuple[Any, dict[Path, int]]:
    """Load one YAML document with safe types only; return the data and a key-path -> line map.

    Anchors and aliases are refused: editors have no use for them and they are the vector of
    "billion laughs" expansion.
    """
    loader = _Loader(text)
    try:
        _check_depth(text)
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path, int] = {}
        try:
            data = _construct(loader, node, (), lines, set(), 0)
        except (ValueError, OverflowError) as error:  # a date-like value that is no date: `2026-13-45`
            _map_lines(node, (), {}, set(), 0)  # an alias or deep nesting anywhere is said first, as before a value
            bad = _bad_scalar(loader, node)
            raise YamlProblem(f"{error}: {bad.value if bad else 'a value'!r} is not a valid date; write YYYY-MM-DD, "
                              "or quote the value if it is text", bad.start_mark.line + 1 if bad else None) from None
    except yaml.MarkedYAMLError as error:
        try:
            _check_depth(text, exact=True)  # too deep to read is the first thing to say (`[[[…` unclosed)
        except yaml.YAMLError:
            pass  # the scan stops at the same error: report that
        # Point at where an unclosed quote or bracket opens, not where the parser gave up; for anything else, at the
        # line the parser could not read (the context of "while parsing a block mapping" is the mapping's first key).
        # A missing colon (`persona [x]`) is "while scanning a simple key", at the line that lacks it.
        opens = (error.context or "").startswith(("while scanning a quoted scalar", "while parsing a flow",
                                                  "while scanning a simple key"))
        mark = (error.context_mark if opens else None) or error.problem_mark or error.context_mark
        problem = "; ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        raise YamlProblem(problem, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:  # reader errors (control characters) carry a position, not a mark
        position, line = getattr(error, "position", None), None
        if isinstance(position, int):  # PyYAML counts characters, libyaml bytes of UTF-8
            line = 1 + (text.count("\n", 0, position) if _Loader is yaml.SafeLoader
                        else text.encode("utf-8").count(b"\n", 0, position))
        raise YamlProblem(str(error).splitlines()[0], line) from None
    except RecursionError:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", None) from None
    finally:
        loader.dispose()
    return data, lines


def _bad_scalars(loader, node: yaml.Node):
    """The scalars that fail to construct (PyYAML raises a bare ValueError for them, with no line)."""
    if isinstance(node, yaml.ScalarNode):
        try:
            loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):
            yield node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _bad_scalars(loader, key_node)
            yield from _bad_scalars(loader, value_node)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _bad_scalars(loader, item)


def _bad_scalar(loader, node: yaml.Node) -> yaml.ScalarNode | None:
    loader.constructed_objects, loader.recursive_objects = {}, {}  # left half-built by the failed attempt
    return next(_bad_scalars(loader, node), None)


SAFE_INDICATORS = 1000  # fewer collection indicators than this cannot nest deep enough to hurt the composer
_INDICATORS = re.compile(r"[\[{?:-]")


def _check_depth(text: str, exact: bool = False) -> None:
    """Refuse deep nesting before composing: libyaml's composer recurses in C, and 100,000 `[` crash the process.

    Every sequence or mapping starts at its own `[`, `{`, `-`, `?` or `:`: a text with few of them
    cannot nest deeply (an ordinary front-matter), so the event scan is only for the others, and for
    `exact`. `_map_lines` applies MAX_DEPTH to what composes."""
    if not exact and (len(text) < SAFE_INDICATORS or len(_INDICATORS.findall(text)) < SAFE_INDICATORS):
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):  # the event stream is flat: no recursion
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


_BLOCK_SCALAR_HEADER = re.compile(r"[|>][0-9+-]*")  # `|`, `>-`, `|2+`: what a comment may follow on that line
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE_TAGS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})  # `<<` and `=` keys


def _construct(loader, node: yaml.Node, path: Path, lines: dict[Path, int], seen: set[int], depth: int) -> Any:
    """What the safe loader makes of `node`, with the line of every key and item below it put in `lines`.

    Text, lists and plain mappings (nearly all of a front-matter) are made here, in the walk that maps the
    lines: PyYAML's constructor took as long as composing the document. Every other node (numbers, dates,
    merge keys, a mapping with a list as a key) goes to the loader, which makes it or raises as it would."""
    _enter(node, seen, depth)
    tag = node.tag
    if tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if tag == _SEQ and isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_construct(loader, item, path + (index,), lines, seen, depth + 1))
        return items
    if (tag == _MAP and isinstance(node, yaml.MappingNode)
            and all(isinstance(key, yaml.ScalarNode) and key.tag not in _MERGE_TAGS for key, _ in node.value)):
        mapping, written = {}, {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            # A key is made before its value, as the safe loader does, which would let a later duplicate win
            # silently: a reader of the file sees the first one.
            made = key if key_node.tag == _STR else loader.construct_object(key_node, deep=True)
            if made in mapping:
                same = f"`{key}` is written twice (here and above)" if written[made] == key else \
                    f"`{key}` is, for YAML, the same field as `{written[made]}` above"
                raise YamlProblem(same, line, "keep one: YAML would take this one, a reader sees the first")
            written[made] = key
            lines[path + (key,)] = lines[path + (made,)] = line
            mapping[made] = _construct(loader, value_node, path + (key,), lines, seen, depth + 1)
        return mapping
    seen.discard(id(node))  # entered again by the line map below
    _map_lines(node, path, lines, seen, depth)
    return loader.construct_object(node, deep=True)


def _enter(node: yaml.Node, seen: set[int], depth: int) -> None:
    if id(node) in seen:
        raise YamlProblem("anchors and aliases (& and *) are not allowed here; write the value out", node.start_mark.line + 1)
    if depth > MAX_DEPTH:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        seen.add(id(node))


def _map_lines(node: yaml.Node, path: Path, lines: dict[Path, int], seen: set[int], depth: int) -> None:
    _enter(node, seen, depth)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag in _MERGE_TAGS:  # `<<` hands the mapping to PyYAML, where a later duplicate wins silently
                raise YamlProblem("merge keys (`<<`) are not allowed here", key_node.start_mark.line + 1,
                                  "write the fields out, each once")
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _map_lines(value_node, path + (key,), lines, seen, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _map_lines(item, path + (index,), lines, seen, depth + 1)


def line_comments(yaml_lines: list[str], first: int, last: int) -> list[str]:
    """The comments written on `yaml_lines[first..last]` (lines of the front-matter's YAML, without their line breaks),
    in order, each from its `#` to the end of its line, trailing blanks dropped.

    The scanner of the loader that reads front-matter (`parse_yaml`; no value is made) says where each token ends, a
    key, a value, a quote or a bracket: what follows the last one on a line, past blanks, is a comment, as it starts
    with `#`. A `#` inside a quoted value (`code: "FR#12"`), glued to a plain one (`FR#12`) or in a block scalar's
    text is the token's, as YAML reads it. Raises YamlProblem on a text the scanner cannot read."""
    if not any("#" in line for line in yaml_lines[first:last + 1]):
        return []
    whole = len(max(yaml_lines[first:last + 1], key=len)) + 1  # past the end of any of these lines
    ends = [0] * len(yaml_lines)  # per line, the column where what its tokens hold ends
    try:
        tokens = list(_tokens_to("\n".join(yaml_lines) + "\n", last))
    except yaml.YAMLError as error:
        raise YamlProblem(str(error).splitlines()[0], None) from None
    for token in tokens:
        start, end = token.start_mark, token.end_mark
        if end.line > start.line:  # a quoted, plain or block scalar over several lines holds them
            for line in range(start.line, min(end.line, last + 1)):
                ends[line] = whole
            if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):  # `note: |  # …`: its header
                header = _BLOCK_SCALAR_HEADER.match(yaml_lines[start.line], start.column)
                ends[start.line] = header.end() if header else whole
        if end.line <= last:
            ends[end.line] = max(ends[end.line], end.column)
    comments = []
    for index in range(first, last + 1):
        line = yaml_lines[index]
        rest = line[ends[index]:].lstrip(" \t") if ends[index] < len(line) else ""
        if rest.startswith("#"):
            comments.append(rest.rstrip(" \t"))
    return comments


def _tokens_to(text: str, last: int):
    """The tokens of `text` that start on its lines up to `last` (0-based); the scan stops there."""
    for token in yaml.scan(text, Loader=_Loader):
        if token.start_mark.line > last:
            return
        yield token


def line_of(lines: dict[Path, int], path: Path, default: int | None = None) -> int | None:
    """The line of the deepest known prefix of `path`."""
    for end in range(len(path), 0, -1):
        found = lines.get(tuple(path[:end]))
        if found is not None:
            return found
    return default
