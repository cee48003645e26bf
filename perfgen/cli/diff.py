"""``perfgen diff [REV_A [REV_B]]``: what changed in the goals, in terms of the form.

No argument: HEAD against the working tree; one: that revision against the working tree; two: A against B.
Two arguments that both exist as paths compare two goals folders (or two goals files) instead.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, EXIT_USAGE, lang_option
from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, Report, printable, render
from perfgen.diff.compare import RENDERERS, DiffResult, diff_project, diff_projects
from perfgen.load.gitreader import GitError, GitReader, MountReader
from perfgen.load.loader import GOALS_DIR, FsReader, Loader, Reader
from perfgen.model import Project

_HINT_REV = (
    "可用分支名、标签或提交号，如 HEAD~1、main、origin/main；远程分支须先 git fetch"
    "（GitHub Actions 中 actions/checkout 设 fetch-depth: 0）；比较两个目录或文件时请给出两个存在的路径",
    "use a branch, tag or commit such as HEAD~1, main, origin/main; fetch remote branches first "
    "(fetch-depth: 0 in actions/checkout); to compare two folders or files, give two existing paths")

# key -> (zh, en, zh hint, en hint)
i18n.add({
    "diff.git.missing": (
        "找不到 git 命令", "git is not installed",
        "安装 git，或给出两个路径比较两个目录", "install git, or give two paths to compare two folders"),
    "diff.git.norepo": (
        "当前目录不在 git 仓库中（{detail}）", "not inside a git repository ({detail})",
        "在目标仓库（含 goals/ 的 git 仓库）的根目录运行，或给出两个路径：perfgen diff 旧目录 新目录",
        "run it at the root of a goals repo under git, or give two paths: perfgen diff OLD NEW"),
    "diff.git.badrev": ("找不到版本 “{rev}”", "unknown revision “{rev}”", *_HINT_REV),
    "diff.git.nocommits": (
        "仓库还没有任何提交，无法与 HEAD 比较", "the repository has no commits to compare with",
        "先提交一次，或给出两个版本或两个路径", "commit first, or give two revisions or two paths"),
    "diff.git.failed": ("读取 git 数据失败（{detail}）", "reading from git failed ({detail})", None, None),
    "diff.nogoals": (
        "当前目录没有 goals/ 文件夹，不是目标仓库的根目录", "no goals/ folder here: not a goals repo root",
        "在目标仓库根目录运行 perfgen diff；新建目标仓库用 perfgen init",
        "run perfgen diff at the root of a goals repo; perfgen init creates one"),
    "diff.nogoals.revs": (
        "两个版本中都没有 goals/ 文件夹", "neither revision has a goals/ folder", None, None),
    "diff.paths.mixed": (
        "不能比较目录 “{a}” 与文件 “{b}”", "cannot compare folder “{a}” with file “{b}”",
        "给出两个目录或两个文件", "give two folders or two files"),
    "diff.invalid": (
        "{side}的目标文件有错误，无法比较", "the goals files of {side} have errors; cannot compare",
        "修正下列错误后重试（perfgen validate 可逐项检查）",
        "fix the errors below and retry (perfgen validate checks them one by one)"),
    "diff.side.worktree": ("工作区", "the working tree", None, None),
    "diff.side.rev": ("版本 {rev} ", "revision {rev}", None, None),
    "diff.side.path": ("{path} ", "{path}", None, None),
})

_CODES = {"diff.git.missing": "PG070", "diff.git.norepo": "PG071", "diff.git.badrev": "PG072",
          "diff.git.nocommits": "PG073", "diff.git.failed": "PG074", "diff.nogoals": "PG075",
          "diff.nogoals.revs": "PG075", "diff.paths.mixed": "PG076", "diff.invalid": "PG077"}


def _problem(key: str, **args: Any) -> str:
    """``perfgen: 错误[PG072]: …`` and an indented hint, as the diagnostics print."""
    text = f"perfgen: {i18n.word('error')}[{_CODES[key]}]: {printable(i18n.message(key, args))}"
    hint = i18n.hint(key, args)
    hint = printable(hint) if hint else None
    return text + (f"\n  {i18n.word('hint')}: {hint}" if hint else "")


def _usage(key: str, **args: Any) -> NoReturn:
    click.echo(_problem(key, **args), err=True)
    sys.exit(EXIT_USAGE)


class SideInvalid(Exception):
    """One or both sides do not load: (side, its errors) for each."""

    def __init__(self, sides: list[tuple[str, list[Diagnostic]]]):
        super().__init__(", ".join(s for s, _ in sides))
        self.sides = sides


def _load_both(old: Callable[[], list[Project]],
               new: Callable[[], list[Project]]) -> tuple[list[Project], list[Project]]:
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


def _both(old: Callable[[], list[Project]], new: Callable[[], list[Project]]) -> DiffResult:
    return diff_projects(*_load_both(old, new))


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
    return load_side(reader, i18n.message("diff.side.rev", {"rev": reader.rev}), [GOALS_DIR])


def _file_side(path: Path, cwd: Path) -> list[Project]:
    side = i18n.message("diff.side.path", {"path": str(path)})
    try:
        rel = path.resolve().relative_to(cwd.resolve()).as_posix()
        return load_side(FsReader(cwd), side, [rel])  # inside the repo: its _defaults.yaml chain applies
    except ValueError:
        return load_side(FsReader(path.resolve().parent), side, [path.name])


def diff_paths(a: Path, b: Path, cwd: Path) -> DiffResult:
    """Two goals folders (each seen as goals/), or two goals files (compared as one project)."""
    if a.is_dir() and b.is_dir():
        def folder(p: Path) -> Callable[[], list[Project]]:
            side = i18n.message("diff.side.path", {"path": str(p)})
            return lambda: load_side(MountReader(FsReader(p)), side, [GOALS_DIR], display=str(p))
        return _both(folder(a), folder(b))
    if a.is_dir() or b.is_dir():
        one_dir, one_file = (a, b) if a.is_dir() else (b, a)
        _usage("diff.paths.mixed", a=str(one_dir), b=str(one_file))
    old, new = _load_both(lambda: _file_side(a, cwd), lambda: _file_side(b, cwd))
    if len(old) == 1 and len(new) == 1:
        # Two files are one project's two versions, whatever their names.
        one = diff_project(dataclasses.replace(old[0], source=new[0].source), new[0])
        return DiffResult([one] if one else [])
    return diff_projects(old, new)


def diff_revs(revs: list[str], cwd: Path) -> DiffResult:
    readers = [GitReader(r, cwd) for r in revs]
    try:
        if len(readers) == 2:
            if not any(r.is_dir(GOALS_DIR) for r in readers):
                _usage("diff.nogoals.revs")
            return _both(lambda: _rev_side(readers[0]), lambda: _rev_side(readers[1]))
        if not (cwd / GOALS_DIR).is_dir():
            _usage("diff.nogoals")
        worktree = i18n.message("diff.side.worktree", {})
        return _both(lambda: _rev_side(readers[0]), lambda: load_side(FsReader(cwd), worktree, [GOALS_DIR]))
    finally:
        for r in readers:
            r.close()


@click.command("diff")
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="输出格式：text、markdown（拉取请求评论）或 json")
@click.option("--exit-code", is_flag=True, help="有变化时以 1 退出（默认总是 0，与 git diff 相同）")
@lang_option
def cmd(rev_a: str | None, rev_b: str | None, fmt: str, exit_code: bool) -> None:
    """比较两个版本的目标：默认 HEAD 与工作区；一个参数：该版本与工作区；两个参数：两个版本或两个路径。"""
    cwd = Path.cwd()
    args = [a for a in (rev_a, rev_b) if a is not None]
    try:
        if len(args) == 2 and all(Path(a).exists() for a in args):
            result = diff_paths(Path(args[0]), Path(args[1]), cwd)
        else:
            result = diff_revs(args or ["HEAD"], cwd)
    except GitError as exc:
        _usage(exc.key, **exc.params)
    except SideInvalid as exc:
        for side, diagnostics in exc.sides:
            click.echo(_problem("diff.invalid", side=side), err=True)
            click.echo(render(Report(diagnostics), "text"), err=True)
        sys.exit(EXIT_INPUT)
    click.echo(RENDERERS[fmt](result), nl=False)
    sys.exit(EXIT_INPUT if exit_code and result.has_changes else EXIT_OK)
