"""Hostile and broken files: each becomes a finding, in bounded time, in a process that survives.

Bombs run in a child process with a timeout: a hang, a crash of the YAML C library or an
exhausted memory fails the test instead of the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from carepress.model.loader import MAX_BYTES, parse_article
from carepress.model.yamlmap import MAX_DEPTH
from tests.conftest import front_matter

CHILD = """
import json, sys
from carepress.model.loader import parse_article
loaded = parse_article(sys.stdin.buffer.read(), "bomb.md", "content/bomb.md")
print(json.dumps({"article": loaded.article is not None,
                  "findings": [[f.code, f.line, f.message] for f in loaded.findings]}))
"""


def parse_in_child(raw: bytes) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD], input=raw, capture_output=True, timeout=60)
    assert result.returncode == 0, f"the loader process died ({result.returncode}): {result.stderr[-2000:]!r}"
    return json.loads(result.stdout)


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    return "\n".join(lines)


def test_billion_laughs_is_refused_at_the_first_alias():
    outcome = parse_in_child(f"---\ntitle: x\n{billion_laughs()}\n---\nbody\n".encode())
    assert outcome["article"] is False
    [(code, line, message)] = outcome["findings"]
    assert code == "CP103" and "aliases" in message
    assert line == 4  # lol1, the first line that uses an alias


def test_alias_bomb_in_a_nested_field_is_refused():
    bomb = billion_laughs().replace("\n", "\n  ")
    outcome = parse_in_child(f"---\nkeywords:\n  {bomb}\n---\nbody\n".encode())
    assert [code for code, _, _ in outcome["findings"]] == ["CP103"]


@pytest.mark.parametrize("shape", ["flow sequence", "flow mapping", "unclosed", "block mapping"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000, 1_000_000])
def test_deep_nesting_is_refused_without_crashing_the_yaml_library(shape, depth):
    if shape == "block mapping":
        depth = min(depth, 2_000)  # each level is one more line, indented one more space
        yaml_text = "title:\n" + "".join(" " * level + "a:\n" for level in range(1, depth))
    else:
        yaml_text = "title: " + {"flow sequence": "[" * depth + "]" * depth,
                                 "flow mapping": "{a: " * depth + "1" + "}" * depth,
                                 "unclosed": "[" * depth}[shape]
    outcome = parse_in_child(f"---\n{yaml_text}\n---\nbody\n".encode())
    assert outcome["article"] is False
    assert [code for code, _, _ in outcome["findings"]] == ["CP103"]
    assert f"nested more than {MAX_DEPTH} levels" in outcome["findings"][0][2]


def test_nesting_up_to_the_limit_is_still_read():
    nested = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    loaded = parse_article(f"{front_matter()}".replace("---\n", f"---\nhide: {nested}\n", 1).encode(), "a.md", "a.md")
    assert loaded.article is not None, loaded.findings


def test_ten_megabyte_article_loads_with_correct_body_lines():
    body = ("Une phrase neutre et informative sur le diabète de type 2.\n" * 180_000)
    raw = (front_matter() + "\n" + body).encode()
    assert 10 * 1024 * 1024 <= len(raw) < MAX_BYTES
    loaded = parse_article(raw, "a.md", "content/a.md")
    assert loaded.article is not None, loaded.findings
    article = loaded.article
    assert article.body_line_at(article.body.rindex("Une phrase")) == raw.count(b"\n")  # the file's last line


def test_ten_megabyte_front_matter_is_an_error_not_a_hang():
    huge = "title: x\nreferences:\n" + "".join(f"  - \"Référence numéro {i}\"\n" for i in range(400_000))
    assert len(huge) > 10 * 1024 * 1024
    outcome = parse_in_child(f"---\n{huge}---\nbody\n".encode())
    assert outcome["article"] is False  # audience, persona... are missing: findings, not a crash
    assert {code for code, _, _ in outcome["findings"]} == {"CP105"}


BINARY = [
    ("PNG image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "CP100", "NUL"),
    ("PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n\xff\xfe", "CP100", "UTF-8"),
    ("ZIP (a .docx)", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "CP100", "NUL"),
    ("UTF-16 text", "---\ntitle: x\n---\n".encode("utf-16"), "CP100", "NUL"),
    ("random bytes", bytes((i * 7919) % 256 for i in range(4096)), "CP100", None),
]


@pytest.mark.parametrize("raw, code, advice", [case[1:] for case in BINARY], ids=[case[0] for case in BINARY])
def test_binary_file_named_md_is_refused_as_not_text(raw, code, advice):
    loaded = parse_article(raw, "image.md", "content/image.md")
    assert loaded.article is None
    [finding] = loaded.findings
    assert finding.code == code and finding.line >= 1
    assert "UTF-8" in finding.message or "binary" in finding.message
    if advice == "NUL":
        assert "binary" in finding.message


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"])
def test_mixed_line_endings_load_with_the_right_lines(newline):
    text = front_matter(audience="patients") + "\n# Titre\n\nTexte.\n"
    lines = text.split("\n")
    if newline == "mixed":
        joined = "".join(line + ("\r\n", "\n", "\r")[index % 3] for index, line in enumerate(lines[:-1]))
    else:
        joined = newline.join(lines)
    loaded = parse_article(joined.encode(), "a.md", "content/a.md")
    [finding] = loaded.findings
    assert finding.code == "CP107"
    assert finding.line == next(i for i, line in enumerate(lines, 1) if line.startswith("audience:"))


def test_nul_byte_in_the_body_points_at_its_line():
    raw = (front_matter() + "\n# Titre\n\nUn texte\x00 caché.\n").encode()
    [finding] = parse_article(raw, "a.md", "content/a.md").findings
    assert finding.code == "CP100"
    assert finding.line == front_matter().count("\n") + 4


def test_control_characters_in_front_matter_are_a_yaml_finding():
    raw = front_matter(title="Titre\x07 avec une cloche").replace("\\a", "\x07").encode()
    loaded = parse_article(raw, "a.md", "content/a.md")
    assert loaded.article is None
    assert [f.code for f in loaded.findings] == ["CP103"]


@pytest.mark.parametrize("value, line", [("2026-13-45", 2), ("2026-02-30", 2)])
def test_a_date_that_does_not_exist_is_a_yaml_finding_with_its_line(value, line):
    # PyYAML raises a bare ValueError for these (found by tests/fuzz): it must not escape the loader.
    loaded = parse_article(f"---\ntitle: {value}\n---\n".encode(), "a.md", "content/a.md")
    [finding] = loaded.findings
    assert (finding.code, finding.line) == ("CP103", line)
    assert value in finding.message and "YYYY-MM-DD" in finding.message


@pytest.mark.parametrize("line_text", [
    'description: "Le "bon" geste"',  # quotes inside quotes
    'description: "x" y',  # text after the closing quote
    ' topic: diabete-type-2',  # out of line with the other fields
    "content_type: disease\x07awareness",  # a control character (the reader's position, not a mark)
    "subtitle: Déjà très élégant, à côté\x07",  # the same after accented letters (libyaml counts bytes)
    "persona [patient-dt2-recent]",  # a missing colon
    "audience: hcp",  # a field written twice: the second one is pointed at
])
def test_a_yaml_mistake_is_reported_at_its_own_line(line_text):
    """Not at the first field, where PyYAML's "while parsing a block mapping" context points."""
    text = front_matter().replace("---\n", "---\n" + "\n".join(["title: Titre"] * 0), 1)
    lines = text.split("\n")
    closing = len(lines) - 1 - lines[::-1].index("---")
    lines.insert(closing, line_text)  # the last field, well below the first
    [finding] = parse_article(("\n".join(lines) + "\n# Titre\n").encode(), "a.md", "content/a.md").findings
    assert (finding.code, finding.line) == ("CP103", closing + 1), finding.message


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_invisible_line_separators_in_front_matter_are_refused_at_their_line(separator):
    # YAML counts them as line breaks, which shifted every later finding's line (found by tests/fuzz).
    loaded = parse_article(f"---\ntitle: a\ndescription: 'b{separator}c'\n---\n".encode(), "a.md", "content/a.md")
    [finding] = loaded.findings
    assert (finding.code, finding.line) == ("CP103", 3)
    assert f"U+{ord(separator):04X}" in finding.message
