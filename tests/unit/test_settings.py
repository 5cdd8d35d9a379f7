"""Reading the hub's settings without MkDocs: each site's options come from site_config/<audience>.yml."""

from __future__ import annotations

import shutil

import pytest

from carepress.compliance.inserted_text import inserting_text
from carepress.model.registries import ConfigurationError
from carepress.settings import load_project
from tests.conftest import REPO


def test_each_site_home_page_is_read_from_its_audience_configuration():
    project, _ = load_project(REPO / "mkdocs.yml")
    assert project.homes == {"hcp": "professionnels/index.md"}  # site_config/hcp.yml: `home:`


@pytest.mark.parametrize("config", ["mkdocs.yml", "site_config/patient.yml"])  # `carepress check`, the patient build
def test_each_site_address_is_read_from_its_audience_configuration(config):
    project, _ = load_project(REPO / config)
    assert project.site_urls == {"patient": "https://patients.example.org/", "hcp": "https://pro.example.org/"}
    assert project.homes == {"hcp": "professionnels/index.md"}  # the HCP site's address shows this page (CP400)


def test_a_staging_configuration_beside_the_sites_reads_their_addresses(tmp_path):
    shutil.copytree(REPO / "site_config", tmp_path / "site_config")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    staging = tmp_path / "site_config" / "relecture.yml"  # a reviewers' build with `preview: true`
    staging.write_text("INHERIT: patient.yml\nplugins:\n  carepress/compliance:\n    preview: true\n", encoding="utf-8")
    project, _ = load_project(staging)
    assert project.site_urls["hcp"] == "https://pro.example.org/"


def test_a_hub_without_audience_configurations_has_no_moved_home(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: Hub\ndocs_dir: content\n", encoding="utf-8")
    project, _ = load_project(tmp_path / "mkdocs.yml")
    assert project.homes == {} and project.site_urls == {}


GATE = "plugins:\n  - carepress/compliance\n"


@pytest.mark.parametrize("config, refused", [
    (GATE + "markdown_extensions:\n  - attr_list\n  - pymdownx.snippets\n", "pymdownx.snippets"),
    (GATE + "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [content]\n", "pymdownx.snippets"),
    # Material's glossary recipe: its abbreviations would show on every page, judged nowhere.
    (GATE + "markdown_extensions:\n  pymdownx.snippets:\n    auto_append: [abbreviations.md]\n", "pymdownx.snippets"),
    (GATE + "markdown_extensions: ['pymdownx.snippets:SnippetsExtension']\n", "pymdownx.snippets"),
    (GATE + "markdown_extensions:\n  - markdown_include.include:\n      base_path: .\n", "markdown_include.include"),
    (GATE + "  - search\n  - macros\n", "macros"),
    (GATE + "  - include-markdown:\n      encoding: utf-8\n", "include-markdown"),
    ("plugins:\n  carepress/compliance: {audience: patient}\n  macros: {module_name: main}\n", "macros"),
])
def test_a_configuration_that_inserts_text_the_gate_never_judged_is_refused(tmp_path, monkeypatch, config, refused):
    monkeypatch.chdir(tmp_path)  # the hub's folder: the message names the file from there
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_project(tmp_path / "mkdocs.yml")
    message = str(raised.value)
    assert message.startswith("mkdocs.yml: ") and f"`{refused}`" in message
    assert "without being judged" in message and "write the text in the article itself" in message


@pytest.mark.parametrize("read, refused", [
    (GATE + "markdown_extensions:\n  - abbr\n", GATE + "markdown_extensions:\n  - abbr\n  - pymdownx.snippets\n"),
    (GATE + "  - macros:\n      enabled: false\n", GATE + "  - macros:\n      enabled: true\n"),  # as MkDocs loads it
    ("plugins: [search, macros]\n", "plugins: [search, macros, carepress/compliance]\n"),  # no gate: not its business
])
def test_only_what_inserts_text_into_the_gates_pages_is_refused(tmp_path, read, refused):
    (tmp_path / "mkdocs.yml").write_text(read, encoding="utf-8")
    load_project(tmp_path / "mkdocs.yml")
    (tmp_path / "mkdocs.yml").write_text(refused, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="without being judged"):
        load_project(tmp_path / "mkdocs.yml")


def test_each_sites_configuration_is_refused_on_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(GATE, encoding="utf-8")
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "hcp.yml").write_text(
        "INHERIT: ../mkdocs.yml\nmarkdown_extensions:\n  - mdx_include\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"^site_config/hcp\.yml: `mdx_include` \(markdown_extensions\)"):
        load_project(tmp_path / "mkdocs.yml")


def test_names_as_mkdocs_gives_them_are_found_once_each():
    found = inserting_text(["toc", "pymdownx.snippets:SnippetsExtension", "pymdownx.snippets"],
                           ["material/search", "carepress/compliance", "macros", "macros #2", "table-reader"])
    assert [line.split(" ", 1)[0] for line in found] == ["`pymdownx.snippets`", "`macros`", "`table-reader`"]


def test_each_sites_configuration_is_read_once(monkeypatch):
    import carepress.settings as settings

    reads = []
    real = settings.audience_configs
    monkeypatch.setattr(settings, "audience_configs", lambda config_file: reads.append(config_file) or real(config_file))
    project, _ = settings.load_project(REPO / "mkdocs.yml")
    assert len(reads) == 1 and project.site_urls["hcp"] == "https://pro.example.org/"  # and the homes, refusals
