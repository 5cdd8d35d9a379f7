"""Approval fingerprints and `carepress approve`'s surgical rewrite of the validation block.

The fingerprint is sha256 over the compliance-relevant content of a page: every front-matter
field but the fingerprint itself (as typed values, fields left at their default omitted, keys sorted),
the approval's code, dates and reviewers included, and the body (Unicode NFC, newlines as \\n, leading
and trailing blank lines ignored). Any edit after approval changes it and voids the approval (CP203): a
later expiry date too, which only a new approval may set. The files the page links to or embeds are recorded in
the block (`validation.attachments`, path -> digest), so the fingerprint covers them too, and CP205 compares them
with the files as they are.

The comments written in the replaced block are kept, at the top of the new one (`yamlmap.line_comments` finds
them); the fingerprint covers parsed fields, not comments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from carepress.compliance.attachments import attachments_of
from carepress.model.article import Article
from carepress.model.loader import parse_article
from carepress.model.schema import FrontMatter, Reviewers, Status, Validation
from carepress.model.yamlmap import YamlProblem, line_comments
from carepress.report.finding import Finding

PREFIX = "sha256v2:"  # v2 covers the validation block; `sha256:` (v1, until 2026-12-02) did not
EARLIER_PREFIX = "sha256:"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BOM = "\ufeff"


def fingerprint(meta: FrontMatter, body: str) -> str:
    fields = meta.model_dump(mode="json", exclude={"validation": {"fingerprint"}}, exclude_defaults=True)
    normalised_body = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n\0\n" + normalised_body
    return PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def fingerprint_of(article: Article) -> str:
    return fingerprint(article.meta, article.body)


def fingerprint_of_data(data: dict, body: str) -> str:
    """The fingerprint of front-matter given as plain data (for tools and test fixtures)."""
    return fingerprint(FrontMatter.model_validate(data), body)


@dataclass(frozen=True)
class Approval:
    code: str
    medical: str
    legal: str
    regulatory: str
    approved: dt.date
    expires: dt.date


class ApprovalRefused(Exception):
    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f"{f.location()} {f.code} {f.message}" for f in findings))
        self.findings = findings


class ApprovalNotWritten(Exception):
    """The file reads as an article, but the approval could not be recorded safely: it is left as it was."""


def _reads_back(article: Article, approval: Approval, attachments: dict[str, str]) -> bool:
    """The rewritten file reads as approved as given, with the fingerprint of what it now holds (no CP203) and
    the attachments found (no CP205)."""
    validation = article.meta.validation
    reviewers = validation.reviewers
    return (validation.status.value == "approved" and validation.code == approval.code
            and validation.fingerprint == fingerprint_of(article) and validation.attachments == attachments
            and validation.approved == approval.approved and validation.expires == approval.expires
            and (reviewers.medical, reviewers.legal, reviewers.regulatory)
            == (approval.medical, approval.legal, approval.regulatory))


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def validation_block(approval: Approval, digest: str, newline: str, attachments: dict[str, str] | None = None,
                     comments: tuple[str, ...] = ()) -> str:
    """The new block; `comments` (each `# …`) as full-line comments at its top, right below `validation:`."""
    lines = [
        "validation:",
        *(f"  {comment}" for comment in comments),
        "  status: approved",
        f"  code: {_quoted(approval.code)}",
        f"  approved: {approval.approved.isoformat()}",
        f"  expires: {approval.expires.isoformat()}",
        "  reviewers:",
        f"    medical: {_quoted(approval.medical)}",
        f"    legal: {_quoted(approval.legal)}",
        f"    regulatory: {_quoted(approval.regulatory)}",
    ]
    if attachments:
        lines += ["  attachments:", *(f"    {_quoted(path)}: {_quoted(attachments[path])}" for path in sorted(attachments))]
    lines.append(f"  fingerprint: {_quoted(digest)}")
    return newline.join(lines) + newline


def page_attachments(raw: bytes, src_uri: str, shown: str, content_dir: Path | None,
                     superfences: bool = False) -> dict[str, str]:
    """What an approval of the page records of its attached files (none without a content folder to find them in)."""
    loaded = parse_article(raw, src_uri, shown)
    if loaded.article is None:
        raise ApprovalRefused(loaded.findings)
    return attachments_of(loaded.article, content_dir, superfences) if content_dir is not None else {}


@dataclass(frozen=True)
class Rewrite:
    """The file's new bytes and the fingerprint they hold; `comments`: those of the replaced block, kept in the new
    one as full-line comments on the lines from `comments_line` (1-based, right below `validation:`)."""

    text: bytes
    fingerprint: str
    comments: tuple[str, ...] = ()
    comments_line: int | None = None
    comments_moved: bool = False  # some were elsewhere in the old block than at its top, as the new block has them


def _block_lines(article: Article, lines: list[str]) -> tuple[int, int] | None:
    """The indexes in `lines` (the file's lines, the opening `---` at 0) of the top-level `validation` block's
    first and last lines; None without one."""
    start_line = article.key_lines.get(("validation",))
    if start_line is None:
        return None
    start = start_line - 1
    # The block runs to its last indented line before the next top-level key: a comment at column 0 between
    # two of its lines (`#  status: in_review`) does not end it, or its lines after would still count.
    following = [line - 1 for path, line in article.key_lines.items() if len(path) == 1 and line > start_line]
    end = start
    for index in range(start + 1, min(following, default=article.body_line - 2)):
        if lines[index].strip() and lines[index][0] in " \t":
            end = index
    return start, end


def _comments_in(article: Article, lines: list[str], block: tuple[int, int] | None) -> tuple[str, ...]:
    """The comments written on the file's lines `block` (`_block_lines`), in order."""
    if block is None:
        return ()
    yaml_lines = [line.rstrip("\r\n") for line in lines[1:article.body_line - 2]]  # the front-matter, as parsed
    try:
        return tuple(line_comments(yaml_lines, block[0] - 1, block[1] - 1))
    except YamlProblem as problem:  # the scanner of the loader that read the file: not expected
        raise ApprovalNotWritten(f"the comments of the `validation` block could not be told from its values "
                                 f"({problem.message}); tidy the block by hand, then approve again") from None


def _split(raw: bytes) -> tuple[str, list[str], str]:
    """The file's BOM (or ""), its lines with their line breaks, and the line break it writes."""
    text = raw.decode("utf-8")
    bom = _BOM if text.startswith(_BOM) else ""
    newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")
    return bom, _LINE.findall(text[len(bom):]), newline


def approved_text(raw: bytes, approval: Approval, src_uri: str, shown: str,
                  attachments: dict[str, str] | None = None) -> Rewrite:
    """The file's new bytes: only the top-level `validation` block differs from `raw`, and the comments written in it
    are kept in the new one. `attachments`: the page's attached files and their digests (`page_attachments`),
    recorded in the block and covered by the fingerprint."""
    loaded = parse_article(raw, src_uri, shown)
    if loaded.article is None:
        raise ApprovalRefused(loaded.findings)
    article = loaded.article
    attachments = dict(attachments or {})
    bom, lines, newline = _split(raw)
    closing = article.body_line - 2  # index of the closing `---` line
    approved_meta = article.meta.model_copy(update={"validation": Validation(
        status=Status.APPROVED, code=approval.code, approved=approval.approved, expires=approval.expires,
        reviewers=Reviewers(medical=approval.medical, legal=approval.legal, regulatory=approval.regulatory),
        attachments=attachments)})
    digest = fingerprint(approved_meta, article.body)
    block_range = _block_lines(article, lines)
    comments = _comments_in(article, lines, block_range)
    block = validation_block(approval, digest, newline, attachments, comments)
    moved = False  # the comments were elsewhere in the old block than at its top
    if block_range is None:
        if closing > 0 and not lines[closing - 1].endswith(("\n", "\r")):
            lines[closing - 1] += newline
        start = closing
        lines[closing:closing] = [block]
    else:
        start, end = block_range
        moved = [line.rstrip("\r\n") for line in lines[start + 1:start + 1 + len(comments)]] != [f"  {c}" for c in comments]
        lines[start:end + 1] = [block]
    return Rewrite((bom + "".join(lines)).encode("utf-8"), digest, comments, start + 2 if comments else None, moved)


def approve_file(file: Path, approval: Approval, src_uri: str, shown: str, content_dir: Path | None = None,
                 superfences: bool = False) -> Rewrite:
    """Record the approval in `file` atomically; return what was written (the fingerprint, the comments of the old
    block kept). Raises ApprovalRefused. With the `content_dir` `src_uri` is relative to, the files the page links
    to or embeds are recorded with it."""
    raw = file.read_bytes()
    attachments = page_attachments(raw, src_uri, shown, content_dir, superfences)
    rewrite = approved_text(raw, approval, src_uri, shown, attachments)
    new = rewrite.text
    check = parse_article(new, src_uri, shown)
    if check.article is None:  # never write a file we could not read back
        raise ApprovalRefused(check.findings)
    if not _reads_back(check.article, approval, attachments):
        raise ApprovalNotWritten("the new `validation` block would not read back as given (another `validation` "
                                 "key, or one of its lines out of the block?); tidy the block by hand, then approve again")
    new_lines = _split(new)[1]
    if _comments_in(check.article, new_lines, _block_lines(check.article, new_lines)) != rewrite.comments:
        raise ApprovalNotWritten("the comments of the `validation` block would not all be kept in the new one; "
                                 "move them above its `validation:` line by hand, then approve again")
    status = file.stat()
    if status.st_nlink > 1:  # the file replaced, its other names would keep the old text
        raise ApprovalNotWritten("the file has other hard links; approve a copy that has one name, or remove the links")
    handle, temp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, status.st_mode & 0o7777)
        if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
            try:  # approved by another user (root, a CI job): the file stays the editor's
                os.chown(temp, status.st_uid, status.st_gid)
            except PermissionError:
                pass  # only root may give a file away; the approver's own group and mode stay
        if file.read_bytes() != raw:  # saved by an editor meanwhile: replacing it would lose that edit
            raise ApprovalNotWritten("the file changed while it was being approved; approve it again")
        os.replace(temp, file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return rewrite
