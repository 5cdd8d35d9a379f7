"""Reading the hub's settings without MkDocs: each site's options come from site_config/<audience>.yml."""

from __future__ import annotations

from carepress.settings import load_project
from tests.conftest import REPO


def test_each_site_home_page_is_read_from_its_audience_configuration():
    project, _ = load_project(REPO / "mkdocs.yml")
    assert project.homes == {"hcp": "professionnels/index.md"}  # site_config/hcp.yml: `home:`


def test_a_hub_without_audience_configurations_has_no_moved_home(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: Hub\ndocs_dir: content\n", encoding="utf-8")
    project, _ = load_project(tmp_path / "mkdocs.yml")
    assert project.homes == {}
