"""Turn every Markdown file into an Article or into CP1xx findings, never into a traceback."""

from __future__ import annotations

import difflib
import re
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from carepress.model.article import Article
from carepress.model.schema import FUNNEL_STAGE_ALIASES, KNOWN_KEYS, ContentType, FrontMatter
from carepress.model.yamlmap import YamlProblem, line_of, parse_yaml
from carepress.report.finding import Finding, Severity, define, make

CP100 = define("CP100", Severity.ERROR, "File is not UTF-8 text")
CP101 = define("CP101", Severity.ERROR, "File is empty")
CP102 = define("CP102", Severity.ERROR, "File has no front-matter")
CP103 = define("CP103", Severity.ERROR, "Front-matter is not valid YAML")
CP104 = define("CP104", Severity.ERROR, "Front-matter is not a mapping")
CP105 = define("CP105", Severity.ERROR, "Required field missing")
CP106 = define("CP106", Severity.ERROR, "Field has the wrong type or value")
CP107 = define("CP107", Severity.ERROR, "Value is not one of the allowed values")
CP110 = define("CP110", Severity.WARNING, "Unknown front-matter field")
CP111 = define("CP111", Severity.ERROR, "File cannot be read")
CP117 = define("CP117", Severity.ERROR, "Markdown file that is no article")
# What MkDocs takes for Markdown (`mkdocs.utils.markdown_extensions`); an article is a `.md` file: the others, and
# `.md` in another case, are never judged (MkDocs builds `.markdown` pages, and copies a `.MD` file as it is).
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def misnamed_article(name: str) -> bool:
    """A file name MkDocs or an editor takes for Markdown that CarePress does not read as an article."""
    return not name.endswith(".md") and name.lower().endswith(MARKDOWN_SUFFIXES)

BOUNDARY = "---"
YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")  # line breaks for YAML, not for editors
MAX_BYTES = 20 * 1024 * 1024  # far beyond any article; bounds memory on hostile input


@dataclass
class Loaded:
    """What one file became."""

    src_uri: str
    path: str
    article: Article | None
    findings: list[Finding] = field(default_factory=list)
    # The front-matter's YAML text and what it gave, for the build's MkDocs to take instead of parsing the same
    # text again (`Site.front_matter`); never kept in the cache.
    front_matter: tuple[str, dict] | None = field(default=None, repr=False, compare=False)


def read_file(file: Path, content_dir: Path, display_root: Path, resolved: dict[str, str] | None = None) -> Loaded:
    """`resolved`: folders already resolved during this reading of the tree (see `escapes_content`)."""
    src_uri, shown, raw = read_bytes(file, content_dir, display_root, resolved)
    return raw if isinstance(raw, Loaded) else parse_article(raw, src_uri, shown)


