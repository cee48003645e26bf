"""``perfgen validate`` as a library function: load every file, run every rule, collect everything."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from perfgen.check import rules
from perfgen.diagnostics.report import Diagnostic, Report
from perfgen.load.config import Config
from perfgen.load.loader import GOALS_DIR, FsReader, Loader, Reader
from perfgen.model import Project


@dataclass
class Checked:
    report: Report = field(default_factory=Report)
    files: int = 0


def check_file(loader: Loader, rel: str, config: Config) -> tuple[Project | None, list[Diagnostic]]:
    """Load one goals file and run every rule on it: the step ``validate`` and ``build`` share.

    A file with errors in its YAML or schema is still checked by the domain rules where its well-formed parts make
    a project, so that one run lists every problem; its project is then not returned (nothing is built of it)."""
    project, diags = loader.load_project(rel, recover=True)
    diags = rules.apply_severity(diags, config)
    broken = any(d.severity == "error" for d in diags)
    if project is not None:
        diags += rules.run(project, config)
    return (None if broken else project), diags


def check_paths(root: Path, paths: list[str] | None, config: Config, reader: Reader | None = None,
                sink: Callable[[Diagnostic], None] | None = None,
                keep: Callable[[Project], None] | None = None) -> Checked:
    """Load ``paths`` (default: ``goals/``) under ``root`` and check them; one bad file never hides another.

    Files are checked one at a time in path order; with a ``sink`` each file's diagnostics are handed
    on as soon as it is checked, so memory stays flat however many files there are. ``keep`` is given each
    project loaded (``perfgen score`` scores them once the whole run is free of errors).
    """
    loader = Loader(reader or FsReader(root))
    files, diags = loader.discover(relative_paths(root, paths))
    out = Checked(Report(sink=sink), len(files))
    out.report.extend(rules.apply_severity(diags, config))
    for rel in files:
        project, found = check_file(loader, rel, config)
        out.report.extend(found, own=rel)
        if keep is not None and project is not None:
            keep(project)
    return out


def relative_paths(root: Path, paths: list[str] | None) -> list[str]:
    """Command-line paths as posix paths relative to the repo root (the loader's frame)."""
    if not paths:
        return [GOALS_DIR]
    out = []
    for p in paths:
        path = Path(p)
        absolute = path if path.is_absolute() else (Path.cwd() / path)
        out.append(Path(os.path.relpath(absolute.resolve(), root.resolve())).as_posix())
    return out
