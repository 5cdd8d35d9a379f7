"""Compiled templates kept between builds (build/template_bytecode.py): never loaded where they would compile otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic
from jinja2.ext import Extension

from carepress.build import template_bytecode
from carepress.build.template_bytecode import KEPT_FOLDERS, TemplateBytecode, compiling, keep_compiled_templates

TEMPLATES = {"page.html": "{% for item in items %}\n  {{ item | shout }}\n{% endfor %}\n"}


def shout(value):
    return f"{value}!"


@jinja2.pass_context
def shout_with_context(context, value):
    return f"{value}! ({context['site']})"


def environment(root: Path, loader: jinja2.BaseLoader | None = None, **options) -> jinja2.Environment:
    env = jinja2.Environment(loader=loader or jinja2.DictLoader(TEMPLATES), bytecode_cache=TemplateBytecode(root), **options)
    env.filters["shout"] = shout
    return env


@pytest.fixture
def compiled(compiled_templates) -> list[str]:
    return compiled_templates


def render(env: jinja2.Environment) -> str:
    return env.get_template("page.html").render(items=["a", "b"], site="patient")


def test_a_template_compiled_once_is_loaded_by_the_next_build(tmp_path, compiled):
    assert render(environment(tmp_path)) == render(environment(tmp_path)) == "\n  a!\n\n  b!\n"
    assert compiled == ["page.html"]


def test_another_way_of_compiling_compiles_again_and_keeps_both(tmp_path, compiled):
    plain = render(environment(tmp_path))
    trimmed = environment(tmp_path, trim_blocks=True, lstrip_blocks=True)
    assert render(trimmed) == "  a!\n  b!\n" != plain
    assert render(environment(tmp_path, trim_blocks=True, lstrip_blocks=True)) == render(trimmed)
    assert render(environment(tmp_path)) == plain
    assert compiled == ["page.html", "page.html"]
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2


def test_a_sandbox_or_the_i18n_policy_is_another_way_of_compiling(tmp_path):
    from jinja2.sandbox import SandboxedEnvironment

    plain = compiling(environment(tmp_path, extensions=["jinja2.ext.i18n"]))
    sandboxed = SandboxedEnvironment(extensions=["jinja2.ext.i18n"])
    sandboxed.filters["shout"] = shout
    trimmed = environment(tmp_path, extensions=["jinja2.ext.i18n"])
    trimmed.policies["ext.i18n.trimmed"] = True  # how `{% trans %}` blocks are parsed
    assert len({plain, compiling(sandboxed), compiling(trimmed)}) == 3


def test_a_filter_that_takes_the_context_is_compiled_for(tmp_path, compiled):
    render(environment(tmp_path))
    env = environment(tmp_path)
    env.filters["shout"] = shout_with_context  # compiled code passes the context or not
    assert render(env) == "\n  a! (patient)\n\n  b! (patient)\n"
    assert compiled == ["page.html", "page.html"]


def test_a_changed_source_is_compiled_again(tmp_path, compiled):
    render(environment(tmp_path))
    env = environment(tmp_path, loader=jinja2.DictLoader({"page.html": "{{ items | length }}"}))
    assert render(env) == "2"
    assert compiled == ["page.html", "page.html"]


def test_two_loaders_of_one_template_each_keep_theirs(tmp_path, compiled):
    folder = tmp_path / "theme"
    folder.mkdir()
    (folder / "page.html").write_text(TEMPLATES["page.html"], encoding="utf-8")

    class Rewriting(jinja2.FileSystemLoader):  # as the build's memo loader rewrites some of Material's templates
        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            return source.replace("shout", "upper"), filename, uptodate

    for _ in range(2):
        assert render(environment(tmp_path / "cache", jinja2.FileSystemLoader(str(folder)))) == "\n  a!\n\n  b!\n"
        assert render(environment(tmp_path / "cache", Rewriting(str(folder)))) == "\n  A\n\n  B\n"
    assert compiled == ["page.html", "page.html"]


def test_a_damaged_file_is_compiled_again(tmp_path, compiled):
    render(environment(tmp_path))
    (kept,) = [file for folder in tmp_path.iterdir() for file in folder.iterdir()]
    kept.write_bytes(kept.read_bytes()[:len(bc_magic) + 3])  # Jinja's header, then half a pickle: it raises
    assert render(environment(tmp_path)) == "\n  a!\n\n  b!\n"
    assert compiled == ["page.html", "page.html"]
    assert render(environment(tmp_path)) and compiled == ["page.html", "page.html"]  # and kept again


def test_a_folder_that_cannot_be_written_only_leaves_templates_uncached(tmp_path, compiled):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert render(environment(blocked / "templates")) == render(environment(blocked / "templates"))
    assert compiled == ["page.html", "page.html"]


class ThirdParty(Extension):
    tags = {"shout"}


def test_an_environment_whose_compiling_cannot_be_told_keeps_nothing(tmp_path, compiled):
    for options in ({"extensions": [ThirdParty]}, {"autoescape": jinja2.select_autoescape()}):
        assert compiling(environment(tmp_path, **options)) is None
        render(environment(tmp_path, **options))
        render(environment(tmp_path, **options))
    assert compiled == ["page.html"] * 4 and list(tmp_path.iterdir()) == []
    assert compiling(environment(tmp_path, extensions=["jinja2.ext.i18n"])) is not None  # MkDocs' own


def test_only_the_ways_of_compiling_used_last_are_kept(tmp_path, monkeypatch):
    for index in range(KEPT_FOLDERS + 2):
        env = environment(tmp_path)
        env.filters[f"extra{index}"] = shout
        render(env)
        os.utime(tmp_path / compiling(env)[:32], (index, index))  # distinct dates, oldest first
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == KEPT_FOLDERS and compiling(env)[:32] in kept


def test_every_environment_a_theme_makes_uses_the_cache(tmp_path, compiled):
    class Theme:  # MkDocs' Theme, as far as this goes
        def get_env(self):
            env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES))
            env.filters["shout"] = shout
            return env

    theme = Theme()
    keep_compiled_templates(theme, tmp_path)
    assert isinstance(theme.get_env().bytecode_cache, template_bytecode.TemplateBytecode)
    assert render(theme.get_env()) == render(theme.get_env())
    assert compiled == ["page.html"]


def test_a_theme_given_the_cache_again_is_wrapped_once_with_the_last_cache(tmp_path):
    class Counting(jinja2.Environment):
        given = 0  # how many times an environment is handed a bytecode cache: once by Jinja, then by each wrapper

        def __setattr__(self, name, value):
            Counting.given += name == "bytecode_cache"
            super().__setattr__(name, value)

    class Theme:
        def get_env(self):
            return Counting(loader=jinja2.DictLoader(TEMPLATES))

    theme = Theme()
    for build in range(3):  # a preview session's full builds, each on the same configuration
        keep_compiled_templates(theme, tmp_path / str(build))
    env = theme.get_env()
    assert Counting.given == 2  # Jinja's own, then one wrapper's: not three wrappers around each other
    assert env.bytecode_cache.root == tmp_path / "2"
