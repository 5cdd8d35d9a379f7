"""Compiled templates kept between builds: Jinja's bytecode cache, one folder per way of compiling.

Compiling Material's templates took 0.17 s of every build (base.html, the navigation, the header...),
a tenth of a build after one edit. Jinja's bytecode cache keys a template by its name, file and
source only, yet what a template compiles to also depends on its environment: the syntax and
whitespace options, the extensions and the i18n policy they read, a sandbox, and the arguments each
filter and test is given (`pass_context` and the like are looked up at compile time). Those, with
Jinja's and Python's versions, name the folder a template's bytecode is kept in, worked out when the
template is loaded, so a compiled template is only ever loaded into an environment that would
compile it the same way. A template of an environment whose compiling cannot be described so (a
third-party extension, autoescaping by a function) is compiled every time, as without the cache.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from jinja2.utils import _PassArg

from carepress.packs import digest

KEPT_FOLDERS = 4  # ways of compiling kept side by side (a Jinja upgrade, a plugin that adds a filter...)

_SYNTAX = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
           "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
           "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "is_async")


def compiling(env: jinja2.Environment) -> str | None:
    """What `env` compiles a template's source with, as a digest; None when it cannot be told."""
    if not isinstance(env.autoescape, bool) or any(not type(extension).__module__.startswith("jinja2.")
                                                    for extension in env.extensions.values()):
        return None
    parts = [jinja2.__version__, sys.version, _described(type(env)), *(repr(getattr(env, name)) for name in _SYNTAX),
             repr(env.autoescape), _described(env.finalize), _described(env.undefined),
             _described(env.code_generator_class), repr(sorted(getattr(env, "intercepted_binops", ()))),
             repr(sorted(getattr(env, "intercepted_unops", ()))), repr(env.policies.get("ext.i18n.trimmed")),
             repr(getattr(env, "newstyle_gettext", None)), *sorted(env.extensions)]
    for kind, functions in (("filter", env.filters), ("test", env.tests)):
        parts += [f"{kind}:{name}:{_PassArg.from_obj(function)}" for name, function in sorted(functions.items())]
    return digest(*parts)


def _described(value: object) -> str:
    if value is None:
        return "None"
    return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__qualname__)}:" \
           f"{_PassArg.from_obj(value)}"


class TemplateBytecode(FileSystemBytecodeCache):
    """Jinja's bytecode cache below `root` (.cache/carepress/templates), in a folder per way of compiling.

    A damaged file is compiled anew; a folder that cannot be written leaves the template uncached."""

    def __init__(self, root: Path) -> None:
        super().__init__(os.fspath(root))
        self.root = root
        self.folders: dict[str, str | None] = {}  # compiling digest -> its folder, once made (None: cannot be)

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        # By loader too: the build's rewrites some of Material's templates (template_memo.py), the search plugin's does
        # not, and one file for both was rewritten at every build.
        loader = type(environment.loader).__qualname__
        bucket = Bucket(environment, self.get_cache_key(f"{loader}:{name}", filename), self.get_source_checksum(source))
        bucket.folder = self._folder(environment)
        if bucket.folder:
            try:
                self.load_bytecode(bucket)
            except Exception:  # a truncated file raises what its pickle likes: the template is compiled instead
                bucket.reset()
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        if bucket.folder:
            with contextlib.suppress(OSError):
                self.dump_bytecode(bucket)

    def _get_cache_filename(self, bucket: Bucket) -> str:
        return os.path.join(bucket.folder, self.pattern % (bucket.key,))

    def _folder(self, environment: jinja2.Environment) -> str | None:
        key = compiling(environment)
        if key is None:
            return None
        if key not in self.folders:
            self.folders[key] = self._made(self.root / key[:32])
        return self.folders[key]

    def _made(self, folder: Path) -> str | None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            folder.touch()  # the folders used most recently are the ones kept
            others = sorted((p for p in self.root.iterdir() if p != folder and p.is_dir()),
                            key=lambda p: p.stat().st_mtime)
        except OSError:
            return None
        for old in others[: max(0, len(others) - (KEPT_FOLDERS - 1))]:
            shutil.rmtree(old, ignore_errors=True)
        return os.fspath(folder)


def keep_compiled_templates(theme, root: Path) -> None:
    """Every Jinja environment `theme` (MkDocs' Theme) makes from now on keeps its compiled templates below `root`:
    the build's, and those plugins make for themselves (Material's search plugin renders its translations).

    Called again on the same theme (a long-lived preview `Session` builds its configuration again after some
    edits), it replaces the cache given before instead of wrapping the theme's own method once more."""
    cache = TemplateBytecode(root)
    make = getattr(theme.get_env, "made_by", theme.get_env)

    def get_env() -> jinja2.Environment:
        env = make()
        env.bytecode_cache = cache
        return env

    get_env.made_by = make
    theme.get_env = get_env
