"""Atomic site output: build into a fresh folder beside the target, then swap it in.

A build killed halfway leaves the previous site untouched (only a stray `.<name>.building-*`
folder, removed by the next build once its process is gone). Two builds into the same target
each swap in a complete site: the last one to finish wins, and no reader ever sees a mix.

With the page cache, the site a build replaces is not removed: it is kept in the cache as the
spare (`spare_folder`), and the next build refills it (`Refill`) instead of creating a folder and
a file for every page, and removing the previous site, again.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from carepress.forked import process_alive

RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step (Linux 3.15+)
AT_FDCWD = -100


def _libc_renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_RENAMEAT2 = _libc_renameat2()


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing folders in one atomic step; False when the system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # old kernel or file system without it
        return False
    raise OSError(code, os.strerror(code), str(second))


def _prefix(target: Path) -> str:
    return f".{target.name}.building-"


def final_folder(site_dir: Path) -> Path:
    """Where a site being built in a staging folder will be served from (for generated server config)."""
    name = site_dir.name
    if name.startswith(".") and ".building-" in name:
        return site_dir.parent / name[1:].split(".building-", 1)[0]
    return site_dir


def _owner_alive(folder: Path, prefix: str) -> bool:
    pid = folder.name[len(prefix):].split("-", 1)[0]
    return pid.isdigit() and process_alive(int(pid))


def remove_stale(target: Path) -> None:
    """Folders left by builds that were killed (their process is gone)."""
    prefix = _prefix(target)
    for folder in target.parent.glob(prefix + "*"):
        if folder.is_dir() and not _owner_alive(folder, prefix):
            shutil.rmtree(folder, ignore_errors=True)


def swap_in(staging: Path, target: Path, spare: Path | None = None) -> None:
    """Make `staging` the site at `target`; the previous site is removed only once replaced, or kept as `spare`."""
    while True:
        if target.exists():
            if exchange(staging, target):
                _retire(staging, spare)  # now holds the previous site
                return
            retired = staging.with_name(staging.name + "-previous")
            os.rename(target, retired)  # fallback: two renames, a moment with no site but never a mixed one
            os.rename(staging, target)
            _retire(retired, spare)
            return
        try:
            os.rename(staging, target)
            return
        except OSError as error:  # another build created the target meanwhile: swap with it instead
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise


def _retire(previous: Path, spare: Path | None) -> None:
    """The replaced site becomes the spare (an older spare, one no build took, goes), or is removed."""
    if spare is not None:
        with contextlib.suppress(OSError):
            spare.parent.mkdir(parents=True, exist_ok=True)
            if spare.exists():
                shutil.rmtree(spare)
            os.rename(previous, spare)  # fails when another build kept its own meanwhile, or on another file system
            return
    shutil.rmtree(previous)


@contextlib.contextmanager
def atomic_folder(target: Path, spare: Path | None = None) -> Iterator[Path]:
    """A fresh folder to build into; swapped in at `target` only when the block completes. With `spare`, the
    site it replaces is kept there for the next build to refill (`Refill`), instead of being removed."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    staging = Path(tempfile.mkdtemp(prefix=f"{_prefix(target)}{os.getpid()}-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a site folder is readable like any other
    swap_in(staging, target, spare)


def not_replaceable(target: Path, kept: dict[str, Path]) -> str | None:
    """Why a built site must not replace the folder `target`, or None: it is, or holds, one of the `kept` folders (by
    what they are: the content folder, the configuration's, the hub's), or it holds Markdown files, which no built
    site does (someone's writing: the folder replaced is kept as the next build's spare, and that build empties it)."""
    target = target.resolve()
    for name, folder in kept.items():
        folder = folder.resolve()
        if folder == target or target in folder.parents:
            return f"is {name}" if folder == target else f"holds {name} ({folder})"
    try:
        if any(entry.name.lower().endswith((".md", ".markdown")) for entry in os.scandir(target)):
            return "holds Markdown files, which no built site does"
    except (FileNotFoundError, NotADirectoryError):
        pass
    return None


