"""``perfgen init [DIR]``: a new goals repo in one command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, lang_option, msg, usage_error
from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Report, diag, render
from perfgen.scaffold import ScaffoldConflict, scaffold

i18n.add({
    "init.exists": (
        "文件已存在，未覆盖", "file exists; not overwritten",
        "换一个空目录，或加 --force 覆盖这些文件", "choose an empty folder, or add --force to overwrite"),
})


def _err(text: str) -> str:
    return f"{i18n.word('error')}[PG081]: {text}"


@click.command("init")
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@lang_option
def cmd(directory: Path, force: bool) -> None:
    """新建目标仓库：perfgen.yaml、示例目标文件、schema、pre-commit、GitHub Actions 与编辑器设置。"""
    if directory.exists() and not directory.is_dir():
        usage_error(_err(msg("{d} 已存在且不是目录", "{d} exists and is not a folder", d=directory)))
    try:
        written = scaffold(directory, force=force)
    except ScaffoldConflict as exc:
        shown = [Pos((directory / p).as_posix() if str(directory) != "." else p) for p in exc.existing]
        report = Report([diag(pos, "PG080", "init.exists") for pos in shown])
        click.echo(render(report, "text"), err=True)
        sys.exit(EXIT_INPUT)
    except OSError as exc:
        usage_error(_err(msg("无法写入 {d}（{e}）", "cannot write to {d} ({e})", d=directory,
                             e=exc.strerror or exc)))
    click.echo(msg("已创建目标仓库 {d}（{n} 个文件）：", "created a goals repo in {d} ({n} files):",
                   d=directory, n=len(written)))
    for path in written:
        click.echo(f"  {path}")
    cd = "" if str(directory) == "." else f"cd {directory} && "
    click.echo(msg("下一步：\n  {cd}git init\n  perfgen validate\n  perfgen build",
                   "next:\n  {cd}git init\n  perfgen validate\n  perfgen build", cd=cd))
    sys.exit(EXIT_OK)
