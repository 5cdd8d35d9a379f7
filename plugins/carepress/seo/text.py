"""Words as search engines match them: accents folded, stop words ignored, French and English stems.

Everything here works on the Markdown source, so `carepress check` never renders HTML.
"""

from __future__ import annotations

import functools
import html
import os
import posixpath
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer
import yaml

STEMMERS = {"fr": "french", "en": "english"}
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case without accents: `Diabète` and `diabete` are the same word to a searcher."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("œ", "oe").replace("æ", "ae")


_TOKENS: dict[str, tuple[str, ...]] = {}  # raw token -> folded words; a hub's vocabulary is small


def _token_words(token: str) -> tuple[str, ...]:
    try:
        return _TOKENS[token]
    except KeyError:
        folded = ELISION.sub("", fold(token))
        parts = tuple(part for part in re.split(r"[-'’]", folded) if part)
        if len(_TOKENS) < 500_000:
            _TOKENS[token] = parts
        return parts


def words(text: str) -> list[str]:
    """Folded words, French elisions split off (`l'asthme` -> `asthme`), hyphenated words split."""
    found: list[str] = []
    for token in WORD.findall(text.lower()):
        found.extend(_token_words(token))
    return found


def _stop_words_file(folder: str, language: str) -> Path:
    return Path(folder) / f"stopwords.{language}.yml"


def file_state(file: Path | str) -> tuple[int, int] | None:
    """A file's date and size, for memos that a long-lived preview must see edited (None: no such file)."""
    try:
        found = os.stat(file)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def stop_words(folder: str, language: str) -> frozenset[str]:
    """The stop-word list of a language: site_config/stopwords.<lang>.yml (`stopwords:` list)."""
    return _read_stop_words(folder, language, file_state(_stop_words_file(folder, language)))


@functools.lru_cache(maxsize=8)
def _read_stop_words(folder: str, language: str, state: tuple[int, int] | None) -> frozenset[str]:
    # `state` (the file's date and size) is part of the memo's key: a long-lived preview sees an edited list.
    file = _stop_words_file(folder, language)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return frozenset()
    listed = data.get("stopwords") if isinstance(data, dict) else None
    return frozenset(fold(str(word)) for word in listed or [])


class Analyzer:
    """Significant stems of a text in one language; stems are memoised (a hub reuses few words)."""

    def __init__(self, language: str, stop: frozenset[str]):
        self.language = language if language in STEMMERS else "fr"
        self._stemmer = snowballstemmer.stemmer(STEMMERS[self.language])
        self._stop = stop
        self._memo: dict[str, str | None] = {}

    def stem(self, word: str) -> str | None:
        """The stem of a folded word, or None for a stop word."""
        try:
            return self._memo[word]
        except KeyError:
            stem = None if word in self._stop or (len(word) == 1 and not word.isdigit()) else fold(self._stemmer.stemWord(word))
            self._memo[word] = stem
            return stem

    def stems(self, text: str) -> list[str]:
        return [stem for stem in map(self.stem, words(text)) if stem]

    def significant_words(self, text: str) -> list[str]:
        return [word for word in words(text) if self.stem(word)]


def analyzer(folder: str, language: str) -> Analyzer:
    language = language if language in STEMMERS else "fr"
    return _analyzer(language, stop_words(folder, language))


@functools.lru_cache(maxsize=16)
def _analyzer(language: str, stop: frozenset[str]) -> Analyzer:
    return Analyzer(language, stop)  # one per list: its stems are memoised across runs of the process


# --- Markdown outline -------------------------------------------------------------------------

FENCE = re.compile(r"^\s*(```|~~~)")
# An ATX heading; its text is group 2 without the closing hashes and spaces (`heading_text`). Matching them in the
# expression (`(.*?)\s*#*\s*$`) tried the rest of the line after each character: 3.7 µs a heading, now 0.3.
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
SETEXT = re.compile(r"^(=+|-+)\s*$")
ATTRS = re.compile(r"\s*\{[^}]*\}\s*$")
IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
# A tag or a comment; not any text between "<" and ">": "HbA1c < 7 % ; une cible > 8 %" is prose.
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->", re.DOTALL)
EMPHASIS = re.compile(r"[*_`~]+")
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|>|!!!|\?\?\?|\||<|:::)")


