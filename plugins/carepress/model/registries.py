"""Personas and products: the registries in site_config/, validated like articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carepress.model.schema import Audience, StrList, Visa
from carepress.model.yamlmap import YamlProblem, line_of, parse_yaml
from carepress.report.finding import Finding, Severity, define, make

CP120 = define("CP120", Severity.ERROR, "Registry entry is invalid")


class ConfigurationError(Exception):
    """A project file that cannot be used at all: the command stops with exit code 2."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")


class Persona(_Entry):
    audience: Audience
    label: str
    needs: StrList = Field(default_factory=list)
    questions: StrList = Field(default_factory=list)
    sources: StrList = Field(default_factory=list)  # where this persona looks for information
    channels: StrList = Field(default_factory=list)
    constraints: StrList = Field(default_factory=list)
    sensitive: bool = False  # anxiety-prone topics: the medical reviewer must sign off


class Product(_Entry):
    brands: StrList = Field(min_length=1)
    inn: dict[str, str] = Field(default_factory=dict)  # language -> international non-proprietary name
    rx: bool  # prescription-only
    reimbursed: bool = False
    advertising_restricted: bool = False
    advertising_suspended: bool = False
    visas: list[Visa] = Field(default_factory=list)
    smpc_url: str | None = None
    pharmacovigilance: str | None = None

    @property
    def names(self) -> list[str]:
        return [*self.brands, *self.inn.values()]


E = TypeVar("E", bound=_Entry)


@dataclass
class Registries:
    personas: dict[str, Persona] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def load_registries(folder: Path, display_root: Path) -> Registries:
    registries = Registries()
    registries.personas = _load(folder / "personas.yml", "personas", Persona, display_root, registries.findings)
    registries.products = _load(folder / "products.yml", "products", Product, display_root, registries.findings)
    return registries


def _load(file: Path, key: str, model: type[E], root: Path, findings: list[Finding]) -> dict[str, E]:
    shown = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    if not file.exists():
        raise ConfigurationError(f"{shown}: registry file not found; create it with a top-level `{key}:` list")
    try:
        data, lines = parse_yaml(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigurationError(f"{shown}: not UTF-8 text; re-save it as UTF-8") from None
    except YamlProblem as problem:
        raise ConfigurationError(f"{shown}:{problem.line or 1}: invalid YAML: {problem.message}") from None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigurationError(f"{shown}: expected a top-level `{key}:` list of entries")
    loaded: dict[str, E] = {}
    for index, raw in enumerate(entries):
        line = lines.get((key, index), 1)
        try:
            entry = model.model_validate(raw)
        except ValidationError as error:
            for problem in error.errors(include_url=False):
                where = ".".join(str(p) for p in problem["loc"]) or "entry"
                findings.append(make(CP120, shown, line_of(lines, (key, index, *problem["loc"]), line),
                    f"{key} entry {index + 1}: `{where}`: {problem['msg']}; fix the entry (it is ignored until then)"))
            continue
        if entry.id in loaded:
            findings.append(make(CP120, shown, line, f"{key}: id `{entry.id}` is used twice; ids must be unique"))
            continue
        for problem in _contradictions(entry):
            findings.append(make(CP120, shown, line, f"{key} `{entry.id}`: {problem}"))
        loaded[entry.id] = entry
    return loaded


def _contradictions(entry: _Entry) -> list[str]:
    """Fields that are each valid but cannot all be true, or that product pages need."""
    if not isinstance(entry, Product):
        return []
    problems = []
    public_visas = [visa for visa in entry.visas if visa.type == "GP"]
    flags = [f"`{flag}: true`" for flag in ("rx", "reimbursed", "advertising_restricted") if getattr(entry, flag)]
    if flags and public_visas:
        problems.append(f"{', '.join(flags)} contradicts its GP (public advertising) visa {public_visas[0].number}; "
                        "correct the flags or remove the visa")
    if not entry.smpc_url:
        problems.append("no `smpc_url`: product pages must link to the SmPC; add it")
    if not entry.pharmacovigilance:
        problems.append("no `pharmacovigilance` contact: product pages must show it; add it")
    return problems
