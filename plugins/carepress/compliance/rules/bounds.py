"""CP114: bounds on the Markdown body, so that hostile nesting cannot stall the build.

Python-Markdown re-reads nested lists and quotes once per level: a 3,000-level list takes
minutes (the time grows with the cube of the depth). Real articles nest a few levels.
"""

from __future__ import annotations

import re

from carepress.compliance.engine import Context, Violation, rule
from carepress.model.article import Article
from carepress.report.finding import Severity

MAX_INDENT = 128  # columns of leading white space (a tab counts 4): 32 list levels
MAX_QUOTES = 32  # `>` markers opening one line
QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]*)+")
# A line over MAX_INDENT columns starts with more than MAX_INDENT // 4 blanks (a tab counts 4). Looked for after a
# newline, and at the start: `re` scans for a literal fast, for every line's start (`^`, MULTILINE) eight times slower.
_DEEP_BLANKS = rf"[ \t]{{{MAX_INDENT // 4 + 1}}}"
_DEEP_FIRST_LINE = re.compile(_DEEP_BLANKS)
_DEEP_LATER_LINE = re.compile(r"\n" + _DEEP_BLANKS)


@rule("CP114", Severity.ERROR, "Article body nested too deeply", page_local=True)
def bounded_nesting(article: Article, context: Context):
    body = article.body
    deep = _DEEP_FIRST_LINE.match(body) or _DEEP_LATER_LINE.search(body)
    if body.count(">") <= MAX_QUOTES and not deep:  # every real article: nothing to look at
        return
    for offset, line in _lines(body):
        indent = len(line) - len(line.lstrip(" \t"))
        columns = indent + 3 * line[:indent].count("\t")
        prefix = QUOTE_PREFIX.match(line)
        quotes = prefix.group(0).count(">") if prefix else 0
        if columns > MAX_INDENT or quotes > MAX_QUOTES:
            what = f"{quotes} nested quotes (`>`)" if quotes > MAX_QUOTES else f"{columns} columns of indentation"
            yield Violation(f"this line has {what}, more than any article needs (at most {MAX_QUOTES} quotes, "
                            f"{MAX_INDENT} columns); flatten the lists or quotes", article.body_line_at(offset))
            return  # one finding is enough: the page is refused


def _lines(text: str):
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1
