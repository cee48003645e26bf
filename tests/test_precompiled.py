"""The built-in templates ship precompiled: current with their sources, and rendering exactly as compiled ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfgen.load.loader import FsReader, Loader
from perfgen.model import Project
from perfgen.render import precompile
from perfgen.render.html import HtmlRenderer, IndexEntry
from perfgen.resources import builtin_templates_dir

ROOT = Path(__file__).resolve().parent.parent
PRECOMPILED = ROOT / "perfgen" / "render" / "precompiled"


def examples() -> list[Project]:
    loader = Loader(FsReader(ROOT))
    projects = []
    for path in sorted((ROOT / "goals" / "2023").glob("0*.yaml")):
        project, _ = loader.load_project(path.relative_to(ROOT).as_posix())
        assert project is not None
        projects.append(project)
    return projects


def index_entries(projects: list[Project]) -> list[IndexEntry]:
    return [IndexEntry(p.unit, p.year, p.name, p.funds.total, p.funds.fiscal, p.funds.other, f"{p.rel}.html",
                       f"{p.rel}.docx", p.rel) for p in projects]


def _manifest() -> tuple[str, dict[str, str]]:
    from perfgen.render import precompiled

    return precompiled.JINJA2_VERSION, precompiled.SOURCES


def test_manifest_lists_every_builtin_template_with_its_current_hash() -> None:
    folder = builtin_templates_dir()
    _, sources = _manifest()
    assert sorted(sources) == precompile.builtin_names(folder)
    assert {"base.html.j2", "project.html.j2", "index.html.j2", "style.css"} <= set(sources)
    for name, digest in sources.items():
        assert digest == precompile.source_hash((folder / name).read_bytes()), (
            f"{name} changed: run python -m perfgen.render.precompile")


def test_shipped_modules_are_what_this_jinja_generates_or_are_not_used() -> None:
    version, sources = _manifest()
    loader = precompile.BuiltinLoader(builtin_templates_dir())
    if version == precompile.jinja_version():
        assert precompile.main(["--check"]) == 0, "run python -m perfgen.render.precompile"
        assert all(loader._code(name) is not None for name in sources)
    else:  # another Jinja release: its code generator may differ, so the sources are compiled instead
        assert all(loader._code(name) is None for name in sources)


def test_precompiled_and_compiled_templates_render_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    projects = examples()
    fast = HtmlRenderer([builtin_templates_dir()])
    pages = [fast.render_project(p) for p in projects]
    index = fast.render_index(index_entries(projects))
    if _manifest()[0] == precompile.jinja_version():
        used = fast.env.loader.loaders[0]._codes  # type: ignore[union-attr]
        assert used and all(code is not None for code in used.values())  # the fast path was taken
    monkeypatch.setattr(precompile, "_precompiled_code", lambda folder, name: None)
    slow = HtmlRenderer([builtin_templates_dir()])
    assert [slow.render_project(p) for p in projects] == pages
    assert slow.render_index(index_entries(projects)) == index
    assert all(code is None for code in slow.env.loader.loaders[0]._codes.values())  # type: ignore[union-attr]


def test_an_edited_builtin_is_compiled_from_its_source(tmp_path: Path) -> None:
    """A checkout whose built-in template was edited (and not precompiled again) still renders the edit."""
    folder = tmp_path / "templates"
    shutil.copytree(builtin_templates_dir(), folder)
    base = folder / "base.html.j2"
    base.write_text(base.read_text(encoding="utf-8").replace("<main", "<!-- edited --><main"), encoding="utf-8")
    page = HtmlRenderer([folder]).render_project(examples()[0])
    assert b"<!-- edited --><main" in page


def test_a_repo_override_wins_over_the_precompiled_builtin(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    user.mkdir()
    (user / "style.css").write_text("td { color: navy; }\n", encoding="utf-8")
    (user / "project.html.j2").write_text(
        '{% extends "default:project.html.j2" %}{% block title %}自定义{% endblock %}', encoding="utf-8")
    page = HtmlRenderer([user, builtin_templates_dir()]).render_project(examples()[0]).decode("utf-8")
    assert "<title>自定义</title>" in page and "td { color: navy; }" in page and "@page" not in page
    assert "项目支出绩效目标表" in page  # the rest from the precompiled built-in


def test_each_renderer_gets_its_own_template_namespace() -> None:
    """Two environments never share a module namespace (the compiled code reads `environment` from it)."""
    a, b = HtmlRenderer([builtin_templates_dir()]), HtmlRenderer([builtin_templates_dir()])
    ta, tb = a.env.get_template("project.html.j2"), b.env.get_template("project.html.j2")
    assert ta.environment is a.env and tb.environment is b.env
    assert ta.root_render_func.__globals__ is not tb.root_render_func.__globals__
    assert ta.root_render_func.__globals__["environment"] is a.env
