"""The benchmark's synthetic hub is valid content that `carepress check` accepts."""

from __future__ import annotations

import re

import yaml

from benchmarks.generator import generate
from tests.conftest import Hub


def test_generated_articles_are_realistic_and_pass_every_rule(tmp_path):
    root = generate(tmp_path / "hub", 30)
    articles = sorted((root / "content").rglob("fiche-*.md"))
    assert len(articles) == 30
    sections = {article.parent for article in articles}
    assert len(sections) == 3 and all((section / "index.md").is_file() for section in sections)
    assert all((section.parent / "index.md").is_file() for section in sections)  # the sub-topic's page
    text = articles[0].read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["validation"]["status"] == "approved" and meta["persona"]
    # Its image is recorded with the approval, as `carepress approve` records it: no CP205 below.
    assert list(meta["validation"]["attachments"]) == ["images/illustration.png"]
    body = text.split("---\n", 2)[2]
    assert 800 <= len(body.split()) <= 1100
    assert re.search(r"^## ", body, re.M) and re.search(r"^- ", body, re.M)
    assert re.search(r"\]\(fiche-\d{5}\.md\)", body) and "![" in body

    result = Hub(root).carepress("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.returncode == 0 and "0 error(s), " in result.stdout and "in 37 file(s)" in result.stdout
    assert "CP205" not in result.stdout


def test_vanilla_configuration_has_no_carepress_plugin(tmp_path):
    root = generate(tmp_path / "hub", 3)
    vanilla = yaml.safe_load((root / "vanilla.yml").read_text(encoding="utf-8"))
    assert "search" in vanilla["plugins"]
    assert not [name for name in vanilla["plugins"] if name.startswith("carepress")]
    assert "navigation.prune" in vanilla["theme"]["features"]
