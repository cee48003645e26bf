"""``perfgen fmt [PATH...] [--check] [--diff]``: rewrite goals files in the canonical layout."""

from __future__ import annotations

import sys

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, EXIT_USAGE, ReportingCommand, format_option, lang_option, msg
from perfgen.diagnostics.reporters import Reporter
from perfgen.fmt.batch import FormatRun, format_paths


@click.command("fmt", cls=ReportingCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--check", is_flag=True, help="只检查不写入：有文件需要重新格式化时以状态 1 退出")
@click.option("--diff", "want_diff", is_flag=True, help="显示每个文件的完整改动（unified diff）")
@lang_option
@format_option
def cmd(paths: tuple[str, ...], check: bool, want_diff: bool, reporter: Reporter) -> None:
    """把目标文件改写为统一的规范格式（键的顺序、缩进、引号、运算符 ≥ ≤），保留全部注释。

    PATH 默认为 goals/。"""
    run = format_paths(list(paths) or ["goals"], check, want_diff)
    for text in run.diffs:
        click.echo(text, nl=False)
    reporter.report_all(run.report.sorted())
    reporter.close(run.files, run.report.errors, run.report.warnings)
    for bug in run.bugs:
        click.echo(msg("perfgen: 内部错误（文件未改动，请报告此问题）：{bug}",
                       "perfgen: internal error (file left unchanged, please report it): {bug}", bug=bug), err=True)
    _tell(run, check, reporter)
    if run.bugs:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_INPUT if run.report.errors or (check and run.changed) else EXIT_OK)


def _tell(run: FormatRun, check: bool, reporter: Reporter) -> None:
    """The files that were (or would be) reformatted, for a person."""
    n, total = len(run.changed), run.files
    # counted as validate counts: goals files are projects; _defaults.yaml files are said apart
    checked = msg("{p} 个目标文件", "{p} goals file(s)", p=total - run.defaults)
    if run.defaults:
        checked += msg("和 {d} 个 _defaults.yaml", " and {d} _defaults.yaml", d=run.defaults)
    if check:
        reporter.note(msg("{n} 个文件需要重新格式化（共检查 {checked}）", "{n} file(s) would be reformatted "
                          "(checked {checked})", n=n, checked=checked))
        return
    for name in run.changed:
        if name in run.targets:  # a link: its target was rewritten, the link left as it is
            reporter.note(msg("已重新格式化 {name}（链接指向的文件 {target}）",
                              "reformatted {name} (the file it links to, {target})",
                              name=name, target=run.targets[name]))
        else:
            reporter.note(msg("已重新格式化 {name}", "reformatted {name}", name=name))
    reporter.note(msg("已重新格式化 {n} 个文件（共检查 {checked}）", "reformatted {n} file(s) (checked {checked})",
                      n=n, checked=checked))
