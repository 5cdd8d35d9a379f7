"""`carepress approve` and the CP2xx workflow rules: fingerprints, byte-for-byte surgery, atomic writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import carepress.compliance.approval as approval_module
from carepress.compliance.approval import Approval, ApprovalNotWritten, approve_file, fingerprint_of
from carepress.model.loader import parse_article
from carepress.model.yamlmap import parse_yaml
from tests.conftest import TODAY
from tests.unit.helpers import codes, findings_of

APPROVE = ("--code", "FR-NEW-0001", "--medical", "Dr Z. Médecin", "--legal", "Y. Juriste", "--regulatory", "X. Réglementaire",
           "--expires", "2027-11-01")

EDITOR_FILE = """---
# Rédaction : Claire, relu en comité du 3 mars
title: 'Diabète : bouger au quotidien'   # titre court
audience: patient
persona: [patient-dt2-recent]
funnel_stage: attraction
content_type: disease_awareness
validation:
  status: in_review   # en attente du comité
  code: FR-OLD
topic: diabete-type-2
keywords: {primary: "activité physique diabète"}
---

# Bouger au quotidien

Marcher   trente minutes par jour,  à son rythme.
"""


def _approve(hub, rel: str, *extra: str):
    return hub.carepress("approve", f"content/{rel}", *APPROVE, *extra)


def _approved(hub, original: str) -> str:
    """`original` written as patient/bouger.md and approved through the command; the file's text after."""
    path = hub.write("patient/bouger.md", original)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    return path.read_text(encoding="utf-8")


def _approve_directly(path):
    """approve_file itself, as `carepress approve` calls it, for tests that break something underneath."""
    return approve_file(path, Approval("C", "m", "l", "r", dt.date(2026, 11, 22), dt.date(2027, 11, 22)),
                        "patient/bouger.md", "content/patient/bouger.md")


def _reads_approved(hub, after: str) -> dict:
    """`after` reads as approved by APPROVE, with the fingerprint of what it holds (no CP2xx finding in the hub);
    the parsed `validation` mapping as YAML gives it (comments are no keys)."""
    loaded = parse_article(after.encode(), "patient/bouger.md", "x").article
    validation = loaded.meta.validation
    assert validation.status.value == "approved" and validation.code == "FR-NEW-0001"
    assert validation.fingerprint == fingerprint_of(loaded) and str(validation.approved) == TODAY
    assert not [c for c in codes(findings_of(hub)) if c.startswith("CP2")]
    return parse_yaml(after.split("---\n", 2)[1])[0]["validation"]


def _block_of(text: str) -> str:
    """The `validation` block of an approved file: from `validation:` to its fingerprint line, both included."""
    start = text.index("validation:")
    return text[start:text.index("\n", text.index("  fingerprint:", start)) + 1]