@dataclass
class Heading:
    level: int
    text: str
    line: int  # file line


@dataclass
class Link:
    text: str
    target: str
    line: int

    @property
    def external(self) -> bool:
        return self.target.lower().startswith(("http://", "https://"))


@dataclass
class Outline:
    """What the assessments read from an article's Markdown body."""

    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # plain text, in order
    intro_line: int | None = None
    images: list[tuple[str, int]] = field(default_factory=list)  # (alt, line)
    links: list[Link] = field(default_factory=list)
    plain: str = ""  # the body's prose without code blocks

    @property
    def h1(self) -> list[Heading]:
        return [h for h in self.headings if h.level == 1]

    @property
    def subheadings(self) -> list[Heading]:
        return [h for h in self.headings if h.level > 1]

    @property
    def introduction(self) -> str:
        return self.paragraphs[0] if self.paragraphs else ""


def plain_text(markdown: str) -> str:
    """Inline Markdown to the text a reader sees."""
    text = markdown
    if "](" in text:  # the regexes are the slow part: skip them on plain prose
        text = LINK.sub(lambda m: m.group(1), IMAGE.sub(lambda m: m.group(1), text))
    if "<" in text:
        text = HTML_TAG.sub("", AUTOLINK.sub(lambda m: m.group(1), text))
    text = EMPHASIS.sub("", text)
    if "&" in text:  # character references: the reader sees "&", not "&amp;" (and templates escape it once)
        text = html.unescape(text)
    return " ".join(text.split())


def _classified(body: str, first_line: int) -> Iterator[tuple[str, int, str, re.Match | None]]:
    """(kind, file line, line, match) of each line of a body outside code blocks, and of the fences.

    Kinds: "fence", "heading" (ATX, with its match), "setext" (the underline of a one-line paragraph,
    with its match), "blank", "block" (list item, quote, admonition, table, HTML, indented code), "text"."""
    in_fence = False
    previous = ""
    paragraph = 0  # lines of the open paragraph
    for index, line in enumerate(body.split("\n")):
        number = first_line + index
        if FENCE.match(line):
            in_fence = not in_fence
            paragraph = 0
            yield "fence", number, line, None
            continue
        if in_fence:
            continue
        heading = HEADING.match(line)
        setext = SETEXT.match(line) if paragraph == 1 and previous.strip() else None
        if heading:
            paragraph = 0
            yield "heading", number, line, heading
        elif setext:
            paragraph = 0
            yield "setext", number, line, setext
        elif not line.strip():
            paragraph = 0
            yield "blank", number, line, None
        elif BLOCK_START.match(line) or line.startswith("    "):
            paragraph = 0
            yield "block", number, line, None
        else:
            paragraph += 1
            yield "text", number, line, None
        previous = line


def heading_text(match: re.Match) -> str:
    """An ATX heading's text: the shortest start of the rest of its line that leaves only spaces and hashes."""
    return match.group(2).rstrip().rstrip("#").rstrip()


def _heading(kind: str, match: re.Match, number: int, paragraph_line: str) -> Heading:
    if kind == "heading":
        return Heading(len(match.group(1)), plain_text(ATTRS.sub("", heading_text(match))), number)
    return Heading(1 if match.group(1)[0] == "=" else 2, plain_text(ATTRS.sub("", paragraph_line)), number - 1)


