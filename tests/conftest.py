"""Shared fixtures: throw-away hubs built from the repository's real configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from carepress.compliance.approval import fingerprint_of_data

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-22"  # builds and checks in tests judge expiry as of this date
# `python -m carepress` that prints where each of its threads is on SIGUSR1 (a preview test's wait that fails asks), and
# stops with that print if it runs for 4 minutes: a command that hangs fails its test with the place, before the test's
# own limit kills it without a word (5 minutes).
CAREPRESS_WITH_STACK_DUMPS = ("import faulthandler, runpy, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); "
                              "faulthandler.dump_traceback_later(240, exit=True); sys.argv[0] = 'carepress'; "
                              "runpy.run_module('carepress', run_name='__main__')")

APPROVED = {
    "status": "approved",
    "code": "FR-TEST-0001",
    "approved": "2026-10-01",
    "expires": "2027-10-01",
    "reviewers": {"medical": "Dr A. Martin", "legal": "B. Durand", "regulatory": "C. Petit"},
}


def front_matter(body: str = "", fingerprint: str = "valid", **fields) -> str:
    """A valid patient article's front-matter, with `fields` replacing the defaults (None removes a key).

    An approved page gets the fingerprint of these fields and `body` (what `carepress approve` records);
    `fingerprint="stale"` records one that no longer matches, `fingerprint="missing"` records none.
    """
    data = {
        "title": "Diabète de type 2 : bouger au quotidien",
        "description": "Des idées simples pour reprendre une activité physique adaptée avec un diabète de type 2, à son rythme et sans se décourager.",
        "audience": "patient",
        "persona": ["patient-dt2-recent"],
        "funnel_stage": "attract",
        "content_type": "disease_awareness",
        "topic": "diabete-type-2",
        "keywords": {"primary": "activité physique diabète type 2"},
        "validation": dict(APPROVED),
    }
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    validation = data.get("validation")
    if isinstance(validation, dict) and validation.get("status") == "approved" and fingerprint != "missing" \
            and _valid(data):
        data["validation"] = validation = dict(validation)
        if fingerprint == "stale":
            validation["fingerprint"] = fingerprint_of_data(data, body + "\nédition après approbation")
        else:
            validation["fingerprint"] = fingerprint_of_data(data, body)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n"


def _valid(data: dict) -> bool:
    """Front-matter a test makes invalid on purpose gets no fingerprint (there is nothing to approve)."""
    from pydantic import ValidationError

    from carepress.model.schema import FrontMatter

    try:
        FrontMatter.model_validate(data)
    except ValidationError:
        return False
    return True


@dataclass
class Hub:
    """A hub in a temporary folder: the repository's mkdocs.yml, site_config and theme, and its own content."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def article(self, rel: str, body: str | None = None, fingerprint: str = "valid", **fields) -> Path:
        title = fields.get("title", "Diabète de type 2 : bouger au quotidien")
        body = body if body is not None else f"# {title}\n\nUn texte neutre et informatif.\n"
        return self.write(rel, front_matter(body, fingerprint, **fields) + "\n" + body)

    def set_plugin_options(self, plugin: str, **options) -> None:
        """Replace one plugin's options in the hub's mkdocs.yml (string values)."""
        block = f"  {plugin}:\n" + "".join(f"    {key}: '{value}'\n" for key, value in options.items())
        config = self.root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        pattern = rf"  {re.escape(plugin)}:.*\n(?:    .*\n)*"
        config.write_text(re.sub(pattern, lambda _: block, text, count=1), encoding="utf-8")

    def add_markdown_extension(self, entry: str) -> None:
        """Add an item to the hub's mkdocs.yml `markdown_extensions` list (YAML, its lines after the first indented
        as under a list item)."""
        config = self.root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8").replace("markdown_extensions:\n", f"markdown_extensions:\n  - {entry}\n", 1)
        config.write_text(text, encoding="utf-8")

    def carepress(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", CAREPRESS_WITH_STACK_DUMPS, *args], cwd=self.root, capture_output=True,
                              text=True, env=_env(), check=check, timeout=300)

    def build(self, audience: str = "all", *extra: str) -> subprocess.CompletedProcess:
        return self.carepress("build", "--audience", audience, "--today", TODAY, *extra)

    def site_files(self, audience: str) -> dict[str, str]:
        """Every text file of a built site, by path relative to the site folder."""
        folder = self.root / "site" / audience
        return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
                for p in folder.rglob("*") if p.is_file()}


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["CAREPRESS_TODAY"] = TODAY
    env.pop("NO_COLOR", None)
    return env


def empty_hub(root: Path) -> Hub:
    """A hub at `root` with the repository's configuration and theme, and no content yet."""
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_config", root / "site_config")
    shutil.copytree(REPO / "theme", root / "theme")
    return Hub(root)


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    made = empty_hub(tmp_path / "hub")
    made.article("index.md", title="Accueil", audience="all", persona=[], content_type="corporate",
                 body="# Accueil\n\nBienvenue.\n")
    return made


@pytest.fixture
def compiled_templates(monkeypatch) -> list[str]:
    """The names of the Jinja templates compiled from their source from now on, in this process and its forks."""
    import jinja2

    names: list[str] = []
    original = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return names


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The repository's demo hub built once into a temporary folder: SITE/patient and SITE/hcp."""
    from carepress.hardening.gates import build_demo

    site = tmp_path_factory.mktemp("demo") / "site"
    result = build_demo(site)
    assert result.returncode == 0, result.stderr
    return site


# Property-based tests: few examples in `make test` (profile "quick", the default), many in `make fuzz`
# (--hypothesis-profile=fuzz). The deadline bounds each example: a hang or a blow-up on hostile input fails.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("quick", max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
# Test modules import this file again as `tests.conftest`: keep a profile chosen on the command line.
if settings.get_current_profile_name() in ("default", "ci"):  # "ci": Hypothesis' own, loaded when $CI is set
    settings.load_profile("quick")