def _outside_validation(text: str) -> str:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("validation:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    return "\n".join(lines[:start] + lines[end:])


def test_approve_rewrites_only_the_validation_block(hub):
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    result = _approve(hub, "patient/bouger.md")
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert _outside_validation(after) == _outside_validation(EDITOR_FILE)  # comments, quoting, key order, body
    assert after.endswith("Marcher   trente minutes par jour,  à son rythme.\n")
    loaded = parse_article(after.encode(), "patient/bouger.md", "x").article
    validation = loaded.meta.validation
    assert validation.status.value == "approved" and validation.code == "FR-NEW-0001"
    assert validation.reviewers.medical == "Dr Z. Médecin" and str(validation.approved) == TODAY
    assert validation.fingerprint == fingerprint_of(loaded)
    assert not [c for c in codes(findings_of(hub)) if c.startswith("CP2")]


@pytest.mark.parametrize("encoding", ["crlf", "bom", "bom+crlf"])
def test_approve_keeps_line_endings_and_bom(hub, encoding):
    text = EDITOR_FILE.replace("\n", "\r\n") if "crlf" in encoding else EDITOR_FILE
    raw = (b"\xef\xbb\xbf" if "bom" in encoding else b"") + text.encode("utf-8")
    path = hub.write("patient/bouger.md", raw)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == ("bom" in encoding)
    if "crlf" in encoding:
        assert after.count(b"\n") == after.count(b"\r\n")
    body = raw.split(b"---", 2)[2]
    assert after.endswith(body)


def test_approve_inserts_a_missing_validation_block(hub):
    original = EDITOR_FILE.replace("validation:\n  status: in_review   # en attente du comité\n  code: FR-OLD\n", "")
    after = _approved(hub, original)
    assert after.replace(after[after.index("validation:"):after.index("---\n\n# Bouger")], "") == original
    assert "CP203" not in codes(findings_of(hub))


def test_approve_refuses_a_broken_file_and_leaves_it_untouched(hub):
    broken = b"---\ntitle: [pas ferm\xc3\xa9\naudience: patient\n---\nTexte\n"
    path = hub.write("patient/casse.md", broken)
    result = _approve(hub, "patient/casse.md")
    assert result.returncode == 1
    assert "CP103" in result.stderr and "not changed" in result.stderr
    assert path.read_bytes() == broken
    assert [p.name for p in path.parent.iterdir()] == ["casse.md"]  # no temporary file left behind


@pytest.mark.parametrize("persona, products, where", [
    ("[patient-dt2-recnet]", "[]", "5 CP108"),  # a typo: fixing it after the approval would void it
    ("[patient-dt2-recent]", "[glucophagex]", "6 CP109"),
    ("[hcp-pneumologue]", "[]", "5 CP116"),  # an HCP reader on a patient page
])
def test_approve_refuses_ids_the_registries_do_not_accept(hub, persona, products, where):
    text = EDITOR_FILE.replace("persona: [patient-dt2-recent]", f"persona: {persona}\nproducts: {products}")
    path = hub.write("patient/bouger.md", text)
    result = _approve(hub, "patient/bouger.md")
    assert result.returncode == 1, result.stderr
    assert f"content/patient/bouger.md:{where}" in result.stderr and "not changed" in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_approve_is_atomic_when_the_write_fails(hub, monkeypatch):
    path = hub.write("patient/bouger.md", EDITOR_FILE)

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        _approve_directly(path)
    assert path.read_text(encoding="utf-8") == EDITOR_FILE
    assert [p.name for p in path.parent.iterdir()] == ["bouger.md"]


def test_an_edit_after_approval_voids_it(hub):
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    path.write_text(path.read_text(encoding="utf-8").replace("trente minutes", "quarante minutes"), encoding="utf-8")
    assert "CP203" in codes(findings_of(hub))
    assert _approve(hub, "patient/bouger.md").returncode == 0
    assert "CP203" not in codes(findings_of(hub))


def test_front_matter_edit_after_approval_voids_it(hub):
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    path.write_text(path.read_text(encoding="utf-8").replace("audience: patient", "audience: all"), encoding="utf-8")
    assert "CP203" in codes(findings_of(hub))


@pytest.mark.parametrize("fingerprint, expected", [("valid", set()), ("stale", {"CP203"}), ("missing", {"CP203"})])
def test_fingerprint_states(hub, fingerprint, expected):
    hub.article("patient/page.md", fingerprint=fingerprint)
    assert {c for c in codes(findings_of(hub)) if c.startswith("CP2")} == expected


def test_incomplete_approval_is_cp201(hub):
    hub.article("patient/page.md", validation={"status": "approved", "code": "X", "approved": "2026-10-01",
                                               "expires": "2027-10-01", "reviewers": {"medical": "Dr A"}})
    found = [f for f in findings_of(hub) if f.code == "CP201"]
    assert sorted(f.message.split(" reviewer")[0] for f in found) == ["no legal", "no regulatory"]


def test_expired_approval_is_cp202_and_soon_expiring_is_cp204(hub):
    base = {"status": "approved", "code": "X", "approved": "2025-10-01",
            "reviewers": {"medical": "a", "legal": "b", "regulatory": "c"}}
    hub.article("patient/expiree.md", validation={**base, "expires": "2026-11-21"})
    hub.article("patient/bientot.md", validation={**base, "expires": "2026-12-10"})
    hub.article("patient/ok.md", validation={**base, "expires": "2027-06-01"})
    by_file = {}
    for finding in findings_of(hub):
        by_file.setdefault(finding.path.rsplit("/", 1)[1], set()).add(finding.code)
    assert by_file.get("expiree.md") == {"CP202"}
    assert by_file.get("bientot.md") == {"CP204"}
    assert "ok.md" not in by_file


def test_approve_rejects_bad_dates(hub):
    hub.write("patient/bouger.md", EDITOR_FILE)
    result = hub.carepress("approve", "content/patient/bouger.md", *APPROVE[:-2], "--expires", "2020-01-01")
    assert result.returncode == 2 and "must be after" in result.stderr


def test_cp2xx_cannot_be_waived(hub):
    hub.article("patient/page.md", fingerprint="stale", compliance={"waive": {"CP203": "on sait"}})
    found = [f for f in findings_of(hub) if f.code == "CP203"]
    assert found and found[0].waived is None and found[0].blocks_publication


def test_approve_replaces_a_flow_style_block_and_keeps_a_following_comment(hub):
    original = EDITOR_FILE.replace("validation:\n  status: in_review   # en attente du comité\n  code: FR-OLD\n",
                                   "validation: {status: draft}  # brouillon du 3/11\n# --- champs SEO ---\n")
    after = _approved(hub, original)
    assert "validation: {status: draft}" not in after
    assert after.count("# brouillon du 3/11") == 1 and "validation:\n  # brouillon du 3/11\n  status: approved\n" in after
    assert after.index("  fingerprint:") < after.index("# --- champs SEO ---\ntopic: diabete-type-2")
    assert after.replace(after[after.index("validation:"):after.index("# --- champs SEO")], "") == \
        original.replace("validation: {status: draft}  # brouillon du 3/11\n", "")
    _reads_approved(hub, after)


def test_a_comment_inside_the_validation_block_does_not_end_it(hub):
    """The lines after `#  status: in_review` are the block's: left below the new block, they would win (YAML).
    The comment itself is kept, once, as a comment of the new block."""
    original = EDITOR_FILE.replace("  status: in_review   # en attente du comité\n  code: FR-OLD\n",
                                   "  code: FR-OLD\n#  status: in_review\n  status: draft\n  approved: 2020-01-01\n")
    after = _approved(hub, original)
    validation = parse_article(after.encode(), "patient/bouger.md", "x").article.meta.validation
    assert validation.status.value == "approved" and validation.code == "FR-NEW-0001" and str(validation.approved) == TODAY
    assert "FR-OLD" not in after and "2020-01-01" not in after
    assert [line for line in after.split("\n") if line.lstrip().startswith("status:")] == ["  status: approved"]
    assert after.count("#  status: in_review") == 1 and "validation:\n  #  status: in_review\n  status: approved\n" in after
    assert "topic: diabete-type-2" in after and not [c for c in codes(findings_of(hub)) if c.startswith("CP2")]


def test_approve_keeps_a_full_line_comment_of_the_block_and_says_so(hub):
    original = EDITOR_FILE.replace("  status: in_review   # en attente du comité\n",
                                   "  status: in_review\n  # relu par le Dr X le 3/11\n")
    path = hub.write("patient/bouger.md", original)
    result = _approve(hub, "patient/bouger.md")
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert _block_of(after).startswith("validation:\n  # relu par le Dr X le 3/11\n  status: approved\n")
    assert after.count("# relu par le Dr X le 3/11") == 1
    assert _outside_validation(after) == _outside_validation(original)
    assert set(_reads_approved(hub, after)) == {"status", "code", "approved", "expires", "reviewers", "fingerprint"}
    [said] = [line for line in result.stderr.splitlines() if "comment" in line]
    assert said == "content/patient/bouger.md: kept 1 comment of the old `validation` block, now at its top (line 9)"


def test_approve_keeps_the_text_of_trailing_comments_in_the_order_written(hub):
    original = EDITOR_FILE.replace(
        "validation:\n  status: in_review   # en attente du comité\n  code: FR-OLD\n",
        "validation:   # le bloc du comité\n  status: in_review   # en attente du comité\n  code: FR-OLD # l'ancien\n"
        "  reviewers:\n    medical: Dr A. Martin  # cardiologue\n")
    path = hub.write("patient/bouger.md", original)
    result = _approve(hub, "patient/bouger.md")
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert _block_of(after).startswith("validation:\n  # le bloc du comité\n  # en attente du comité\n  # l'ancien\n"
                                       "  # cardiologue\n  status: approved\n")
    assert "in_review" not in after and "FR-OLD" not in after and "Dr A. Martin" not in after
    _reads_approved(hub, after)
    assert "kept 4 comments of the old `validation` block, now at its top (lines 9-12)" in result.stderr


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml refuses a tab before a comment")
def test_a_comment_after_a_tab_is_kept(hub):
    """Comments are told by the scanner of the loader that read the file (libyaml): PyYAML's own refuses a tab
    before a comment, and approve would have refused a page that loads."""
    after = _approved(hub, EDITOR_FILE.replace("  code: FR-OLD\n", "  code: FR-OLD\t# l'ancien\n"))
    assert _block_of(after).startswith("validation:\n  # en attente du comité\n  # l'ancien\n  status: approved\n")
    _reads_approved(hub, after)


def test_a_hash_inside_a_value_is_not_a_comment(hub):
    """YAML's rules, as PyYAML's scanner applies them: a `#` in a quoted value, or not after a blank, is the value's."""
    original = EDITOR_FILE.replace(
        "  status: in_review   # en attente du comité\n  code: FR-OLD\n",
        '  status: in_review\n  code: "FR#12"  # dossier 12\n  reviewers:\n    medical: Dr#Martin\n'
        "    legal: 'B. # Durand'\n    regulatory: \"C. Petit\" #réglementaire\n")
    after = _approved(hub, original)
    assert _block_of(after).startswith("validation:\n  # dossier 12\n  #réglementaire\n  status: approved\n")
    assert "FR#12" not in after and "#Martin" not in after and "# Durand" not in after
    _reads_approved(hub, after)


def test_approve_keeps_the_comments_of_a_flow_style_block(hub):
    original = EDITOR_FILE.replace(
        "validation:\n  status: in_review   # en attente du comité\n  code: FR-OLD\n",
        "validation: {status: in_review, # en attente\n  code: 'FR # 12'}   # du comité\n")
    after = _approved(hub, original)
    assert _block_of(after).startswith("validation:\n  # en attente\n  # du comité\n  status: approved\n")
    assert "FR # 12" not in after and "{" not in _block_of(after)
    assert _outside_validation(after) == _outside_validation(original)
    _reads_approved(hub, after)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_approve_keeps_comments_with_the_file_s_line_endings(hub, newline):
    original = EDITOR_FILE.replace("  code: FR-OLD\n", "  # relu le 3/11\n  code: FR-OLD\n").replace("\n", newline)
    path = hub.write("patient/bouger.md", original.encode("utf-8"))
    assert _approve(hub, "patient/bouger.md").returncode == 0
    after = path.read_bytes()
    assert f"validation:{newline}  # en attente du comité{newline}  # relu le 3/11{newline}  status: approved{newline}" \
        .encode() in after
    assert b"\r" not in after.replace(newline.encode(), b"") and b"\n" not in after.replace(newline.encode(), b"")
    assert after.endswith(original.split("---", 2)[2].encode())
    _reads_approved(hub, after.decode("utf-8").replace(newline, "\n"))


def test_approving_twice_keeps_each_comment_once(hub):
    original = EDITOR_FILE.replace("  code: FR-OLD\n", "#  code: FR-OLD\n  # relu le 3/11\n")
    path = hub.write("patient/bouger.md", original)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    once = path.read_text(encoding="utf-8")
    result = _approve(hub, "patient/bouger.md")
    assert result.returncode == 0, result.stderr
    assert path.read_text(encoding="utf-8") == once  # the same approval again: the same bytes
    assert "comment" not in result.stderr  # already at the block's top: nothing moved, nothing to say
    path.write_text(once.replace("trente minutes", "quarante minutes"), encoding="utf-8")
    assert hub.carepress("approve", "content/patient/bouger.md", *APPROVE[:-1], "2027-12-01").returncode == 0
    again = path.read_text(encoding="utf-8")
    for comment in ("# en attente du comité", "#  code: FR-OLD", "# relu le 3/11"):
        assert again.count(comment) == 1, comment
    assert _block_of(again).startswith("validation:\n  # en attente du comité\n  #  code: FR-OLD\n  # relu le 3/11\n"
                                       "  status: approved\n")
    assert "expires: 2027-12-01" in again and not [c for c in codes(findings_of(hub)) if c.startswith("CP2")]


def test_a_commented_out_key_stays_a_comment(hub):
    """`#  status: in_review` (column 0) or `  # code: FR-OLD` kept as comments: never keys of the new block."""
    original = EDITOR_FILE.replace("  status: in_review   # en attente du comité\n  code: FR-OLD\n",
                                   "  status: draft\n#  status: in_review\n  # code: FR-OLD\n  #  expires: 2030-01-01\n"
                                   "  code: FR-BROUILLON\n")
    after = _approved(hub, original)
    assert _block_of(after).startswith("validation:\n  #  status: in_review\n  # code: FR-OLD\n  #  expires: 2030-01-01\n"
                                       "  status: approved\n")
    validation = _reads_approved(hub, after)
    assert validation["status"] == "approved" and validation["code"] == "FR-NEW-0001"
    assert str(validation["expires"]) == "2027-11-01" and "FR-BROUILLON" not in after


_VALUE = st.one_of(st.text("ab #é:'\"-", min_size=1, max_size=8).map(lambda v: json.dumps(v, ensure_ascii=False)),
                   st.from_regex(r"[abé][ab#é-]{0,6}", fullmatch=True))  # quoted, or plain with a glued `#`
_COMMENT = st.text("ab #é'\"", max_size=10).map(lambda text: ("#" + text).rstrip(" "))
_KEYS = ("validation:", "  status: draft", "  code: {}", "  reviewers:", "    medical: {}", "    legal: {}")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_VALUE, st.one_of(st.none(), _COMMENT),
                          st.one_of(st.none(), st.tuples(st.sampled_from(["", "  ", "    "]), _COMMENT))),
                min_size=len(_KEYS), max_size=len(_KEYS)))
