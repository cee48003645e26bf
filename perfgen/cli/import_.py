"""``perfgen import FILE... [--out DIR] [--force]``: Word / Excel / PDF-text tables → goals files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, ReportingCommand, format_option, lang_option, msg, repo_config
from perfgen.diagnostics.report import Report
from perfgen.diagnostics.reporters import Reporter
from perfgen.importers import import_files


@click.command("import", cls=ReportingCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "goals_root", default="goals", show_default=True,
              help="目标文件的根目录：写到 DIR/<年度>/（DIR 本身以年度命名时直接写入 DIR）")
@click.option("--force", is_flag=True, help="覆盖已存在的目标文件")
@lang_option
@format_option
def cmd(files: tuple[str, ...], goals_root: str, force: bool, reporter: Reporter) -> None:
    """从 Word（.docx）、Excel（.xlsx）或 PDF 提取的文字（.txt）导入项目支出绩效目标表，每个项目写一个目标文件。

    各项目相同的年度、预算单位、项目负责人写入同目录的 _defaults.yaml。有错误时不写入任何文件。"""
    root = Path.cwd()
    config = repo_config(root)
    result = import_files([Path(f) for f in files], Path(goals_root), root, force, config)
    report = Report(result.diagnostics)
    reporter.report_all(report.sorted())
    reporter.close(len(files), report.errors, report.warnings)
    for path in result.written:
        reporter.note(path.as_posix(), stdout=True)
    if result.failed:
        reporter.note(msg("导入失败：{e} 个错误，{w} 个警告；未写入任何文件",
                          "import failed: {e} error(s), {w} warning(s); nothing written",
                          e=report.errors, w=report.warnings))
    else:
        reporter.note(msg("已导入 {n} 个项目，写入 {m} 个文件（{w} 个警告）",
                          "imported {n} project(s), wrote {m} file(s) ({w} warning(s))",
                          n=len(result.projects), m=len(result.written), w=report.warnings))
        if config.weight_total is not None and any(i.weight is None for p in result.projects for i in p.indicators):
            reporter.note(msg("导入的表格没有分值权重，而默认表样 {form} 要求权重：请在 perfgen.yaml 中选择表格"
                              "所用的表样（如 form: hunan-2023；perfgen forms 列出全部表样）",
                              "the imported tables have no weights, which the default form {form} needs: choose the "
                              "tables' form in perfgen.yaml (e.g. form: hunan-2023; perfgen forms lists them)",
                              form=config.form))
    sys.exit(EXIT_INPUT if result.failed else EXIT_OK)