def read_bytes(file: Path, content_dir: Path, display_root: Path,
               resolved: dict[str, str] | None = None) -> tuple[str, str, bytes | Loaded]:
    """(src_uri, path shown in findings, the file's bytes), or a Loaded with CP111 in place of the bytes.

    Paths are worked on as strings, and the file is opened once: with a Path per question, reading a file of an
    unchanged tree (only to hash its bytes) took 23 µs instead of 14."""
    name = os.fspath(file)
    src_uri = _below(name, os.fspath(content_dir))
    if src_uri is None:
        raise ValueError(f"{file} is not in {content_dir}")
    shown = _display_path(file, display_root)
    if escapes_content(file, content_dir, resolved):
        return src_uri, shown, Loaded(src_uri, shown, None, [make(CP111, shown, None,
            "this link points outside the content folder and is not read; copy the file into the content folder instead")])
    try:
        with open(name, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_BYTES:
                return src_uri, shown, Loaded(src_uri, shown, None, [make(CP111, shown, None,
                    f"the file is {size // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit; split it into several articles")])
            return src_uri, shown, stream.read()
    except OSError as error:
        return src_uri, shown, Loaded(src_uri, shown, None, [make(CP111, shown, None,
            f"cannot read the file ({error.strerror}); check that it exists and is readable")])


def parse_article(raw: bytes, src_uri: str, path: str) -> Loaded:
    """Parse the bytes of one Markdown file."""
    text, finding = _decode(raw, path)
    if finding:
        return Loaded(src_uri, path, None, [finding])
    if not text.strip():
        return Loaded(src_uri, path, None, [make(CP101, path, 1,
            "the file is empty; write the front-matter and the article, or delete the file (`carepress new` starts one)")])

    lines = text.split("\n")
    if lines[0].rstrip() != BOUNDARY:
        return Loaded(src_uri, path, None, [make(CP102, path, 1,
            "the file must start with a front-matter block: a line `---`, the fields (title, audience, persona...), and a closing `---`")])
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (BOUNDARY, "...")), None)
    if closing is None:
        return Loaded(src_uri, path, None, [make(CP103, path, 1,
            "the front-matter opened on line 1 is never closed; add a line `---` after the last field")])

    front_matter = "\n".join(lines[1:closing]) + "\n"
    body_start = min(len(text), sum(len(line) + 1 for line in lines[:closing + 1]))
    separator = YAML_ONLY_BREAKS.search(front_matter)
    if separator:  # YAML counts these as line breaks, so every line after them would be misreported
        line = front_matter.count("\n", 0, separator.start()) + 2
        return Loaded(src_uri, path, None, [make(CP103, path, line,
            f"front-matter YAML: invisible line separator U+{ord(separator.group()):04X} (often pasted from a word "
            "processor); delete it or retype the value")])
    try:
        data, key_lines = parse_yaml(front_matter)
    except YamlProblem as problem:
        line = problem.line + 1 if problem.line else 1
        advice = problem.advice or "check indentation, colons and quotes on this line (values with ':' or '#' need quotes)"
        return Loaded(src_uri, path, None, [make(CP103, path, line, f"front-matter YAML: {problem.message}; {advice}")])
    # File line = YAML line + 1 (the opening ---).
    key_lines = {key: line + 1 for key, line in key_lines.items()}

    if not isinstance(data, dict):
        kind = "empty" if data is None else "a list" if isinstance(data, list) else f"one value ({data!r})"
        return Loaded(src_uri, path, None, [make(CP104, path, 2,
            f"the front-matter is {kind}; write `field: value` lines (title, audience, persona, funnel_stage, content_type...)")])

    findings = _unknown_keys(data, key_lines, path)
    non_string = [key for key in data if not isinstance(key, str)]
    if non_string:
        findings.append(make(CP106, path, key_lines.get((non_string[0],), 2),
                             f"field name {non_string[0]!r} is not text; write field names as words"))
        return Loaded(src_uri, path, None, findings)
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as error:
        findings.extend(_explain(error, data, key_lines, path))
        return Loaded(src_uri, path, None, findings)
    if not meta.persona and meta.content_type is not ContentType.CORPORATE:
        findings.append(make(CP105, path, key_lines.get(("persona",), 2),
            "`persona` is required; add `persona: [id]` with ids from site_config/personas.yml (only corporate pages may omit it)"))
        return Loaded(src_uri, path, None, findings)
    article = Article(src_uri, path, meta, text, body_start, closing + 2, key_lines)
    return Loaded(src_uri, path, article, findings, (front_matter, data))