def test_any_comment_of_the_block_is_kept_once_in_order(lines):
    """Comments after `validation:` and after values (quoted or plain, `#` in them or glued to them), and on lines
    of their own at any indentation: each kept once, in order, however often the page is approved."""
    text, expected = [], []
    for key, (value, trailing, own_line) in zip(_KEYS, lines):
        if own_line and key != "validation:":
            text.append(own_line[0] + own_line[1])
            expected.append(own_line[1])
        text.append(key.format(value) + (f"  {trailing}" if trailing else ""))
        expected += [trailing] if trailing else []
    raw = EDITOR_FILE.replace("validation:\n  status: in_review   # en attente du comité\n  code: FR-OLD\n",
                              "\n".join(text) + "\n").encode()
    approval = Approval("C", "m", "l", "r", dt.date(2026, 11, 22), dt.date(2027, 11, 22))
    first = approval_module.approved_text(raw, approval, "patient/bouger.md", "x")
    assert first.comments == tuple(expected)
    assert approval_module._reads_back(parse_article(first.text, "patient/bouger.md", "x").article, approval, {})
    again = approval_module.approved_text(first.text, approval, "patient/bouger.md", "x")
    assert dataclasses.replace(again, comments_moved=first.comments_moved) == first
    assert not again.comments_moved  # at the new block's top already


