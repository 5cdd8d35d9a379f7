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

DIGEST_PREFIX = "sha256:"
_CHUNK = 1 << 20


def attached_paths(article: Article, content_dir: Path, superfences: bool = False) -> list[str]:
    """The content-folder-relative POSIX paths of the files other than pages that `article` links to or embeds as
    the reader sees it, and that exist: Markdown targets resolved from the source file's folder, those of raw
    HTML from the page's address too (directory URLs), as the build keeps them (the gate's unused files)."""
    # What the page names is read once (`file_targets`); whether the files exist, and their bytes, are read anew.
    markdown, html = file_targets(article, superfences)
    if not markdown and not html:
        return []
    found = {path for path in used_files(article.src_uri, url_folder(article.src_uri), markdown, html) if _attachable(path, content_dir)}
    # What an attached stylesheet, HTML or SVG file loads is published with it (the gate's unused files): attached too.
    loaded = loaded_files(found, functools.partial(read_content_text, content_dir))
    return sorted(found | {path for path in loaded if _attachable(path, content_dir)})


def _attachable(path: str, content_dir: Path) -> bool:
    """A file of the content folder other than a page."""
    if path in (".", "") or path.startswith("../") or path == ".." or path.lower().endswith(".md"):
        return False
    return (content_dir / path).is_file()


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
                   memo: dict[str, str | None] | None = None) -> dict[str, str]:
    """Path -> digest of each of `article`'s attachments that can be read (what an approval records)."""
    found = {}
    for path in attached_paths(article, content_dir, superfences):
        digest = file_digest(content_dir / path, memo)
        if digest is not None:
            found[path] = digest
    return found
