"""``perfgen fmt [PATH...] [--check] [--diff]``: rewrite goals files in the canonical layout."""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, EXIT_USAGE, emit_report, format_option, lang_option, msg
from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, PerfgenError, Report, diag
from perfgen.fmt.formatter import ChangedMeanwhile, FormatSafetyError, format_text, read_goals_file, replace_goals_file
from perfgen.fsutil import UnsafeFile, shown_path
from perfgen.load.loader import SUFFIXES, refusal
from perfgen.load.yamlnodes import load

i18n.add({
    "fmt.unformatted": (
        "文件未按规范格式化：第 {line} 行 “{old}” 应为 “{new}”",
        "not in the canonical layout: line {line} “{old}” should read “{new}”",
        "运行 perfgen fmt {file} 重新格式化（加 --diff 查看全部改动）",
        "run perfgen fmt {file} to reformat it (add --diff to see every change)"),
    "fmt.write": ("无法写入文件：{reason}", "cannot write the file: {reason}", None, None),
})



@dataclass
class FmtResult:
    files: int = 0
    changed: list[str] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    diffs: list[str] = field(default_factory=list)
    bugs: list[str] = field(default_factory=list)
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


def run(paths: list[str], check: bool, want_diff: bool = False, root: Path | None = None) -> FmtResult:
    """Format (or with ``check`` only report) the goals files under ``paths``; ``root`` is the repository
    (the current folder): a symbolic link is followed only to a file inside it, which is then rewritten in
    place (the link stays a link). See :func:`perfgen.fmt.formatter.read_goals_file` and
    :func:`perfgen.fmt.formatter.replace_goals_file`."""
    root = Path.cwd() if root is None else root
    files, diags = collect(paths)
    result = FmtResult(files=len(files))
    result.report.extend(diags)
    for path in files:
        display = path.as_posix()
        try:
            goals = read_goals_file(path, root)
        except UnsafeFile as exc:
            if exc.why == "outside":
                result.report.extend([diag(Pos(display), "PG018", "fmt.outside",
                                           target=os.path.realpath(path))])
            else:
                result.report.extend([refusal(display, exc)])
            continue
        except FileNotFoundError:
            result.report.extend([diag(Pos(display), "PG007", "file.missing")])
            continue
        except OSError as exc:
            result.report.extend([diag(Pos(display), "PG007", "file.unreadable", reason=exc.strerror or str(exc))])
            continue
        data = goals.data
        root_node, problems = load(data, display)
        if root_node is None and [d.key for d in problems] == ["file.empty"]:
            continue  # comments only: nothing to format
        if any(d.severity == "error" for d in problems):
            result.report.extend(problems)
            continue
        old = data.decode("utf-8")
        try:
            new = format_text(old, display)
        except PerfgenError as exc:
            result.report.extend(exc.diagnostics)
            continue
        except FormatSafetyError as exc:
            result.bugs.append(str(exc))
            continue
        if new.encode("utf-8") == data:
            continue
        if want_diff:
            result.diffs.append("".join(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), f"a/{display}", f"b/{display}")))
        if check:
            result.changed.append(display)
            line, before, after = _first_difference(old.lstrip("\ufeff"), new)
            result.report.extend([diag(Pos(display, line, 1), "PG050", "fmt.unformatted", line=line,
                                       old=before, new=after, file=display)])
            continue
        try:
            replace_goals_file(goals, new.encode("utf-8"))
        except ChangedMeanwhile:
            result.report.extend([diag(Pos(display), "PG051", "fmt.changed", file=display)])
            continue
        except OSError as exc:
            result.report.extend([diag(Pos(display), "PG051", "fmt.write", reason=exc.strerror or str(exc))])
            continue
        result.changed.append(display)
        if goals.linked:
            result.targets[display] = shown_path(goals.real, root)
    return result


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--check", is_flag=True, help="只检查不写入：有文件需要重新格式化时以状态 1 退出")
@click.option("--diff", "want_diff", is_flag=True, help="显示每个文件的完整改动（unified diff）")
@lang_option
@format_option
def cmd(paths: tuple[str, ...], check: bool, want_diff: bool, fmt: str) -> None:
    """把目标文件改写为统一的规范格式（键的顺序、缩进、引号、运算符 ≥ ≤），保留全部注释。

    PATH 默认为 goals/。"""
    result = run(list(paths) or ["goals"], check, want_diff)
    for text in result.diffs:
        click.echo(text, nl=False)
    emit_report(result.report, fmt, result.files, summary=False)
    for bug in result.bugs:
        click.echo(msg("perfgen: 内部错误（文件未改动，请报告此问题）：{bug}",
                       "perfgen: internal error (file left unchanged, please report it): {bug}", bug=bug), err=True)
    n, total = len(result.changed), result.files
    if fmt == "text":
        if check:
            click.echo(msg("{n} 个文件需要重新格式化（共检查 {total} 个）",
                           "{n} of {total} file(s) would be reformatted", n=n, total=total), err=True)
        else:
            for name in result.changed:
                if name in result.targets:  # a link: its target was rewritten, the link left as it is
                    click.echo(msg("已重新格式化 {name}（链接指向的文件 {target}）",
                                   "reformatted {name} (the file it links to, {target})",
                                   name=name, target=result.targets[name]), err=True)
                else:
                    click.echo(msg("已重新格式化 {name}", "reformatted {name}", name=name), err=True)
            click.echo(msg("已重新格式化 {n} 个文件（共 {total} 个）", "reformatted {n} of {total} file(s)",
                           n=n, total=total), err=True)
    if result.bugs:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_INPUT if result.report.errors or (check and n) else EXIT_OK)