def test_an_approval_that_would_lose_a_comment_is_not_written(hub, monkeypatch):
    real = approval_module.validation_block
    monkeypatch.setattr(approval_module, "validation_block",  # the comments left out
                        lambda approval, digest, newline, attachments, comments: real(approval, digest, newline, attachments))
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    with pytest.raises(ApprovalNotWritten, match="comments"):
        _approve_directly(path)
    assert path.read_text(encoding="utf-8") == EDITOR_FILE


def test_an_edit_saved_while_approve_runs_is_not_lost(hub, monkeypatch):
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    real = approval_module.parse_article

    def parse_then_the_editor_saves(raw, src_uri, shown):  # the read-back check runs after the file was read
        loaded = real(raw, src_uri, shown)
        if b'code: "C"' in raw:  # the new text, as approve_file checks it
            path.write_text(EDITOR_FILE + "\nUn paragraphe de plus.\n", encoding="utf-8")
        return loaded

    monkeypatch.setattr(approval_module, "parse_article", parse_then_the_editor_saves)
    with pytest.raises(ApprovalNotWritten):
        _approve_directly(path)
    assert path.read_text(encoding="utf-8").endswith("Un paragraphe de plus.\n")
    assert [p.name for p in path.parent.iterdir()] == ["bouger.md"]  # no temporary file left behind


