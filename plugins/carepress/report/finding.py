"""Findings, and the catalogue of codes that produce them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"  # the page is not published
    WARNING = "warning"  # published, but someone should act
    INFO = "info"

    @property
    def rank(self) -> int:  # asked for every rule on every page: a lookup, not a new dict
        return _RANKS[self]


_RANKS = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


DOCS_DIR = Path(__file__).resolve().parents[3] / "docs" / "rules"


@dataclass(frozen=True)
class Code:
    """A stable finding code, documented on its own page in docs/rules/."""

    code: str
    severity: Severity
    title: str
    waivable: bool

    @property
    def doc(self) -> str:
        return f"docs/rules/{self.code}.md"


CATALOGUE: dict[str, Code] = {}

# Parse errors, front-matter and workflow cannot be waived by the page they judge.
UNWAIVABLE_PREFIXES = ("CP1", "CP2")


def define(code: str, severity: Severity, title: str) -> Code:
    if code in CATALOGUE:
        raise ValueError(f"finding code {code} is defined twice")
    entry = Code(code, severity, title, waivable=not code.startswith(UNWAIVABLE_PREFIXES))
    CATALOGUE[code] = entry
    return entry


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the project root, POSIX separators
    line: int | None
    code: str
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    audience: str | None = field(default=None, compare=False)
    waived: str | None = field(default=None, compare=False)  # the reason, when the page waives it

    @property
    def doc(self) -> str:
        return f"docs/rules/{self.code}.md"

    @property
    def blocks_publication(self) -> bool:
        return self.severity is Severity.ERROR and self.waived is None

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "audience": self.audience,
            "waived": self.waived,
            "doc": self.doc,
        }


def make(code: Code, path: str, line: int | None, message: str, **extra) -> Finding:
    return Finding(path=path, line=line, code=code.code, severity=code.severity, message=message, **extra)
