"""A page's attachments: the local files it links to or embeds (images, PDF leaflets), and the digest of each.

An approval records them (`validation.attachments`, written by `carepress approve`): a file swapped after the
approval is reported (CP205) and the page left out, as an edit of the page itself is (CP203). Framework-free: the
gate, `carepress approve` and the rules share it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from carepress.compliance.links import file_targets, loaded_files, read_content_text, url_folder, used_files
from carepress.model.article import Article
from carepress.model.site import FileFacts

DIGEST_PREFIX = "sha256:"
_CHUNK = 1 << 20


def attached_paths(article: Article, content_dir: Path, superfences: bool = False,
                   is_file: dict[str, bool] | None = None) -> list[str]:
    """The content-folder-relative POSIX paths of the files other than pages that `article` links to or embeds as
    the reader sees it, and that exist: Markdown targets resolved from the source file's folder, those of raw
    HTML from the page's address too (directory URLs), as the build keeps them (the gate's unused files).
    `is_file` (a run's, by path) looks at each path once."""
    # What the page names is read once (`file_targets`, then the paths it may attach); whether the files exist, and
    # their bytes, are read anew in each run.
    key = f"attachable:{superfences}"
    named = article.derived.get(key)
    if named is None:
        markdown, html = file_targets(article, superfences)
        used = used_files(article.src_uri, url_folder(article.src_uri), markdown, html) if markdown or html else ()
        named = article.derived[key] = sorted(path for path in used if _names_a_file(path))
    if not named:
        return []
    exists = functools.partial(_is_file, content_dir, {} if is_file is None else is_file)
    found = set(filter(exists, named))
    # What an attached stylesheet, HTML or SVG file loads is published with it (the gate's unused files): attached too.
    loaded = loaded_files(found, functools.partial(read_content_text, content_dir)) if found else ()
    return sorted(found | {path for path in loaded if _names_a_file(path) and exists(path)})


def _names_a_file(path: str) -> bool:
    """A content path that may be a file of the content folder other than a page."""
    return not (path in (".", "") or path.startswith("../") or path == ".." or path.lower().endswith(".md"))


def _is_file(content_dir: Path, memo: dict[str, bool], path: str) -> bool:
    found = memo.get(path)
    if found is None:
        found = memo[path] = (content_dir / path).is_file()
    return found


def file_digest(file: Path, memo: dict[str, str | None] | None = None) -> str | None:
    """`sha256:<hex>` of the file's bytes, None when it cannot be read. `memo` (a run's, by path) hashes each
    file once: no modification-time shortcut, a file swapped between two runs is hashed anew in the next."""
    key = str(file)
    if memo is not None and key in memo:
        return memo[key]
    hasher = hashlib.sha256()
    try:
        with open(file, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                hasher.update(chunk)
        found = DIGEST_PREFIX + hasher.hexdigest()
    except OSError:
        found = None
    if memo is not None:
        memo[key] = found
    return found


def attachments_of(article: Article, content_dir: Path, superfences: bool = False,
                   memo: FileFacts | None = None) -> dict[str, str]:
    """Path -> digest of each of `article`'s attachments that can be read (what an approval records). `memo`: what
    this run learnt of the files already (`Site.files`)."""
    found = {}
    for path in attached_paths(article, content_dir, superfences, memo.is_file if memo else None):
        digest = file_digest(content_dir / path, memo.digests if memo else None)
        if digest is not None:
            found[path] = digest
    return found
