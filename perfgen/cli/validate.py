"""perfgen validate [PATH...]"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.check.runner import check_paths
from perfgen.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ReportingCommand,
    format_option,
    lang_option,
    repo_config,
    summary_line,
)
from perfgen.diagnostics.reporters import Reporter


@click.command("validate", cls=ReportingCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="警告也视为失败（退出码 1）")
@format_option
@lang_option
def cmd(paths: tuple[str, ...], strict: bool, reporter: Reporter) -> None:
    """校验目标文件（默认 goals/ 下全部）：JSON Schema + 业务规则，列出所有问题。"""
    root = Path.cwd()
    checked = check_paths(root, list(paths), repo_config(root), sink=reporter)
    errors, warnings = checked.report.errors, checked.report.warnings
    reporter.close(checked.files, errors, warnings)
    reporter.note(summary_line(checked.files, errors, warnings))
    sys.exit(EXIT_INPUT if checked.report.failed(strict) else EXIT_OK)
