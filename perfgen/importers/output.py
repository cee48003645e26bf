"""Where imported projects go: safe file names, shared values lifted into ``_defaults.yaml``, and writes.

Files go to ``OUT/<year>/`` (or straight into OUT when it is already named after the year). Nothing existing
is overwritten without ``force``, every target is checked before the first write, and each write is atomic.
An existing ``_defaults.yaml`` is never rewritten: project files then spell out what differs from it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.fmt import dump_defaults, dump_project
from perfgen.fsutil import UnsafeFile, atomic_write
from perfgen.load.loader import DEFAULTS_NAME, FsReader, ReadError, defaults_chain, refusal
from perfgen.load.schema import schema
from perfgen.load.yamlnodes import load, to_plain
from perfgen.model import COLUMN_TITLES, Project
from perfgen.resources import schema_path
from perfgen.scaffold import PROJECT_SCHEMA

WEIGHT_TITLE = COLUMN_TITLES[6]  # 指标分值权重
MAX_STEM_BYTES = 150
SHARED = ("year", "unit", "leader")
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"{d}{n}" for d in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³"))}


def safe_stem(name: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file name (without suffix) for ``name`` that Windows, macOS, Linux and git all accept."""
    out = []
    for ch in unicodedata.normalize("NFC", name):
        if ch in '<>:"/\\|?*':
            out.append("_")
        elif ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    stem = re.sub(r" +", " ", "".join(out)).strip().lstrip(".")
    stem = _fit(stem.rstrip(". "), max_bytes)
    if not stem:
        stem = "project"
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED:
        stem = "_" + stem
    if stem.casefold() == DEFAULTS_NAME.removesuffix(".yaml"):
        stem += "_"
    return stem


def _fit(text: str, max_bytes: int) -> str:
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text.rstrip(". ")


def unique_stems(names: list[str]) -> list[str]:
    """``safe_stem`` of each name, collisions (also by case, as on Windows/macOS) numbered -2, -3, …"""
    seen: set[str] = set()
    out = []
    for name in names:
        base = safe_stem(name)
        stem, n = base, 1
        while stem.casefold() in seen:
            n += 1
            suffix = f"-{n}"
            stem = _fit(base, MAX_STEM_BYTES - len(suffix)) + suffix
        seen.add(stem.casefold())
        out.append(stem)
    return out


@dataclass
class Output:
    path: Path
    text: str


def folder_for(out: Path, year: int) -> Path:
    return out if out.name == str(year) else out / str(year)


def _inherited(folder: Path, root: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Top-level values the existing ``_defaults.yaml`` files give a file in ``folder`` — the same chain
    the loader applies (from the enclosing ``goals/`` folder down)."""
    try:
        rel = folder.absolute().relative_to(root.absolute()).as_posix()
        reader, chain = FsReader(root), list(defaults_chain(f"{rel}/x.yaml"))
    except ValueError:  # outside the repo: only the folder itself
        reader, chain = FsReader(folder), [DEFAULTS_NAME]
    values: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for name in chain:
        # As the loader reads it: a regular file within the repository (or the folder), within the size limit.
        shown = name if reader.root == root else (folder / name).as_posix()
        try:
            data = reader.read(name)
        except UnsafeFile as exc:
            diags.append(refusal(shown, exc))
            continue
        except ReadError as exc:
            diags.append(diag(Pos(shown), "PG007", "file.unreadable", reason=str(exc)))
            continue
        if data is None:
            continue
        node, problems = load(data, shown)
        diags.extend(d for d in problems if d.key != "file.empty")  # an empty one gives no defaults
        if node is not None:
            values.update(to_plain(node))
    return values, diags


def _schema_ref(folder: Path, root: Path) -> str:
    """The schema the new files' modeline names: the repository's own (schema/project.schema.json, as perfgen init
    writes it), relative to the files; where the repository has none, the schema installed with perfgen."""
    own = root.absolute() / PROJECT_SCHEMA
    if not own.is_file():
        return schema_path().resolve().as_uri()
    try:
        ref = os.path.relpath(own, folder.absolute())
    except ValueError:  # another drive on Windows
        return own.as_uri()
    return ref.replace(os.sep, "/")


def weights_required() -> bool:
    """The goals format (schema/project.schema.json) requires every indicator's weight."""
    try:
        item = schema()["properties"]["indicators"]["additionalProperties"]["additionalProperties"]["items"]
    except (KeyError, TypeError):
        return True
    return "weight" in item.get("required", ())


def plan(projects: list[Project], out: Path, root: Path) -> tuple[list[Output], list[Diagnostic]]:
    """Every file to write, with its text; nothing is written here."""
    outputs: list[Output] = []
    diags: list[Diagnostic] = []
    if weights_required():  # a table of a form without weights (湖南, 四川, 财政部) gives goals without them
        diags += [diag(p.pos("_"), "PG060", "import.header_missing", label=WEIGHT_TITLE) for p in projects
                  if any(i.weight is None for i in p.indicators)]
        if diags:
            return [], diags
    folders: dict[Path, list[Project]] = {}
    for p in projects:
        folders.setdefault(folder_for(out, p.year), []).append(p)
    for folder, group in folders.items():
        inherited, problems = _inherited(folder, root)
        diags.extend(problems)
        lifted: dict[str, Any] = {}
        if not (folder / DEFAULTS_NAME).exists():
            for key in SHARED:
                values = {getattr(p, key) for p in group}
                if len(values) == 1 and (v := values.pop()) not in ("", None) and inherited.get(key) != v:
                    lifted[key] = v
            if lifted:
                outputs.append(Output(folder / DEFAULTS_NAME, dump_defaults(lifted)))
        effective = inherited | lifted
        schema = _schema_ref(folder, root)
        for p, stem in zip(group, unique_stems([p.name for p in group]), strict=True):
            omit = {k for k in ("year", "unit", "name", "leader", "code") if k in effective
                    and effective[k] == getattr(p, k)}
            keep = {k for k in ("leader", "code") if not getattr(p, k) and effective.get(k)}
            path = folder / f"{stem}.yaml"
            outputs.append(Output(path, dump_project(p, omit, schema=schema, keep_empty=keep)))
    return outputs, diags


def write(outputs: list[Output], force: bool) -> tuple[list[Path], list[Diagnostic]]:
    """Write all or nothing: every target is checked first."""
    diags: list[Diagnostic] = []
    for o in outputs:
        if o.path.exists() and not o.path.is_file():
            diags.append(diag(Pos(o.path.as_posix()), "PG061", "import.not_file"))
        elif o.path.exists() and not force:
            diags.append(diag(Pos(o.path.as_posix()), "PG061", "import.exists"))
    if diags:
        return [], diags
    written: list[Path] = []
    for o in outputs:
        try:
            atomic_write(o.path, o.text.encode("utf-8"))
        except OSError as exc:
            diags.append(diag(Pos(o.path.as_posix()), "PG063", "import.write", reason=exc.strerror or str(exc)))
            break
        written.append(o.path)
    return written, diags
