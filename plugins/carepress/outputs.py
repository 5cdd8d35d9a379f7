"""Files CarePress writes beside the sites: the publication manifest, server configuration, reports.

Each file is replaced whole: written under a temporary name in its folder, then renamed over the old one. A run
stopped halfway (Ctrl-C, a cancelled CI job, a full disk) leaves the previous complete file, never a truncated one.
While `carepress build` builds a site aside (build/atomic.py), what it writes beside the site is held back
(`held_back`) and written once the site is swapped in: a build that fails or is stopped leaves the manifest and the
server configuration describing the site that is still served.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_held: dict[Path, bytes] | None = None  # while held back: the files to write (a file written twice: the last text)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()  # what `open(path, "w")` gives a new file


def write_text(path: Path, text: str) -> Path:
    """Replace `path` with `text` (UTF-8) whole, or hold it back until the site being built is swapped in."""
    path = Path(path)
    data = text.encode("utf-8")
    if _held is not None:
        _held[path] = data
    else:
        replace_file(path, data)
    return path


def replace_file(path: Path, data: bytes) -> None:
    """`data` at `path`, renamed into place once complete; the file it replaces keeps its permissions."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(error, OSError):  # named by the file asked for, not its temporary name (or none: a full disk)
            raise OSError(error.errno, error.strerror, os.fspath(path)) from error
        raise


@contextlib.contextmanager
def held_back() -> Iterator[dict[Path, bytes]]:
    """Within the block, `write_text` writes nothing: it keeps the files, for `write_held` once the block's work
    is complete. Left by an exception, nothing is written."""
    global _held
    outer, _held = _held, {}
    try:
        yield _held
    finally:
        _held = outer


def write_held(held: dict[Path, bytes]) -> None:
    for path, data in held.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data)
