"""Every malformed file becomes a CP1xx finding with a line and advice, never an exception."""

import pytest

from carepress.model.loader import parse_article

GOOD = """---
title: "Asthme : reconnaître une crise"
audience: patient
persona: [patient-asthme]
funnel_stage: attract
content_type: disease_awareness
---

# Asthme
"""


def load(text: str | bytes):
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    return parse_article(raw, "a.md", "content/a.md")


MALFORMED = [
    # (name, file bytes, expected code, expected line, words the advice must contain)
    ("broken YAML", GOOD.replace("audience: patient", "audience: [patient"), "CP103", 3, "YAML"),
    ("unclosed front-matter", "---\ntitle: x\n\n# Body\n", "CP103", 1, "never closed"),
    ("not a mapping", "---\n- a\n- b\n---\nbody\n", "CP104", 2, "field: value"),
    ("scalar front-matter", "---\njust a sentence\n---\nbody\n", "CP104", 2, "field: value"),
    ("empty front-matter", "---\n---\nbody\n", "CP104", 2, "empty"),
    ("wrong type", GOOD.replace('title: "Asthme : reconnaître une crise"', "title: [1, 2]"), "CP106", 2, "title"),
    ("number title", GOOD.replace('title: "Asthme : reconnaître une crise"', "title: 2024"), "CP106", 2, "title"),
    ("unknown enum", GOOD.replace("audience: patient", "audience: patients"), "CP107", 3, "patient, caregiver, hcp"),
    ("unknown stage", GOOD.replace("funnel_stage: attract", "funnel_stage: atract"), "CP107", 5, "attraction"),
    ("missing required field", GOOD.replace("content_type: disease_awareness\n", ""), "CP105", 2, "content_type"),
    ("missing persona", GOOD.replace("persona: [patient-asthme]\n", ""), "CP105", 2, "persona"),
    ("bad date", GOOD.replace("---\n\n#", "validation:\n  status: approved\n  expires: next year\n---\n\n#"), "CP106", 9, "validation.expires"),
    ("nested typo", GOOD.replace("---\n\n#", "validation:\n  reviewer: {medical: X}\n---\n\n#"), "CP106", 8, "reviewer"),
    ("bad nested enum", GOOD.replace("---\n\n#", "validation:\n  status: aproved\n---\n\n#"), "CP107", 8, "approved"),
    ("non-UTF-8", GOOD.replace("reconnaître", "RECONNAITRE").encode() + "\n\nCafé crème".encode("latin-1"), "CP100", 12, "UTF-8"),
    ("NUL bytes", b"---\ntitle: x\x00\n---\n", "CP100", 2, "binary"),
    ("empty file", "", "CP101", 1, "empty"),
    ("blank file", "\n\n  \n", "CP101", 1, "empty"),
    ("no front-matter", "# Just a title\n\nText.\n", "CP102", 1, "front-matter"),
    ("alias", GOOD.replace("persona: [patient-asthme]", "persona: &p [patient-asthme]\nproducts: *p"), "CP103", 4, "aliases"),
    ("tab indentation", GOOD.replace("audience: patient", "audience:\n\tpatient"), "CP103", None, "YAML"),
]