def spare_folder(cache_dir: Path) -> Path:
    """Where the builds whose page cache is `cache_dir` keep the site they replaced (.cache/carepress/sites/patient):
    in the cache, never beside the sites, which are deployed, since the spare holds pages that may have been left
    out since."""
    return cache_dir.parent / "sites" / cache_dir.name


class Refill:
    """A staging folder refilled from the spare site: the pages restored from the page cache are kept where the spare
    holds their very bytes, and every other file of the spare is removed before the build writes any.

    Removing the site replaced (0.14 s at 2,092 pages, 0.9 s at 10,000), then creating a folder and a file for every
    page soon after such a removal (0.6 s at 2,092), was most of a build that changed little. What the spare holds
    is never trusted: a page is kept only when its bytes are those the build would write (`write`), so a page edited
    by hand, left half-written, or from another hub is written anew; a page left out since is removed."""

    def __init__(self, staging: Path, emptied: set[str]) -> None:
        self.staging = os.fspath(staging)
        self.emptied = emptied  # folders (relative) the spare's removed files were in
        self.kept = 0

    @classmethod
    def take(cls, spare: Path, staging: Path, keep: set[str]) -> Refill | None:
        """The spare, of which only the files `keep` (paths relative to the site) are left, moved in as `staging`,
        which must still be empty; None when there is no spare, or another build took it."""
        _remove_abandoned_claims(spare)
        claimed = spare.with_name(f"{spare.name}.{os.getpid()}-claimed")
        try:
            os.rename(spare, claimed)  # one build only takes it; what it removes then is its own
        except OSError:
            return None
        try:
            emptied: set[str] = set()
            _strip(os.fspath(claimed), "", keep, emptied)
            os.rename(claimed, staging)  # replaces the empty folder; fails if anything was written to it
        except OSError:
            shutil.rmtree(claimed, ignore_errors=True)
            return None
        return cls(staging, emptied)

    def write(self, content: bytes, path: str) -> None:
        """`content` at `path`, a page restored from the page cache: kept if the spare holds these bytes there."""
        if self._holds(path, content):
            self.kept += 1
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(content)

    def discard(self, path: str) -> None:
        """Before a page is rendered anew (MkDocs writes nothing for a page whose output is empty)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def prune(self) -> None:
        """After the build: the folders the spare's removed files leave empty (pages left out since)."""
        for relative in sorted(self.emptied, key=len, reverse=True):
            while relative:
                try:
                    os.rmdir(os.path.join(self.staging, relative))
                except OSError:  # not empty (or gone): neither are its parents
                    break
                relative = os.path.dirname(relative)

    @staticmethod
    def _holds(path: str, content: bytes) -> bool:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return False
        with os.fdopen(descriptor, "rb") as stream:  # a regular file: `_strip` left no other kind at a page's place
            return os.fstat(descriptor).st_size == len(content) and stream.read(len(content) + 1) == content


def _strip(folder: str, relative: str, keep: set[str], emptied: set[str]) -> None:
    """Removes from `folder` every entry that is not a folder or a file of `keep`; links are removed, not followed."""
    with os.scandir(folder) as entries:
        for entry in entries:
            path = f"{relative}/{entry.name}" if relative else entry.name
            if path in keep and entry.is_file(follow_symlinks=False):
                continue
            if entry.is_dir(follow_symlinks=False):
                if path in keep:  # a folder where the page's file goes
                    shutil.rmtree(entry.path)
                    emptied.add(relative)
                else:
                    _strip(entry.path, path, keep, emptied)
            else:
                os.unlink(entry.path)
                emptied.add(relative)


def _remove_abandoned_claims(spare: Path) -> None:
    """Spares claimed by builds that were killed before moving them in."""
    with contextlib.suppress(OSError):
        for folder in spare.parent.glob(f"{spare.name}.*-claimed"):
            if not _owner_alive(folder, f"{spare.name}."):
                shutil.rmtree(folder, ignore_errors=True)

