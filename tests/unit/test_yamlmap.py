"""Safe YAML with the line of every key: what it gives is what PyYAML's safe loader gives."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from carepress.model.yamlmap import YamlProblem, line_comments, parse_yaml

SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def typed(value):
    """A value with the type of everything in it, so that 1 == 1.0 == True do not pass for one another."""
    if isinstance(value, dict):
        return ("dict", [(typed(key), typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    if isinstance(value, set):
        return ("set", sorted(map(repr, value)))
    return (type(value).__name__, repr(value))


DOCUMENTS = [
    "title: Vivre avec l'asthme\npersona: [patient-asthme]\nkeywords:\n  primary: asthme\n  secondary: [crise, inhalateur]\n",
    "a: 1\nb: 0x1F\nc: 1_000\nd: 1:30\ne: 3.5\nf: .inf\ng: ~\nh: yes\ni: 2026-01-01\nj: 2026-01-01 10:00:00\nk: ''\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float '1'\nd: 'quoted'\ne: \"d\\u00e9\"\nf: |\n  block\n  text\n",
    "1: one\n2.5: a float key\nnull: a null key\nfalse: a bool key\n2026-01-01: a date key\n",
    "set: !!set {a, b}\nomap: !!omap [a: 1, b: 2]\nbinary: !!binary aGVsbG8=\n",
    "- a\n- [b, 1]\n- {c: [d, {e: f}]}\n",
    "just text",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_data_is_what_the_safe_loader_gives(text):
    assert typed(parse_yaml(text)[0]) == typed(yaml.load(text, SAFE))


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
              st.dates(min_value=dt.date(1900, 1, 1))),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), children, max_size=4)),
    max_leaves=20))
def test_any_dumped_data_reads_back_as_the_safe_loader_reads_it(data):
    text = yaml.safe_dump({"value": data}, allow_unicode=True)
    assert typed(parse_yaml(text)[0]) == typed(yaml.load(text, SAFE))


def test_every_key_and_item_has_its_line():
    data, lines = parse_yaml("title: T\nkeywords:\n  primary: p\n  secondary:\n  - a\n  - b\nn: 3\nm: {x: 1}\n")
    assert data["keywords"]["secondary"] == ["a", "b"] and data["m"] == {"x": 1}
    assert lines == {("title",): 1, ("keywords",): 2, ("keywords", "primary"): 3, ("keywords", "secondary"): 4,
                     ("keywords", "secondary", 0): 5, ("keywords", "secondary", 1): 6, ("n",): 7, ("m",): 8,
                     ("m", "x"): 8}


@pytest.mark.parametrize("text, message", [
    ("? [a, b]\n: c\n", "unhashable"),  # a list as a key: the safe loader's own error
    ("a: !!python/object:os.system x\n", "could not determine a constructor"),
    ("a: 1\nb: 2\na: 3\n", "`a` is written twice"),  # the safe loader keeps the last; a reader sees the first
    ("k:\n  x: 1\n  x: 2\n", "`x` is written twice"),
    ("1: one\ntrue: also one\n", "`true` is, for YAML, the same field as `1` above"),  # 1 == True: one key
    ("<<: {}\ntitle: A\ntitle: B\n", "merge keys"),  # PyYAML would take the last `title` without a word
    ("validation:\n  <<: {}\n  status: in_review\n  status: approved\n", "merge keys"),
    ("= : the value key\n", "merge keys"),
])
def test_what_the_safe_loader_refuses_is_refused(text, message):
    with pytest.raises(YamlProblem, match=message):
        parse_yaml(text)


def test_an_alias_is_refused_even_after_a_date_that_does_not_exist():
    with pytest.raises(YamlProblem, match="anchors and aliases"):
        parse_yaml("expires: 2026-13-45\nbase: &b [x]\ncopy: *b\n")
    with pytest.raises(YamlProblem, match="not a valid date") as raised:
        parse_yaml("title: T\nexpires: 2026-13-45\n")
    assert raised.value.line == 2


@pytest.mark.parametrize("text, expected", [
    ("validation:\n  status: draft\n", []),
    ("validation:  # a\n  status: draft # b\n#c\n  code: x#y\n", ["# a", "# b", "#c"]),
    ("validation:\n  code: \"a # b\"\n  legal: 'c # d' # e  \n", ["# e"]),
    ("validation:\n  medical: Dr Élodie Hervé-Noël 🩺  # è\n", ["# è"]),  # columns count characters, not bytes
    ("validation:\n  code: |  # en-tête\n    texte # du texte\n  # après\n  status: draft\n", ["# en-tête", "# après"]),
    ("validation:\n  code: >-\n    un # deux\n\n    trois\n  status: draft  # f\n", ["# f"]),
    ("validation:\n  code: |2+ #en-tête\n    texte # du texte\n\n  status: draft\n", ["#en-tête"]),
    ("validation:\n  code: un\n    deux # g\n", ["# g"]),
    ("validation:\n  code: \"un\n    # pas un commentaire\n    deux\"  # h\n", ["# h"]),
    ("validation: [a, # i\n  'b#']  # j\n", ["# i", "# j"]),
    ("validation: {status: draft}#k\n", ["#k"]),  # read as a comment by the scanner: kept, not lost
])
def test_line_comments_are_what_yaml_reads_as_comments(text, expected):
    lines = text.split("\n")[:-1]
    assert line_comments(lines, 0, len(lines) - 1) == expected


def test_line_comments_are_those_of_the_lines_asked():
    lines = ["title: T  # avant", "validation:", "  # dedans", "  status: draft # aussi", "topic: t  # après"]
    assert line_comments(lines, 1, 3) == ["# dedans", "# aussi"]


@pytest.mark.skipif(SAFE is yaml.SafeLoader, reason="PyYAML without libyaml refuses a tab before a comment")
def test_a_tab_before_a_comment_is_read_as_the_loader_reads_it():
    assert line_comments(["validation:", "  code: FR-OLD\t# l'ancien"], 0, 1) == ["# l'ancien"]


_TEXT = st.text(st.one_of(st.sampled_from(" #\t\n:'\"|>-{}[],é"),  # what quoting and comments turn on, often
                          st.characters(blacklist_characters="\r\x85\u2028\u2029", blacklist_categories=("Cs",))),
                max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), _TEXT),
                    lambda children: st.one_of(st.lists(children, max_size=4),
                                               st.dictionaries(_TEXT, children, max_size=4)), max_leaves=20),
       st.sampled_from([None, True, False]))
def test_dumped_data_has_no_comments(data, flow):
    """No `#` of a value, however the dumper quotes, folds or breaks it over lines, is taken for a comment."""
    text = yaml.safe_dump({"validation": data}, allow_unicode=True, default_flow_style=flow, width=24)
    lines = text.split("\n")[:-1]
    assert line_comments(lines, 0, len(lines) - 1) == []
