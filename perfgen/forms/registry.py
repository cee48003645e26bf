"""Where forms are found: the goals repository's ``forms/<id>.yaml`` first, then the built-ins.

A repository's definitions come with pull requests, so they are read like its templates: regular files
inside the repository's real ``forms/`` folder, bounded in size; a ``forms/`` that is a link is not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, PerfgenError, diag, in_order
from perfgen.forms.definition import FormDef, definition_from, nodes, read_definition
from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, read_regular
from perfgen.load.loader import refusal
from perfgen.load.yamlnodes import Map
from perfgen.resources import FORMS_DIR, builtin_forms_dir

DEFAULT_FORM = "xinjiang-2023"
SUFFIX = ".yaml"
COMPILED = Path(__file__).with_name("builtin.json")


class FormError(PerfgenError):
    """Forms that cannot be used: a broken definition, an unknown ID."""

    def __init__(self, diagnostics: list[Diagnostic], *, usage: bool = False) -> None:
        super().__init__(in_order(diagnostics), usage=usage)


@dataclass(frozen=True)
class FormFile:
    id: str
    path: Path
    shown: str  # as diagnostics show it: forms/x.yaml, or the built-in's name
    builtin: bool


def form_files(root: Path | None) -> dict[str, FormFile]:
    """Every available form by ID, the repository's replacing a built-in of the same ID."""
    found = {f.id: f for f in _builtin_files()}
    folder = root / FORMS_DIR if root is not None else None
    if folder is not None and folder.is_dir() and not folder.is_symlink():
        for name in sorted(os.listdir(folder)):
            if name.endswith(SUFFIX) and not name.startswith("."):
                stem = name[: -len(SUFFIX)]
                found[stem] = FormFile(stem, folder / name, f"{FORMS_DIR}/{name}", False)
    return dict(sorted(found.items()))


@cache
def _builtin_files() -> tuple[FormFile, ...]:
    folder = builtin_forms_dir()
    return tuple(FormFile(p.stem, p, f"<perfgen>/{p.name}", True) for p in sorted(folder.glob(f"*{SUFFIX}")))


def read_form(file: FormFile) -> tuple[FormDef | None, list[Diagnostic]]:
    """The definition in ``file``, or None and why not."""
    if file.builtin:
        return _read_builtin(file.path)
    try:
        data = read_regular(file.path, TEMPLATE_LIMIT, within=file.path.parent)
    except UnsafeFile as exc:
        return None, [refusal(file.shown, exc)]
    except OSError as exc:
        return None, [diag(Pos(file.shown), "PG040", "form.unreadable", reason=exc.strerror or str(exc))]
    form, diags = read_definition(data, file.shown)
    if form is not None and form.id != file.id:
        return None, [diag(Pos(file.shown), "PG040", "form.id_mismatch", file=file.shown, id=form.id, stem=file.id)]
    return form, diags


@cache
def _read_builtin(path: Path) -> tuple[FormDef | None, list[Diagnostic]]:
    """A built-in definition: from its compiled copy (builtin.json) while that matches the file, else parsed."""
    data, source = path.read_bytes(), f"<perfgen>/{path.name}"
    compiled = _compiled().get(path.stem)
    if compiled is not None and compiled.get("sha256") == hashlib.sha256(data).hexdigest():
        root = nodes(compiled["definition"], source)
        assert isinstance(root, Map)
        return definition_from(root, source, builtin=True)
    return read_definition(data, source, builtin=True)


@cache
def _compiled() -> dict[str, Any]:
    """perfgen/forms/builtin.json: each built-in definition as plain data (tools/compile_forms.py writes it), so
    that a build does not import a YAML parser for the forms it always reads."""
    try:
        data: dict[str, Any] = json.loads(COMPILED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def load_forms(root: Path | None, ids: list[str], where: Pos | None = None,
               usage: bool = False) -> dict[str, FormDef]:
    """The forms ``ids`` (in that order), or :class:`FormError` naming every problem.

    ``where``: the setting that chose them (perfgen.yaml's ``form``/``forms``), for an unknown ID; without
    it the choice came from the command line (``usage``: exit 2).
    """
    files = form_files(root)
    forms: dict[str, FormDef] = {}
    problems: list[Diagnostic] = []
    for form_id in dict.fromkeys(ids):
        file = files.get(form_id)
        if file is None:
            problems.append(diag(where or Pos(""), "PG044", "form.choice", form=form_id, available=", ".join(files)))
            continue
        form, diags = read_form(file)
        problems += diags
        if form is not None:
            forms[form_id] = form
    if problems:
        raise FormError(problems, usage=usage and all(d.code == "PG044" for d in problems))
    return forms


def default_form() -> FormDef:
    """The built-in default form (the seed's layout)."""
    form, diags = _read_builtin(builtin_forms_dir() / f"{DEFAULT_FORM}{SUFFIX}")
    assert form is not None, diags
    return form
