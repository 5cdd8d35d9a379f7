"""`carepress check` and `schema` from the command line: findings, formats and exit codes."""

import json
import os
import shutil

import pytest

from tests.conftest import TODAY


def test_check_clean_hub_exits_0(hub):
    hub.article("patient/ok.md")
    result = hub.carepress("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), " in result.stdout and " in 2 file(s)" in result.stdout  # SEO advice may warn


def test_check_broken_folder_prints_file_line_and_exits_1(hub):
    hub.write("patient/casse.md", "---\ntitle: \"Asthme\naudience: patient\n---\n")
    hub.write("patient/vide.md", "")
    hub.article("patient/inconnu.md", persona=["patient-inconnu"])
    result = hub.carepress("check")
    assert result.returncode == 1
    assert "content/patient/casse.md:2 CP103" in result.stdout and "CP103" in result.stdout
    assert "content/patient/vide.md:1 CP101" in result.stdout
    assert "content/patient/inconnu.md:7 CP108" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_a_folder_outside_the_content_tree(hub):
    folder = hub.root / "elsewhere"
    folder.mkdir()
    (folder / "a.md").write_bytes("---\ntitle: x\n---\nCafé".encode("latin-1"))
    result = hub.carepress("check", "elsewhere")
    assert result.returncode == 1
    assert "elsewhere/a.md:4 CP100" in result.stdout


def test_check_only_reports_the_files_asked_about(hub):
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    hub.article("patient/ok.md")
    assert hub.carepress("check", "content/patient/ok.md").returncode == 0
    assert hub.carepress("check", "content/patient/brouillon.md").returncode == 1


def test_check_keeps_what_it_judged_and_an_edit_is_judged_anew(hub):
    hub.article("patient/ok.md")
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    first = hub.carepress("check")
    for kept in ("read", "judged/check"):
        assert any((hub.root / ".cache" / "carepress" / kept).glob("pack-*"))
    assert hub.carepress("check").stdout == first.stdout
    hub.article("patient/ok.md", validation={"status": "draft"})
    again = hub.carepress("check")
    assert again.stdout.count(" CP200 ") == 2
    assert again.stdout == hub.carepress("check", "--no-cache").stdout


def test_status_and_reports_keep_what_they_judged_and_see_an_edit(hub):
    hub.article("patient/ok.md")
    hub.article("patient/brouillon.md", validation={"status": "draft"})

    def outputs(*options):
        status = hub.carepress("status", "--json", *options)
        assert hub.carepress("report", "compliance", *options).returncode == 0
        assert hub.carepress("report", "seo", *options).returncode == 0
        return (status.stdout, (hub.root / "reports" / "compliance" / "compliance.json").read_text(encoding="utf-8"),
                (hub.root / "reports" / "seo" / "seo.json").read_text(encoding="utf-8"))

    first = outputs()
    for kept in ("status", "report-seo", "report-compliance"):
        assert any((hub.root / ".cache" / "carepress" / "judged" / kept).glob("pack-*"))
    assert outputs() == first
    hub.article("patient/ok.md", validation={"status": "draft"})
    edited = outputs()
    shutil.rmtree(hub.root / ".cache")
    assert outputs("--no-cache") == edited != first
    assert not (hub.root / ".cache").exists()
    assert json.loads(edited[0])["states"] != json.loads(first[0])["states"]


def test_check_runs_without_a_cache_it_cannot_write(hub):
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    (hub.root / ".cache").write_text("not a folder", encoding="utf-8")
    result = hub.carepress("check")
    assert result.returncode == 1 and " CP200 " in result.stdout
    assert "cache not used" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_are_valid_json(hub, fmt):
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    result = hub.carepress("check", "--format", fmt)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert "CP200" in json.dumps(data)


def test_github_format(hub):
    hub.article("patient/brouillon.md", validation={"status": "draft"})
    result = hub.carepress("check", "--format", "github")
    assert "\n::error file=content/patient/brouillon.md,line=" in "\n" + result.stdout


def test_missing_config_is_exit_2_with_one_line(hub):
    result = hub.carepress("check", "--config", "nope.yml")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nope.yml" in result.stderr


def test_broken_mkdocs_yml_is_exit_2(hub):
    (hub.root / "mkdocs.yml").write_text("site_name: [oops\n")
    result = hub.carepress("check")
    assert result.returncode == 2 and "invalid YAML" in result.stderr and "Traceback" not in result.stderr


def test_broken_registry_is_exit_2(hub):
    (hub.root / "site_config" / "personas.yml").write_text("personas:\n  - id: [\n")
    result = hub.carepress("check")
    assert result.returncode == 2 and "personas.yml" in result.stderr and "Traceback" not in result.stderr


def test_a_configuration_that_inserts_text_the_gate_never_judged_is_exit_2_with_one_line(hub):
    hub.add_markdown_extension("pymdownx.snippets")
    result = hub.carepress("check")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("carepress: mkdocs.yml: `pymdownx.snippets` (markdown_extensions) includes")
    assert "Remove it from the configuration" in result.stderr


def test_invalid_registry_entry_is_a_finding(hub):
    registry = hub.root / "site_config" / "products.yml"
    registry.write_text(registry.read_text() + "  - id: sans-statut\n    brands: [Nimporte]\n")
    result = hub.carepress("check")
    assert result.returncode == 1
    assert "site_config/products.yml:" in result.stdout and "CP120" in result.stdout and "rx" in result.stdout


def test_unknown_format_is_a_usage_error(hub):
    assert hub.carepress("check", "--format", "xml").returncode == 2


def test_schema_command_writes_the_json_schema(hub):
    result = hub.carepress("schema", "-o", "schema/front-matter.json")
    assert result.returncode == 0
    schema = json.loads((hub.root / "schema" / "front-matter.json").read_text())
    assert "funnel_stage" in schema["properties"]


def test_every_command_module_is_listed_documented_and_loaded_only_when_asked_for():
    """Commands are imported when asked for (`LazyGroup`): a module left out of the list would be a command no
    one can run, and `check` must not pay for the other commands' imports (jinja2, the SEO review)."""
    import subprocess
    import sys
    from pathlib import Path

    import click

    from carepress.cli import main

    cli_dir = Path(main.callback.__code__.co_filename).parent
    modules = {path.stem for path in cli_dir.glob("*.py") if not path.stem.startswith("_")}
    context = click.Context(main)
    top = set(main.list_commands(context))
    report = main.get_command(context, "report")
    nested = {f"report_{name}" for name in report.list_commands(context)}
    assert modules == top | nested
    docs = Path(__file__).resolve().parents[2] / "docs" / "commands"
    for name in top:
        assert main.get_command(context, name) is not None, name
        assert (docs / f"{name}.md").is_file(), f"docs/commands/{name}.md is missing"
    probe = ("import sys; from carepress.cli import main; import click; "
             "main.get_command(click.Context(main), 'check'); "
             "print(sorted(m for m in ('jinja2', 'carepress.seo.review', 'carepress.authoring.scaffold', "
             "'carepress.cli.new', 'carepress.cli.serve') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize("command", [["check"], ["report", "seo"]])
def test_a_command_that_reads_the_tree_once_collects_rarely_then_gives_the_thresholds_back(hub, monkeypatch, command):
    """After the tree is read, what the command makes lives until it exits: the collector runs rarely
    (`RARE_COLLECTIONS`) until the command is over, and the thresholds before it come back, even on an exit
    with findings."""
    import gc

    from click.testing import CliRunner

    from carepress.cli import main
    from carepress.cli._common import RARE_COLLECTIONS
    from carepress.compliance import engine

    hub.article("patient/brouillon.md", validation={"status": "draft"})  # a finding: the command exits with 1
    seen = []
    real_judge = engine.judge

    def spying_judge(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real_judge(*args, **kwargs)

    monkeypatch.setattr(engine, "judge", spying_judge)
    monkeypatch.chdir(hub.root)
    original, before = gc.get_threshold(), (1234, 9, 8)  # the caller's own thresholds
    gc.set_threshold(*before)
    try:
        result = CliRunner().invoke(main, [*command, "--today", TODAY])
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*original)
        gc.unfreeze()  # the command froze the test process's heap, as it does its own
    assert result.exit_code == (1 if command == ["check"] else 0), result.output
    assert seen and set(seen) == {RARE_COLLECTIONS}


def test_check_output_into_a_missing_folder_is_a_usage_error(hub):
    hub.article("patient/ok.md")
    result = hub.carepress("check", "-o", "absent/rapport.txt")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--output absent/rapport.txt: No such file or directory" in result.stderr


def test_a_loop_of_links_in_the_content_folder_is_a_finding_not_a_traceback(hub):
    hub.article("patient/ok.md", title="Bouger au quotidien")
    os.symlink("boucle", hub.content / "boucle")  # a link to itself
    checked = hub.carepress("check", "content/patient/ok.md", "--today", TODAY)
    assert "Traceback" not in checked.stderr and checked.returncode in (0, 1), checked.stderr
    listed = hub.carepress("check", "--today", TODAY)
    assert "content/boucle CP111" in listed.stdout, listed.stdout
    created = hub.carepress("new", "-p", "patient-dt2-recent", "-s", "attract", "-t", "boucle", "Mon article")
    assert created.returncode == 2 and "Traceback" not in created.stderr and "boucle" in created.stderr, created.stderr


@pytest.mark.parametrize("command", [("report", "compliance", "-o", "un-fichier/rapports"), ("report", "seo", "-o", "un-fichier/seo"),
                                     ("schema", "-o", "un-fichier/front-matter.json"), ("schema", "--folder", "un-fichier/schemas")])
def test_an_output_that_cannot_be_written_is_one_line_and_exit_code_2(hub, command):
    hub.article("patient/ok.md")
    (hub.root / "un-fichier").write_text("pas un dossier", encoding="utf-8")
    result = hub.carepress(*command)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("carepress: un-fichier") and "cannot be written" in line
    assert (hub.root / "un-fichier").read_text(encoding="utf-8") == "pas un dossier"
