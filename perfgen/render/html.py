"""HTML output: the 项目支出绩效目标表 as a self-contained page, each unit's page of projects and the index.

Templates are data found on a search path (a goals repo's own ``templates/`` first, then the built-ins),
and they arrive by pull request, so they run in Jinja's sandbox with autoescape and ``StrictUndefined``.
A user template may replace one block of a built-in one with ``{% extends "default:project.html.j2" %}``.

Everything a template prints is precomputed in :mod:`perfgen.render.view` (merged-cell spans, formatted
money and weights, numbered objectives), so the templates stay simple enough to override without knowing
the model.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from markupsafe import Markup, escape

from perfgen.fsutil import shown_path
from perfgen.model import Project, format_money, format_number
from perfgen.render.layout import Cell
from perfgen.render.listings import IndexPage, UnitPage
from perfgen.render.precompile import BuiltinLoader
from perfgen.render.sandbox import (
    BoundedSandbox,
    Keyed,
    RepoLoader,
    Sandbox,
    TemplateRefused,
    Trusted,
    generate_bounded,
    page_bounds,
)
from perfgen.render.view import ProjectForm, project_form

PROJECT_TEMPLATE = "project.html.j2"
INDEX_TEMPLATE = "index.html.j2"
UNIT_TEMPLATE = "unit.html.j2"
COMBINED_TEMPLATE = "combined.html.j2"
# `{% extends "default:project.html.j2" %}` always reaches the built-in template, even when overridden.
DEFAULT_PREFIX = "default"

DEFAULT_INDEX_TITLE = "项目支出绩效目标表目录"


class TemplateError(Exception):
    """A user-facing error in a template (syntax, undefined variable, sandbox violation, missing file).

    ``file`` is the template's path on disk (``None`` when it cannot be known) and ``line`` its 1-based
    line, so the CLI can print ``templates/project.html.j2:12: error[PG030]: …`` instead of a traceback.
    """

    code = "PG030"

    def __init__(self, message: str, file: Path | None = None, line: int | None = None, costly: bool = False,
                 key: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.costly = costly  # it went over a bound (time, size): not worth trying again on the next project
        self.key, self.params = key, params or {}  # a message key: its text is chosen when printed

    @property
    def location(self) -> str:
        """``file:line`` with the file relative to the working directory when it lies below it."""
        if self.file is None:
            return "<template>"
        shown = shown_path(self.file, Path.cwd())
        return f"{shown}:{self.line}" if self.line else shown

    def __str__(self) -> str:
        return f"{self.location}: error[{self.code}]: {self.message}"


@dataclass(frozen=True, slots=True)
class CombinedPage:
    title: str  # "库尔勒市社会保险中心 2023年"
    forms: tuple[ProjectForm, ...]


@lru_cache(maxsize=8192)
def html_cell(cell: Cell) -> Markup:
    """The HTML of one cell of a form's grid (``{{ cell|html_cell }}`` in ``form.html.j2``): a ``<th>`` for
    labels and column titles, a ``<td>`` with the form's class for values, one ``<p>`` per line of a list.

    A function rather than template markup because it runs for every cell of every page, and most cells repeat
    from one project to the next (the 一级/二级 names, the column titles, 历史标准): cached, a page's cells take
    a third of the time the same markup took in Jinja (issue 16). A repository's own ``form.html.j2`` may
    still write each cell itself from ``cell.role``, ``cell.text``, ``cell.lines``, ``cell.html_class`` and
    ``cell.html_spans``."""
    if not isinstance(cell, Cell):
        raise TypeError(f"html_cell: a cell of a form's layout, not {type(cell).__name__}")
    role, spans = cell.role, cell.html_spans
    if role == "label":
        return Markup(f'<th scope="row"{spans}>{escape(cell.text)}</th>')
    if role == "title":
        return Markup(f'<th scope="col"{spans}>{escape(cell.text)}</th>')
    if role == "text":
        return Markup(f'<td class="text{" left" if cell.align == "left" else ""}"{spans}>{escape(cell.text)}</td>')
    if cell.value.kind == "list":
        lines = "".join(f"<p>{escape(line)}</p>\n" for line in cell.lines)
        return Markup(f'<td class="{escape(cell.html_class)}"{spans}>\n{lines}</td>')
    return Markup(f'<td class="{escape(cell.html_class)}"{spans}>{escape(cell.text)}</td>')


# --- the renderer -----------------------------------------------------------------------------------


def make_environment(loader: jinja2.BaseLoader, bounded: bool = False, trusted: bool = False) -> Sandbox:
    """The environment the templates run in (the built-ins are precompiled for any of them).

    ``bounded``: templates from a repository run in :class:`~perfgen.render.sandbox.BoundedSandbox`.
    ``trusted``: only perfgen's own templates will run (the repository overrides none): a plain environment,
    without the sandbox's check of every attribute access, which was most of a page's time (issue 16).
    """
    # Immutable: a template cannot alter the model (e.g. list.append) before the Word writer sees it.
    kind: type[Sandbox] = Trusted if trusted else BoundedSandbox if bounded else Sandbox
    env = kind(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["money"] = format_money
    env.filters["number"] = format_number
    env.filters["html_cell"] = html_cell
    return env


class HtmlRenderer:
    """Renders projects and the index with one sandboxed Jinja environment over a template search path."""

    def __init__(self, search_path: list[Path]) -> None:
        if not search_path:
            raise ValueError("the template search path is empty")
        builtin = BuiltinLoader(search_path[-1])  # the built-ins are the last folder of the search path
        loaders: list[jinja2.BaseLoader] = [builtin, jinja2.PrefixLoader({DEFAULT_PREFIX: builtin}, delimiter=":")]
        loaders[:0] = [RepoLoader(d) for d in search_path[:-1]]  # a repository's own templates/ first
        names = [n for n in builtin.list_templates() if n.endswith((".j2", ".css"))]
        overridden = any(os.path.lexists(d / name) for d in search_path[:-1] for name in names)
        self.env = make_environment(jinja2.ChoiceLoader(loaders), bounded=len(search_path) > 1,
                                    trusted=not overridden)

    def render_project(self, project: Project, form: ProjectForm | None = None) -> bytes:
        """The page of ``project`` (``form``: its :func:`~perfgen.render.view.project_form`, if already made)."""
        return self._render(PROJECT_TEMPLATE, {"project": project, "form": form or project_form(project)})

    def render_combined(self, forms: list[ProjectForm], title: str) -> bytes:
        """One page of several projects' forms (a unit's year: perfgen build --combine)."""
        return self._render(COMBINED_TEMPLATE, {"combined": CombinedPage(title, tuple(forms))})

    def render_unit(self, page: UnitPage) -> bytes:
        """A unit's page of one year."""
        return self._render(UNIT_TEMPLATE, {"page": page})

    def render_index(self, page: IndexPage) -> bytes:
        """The index page: the units' pages, with counts and totals."""
        return self._render(INDEX_TEMPLATE, {"index": page})

    def _template(self, name: str) -> jinja2.Template:
        with _template_errors(name):  # compiled once: the environment caches it (auto_reload is off)
            return self.env.get_template(name)

    def _render(self, name: str, context: Mapping[str, Any]) -> bytes:
        template = self._template(name)
        with self._errors(template), self._bounds():
            return _unix_newlines("".join(self._generate(template, context)) if isinstance(self.env, BoundedSandbox)
                                  else template.render(context))

    @contextlib.contextmanager
    def _errors(self, template: jinja2.Template) -> Iterator[None]:
        """Template errors as :class:`TemplateError`; one with no place (a page too long) names the template."""
        try:
            with _template_errors(template.name or ""):
                yield
        except TemplateError as exc:
            if exc.file is None and template.filename:
                exc.file = Path(template.filename)
            raise

    def _bounds(self) -> contextlib.AbstractContextManager[None]:
        return page_bounds(self.env) if isinstance(self.env, BoundedSandbox) else contextlib.nullcontext()

    def _generate(self, template: jinja2.Template, context: Mapping[str, Any]) -> Iterator[str]:
        if isinstance(self.env, BoundedSandbox):
            return generate_bounded(template, context)
        return template.generate(context)


