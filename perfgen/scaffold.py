"""``perfgen init``: the files of a new goals repo, planned in memory first, then written.

The files are data under ``templates/init/`` (shipped as package data). Names starting with a dot are
stored without it (``gitignore`` → ``.gitignore``) so that packaging tools and editors do not hide or skip
them. The output is a pure function of perfgen's own files: no dates, a fixed example year.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import NO_FILE, PerfgenError, diag, in_order
from perfgen.fsutil import atomic_write
from perfgen.resources import builtin_templates_dir, form_schema_path, schema_path

EXAMPLE_YEAR = 2024

# (file under templates/init/, where it goes in the new repo), in the order they are reported.
MANIFEST: tuple[tuple[str, str], ...] = (
    ("perfgen.yaml", "perfgen.yaml"),
    (f"goals/{EXAMPLE_YEAR}/_defaults.yaml", f"goals/{EXAMPLE_YEAR}/_defaults.yaml"),
    (f"goals/{EXAMPLE_YEAR}/01-example.yaml", f"goals/{EXAMPLE_YEAR}/01-example.yaml"),
    ("gitignore", ".gitignore"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
    ("github/workflows/perfgen.yml", ".github/workflows/perfgen.yml"),
    ("github/workflows/perfgen-matrix.yml", ".github/workflows/perfgen-matrix.yml"),
    ("vscode/settings.json", ".vscode/settings.json"),
    ("vscode/extensions.json", ".vscode/extensions.json"),
)
PROJECT_SCHEMA = "schema/project.schema.json"
DEFAULTS_SCHEMA = "schema/defaults.schema.json"
FORM_SCHEMA = "schema/form.schema.json"  # for a repository's own forms/<id>.yaml


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: str  # posix, relative to the new repo's root
    data: bytes



class ScaffoldError(PerfgenError):
    """The new repo cannot be written: its folder is a file, or writing failed (a usage problem, exit 2)."""

    def __init__(self, key: str, dest: Path, reason: str = ""):
        args: dict[str, Any] = {"reason": reason} if reason else {}
        super().__init__([diag(NO_FILE, "PG081", key, dest=str(dest), **args)], usage=True)


class ScaffoldConflict(PerfgenError):
    """Files that already exist and would be overwritten (without ``force``): one diagnostic each."""

    def __init__(self, dest: Path, existing: list[str]):
        super().__init__(in_order(diag(Pos((dest / p).as_posix()), "PG080", "init.exists") for p in existing))
        self.existing = existing


def init_dir() -> Path:
    return builtin_templates_dir() / "init"


def defaults_schema(project_schema: dict[str, object]) -> dict[str, object]:
    """The schema for ``_defaults.yaml``: the project's, with no key required at the top (a defaults file
    gives only some values). Editors then check keys and types there without demanding a whole project."""
    out = dict(project_schema)
    out.pop("required", None)
    if isinstance(out.get("$id"), str):
        out["$id"] = str(out["$id"]).replace("project.schema.json", "defaults.schema.json")
    out["title"] = "共用默认值（_defaults.yaml）"
    out["description"] = ("本目录及子目录中各项目共用的顶层值（如 year、unit、leader）；"
                          "项目文件中的同名键优先。")
    return out


def release_rev() -> str:
    """The git revision the generated pre-commit configuration and workflows pin perfgen at: this perfgen's
    release tag ``v<version>`` (tools/release.py makes one for every release), or ``main`` for a development
    build, which no tag names."""
    from perfgen import _version

    version = _version()
    return f"v{version}" if re.fullmatch(r"\d+\.\d+\.\d+", version) else "main"


def plan() -> list[PlannedFile]:
    """Every file ``perfgen init`` writes, with its bytes."""
    base = init_dir()
    rev = release_rev().encode("ascii")
    files = [PlannedFile(dest, (base / src).read_bytes().replace(b"{perfgen_rev}", rev)) for src, dest in MANIFEST]
    schema_bytes = schema_path().read_bytes()
    derived = defaults_schema(json.loads(schema_bytes.decode("utf-8")))
    files.append(PlannedFile(PROJECT_SCHEMA, schema_bytes))
    derived_bytes = (json.dumps(derived, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files.append(PlannedFile(DEFAULTS_SCHEMA, derived_bytes))
    files.append(PlannedFile(FORM_SCHEMA, form_schema_path().read_bytes()))
    return files


def existing(dest: Path, files: list[PlannedFile]) -> list[str]:
    return [f.path for f in files if (dest / f.path).exists() or (dest / f.path).is_symlink()]


def scaffold(dest: Path, force: bool = False) -> list[str]:
    """Write a new goals repo into ``dest`` (created if missing); the paths written, in order.

    Raises ScaffoldConflict, before writing anything, when files exist and ``force`` is false; ScaffoldError
    when ``dest`` is not a folder or cannot be written.
    """
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError("init.notdir", dest)
    try:
        files = plan()
        clash = existing(dest, files)
        if clash and not force:
            raise ScaffoldConflict(dest, clash)
        for f in files:
            atomic_write(dest / f.path, f.data)
    except OSError as exc:
        raise ScaffoldError("init.unwritable", dest, str(exc.strerror or exc)) from None
    return [f.path for f in files]
