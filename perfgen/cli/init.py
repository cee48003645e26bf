"""``perfgen init [DIR]``: a new goals repo in one command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_OK, ReportingCommand, lang_option, msg
from perfgen.scaffold import scaffold


@click.command("init", cls=ReportingCommand)
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@lang_option
def cmd(directory: Path, force: bool) -> None:
    """新建目标仓库：perfgen.yaml、示例目标文件、schema、pre-commit、GitHub Actions 与编辑器设置。"""
    written = scaffold(directory, force=force)
    click.echo(msg("已创建目标仓库 {d}（{n} 个文件）：", "created a goals repo in {d} ({n} files):",
                   d=directory, n=len(written)))
    for path in written:
        click.echo(f"  {path}")
    cd = "" if str(directory) == "." else f"cd {directory} && "
    click.echo(msg("下一步：\n  {cd}git init\n  perfgen validate\n  perfgen build",
                   "next:\n  {cd}git init\n  perfgen validate\n  perfgen build", cd=cd))
    sys.exit(EXIT_OK)