@contextlib.contextmanager
def _template_errors(name: str) -> Iterator[None]:
    """Turn what went wrong in template ``name`` into a :class:`TemplateError`; perfgen's own bugs pass."""
    try:
        yield
    except Exception as exc:
        error = _template_error(exc, name)
        if error is None:
            raise
        raise error from exc


def _unix_newlines(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


def _template_frame(tb: TracebackType | None) -> tuple[Path, int] | None:
    """The innermost template frame of a traceback Jinja has rewritten to point at template source."""
    found: tuple[Path, int] | None = None
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (Path(tb.tb_frame.f_code.co_filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _template_error(exc: Exception, name: str) -> TemplateError | None:
    """Map an exception raised while loading or rendering ``name`` to a TemplateError.

    Jinja's own errors are always the template's fault. Any other exception counts as a template error
    only when raised from template code (e.g. ``{{ 1 / 0 }}``); otherwise it is a perfgen bug: ``None``,
    and the caller re-raises it with its traceback.
    """
    if isinstance(exc, TemplateRefused):
        return TemplateError(exc.key, exc.file, key=exc.key, params=exc.params)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file = Path(exc.filename) if exc.filename else None
        return TemplateError(f"template syntax error: {exc.message}", file, exc.lineno)
    frame = _template_frame(exc.__traceback__)
    file, line = frame if frame else (None, None)
    if isinstance(exc, Keyed):
        return TemplateError(exc.key, file, line, costly=True, key=exc.key, params=exc.params)
    if isinstance(exc, MemoryError):
        return TemplateError("template.limit.memory", file, line, costly=True, key="template.limit.memory")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return TemplateError(f"unsafe template code refused by the sandbox: {exc}", file, line)
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(f"undefined value in template: {exc.message}", file, line)
    if isinstance(exc, jinja2.TemplateNotFound):
        missing = ", ".join(str(t) for t in exc.templates) if exc.templates else str(exc.name)
        return TemplateError(f"template not found: {missing} (needed by {name})", file, line)
    if isinstance(exc, jinja2.TemplateError):
        return TemplateError(f"template error: {exc}", file, line)
    if frame is not None:
        return TemplateError(f"error in template code: {type(exc).__name__}: {exc}", file, line)
    return None