def _decode(raw: bytes, path: str) -> tuple[str, Finding | None]:
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        return "", make(CP100, path, line, "the file contains NUL bytes: it is binary, not text; save the article as UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start : error.start + 1].hex()
        return "", make(CP100, path, line,
            f"byte 0x{byte} is not UTF-8 (the file was probably saved as Latin-1 or Windows-1252); re-save it as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _unknown_keys(data: dict, key_lines: dict, path: str) -> list[Finding]:
    findings = []
    for key in data:
        if isinstance(key, str) and key not in KNOWN_KEYS:
            hint = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
            advice = f"did you mean `{hint[0]}`?" if hint else "remove it, or check its spelling"
            findings.append(make(CP110, path, key_lines.get((key,), 2), f"unknown field `{key}`: {advice}"))
    return findings


def _explain(error: ValidationError, data: dict, key_lines: dict, path: str) -> list[Finding]:
    findings = []
    for problem in error.errors(include_url=False):
        location = tuple(part for part in problem["loc"] if not (isinstance(part, str) and "[" in part))
        field_name = ".".join(str(part) for part in location) or "front-matter"
        line = line_of(key_lines, location, default=2)
        kind = problem["type"]
        given = problem.get("input")
        if kind == "missing":
            findings.append(make(CP105, path, _parent_line(key_lines, location),
                f"`{field_name}` is required; add `{location[-1]}: ...`{_allowed_hint(location)}"))
        elif kind in ("enum", "literal_error"):
            allowed = ", ".join(re.findall(r"'([^']*)'", problem.get("ctx", {}).get("expected", "")))
            findings.append(make(CP107, path, line, f"`{field_name}`: {given!r} is not allowed; use one of: {allowed}{_alias_hint(location, given)}"))
        elif kind == "extra_forbidden":
            findings.append(make(CP106, path, line, f"`{field_name}` is not a field here; remove it or check its spelling"))
        else:
            findings.append(make(CP106, path, line, f"`{field_name}`: {_describe(problem['msg'], given)}"))
    return findings


def _parent_line(key_lines: dict, location: tuple) -> int:
    return line_of(key_lines, location[:-1], default=2) if len(location) > 1 else 2


def _allowed_hint(location: tuple) -> str:
    field_info = FrontMatter.model_fields.get(str(location[-1])) if len(location) == 1 else None
    if field_info and hasattr(field_info.annotation, "__members__"):
        return " (one of " + ", ".join(m.value for m in field_info.annotation) + ")"
    if location[-1] == "funnel_stage":
        return " (one of attract, convert, close, delight)"
    return ""


def _alias_hint(location: tuple, given: Any) -> str:
    if location and location[-1] == "funnel_stage" and isinstance(given, str):
        close = difflib.get_close_matches(given.lower(), ["attract", "convert", "close", "delight", *FUNNEL_STAGE_ALIASES], n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return f" (French aliases such as attraction, conversion, fermeture, fidélisation work too){hint}"
    return ""


def _describe(message: str, given: Any) -> str:
    shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
    message = message.replace("Value error, ", "")
    return f"{message[0].lower()}{message[1:]} (found {shown}); correct the value"


def _below(path: str, folder: str) -> str | None:
    """`path` relative to `folder`, with POSIX separators, when it lies below it (both as Path objects give them)."""
    prefix = os.path.join(folder, "")
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix):]
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def _display_path(file: Path, root: Path) -> str:
    shown = _below(os.fspath(file), os.fspath(root))
    return shown if shown is not None else file.as_posix()


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(os.path.join(folder, ""))


def escapes_content(file: Path, content_dir: Path, resolved: dict[str, str] | None = None) -> bool:
    """True when a file (or a folder it sits in) is a link that leads outside the content folder, or nowhere.

    `resolved` keeps each folder's real path for one reading of the tree: the files of a folder share it,
    and resolving every file's whole path again was a fifth of reading the tree."""
    resolved = {} if resolved is None else resolved
    name = os.fspath(file)
    try:
        if os.path.islink(name):
            real = os.fspath(file.resolve(strict=True))
        else:
            folder, base = os.path.split(name)
            real = os.path.join(_real_folder(folder or os.curdir, resolved), base)
        root = _real_folder(os.fspath(content_dir), resolved)
    except (OSError, RuntimeError):  # a broken link, or a loop of links
        return True
    return not _inside(real, root)


def _real_folder(folder: str, resolved: dict[str, str]) -> str:
    if folder not in resolved:
        resolved[folder] = os.fspath(Path(folder).resolve(strict=True))
    return resolved[folder]


def tree_findings(content_dir: Path, display_root: Path, builds: Callable[[str], bool]) -> list[Finding]:
    """CP111 for every link (file or folder) of the content tree that leads outside it: MkDocs would publish its target;
    CP117 for every Markdown file that is no `.md` article, among those MkDocs takes (`builds`, no dot-file)."""
    findings = []
    root = content_dir.resolve()
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [*dirs, *sorted(files)]:
            if name.endswith(".md"):  # an article is checked when it is read (CP111 from `read_bytes`)
                continue
            entry = Path(folder) / name
            if misnamed_article(name) and name in files and not name.startswith(".") \
                    and builds(os.path.relpath(entry, content_dir).replace(os.sep, "/")):
                findings.append(make(CP117, _display_path(entry, display_root), None,
                    f"only `.md` files are articles: this one is neither judged nor published (a `{name.rsplit('.', 1)[1]}` "
                    "file would otherwise go out unreviewed); rename it to end in `.md`"))
                continue
            if entry.is_symlink() and escapes_content(entry, root):
                findings.append(make(CP111, _display_path(entry, display_root), None,
                    "this link points outside the content folder (or to nothing), so it is not published; "
                    "copy the file into the content folder instead"))
    return findings


def real_path(path: Path) -> Path:
    """Where `path` leads once its links are followed; as far as they go for a loop of links, where
    `Path.resolve` raises."""
    return Path(os.path.realpath(path))


def iter_markdown(content_dir: Path, builds: Callable[[str], bool] | None = None):
    """Markdown files as MkDocs sees them: dot-files and dot-folders are left out, and those whose path in
    `content_dir` (`a/b.md`) `builds` refuses (`Project.builds`: MkDocs' `exclude_docs`)."""
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)  # once per folder, not per file: half the time of listing 10,000 articles
        prefix = os.path.relpath(folder, content_dir).replace(os.sep, "/") + "/"
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                if builds is None or builds(name if prefix == "./" else prefix + name):
                    yield base / name
