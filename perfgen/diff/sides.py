"""The two sides of ``perfgen diff``: git revisions, the working tree, two goals folders or two goals files.

No revision: HEAD against the working tree; one: that revision against the working tree; two: A against B.
Two arguments that both exist as paths compare two goals folders (or two goals files) instead. A side
whose goals files have errors cannot be compared: :class:`SideInvalid` tells the errors of both sides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import NO_FILE, Diagnostic, PerfgenError, diag, in_order
from perfgen.diff.compare import DiffResult, diff_project, diff_projects
from perfgen.load.gitreader import GitReader, MountReader
from perfgen.load.loader import GOALS_DIR, FsReader, Loader, Reader
from perfgen.model import Project

Side = Callable[[], list[Project]]  # loads the projects of one side

# What a side is called in PG077's message ({side}); the Chinese runs on into "的目标文件有错误", hence the spaces.
_WORKTREE = ("工作区", "the working tree")
_REVISION = ("版本 {rev} ", "revision {rev}")
_PATH = ("{path} ", "{path}")


class CannotCompare(PerfgenError):
    """The arguments name nothing to compare (no goals/ folder, a folder and a file): a usage problem."""

    def __init__(self, code: str, key: str, **args: Any):
        super().__init__([diag(NO_FILE, code, key, **args)], usage=True)


class SideInvalid(PerfgenError):
    """One or both sides do not load: for each, a line naming the side, then its errors in order."""

    def __init__(self, sides: list[tuple[str, list[Diagnostic]]]):
        super().__init__([d for side, errors in sides
                          for d in (diag(NO_FILE, "PG077", "diff.invalid", side=side), *in_order(errors))])
        self.sides = sides


def compare(revisions_or_paths: list[str], cwd: Path) -> DiffResult:
    """``perfgen diff``'s arguments compared: two existing paths, else up to two revisions (default HEAD)."""
    if len(revisions_or_paths) == 2 and all(Path(a).exists() for a in revisions_or_paths):
        return diff_paths(Path(revisions_or_paths[0]), Path(revisions_or_paths[1]), cwd)
    return diff_revs(revisions_or_paths or ["HEAD"], cwd)


def load_both(old: Side, new: Side) -> tuple[list[Project], list[Project]]:
    """Load both sides, reporting the errors of both before giving up."""
    loaded: list[list[Project]] = []
    failed: list[tuple[str, list[Diagnostic]]] = []
    for load in (old, new):
        try:
            loaded.append(load())
        except SideInvalid as exc:
            failed += exc.sides
    if failed:
        raise SideInvalid(failed)
    return loaded[0], loaded[1]


def _both(old: Side, new: Side) -> DiffResult:
    return diff_projects(*load_both(old, new))


def _relocate(d: Diagnostic, display: str) -> Diagnostic:
    """Positions inside a mounted folder, shown as the path the user gave."""
    def pos(p: Pos | None) -> Pos | None:
        if p is None or not (p.file == GOALS_DIR or p.file.startswith(GOALS_DIR + "/")):
            return p
        return dataclasses.replace(p, file=display.rstrip("/") + p.file[len(GOALS_DIR):])
    return dataclasses.replace(d, pos=pos(d.pos) or d.pos, related=pos(d.related))


def load_side(reader: Reader, side: str, paths: list[str], display: str | None = None) -> list[Project]:
    """The valid projects of one side; errors (warnings do not matter to a diff) raise SideInvalid."""
    result = Loader(reader).load_all(paths)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if display is not None:
        errors = [_relocate(d, display) for d in errors]
    if errors:
        raise SideInvalid([(side, errors)])
    return result.projects


def _rev_side(reader: GitReader) -> list[Project]:
    """A revision without goals/ (older than the goals) has no projects: everything is added."""
    if not reader.is_dir(GOALS_DIR):
        return []
    return load_side(reader, i18n.text(*_REVISION, rev=reader.rev), [GOALS_DIR])


def _file_side(path: Path, cwd: Path) -> list[Project]:
    side = i18n.text(*_PATH, path=str(path))
    try:
        goals_path = path.resolve().relative_to(cwd.resolve()).as_posix()
        return load_side(FsReader(cwd), side, [goals_path])  # inside the repo: its _defaults.yaml chain applies
    except ValueError:
        return load_side(FsReader(path.resolve().parent), side, [path.name])


def _folder_side(folder: Path) -> Side:
    side = i18n.text(*_PATH, path=str(folder))
    return lambda: load_side(MountReader(FsReader(folder)), side, [GOALS_DIR], display=str(folder))


def diff_paths(a: Path, b: Path, cwd: Path) -> DiffResult:
    """Two goals folders (each seen as goals/), or two goals files (compared as one project)."""
    if a.is_dir() and b.is_dir():
        return _both(_folder_side(a), _folder_side(b))
    if a.is_dir() or b.is_dir():
        one_dir, one_file = (a, b) if a.is_dir() else (b, a)
        raise CannotCompare("PG076", "diff.paths.mixed", a=str(one_dir), b=str(one_file))
    old, new = load_both(lambda: _file_side(a, cwd), lambda: _file_side(b, cwd))
    if len(old) == 1 and len(new) == 1:
        # Two files are one project's two versions, whatever their names.
        one = diff_project(dataclasses.replace(old[0], source=new[0].source), new[0])
        return DiffResult([one] if one else [])
    return diff_projects(old, new)


def diff_revs(revs: list[str], cwd: Path) -> DiffResult:
    """One revision against the working tree, or two revisions against each other."""
    readers = [GitReader(r, cwd) for r in revs]
    try:
        if len(readers) == 2:
            if not any(r.is_dir(GOALS_DIR) for r in readers):
                raise CannotCompare("PG075", "diff.nogoals.revs")
            return _both(lambda: _rev_side(readers[0]), lambda: _rev_side(readers[1]))
        if not (cwd / GOALS_DIR).is_dir():
            raise CannotCompare("PG075", "diff.nogoals")
        worktree = i18n.pick(*_WORKTREE)
        return _both(lambda: _rev_side(readers[0]), lambda: load_side(FsReader(cwd), worktree, [GOALS_DIR]))
    finally:
        for r in readers:
            r.close()
