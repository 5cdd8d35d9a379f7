"""Editor integration: committed schemas are current, the pre-commit hook and the VS Code matcher work."""

import json
import re
from pathlib import Path

import pytest
import yaml

from carepress.authoring.editor_schemas import editor_schemas
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(editor_schemas()))
def test_committed_schemas_are_current(name):
    committed = REPO / "schema" / name
    assert committed.read_text(encoding="utf-8") == editor_schemas()[name], (
        f"schema/{name} is stale: run `carepress schema --folder schema` and commit it")


def test_vscode_maps_every_registry_schema_to_its_file():
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    for schema, target in settings["yaml.schemas"].items():
        assert (REPO / schema).is_file() and (REPO / target).is_file()


def test_registry_schemas_accept_the_demo_registries():
    """The registries the YAML extension validates are accepted by the models the schemas come from."""
    for name, key in (("personas", "personas"), ("products", "products")):
        schema = json.loads(editor_schemas()[f"{name}.json"])
        data = yaml.safe_load((REPO / "site_config" / f"{name}.yml").read_text(encoding="utf-8"))
        entry = schema["properties"][key]["items"]
        for item in data[key]:
            assert set(entry["required"]) <= set(item) and set(item) <= set(entry["properties"]), item["id"]


def _hooks():
    return {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def _selected(hook, staged):
    """The files pre-commit passes: `files` regex, and `types: [markdown]` (by extension)."""
    files = [f for f in staged if re.search(hook["files"], f)]
    if "markdown" in hook.get("types", []):
        files = [f for f in files if Path(f).suffix in (".md", ".markdown")]
    return files if hook.get("pass_filenames", True) else []


def _run_hook(hub, hook, staged):
    command = hook["entry"].split()
    assert command[0] == "carepress"  # the console script; run it through this interpreter
    return hub.carepress(*command[1:], *hook.get("args", []), *_selected(hook, staged))


STAGED = ["README.md", "docs/editor-guide.md", "content/asthme/ok.md", "content/asthme/brouillon.md",
          "content/asthme/guides/plan.txt", "site_config/personas.yml"]


def test_precommit_hook_checks_only_the_changed_articles(hub):
    hub.article("asthme/ok.md")
    hub.article("asthme/brouillon.md", validation={"status": "draft"})
    hub.article("asthme/autre-brouillon.md", validation={"status": "draft"})  # not staged: not reported
    hook = _hooks()["carepress-check"]
    assert _selected(hook, STAGED) == ["content/asthme/ok.md", "content/asthme/brouillon.md"]
    result = _run_hook(hub, hook, STAGED)
    assert result.returncode == 1
    assert "content/asthme/brouillon.md:" in result.stdout and "autre-brouillon" not in result.stdout
    assert _run_hook(hub, hook, ["content/asthme/ok.md", "README.md"]).returncode == 0


def test_registry_hook_checks_the_whole_hub_when_a_registry_changes(hub):
    hub.article("asthme/autre-brouillon.md", validation={"status": "draft"})
    hook = _hooks()["carepress-check-registries"]
    assert [f for f in STAGED if re.search(hook["files"], f)] == ["site_config/personas.yml"]
    result = _run_hook(hub, hook, STAGED)
    assert result.returncode == 1 and "content/asthme/autre-brouillon.md:" in result.stdout


def test_vscode_problem_matcher_reads_check_output(hub):
    hub.article("asthme/brouillon.md", validation={"status": "draft"})
    hub.article("asthme/inconnu.md", persona=["personne-inconnue"])
    output = hub.carepress("check", "--min-severity", "error").stdout  # the default pages' SEO warnings aside
    tasks = json.loads((REPO / ".vscode" / "tasks.json").read_text(encoding="utf-8"))["tasks"]
    pattern = next(t for t in tasks if t["label"] == "carepress: check this article")["problemMatcher"]["pattern"]
    matches = [m for line in output.splitlines() if (m := re.match(pattern["regexp"], line))]
    assert sorted((m[pattern["file"]], m[pattern["code"]], m[pattern["severity"]]) for m in matches) == [
        ("content/asthme/brouillon.md", "CP200", "error"), ("content/asthme/inconnu.md", "CP108", "error")]
