"""The built-in templates ship precompiled: current with their sources, and rendering exactly as compiled ones.

The package is written by ``python tools/precompile_templates.py``; its ``--check`` runs here.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jinja2
import pytest
from sample_data import ROOT, example_projects

from perfgen.model import Project
from perfgen.render import precompile, precompiled
from perfgen.render.html import HtmlRenderer, make_environment
from perfgen.render.listings import IndexEntry, UnitPage, index_page, unit_group, unit_summary
from perfgen.resources import builtin_templates_dir

TOOL = ROOT / "tools" / "precompile_templates.py"


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("precompile_templates", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def index_entries(projects: list[Project]) -> list[IndexEntry]:
    return [IndexEntry(p.unit, p.year, p.name, p.funds.total, p.funds.fiscal, p.funds.other,
                       (("html", f"{p.output_stem}.html"), ("docx", f"{p.output_stem}.docx")), p.source)
            for p in projects]


def listings(renderer: HtmlRenderer, projects: list[Project]) -> list[bytes]:
    """A unit's page of the projects and the index page above it."""
    group = unit_group(index_entries(projects), (("Word", "combined/x.docx"),))
    summary = unit_summary(group, "units/x.html", (("Word", "combined/x.docx"),))
    return [renderer.render_unit(UnitPage("目录", group, "../index.html", ("docx", "html", "pdf"))),
            renderer.render_index(index_page([summary], "目录"))]


def this_jinja_wrote_them() -> bool:
    return precompile.jinja_version() == precompiled.JINJA2_VERSION


def test_manifest_lists_every_builtin_template_with_its_current_hash() -> None:
    folder = builtin_templates_dir()
    assert sorted(precompiled.SOURCES) == tool().builtin_names(folder)
    assert {"base.html.j2", "project.html.j2", "index.html.j2", "style.css"} <= set(precompiled.SOURCES)
    for name, digest in precompiled.SOURCES.items():
        assert digest == precompile.source_hash((folder / name).read_bytes()), (
            f"{name} changed: run python tools/precompile_templates.py")


def test_shipped_modules_are_what_this_jinja_generates_or_are_not_used() -> None:
    loader = precompile.BuiltinLoader(builtin_templates_dir())
    if this_jinja_wrote_them():
        check = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        assert all(loader.precompiled_code(name) is not None for name in precompiled.SOURCES)
    else:  # another Jinja release: its code generator may differ, so the sources are compiled instead
        assert all(loader.precompiled_code(name) is None for name in precompiled.SOURCES)


def test_the_check_names_stale_and_left_over_files(tmp_path: Path) -> None:
    precompile_templates = tool()
    wanted = precompile_templates.generate(make_environment(jinja2.BaseLoader()), builtin_templates_dir())
    for name, text in wanted.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert precompile_templates.differences(wanted, tmp_path) == ([], [])
    (tmp_path / "style_css.py").write_text(wanted["style_css.py"] + "# edited\n", encoding="utf-8")
    (tmp_path / "__init__.py").unlink()
    (tmp_path / "old_html_j2.py").write_text("", encoding="utf-8")
    assert precompile_templates.differences(wanted, tmp_path) == (["__init__.py", "style_css.py"],
                                                                 ["old_html_j2.py"])


def test_precompiled_and_compiled_templates_render_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    projects = example_projects()
    fast = HtmlRenderer([builtin_templates_dir()])
    pages = [fast.render_project(p) for p in projects]
    index = listings(fast, projects)
    builtin = precompile.BuiltinLoader(builtin_templates_dir())
    assert all(builtin.precompiled_code(name) is not None for name in precompiled.SOURCES) == this_jinja_wrote_them()
    # A manifest written by another Jinja release: the loader compiles every source instead.
    monkeypatch.setattr(precompiled, "JINJA2_VERSION", "another release")
    builtin = precompile.BuiltinLoader(builtin_templates_dir())
    assert all(builtin.precompiled_code(name) is None for name in precompiled.SOURCES)
    slow = HtmlRenderer([builtin_templates_dir()])
    assert [slow.render_project(p) for p in projects] == pages
    assert listings(slow, projects) == index


def test_an_edited_builtin_is_compiled_from_its_source(tmp_path: Path) -> None:
    """A checkout whose built-in template was edited (and not precompiled again) still renders the edit."""
    folder = tmp_path / "templates"
    shutil.copytree(builtin_templates_dir(), folder)
    base = folder / "base.html.j2"
    base.write_text(base.read_text(encoding="utf-8").replace("<main", "<!-- edited --><main"), encoding="utf-8")
    page = HtmlRenderer([folder]).render_project(example_projects()[0])
    assert b"<!-- edited --><main" in page


def test_a_repo_override_wins_over_the_precompiled_builtin(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    user.mkdir()
    (user / "style.css").write_text("td { color: navy; }\n", encoding="utf-8")
    (user / "project.html.j2").write_text(
        '{% extends "default:project.html.j2" %}{% block title %}自定义{% endblock %}', encoding="utf-8")
    page = HtmlRenderer([user, builtin_templates_dir()]).render_project(example_projects()[0]).decode("utf-8")
    assert "<title>自定义</title>" in page and "td { color: navy; }" in page and "@page" not in page
    assert "项目支出绩效目标表" in page  # the rest from the precompiled built-in


def test_each_renderer_gets_its_own_template_namespace() -> None:
    """Two environments never share a module namespace (the compiled code reads `environment` from it)."""
    a, b = HtmlRenderer([builtin_templates_dir()]), HtmlRenderer([builtin_templates_dir()])
    ta, tb = a.env.get_template("project.html.j2"), b.env.get_template("project.html.j2")
    assert ta.environment is a.env and tb.environment is b.env
    assert ta.root_render_func.__globals__ is not tb.root_render_func.__globals__
    assert ta.root_render_func.__globals__["environment"] is a.env
