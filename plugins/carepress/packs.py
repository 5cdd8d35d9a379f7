"""Results by key in pack files, shared by the processes of one run and kept between runs. No MkDocs here.

The page cache of `carepress build` (build/cache.py), what files were read as (model/site.py) and
what the page-local rules found (compliance/engine.py) store their entries here. Keys are content
hashes of everything an entry depends on, so an entry is never wrong, only unused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import platform
import pickle
import shutil
import struct
import tempfile
import time
from pathlib import Path
from typing import Any


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little") + data)
    return hasher.hexdigest()


LIBRARIES = ("carepress", "pydantic", "pydantic-core", "PyYAML", "regex", "snowballstemmer")  # what reads and judges


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """What every cached result depends on beyond its inputs: this code, its libraries, the interpreter."""
    versions = [f"{name}={importlib.metadata.version(name)}" for name in LIBRARIES]
    return digest(platform.python_version(), *versions, *folder_state(Path(__file__).resolve().parent, content=False))


BYTECODE_FOLDER = "__pycache__"


def folder_state(folder: Path, content: bool) -> list[str]:
    """`relative/path:state` of every file below `folder`, in os.walk's order with sorted names (a folder's
    files, then its sub-folders'); the state is the file's digest, or its size and date. With os.scandir: an
    installed theme holds 15,000 icons, and a Path per file made this a tenth of a second of every build."""
    entries: list[str] = []

    def visit(directory: str, prefix: str) -> None:
        with os.scandir(directory) as listing:
            children = sorted(listing, key=lambda entry: entry.name)
        folders = []
        for entry in children:
            if entry.is_dir():
                # os.walk does not follow links to folders. Bytecode changes no result, and Python writes it
                # at the first import: counted, it changed every key between a first run and the next.
                if not entry.is_symlink() and entry.name != BYTECODE_FOLDER:
                    folders.append(entry)
                continue
            if content:
                with open(entry.path, "rb") as stream:
                    state = digest(stream.read())
            else:
                stat = entry.stat()
                state = (stat.st_size, stat.st_mtime_ns)
            entries.append(f"{prefix}{entry.name}:{state}")
        for entry in folders:
            visit(entry.path, f"{prefix}{entry.name}{os.sep}")

    visit(os.fspath(folder), "")
    return entries


PACK_PREFIX, TEMPORARY_PREFIX = "pack-", ".tmp-"
_FOOTER = struct.Struct("<Q8s")  # the index's length, then a mark that the pack was sealed
_SEALED = b"CPPACK1\n"
STALE_TEMPORARY_SECONDS = 3600  # a temporary pack this old was left by a killed build
MAX_PACKS = 32  # beyond this, the smallest packs are merged (each incremental build adds one or two)


class PackCache:
    """Results by key, in pack files: each process appends what it computes to its own pack.

    Thousands of small files made a cold build spend seconds in the kernel creating them (on
    ext4, creating a file near many recently deleted ones is slow), so a worker writes one file
    for its share of the pages. A pack is written under a temporary name and renamed once sealed
    with its index: concurrent builds never read half a pack. Keys are content hashes, so an
    entry is never wrong, only unused; `prune` drops packs whose entries this build did not use
    and rewrites packs that are mostly unused.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0  # entries this process has read back
        self.failed: str | None = None  # why this process stopped writing (a full disk, a read-only folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._where: dict[str, tuple[str, int, int]] = {}  # key -> (pack, offset, length)
        self._readers: dict[str, int] = {}  # pack -> open file descriptor
        self._writer: _PackWriter | None = None
        self._index(self._packs())

    @classmethod
    def opened(cls, folder: Path) -> tuple[PackCache | None, str | None]:
        """The cache kept in `folder`, or None and why it cannot be (the run then goes on without it)."""
        try:
            return cls(folder), None
        except OSError as error:
            return None, f"{folder}: {error.strerror or error}"

    def has(self, key: str) -> bool:
        self.used.add(key)
        return key in self._where

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        data = self._read(key)
        try:
            value = None if data is None else pickle.loads(data)
        except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            return None
        self.hits += value is not None
        return value

    def put(self, key: str, value: Any) -> None:
        """Appended to this process' pack, readable once `seal` has run in this process."""
        self.put_pickled(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, key: str, data: bytes) -> None:
        """`put` of a value a worker has already pickled to send it here. When the folder cannot be
        written, nothing more is kept and the run goes on (`failed` says why)."""
        self.used.add(key)
        if self.failed:
            return
        try:
            if self._writer is None or self._writer.pid != os.getpid():  # a forked worker starts its own
                self._writer = _PackWriter(self.folder)
            self._writer.add(key, data)
        except OSError as error:
            self._give_up(error)

    def seal(self) -> None:
        """Publishes what this process has put (a worker calls it at the end of its share)."""
        if self._writer is not None and self._writer.pid == os.getpid():
            try:
                pack, index = self._writer.seal()
            except OSError as error:
                self._give_up(error)
                return
            for key, (offset, length) in index.items():
                self._where[key] = (pack, offset, length)
        self._writer = None

    def _give_up(self, error: OSError) -> None:
        self.failed = f"{self.folder}: {error.strerror or error}"
        if self._writer is not None and self._writer.pid == os.getpid():
            self._writer.discard()
        self._writer = None

    def prune(self) -> str | None:
        """After a build: packs it did not use go, mostly unused or too many small packs are merged.
        Returns why this process stopped keeping what it computed, if it did (`failed`).

        A pack is used when an entry this run used is read from it: of two packs with the same entries
        (two builds that ran at once, from an empty cache), one goes."""
        self.seal()
        packs = self._packs()
        self._index(packs)  # with the packs this build's workers wrote
        serving = {self._where[key][0] for key in self.used if key in self._where}
        keep: dict[str, dict[str, tuple[int, int]]] = {}
        for pack, index in packs.items():
            if pack in serving:
                keep[pack] = index
            else:
                self._remove(pack)
        self._index(keep)
        live = {pack: sum(length for key, (_, length) in index.items()
                          if key in self.used and self._where[key][0] == pack)
                for pack, index in keep.items()}
        mostly_unused = [pack for pack, index in keep.items()
                         if 2 * live[pack] < sum(length for _, length in index.values())]
        by_size = sorted((pack for pack in keep if pack not in mostly_unused), key=live.__getitem__)
        merged = mostly_unused + by_size[:max(0, len(by_size) - MAX_PACKS // 2)] if len(keep) > MAX_PACKS else mostly_unused
        if merged and not self.failed:
            try:
                self._merge(merged, keep)
            except OSError as error:
                self._give_up(error)
        for path in self.folder.iterdir():  # entries of older formats, temporary packs of killed builds
            if path.name.startswith(TEMPORARY_PREFIX):
                with contextlib.suppress(OSError):
                    if time.time() - path.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                        path.unlink()
            elif not path.name.startswith(PACK_PREFIX):
                _remove_path(path)
        return self.failed

    def _index(self, packs: dict[str, dict[str, tuple[int, int]]]) -> None:
        self._where = {}
        for pack, index in packs.items():
            for key, (offset, length) in index.items():
                self._where.setdefault(key, (pack, offset, length))

    def _merge(self, packs: list[str], indexes: dict[str, dict[str, tuple[int, int]]]) -> None:
        writer, written = _PackWriter(self.folder), set()
        try:
            for pack in packs:
                for key in indexes[pack]:
                    if key in self.used and key not in written and self._where[key][0] == pack:  # not kept elsewhere
                        data = self._read(key)
                        if data is not None:
                            writer.add(key, data)
                            written.add(key)
        except OSError:
            writer.discard()
            raise
        if written:
            new_pack, index = writer.seal()
            for key, (offset, length) in index.items():
                self._where[key] = (new_pack, offset, length)
        else:
            writer.discard()
        for pack in packs:
            self._remove(pack)

    def _remove(self, pack: str) -> None:
        with contextlib.suppress(OSError):
            (self.folder / pack).unlink()
        descriptor = self._readers.pop(pack, None)
        if descriptor is not None:
            os.close(descriptor)

    def _read(self, key: str) -> bytes | None:
        place = self._where.get(key)
        if place is None:
            return None
        pack, offset, length = place
        try:
            if pack not in self._readers:
                self._readers[pack] = os.open(self.folder / pack, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            data = os.pread(self._readers[pack], length, offset)
        except OSError:  # removed meanwhile by a concurrent build's clean-up
            return None
        return data if len(data) == length else None

    def _packs(self) -> dict[str, dict[str, tuple[int, int]]]:
        """Every sealed pack's index; a damaged pack counts as empty."""
        packs = {}
        for path in sorted(self.folder.glob(f"{PACK_PREFIX}*")):
            with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, ValueError, struct.error, TypeError):
                with open(path, "rb") as stream:
                    stream.seek(-_FOOTER.size, os.SEEK_END)
                    length, mark = _FOOTER.unpack(stream.read(_FOOTER.size))
                    if mark != _SEALED:
                        continue
                    stream.seek(-_FOOTER.size - length, os.SEEK_END)
                    index = pickle.loads(stream.read(length))
                if isinstance(index, dict):
                    packs[path.name] = index
        return packs


class _PackWriter:
    """One process' pack being written, unbuffered: a forked child never flushes its parent's data."""

    def __init__(self, folder: Path) -> None:
        self.pid = os.getpid()
        self.folder = folder
        handle, name = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX)
        self.stream = os.fdopen(handle, "wb", buffering=0)
        self.temporary = Path(name)
        self.index: dict[str, tuple[int, int]] = {}
        self.offset = 0

    def add(self, key: str, data: bytes) -> None:
        self.stream.write(data)
        self.index[key] = (self.offset, len(data))
        self.offset += len(data)

    def seal(self) -> tuple[str, dict[str, tuple[int, int]]]:
        index = pickle.dumps(self.index, protocol=pickle.HIGHEST_PROTOCOL)
        self.stream.write(index + _FOOTER.pack(len(index), _SEALED))
        self.stream.close()
        pack = f"{PACK_PREFIX}{self.temporary.name.removeprefix(TEMPORARY_PREFIX)}"
        os.replace(self.temporary, self.folder / pack)
        return pack, self.index

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
            self.temporary.unlink(missing_ok=True)


def _remove_path(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
