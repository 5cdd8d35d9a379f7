"""Property-based fuzzing of the front-matter loader: any bytes give an Article or findings, never an exception.

`make test` runs the "ci" profile (few examples); `make fuzz` runs the "fuzz" profile. Each example
must finish within the profile's deadline (tests/conftest.py): a hang fails the test.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from carepress.model.loader import parse_article
from carepress.report.finding import CATALOGUE
from tests.conftest import front_matter

LOADER_CODES = {"CP100", "CP101", "CP102", "CP103", "CP104", "CP105", "CP106", "CP107", "CP110"}


def assert_well_formed(loaded, raw: bytes) -> None:
    assert (loaded.article is not None) or any(f.severity == "error" for f in loaded.findings)
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    for finding in loaded.findings:
        assert finding.code in LOADER_CODES and finding.code in CATALOGUE
        assert finding.message and finding.message[0].islower() or finding.message[0] == "`"
        assert finding.line is None or 1 <= finding.line <= lines + 1, (finding, lines)


@given(st.binary(max_size=4096))
@example(b"---\n" + b"[" * 100_000 + b"\n---\n")
@example(b"---\na: &a [1]\nb: *a\n---\n")
@example(b"\xef\xbb\xbf---\r\ntitle: x\r---\n")
def test_any_bytes_give_an_article_or_findings(raw):
    assert_well_formed(parse_article(raw, "f.md", "content/f.md"), raw)


yaml_scalars = st.one_of(
    st.text(max_size=40), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
    st.sampled_from(["~", "null", "yes", "no", "2026-13-45", "2026-10-01", "&a x", "*a", "!!python/object:os.system",
                     "!!binary aGVsbG8=", "{", "[", "'", '"', "|", ">", "%YAML 1.1", "---", "...", "\t", "@", "`"]),
)
KEYS = ["title", "description", "audience", "persona", "funnel_stage", "content_type", "topic", "keywords",
        "products", "references", "validation", "visa", "compliance", "hide", "template", "status", "unknown"]


def yamlish_value(depth: int = 0):
    if depth > 3:
        return yaml_scalars.map(repr)
    return st.one_of(
        yaml_scalars.map(lambda value: str(value)),
        st.lists(st.deferred(lambda: yamlish_value(depth + 1)), max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(KEYS), st.deferred(lambda: yamlish_value(depth + 1)), max_size=4)
          .map(lambda mapping: "{" + ", ".join(f"{k}: {v}" for k, v in mapping.items()) + "}"),
    )


@given(st.lists(st.tuples(st.sampled_from(KEYS), yamlish_value(), st.sampled_from(["", " ", "  ", "\t"])), max_size=12),
       st.text(max_size=200), st.sampled_from(["\n", "\r\n", "\r"]))
def test_yamlish_front_matter_gives_an_article_or_findings(fields, body, newline):
    lines = ["---", *(f"{indent}{key}: {value}" for key, value, indent in fields), "---", body]
    raw = newline.join(lines).encode("utf-8", "surrogatepass")
    assert_well_formed(parse_article(raw, "f.md", "content/f.md"), raw)


@given(st.data())
def test_mutating_one_line_of_a_valid_article_never_raises(data):
    lines = (front_matter() + "\n# Titre\n\nTexte.\n").split("\n")
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = data.draw(st.one_of(st.text(max_size=60), yamlish_value().map(lambda v: lines[index].split(":")[0] + ": " + v)))
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    assert_well_formed(parse_article(raw, "f.md", "content/f.md"), raw)
