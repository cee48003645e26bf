"""``perfgen fmt`` over files and folders: find the goals files, lay each out again, and put it in place or,
with ``check``, only say which would change. A file's problems are diagnostics; a failed self-check
(:class:`~perfgen.fmt.verify.FormatSafetyError`) is a bug, listed apart, and leaves the file as it was.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, PerfgenError, Report, diag
from perfgen.fmt.files import ChangedMeanwhile, GoalsFile, read_goals_file, replace_goals_file
from perfgen.fmt.formatter import format_text
from perfgen.fmt.verify import FormatSafetyError
from perfgen.fsutil import UnsafeFile, shown_path
from perfgen.load.loader import DEFAULTS_NAME, SUFFIXES, refusal
from perfgen.load.yamlnodes import load


@dataclass
class FormatRun:
    """What a run of ``perfgen fmt`` found and did."""

    files: int = 0
    defaults: int = 0  # of which _defaults.yaml (not projects: validate does not count them)
    changed: list[str] = field(default_factory=list)  # rewritten, or with ``check`` would be
    report: Report = field(default_factory=Report)
    diffs: list[str] = field(default_factory=list)  # unified diffs, when asked for
    bugs: list[str] = field(default_factory=list)  # failed self-checks: perfgen's bugs, files left alone
    targets: dict[str, str] = field(default_factory=dict)  # a link among ``changed`` -> the file rewritten


def collect(paths: list[str]) -> tuple[list[Path], list[Diagnostic]]:
    """Goals files (``*.yaml``, ``*.yml``, ``_defaults.yaml``) under ``paths``; hidden entries skipped.

    Folders that cannot be listed are errors; linked folders are not followed (a warning, as in build).
    Anything else named on the command line is returned as it is, for the reading to judge (a FIFO, a
    device and a link out of the repository are refused there, with their own diagnostics).
    """
    files: list[Path] = []
    diags: list[Diagnostic] = []

    def unreadable(exc: OSError) -> None:
        diags.append(diag(Pos(Path(exc.filename or ".").as_posix()), "PG007", "dir.unreadable",
                          reason=exc.strerror or str(exc)))

    for p in paths:
        path = Path(p)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path, onerror=unreadable):
                for d in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                    if not d.startswith("."):
                        diags.append(diag(Pos(Path(dirpath, d).as_posix()), "PG018", "dir.linked", "warning",
                                          target=os.readlink(os.path.join(dirpath, d))))
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                files.extend(Path(dirpath, f) for f in sorted(filenames)
                             if f.endswith(SUFFIXES) and not f.startswith("."))
        elif os.path.lexists(path):
            files.append(path)
        else:
            diags.append(diag(Pos(p), "PG007", "file.missing"))
    return list(dict.fromkeys(files)), diags


def _first_difference(old: str, new: str) -> tuple[int, str, str]:
    a, b = old.splitlines(), new.splitlines()
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else ""
        y = b[i] if i < len(b) else ""
        if x != y:
            return i + 1, x.strip(), y.strip()
    return max(len(a), 1), "", ""


def format_paths(paths: list[str], check: bool, want_diff: bool = False, root: Path | None = None) -> FormatRun:
    """Format (or with ``check`` only report) the goals files under ``paths``; ``root`` is the repository
    (the current folder): a symbolic link is followed only to a file inside it, which is then rewritten in
    place (the link stays a link). See :func:`perfgen.fmt.files.read_goals_file` and
    :func:`perfgen.fmt.files.replace_goals_file`."""
    root = Path.cwd() if root is None else root
    files, diags = collect(paths)
    run = FormatRun(files=len(files), defaults=sum(1 for f in files if f.name == DEFAULTS_NAME))
    run.report.extend(diags)
    for path in files:
        goals = _read(path, root, run.report)
        if goals is not None:
            _format_file(goals, path.as_posix(), check, want_diff, root, run)
    return run


def _read(path: Path, root: Path, report: Report) -> GoalsFile | None:
    """The file as read, or None with the reason in ``report``."""
    display = path.as_posix()
    try:
        return read_goals_file(path, root)
    except UnsafeFile as exc:
        if exc.why == "outside":
            report.extend([diag(Pos(display), "PG018", "fmt.outside", target=os.path.realpath(path))])
        else:
            report.extend([refusal(display, exc)])
    except FileNotFoundError:
        report.extend([diag(Pos(display), "PG007", "file.missing")])
    except OSError as exc:
        report.extend([diag(Pos(display), "PG007", "file.unreadable", reason=exc.strerror or str(exc))])
    return None


def _new_layout(data: bytes, display: str, run: FormatRun) -> str | None:
    """The file's canonical layout; None when there is nothing to lay out or it cannot be (said in ``run``)."""
    root_node, problems = load(data, display)
    if root_node is None and [d.key for d in problems] == ["file.empty"]:
        return None  # comments only: nothing to format
    if any(d.severity == "error" for d in problems):
        run.report.extend(problems)
        return None
    try:
        return format_text(data.decode("utf-8"), display)
    except PerfgenError as exc:
        run.report.extend(exc.diagnostics)
    except FormatSafetyError as exc:
        run.bugs.append(str(exc))
    return None


def _format_file(goals: GoalsFile, display: str, check: bool, want_diff: bool, root: Path, run: FormatRun) -> None:
    new = _new_layout(goals.data, display, run)
    if new is None or new.encode("utf-8") == goals.data:
        return
    old = goals.data.decode("utf-8")
    if want_diff:
        run.diffs.append("".join(difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), f"a/{display}", f"b/{display}")))
    if check:
        run.changed.append(display)
        line, before, after = _first_difference(old.lstrip("\ufeff"), new)
        run.report.extend([diag(Pos(display, line, 1), "PG050", "fmt.unformatted", line=line,
                                old=before, new=after, file=display)])
        return
    try:
        replace_goals_file(goals, new.encode("utf-8"))
    except ChangedMeanwhile:
        run.report.extend([diag(Pos(display), "PG051", "fmt.changed", file=display)])
        return
    except OSError as exc:
        run.report.extend([diag(Pos(display), "PG051", "fmt.write", reason=exc.strerror or str(exc))])
        return
    run.changed.append(display)
    if goals.linked:
        run.targets[display] = shown_path(goals.real, root)
