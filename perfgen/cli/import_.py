"""``perfgen import FILE... [--out DIR] [--force]``: Word / Excel / PDF-text tables → goals files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, emit_report, format_option, lang_option, msg, repo_config
from perfgen.diagnostics.report import Report
from perfgen.importers import import_files


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out", default="goals", show_default=True,
              help="目标文件的根目录：写到 DIR/<年度>/（DIR 本身以年度命名时直接写入 DIR）")
@click.option("--force", is_flag=True, help="覆盖已存在的目标文件")
@lang_option
@format_option
def cmd(files: tuple[str, ...], out: str, force: bool, fmt: str) -> None:
    """从 Word（.docx）、Excel（.xlsx）或 PDF 提取的文字（.txt）导入项目支出绩效目标表，每个项目写一个目标文件。

    各项目相同的年度、预算单位、项目负责人写入同目录的 _defaults.yaml。有错误时不写入任何文件。"""
    root = Path.cwd()
    result = import_files([Path(f) for f in files], Path(out), root, force, repo_config(root))
    report = Report(result.diagnostics)
    emit_report(report, fmt, len(files), summary=False)
    if fmt == "text":
        for path in result.written:
            click.echo(path.as_posix())
        if result.failed:
            click.echo(msg("导入失败：{e} 个错误，{w} 个警告；未写入任何文件",
                           "import failed: {e} error(s), {w} warning(s); nothing written",
                           e=report.errors, w=report.warnings), err=True)
        else:
            click.echo(msg("已导入 {n} 个项目，写入 {m} 个文件（{w} 个警告）",
                           "imported {n} project(s), wrote {m} file(s) ({w} warning(s))",
                           n=len(result.projects), m=len(result.written), w=report.warnings), err=True)
    sys.exit(EXIT_INPUT if result.failed else EXIT_OK)
