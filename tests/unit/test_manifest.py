"""The publication manifest's file: JSON with one page per line."""

from __future__ import annotations

import json

import pytest

from carepress.compliance.manifest import manifest_text

HEAD = {"carepress": "0.1.0", "audience": "patient", "build_date": "2026-11-22", "site_url": "https://example.org/"}
PAGES = [{"src_uri": "index.md", "title": "Accueil", "reviewers": {"medical": "Dr A. Martin"}, "visa": None, "waivers": []},
         {"src_uri": "a/b.md", "title": 'Le « bon » geste — "vraiment"\nligne 2 \\ fin', "waivers":
          [{"code": "CP302", "reason": "cite une idée reçue", "line": 4}]}]


@pytest.mark.parametrize("pages", [PAGES, []], ids=["pages", "none"])
def test_the_manifest_reads_back_as_the_data_written(pages):
    data = {**HEAD, "pages": pages}
    text = manifest_text(data)
    assert json.loads(text) == data and text.endswith("}\n")


def test_each_page_is_one_line_of_its_own():
    text = manifest_text({**HEAD, "pages": PAGES})
    assert "idée reçue" in text  # written as UTF-8, not \u escapes
    lines = text.splitlines()
    page_lines = [line for line in lines if line.startswith("    {")]
    assert [json.loads(line.rstrip(",")) for line in page_lines] == PAGES