def test_approve_refuses_a_link_and_a_file_outside_the_content_folder(hub, tmp_path):
    outside = tmp_path / "ailleurs.md"
    outside.write_text(EDITOR_FILE, encoding="utf-8")
    os.symlink(outside, hub.content / "lien.md")
    for target in ("content/lien.md", str(outside)):
        result = hub.carepress("approve", target, *APPROVE)
        assert result.returncode == 2 and "not an article of the content folder" in result.stderr, result.stderr
    assert outside.read_text(encoding="utf-8") == EDITOR_FILE


def test_an_approval_that_would_not_read_back_as_given_is_not_written(hub, monkeypatch):
    """Whatever the layout defeats in the rewrite, the file is written only if it then reads as approved as given."""
    real = approval_module.validation_block
    monkeypatch.setattr(approval_module, "validation_block",
                        lambda approval, digest, newline, *attachments: real(approval, digest, newline, *attachments)
                        .replace('"C"', '"AUTRE"'))
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    with pytest.raises(ApprovalNotWritten):
        _approve_directly(path)
    assert path.read_text(encoding="utf-8") == EDITOR_FILE


def test_approve_refuses_a_file_with_a_field_written_twice_and_arguments_no_one_types(hub):
    """A second `validation` block (or any field twice) is CP103 at its line: approve would have rewritten one
    and left the other for a reader to see. An argument with a control character or an undecodable byte is refused."""
    twice = EDITOR_FILE.replace("topic: diabete-type-2\n", "topic: diabete-type-2\nvalidation:\n  status: draft\n")
    path = hub.write("patient/bouger.md", twice)
    result = _approve(hub, "patient/bouger.md")
    assert result.returncode != 0 and "CP103" in result.stderr and "written twice" in result.stderr, result.stderr
    assert "bouger.md:12 " in result.stderr  # the second `validation:`
    assert path.read_text(encoding="utf-8") == twice
    path.write_text(EDITOR_FILE, encoding="utf-8")
    for value in ("Dr\nX", "A\x1bB", "A\u2028B", "Dr \udce9"):
        arguments = list(APPROVE)
        arguments[arguments.index("--medical") + 1] = value
        result = hub.carepress("approve", "content/patient/bouger.md", *arguments)
        assert result.returncode == 2 and "--medical" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert path.read_text(encoding="utf-8") == EDITOR_FILE


