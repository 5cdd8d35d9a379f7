"""Atomic site output: build into a fresh folder beside the target, then swap it in.

A build killed halfway leaves the previous site untouched (only a stray `.<name>.building-*`
folder, removed by the next build once its process is gone). Two builds into the same target
each swap in a complete site: the last one to finish wins, and no reader ever sees a mix.
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
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(target: Path) -> None:
    """Folders left by builds that were killed (their process is gone)."""
    prefix = _prefix(target)
    for folder in target.parent.glob(prefix + "*"):
        if folder.is_dir() and not _owner_alive(folder, prefix):
            shutil.rmtree(folder, ignore_errors=True)


def swap_in(staging: Path, target: Path) -> None:
    """Make `staging` the site at `target`; the previous site is removed only once replaced."""
    while True:
        if target.exists():
            if exchange(staging, target):
                shutil.rmtree(staging)  # now holds the previous site
                return
            retired = staging.with_name(staging.name + "-previous")
            os.rename(target, retired)  # fallback: two renames, a moment with no site but never a mixed one
            os.rename(staging, target)
            shutil.rmtree(retired)
            return
        try:
            os.rename(staging, target)
            return
        except OSError as error:  # another build created the target meanwhile: swap with it instead
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A fresh folder to build into; swapped in at `target` only when the block completes."""
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
    swap_in(staging, target)