def headings(body: str, first_line: int) -> list[Heading]:
    """The headings of a Markdown body, as `outline` finds them, without the rest of the outline.

    SE301 reads every page's. In a body without fences and without a line a setext underline could be, they are the
    lines that start an ATX heading: a line is looked at further only for its first character (28 µs an article, where
    classifying each line takes 46). Any other body is classified line by line."""
    found: list[Heading] = []
    for index, line in enumerate(body.split("\n")):
        first = line[:1]
        if first == "#":
            heading = HEADING.match(line)
            if heading:
                found.append(_heading("heading", heading, first_line + index, ""))
        elif first and (first in "=-`~" or first.isspace()) and (FENCE.match(line) or SETEXT.match(line)):
            return _headings_line_by_line(body, first_line)
    return found


def _headings_line_by_line(body: str, first_line: int) -> list[Heading]:
    found: list[Heading] = []
    last_text = ""
    for kind, number, line, match in _classified(body, first_line):
        if kind == "text":
            last_text = line.strip()
        elif kind in ("heading", "setext"):
            found.append(_heading(kind, match, number, last_text))
    return found


def outline(body: str, first_line: int) -> Outline:
    result = Outline()
    prose: list[str] = []
    paragraph: list[str] = []
    paragraph_plain: list[str] = []  # each line's plain text: a one-line paragraph is not converted twice
    paragraph_line = 0

    def close_paragraph() -> None:
        if paragraph:
            result.paragraphs.append(paragraph_plain[0] if len(paragraph) == 1 else plain_text(" ".join(paragraph)))
            if result.intro_line is None:
                result.intro_line = paragraph_line
            paragraph.clear()
            paragraph_plain.clear()

    for kind, number, line, match in _classified(body, first_line):
        if kind == "fence":
            close_paragraph()
            continue
        if "](" in line:
            for image in IMAGE.finditer(line):
                result.images.append((image.group(1).strip(), number))
        result.links.extend(_line_links(line, number))
        if kind == "heading":
            close_paragraph()
            result.headings.append(_heading(kind, match, number, ""))
            prose.append(result.headings[-1].text)
        elif kind == "setext":
            paragraph_plain.pop()
            result.headings.append(_heading(kind, match, number, paragraph.pop()))
        elif kind == "blank":
            close_paragraph()
        elif kind == "block":
            close_paragraph()
            prose.append(plain_text(re.sub(r"^\s*(?:[-*+]|\d+[.)]|>|!!!|\?\?\?)\s*", "", line)))
        else:
            if not paragraph:
                paragraph_line = number
            paragraph.append(line.strip())
            paragraph_plain.append(plain_text(line))
            prose.append(paragraph_plain[-1])
    close_paragraph()
    result.plain = " ".join(prose)
    return result


def _line_links(line: str, number: int) -> list[Link]:
    links = []
    if "](" in line:
        links += [Link(plain_text(match.group(1)), match.group(2), number) for match in LINK.finditer(line)]
    if "<http" in line:
        links += [Link(match.group(1), match.group(1), number) for match in AUTOLINK.finditer(line)]
    return links


def links(body: str, first_line: int) -> list[Link]:
    """The links of a Markdown body outside code blocks, as `outline` finds them, without the rest of
    the outline: what the hub's link graph needs of every page."""
    found: list[Link] = []
    in_fence = False
    for index, line in enumerate(body.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and ("](" in line or "<http" in line):
            found += _line_links(line, first_line + index)
    return found


def resolve_link(src_uri: str, target: str) -> str | None:
    """The src_uri an internal Markdown link points to, or None for external or non-page links."""
    if not target or target.startswith(("#", "mailto:", "tel:")) or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        return None
    path = target.split("#", 1)[0].split("?", 1)[0]
    if not path.endswith(".md"):
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
    return None if resolved.startswith("..") else resolved


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The site-relative URL MkDocs gives a page (`a/b.md` -> `a/b/`, `a/index.md` -> `a/`)."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index") or stem == "README" or stem.endswith("/README"):
        stem = stem.rsplit("index", 1)[0] if stem.endswith("index") else stem.rsplit("README", 1)[0]
        return stem
    return stem + "/"