@pytest.mark.parametrize("name, text, code, line, advice", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_file_gives_a_finding(name, text, code, line, advice):
    loaded = load(text)
    assert loaded.article is None
    codes = [f.code for f in loaded.findings]
    assert code in codes, loaded.findings
    finding = next(f for f in loaded.findings if f.code == code)
    if line is not None:
        assert finding.line == line, finding
    assert finding.line is not None and finding.line >= 1
    assert advice.lower() in finding.message.lower()
    assert finding.path == "content/a.md"


def test_valid_file_loads_with_key_lines_and_body_line():
    loaded = load(GOOD)
    assert loaded.findings == []
    article = loaded.article
    assert article.meta.title == "Asthme : reconnaître une crise"
    assert article.line_of("funnel_stage") == 5
    assert article.body_line == 8
    assert article.body.startswith("\n# Asthme")


@pytest.mark.parametrize("after", ["", "\n", "body", "\n# Titre\n\nTexte.\n", "...\n---\n", "\r\nCRLF\r\n"])
@pytest.mark.parametrize("closing", ["---", "...", "---  "])
def test_the_body_is_what_follows_the_closing_line_and_survives_pickling(closing, after):
    import pickle

    text = GOOD.replace("\n---\n\n# Asthme\n", f"\n{closing}\n") + after
    article = load(text).article
    expected = "\n".join(text.replace("\r\n", "\n").split("\n")[7:])
    assert article.body == expected
    assert article.body_line + (article.body.count("\n") if article.body else 0) == text.replace("\r\n", "\n").count("\n") + 1
    travelled = pickle.loads(pickle.dumps(article))  # as from a worker process that read the file
    assert travelled.body == expected and travelled == article
    assert len(pickle.dumps(article)) < len(article.text) + len(pickle.dumps(article.meta)) + 1000  # the body travels once


def test_an_unpickled_article_unpacks_its_text_and_key_lines_when_first_read():
    import copy
    import pickle

    article = load(GOOD + "Crise d\u2019asthme : \U0001f32c\ufe0f souffle court.\n").article
    article.text += "\ud800"  # a lone surrogate (no file decodes to one, but an Article may be built with it)
    travelled = pickle.loads(pickle.dumps(article))
    assert {"text", "key_lines"}.isdisjoint(vars(travelled))  # still packed: nothing read them
    twice = pickle.loads(pickle.dumps(travelled))  # pickled again before anything read them: packed as they were
    assert travelled.line_of("persona") == article.line_of("persona") == 4
    assert "key_lines" in vars(travelled) and "text" not in vars(travelled)  # each unpacked on its own
    assert travelled.body == article.body and travelled.text == article.text
    assert twice == article and copy.deepcopy(travelled) == article and pickle.loads(pickle.dumps(travelled)) == article
    with pytest.raises(AttributeError, match="'Article' object has no attribute 'missing'"):
        travelled.missing
    assert not hasattr(twice, "missing") and twice.text == article.text


def test_utf8_bom_is_accepted():
    loaded = load(b"\xef\xbb\xbf" + GOOD.encode())
    assert loaded.article is not None and loaded.findings == []
    assert loaded.article.meta.title.startswith("Asthme")


def test_crlf_line_endings_keep_line_numbers():
    loaded = load(GOOD.replace("\n", "\r\n").replace("audience: patient", "audience: nobody"))
    assert [(f.code, f.line) for f in loaded.findings] == [("CP107", 3)]
    assert load(GOOD.replace("\n", "\r\n")).article.meta.audience == "patient"


def test_unknown_top_level_field_is_a_warning_with_a_suggestion():
    loaded = load(GOOD.replace("audience: patient", "audience: patient\npersnoa: x"))
    assert loaded.article is not None
    (finding,) = loaded.findings
    assert (finding.code, finding.severity, finding.line) == ("CP110", "warning", 4)
    assert "persona" in finding.message


def test_material_keys_pass_through():
    assert load(GOOD.replace("---\n\n#", "hide: [toc]\ntags: [a]\n---\n\n#")).findings == []


def test_deep_nesting_is_bounded():
    deep = "x: " + "[" * 200 + "]" * 200
    loaded = load(GOOD.replace("---\n\n#", deep + "\n---\n\n#"))
    assert [f.code for f in loaded.findings] == ["CP103"]


def test_a_waiver_without_its_reason_is_a_finding_at_its_line():
    """The reason is what the reports and the manifest show an auditor."""
    from carepress.model.loader import parse_article

    raw = ("---\ntitle: Bouger\naudience: patient\npersona: [patient-diabete-t2]\nfunnel_stage: attract\n"
           "content_type: disease_awareness\ncompliance:\n  waive:\n    CP302: '  '\n---\n\nTexte.\n").encode()
    loaded = parse_article(raw, "patient/a.md", "content/patient/a.md")
    assert loaded.article is None
    [finding] = loaded.findings
    assert finding.line == 8 and "CP302" in finding.message and "gives no reason" in finding.message