def test_approve_keeps_the_file_the_editor_s_and_refuses_a_file_with_other_names(hub):
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    if os.getuid() == 0:  # as root (CI), approving a file of another user leaves it theirs
        os.chown(path, 1234, 1234)
    _approve_directly(path)
    assert (path.stat().st_uid, path.stat().st_gid) == ((1234, 1234) if os.getuid() == 0 else (os.getuid(), os.getgid()))
    other = hub.write("patient/autre.md", EDITOR_FILE)
    os.link(other, hub.content / "patient" / "autre-nom.md")
    with pytest.raises(ApprovalNotWritten, match="hard links"):
        _approve_directly(other)
    assert other.read_text(encoding="utf-8") == EDITOR_FILE


@pytest.mark.parametrize("field, value", [("expires", "2030-01-01"), ("approved", "2026-11-21"), ("code", "FR-AUTRE")])
def test_the_approval_itself_cannot_be_edited_after_it_was_given(hub, field, value):
    """A later expiry date (or another approval date, code or reviewer) written by hand voids the approval."""
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    assert "CP203" not in codes(findings_of(hub, "patient"))
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.split("\n") if line.startswith(f"  {field}:"))
    path.write_text(text.replace(line, f"  {field}: {value}"), encoding="utf-8")
    assert "CP203" in codes(findings_of(hub, "patient"))


def test_an_approval_under_the_earlier_fingerprint_is_asked_again_with_its_reason(hub):
    path = hub.write("patient/bouger.md", EDITOR_FILE)
    assert _approve(hub, "patient/bouger.md").returncode == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('fingerprint: "sha256v2:', 'fingerprint: "sha256:'), encoding="utf-8")
    [found] = [f for f in findings_of(hub, "patient") if f.code == "CP203"]
    assert "earlier fingerprint" in found.message and "carepress approve" in found.message
