"""``perfgen next-year SRC [DEST] [--force]``: next year's goals folder from this year's (perfgen.rollover)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_OK, ReportingCommand, format_option, lang_option, msg, usage_error
from perfgen.diagnostics.reporters import Reporter
from perfgen.fsutil import inside, shown_path
from perfgen.rollover import default_destination, plan, write


@click.command("next-year", cls=ReportingCommand)
@click.argument("src", type=click.Path(path_type=Path))
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="替换目标目录中已存在的同名文件")
@format_option
@lang_option
def cmd(src: Path, dest: Path | None, force: bool, reporter: Reporter) -> None:
    """由本年度的目标目录生成下一年度的（如 goals/2023 → goals/2024）。

    年度加一；每个指标的上年完成值取本年度的实际完成值；删除执行情况、年中监控、实际完成值、偏差原因和得分；
    指标值保留供审阅。文件名与注释不变。不覆盖已有文件（--force 除外）。"""
    root = Path.cwd()
    src = Path(os.path.normpath(root / src))
    if not src.is_dir() or not inside(root, src):
        usage_error(msg("{src} 不是本仓库中的目录", "{src} is not a folder of this repository", src=src))
    dest = Path(os.path.normpath(root / dest)) if dest is not None else default_destination(src)
    if dest is None:
        usage_error(msg("无法从目录名 {src} 推断下一年度：请给出目标目录，如 perfgen next-year {src} goals/2024",
                        "cannot tell next year from the folder name {src}: give the destination, e.g. "
                        "perfgen next-year {src} goals/2024", src=src))
    if inside(src, dest) or inside(dest, src):
        usage_error(msg("目标目录不能在源目录之内，也不能包含它", "the destination may not lie inside the source or "
                        "contain it"))
    rolled = plan(root, src, dest)
    write(rolled, root, force)
    reporter.report_all(rolled.diagnostics)
    reporter.close(len(rolled.files), 0, len(rolled.diagnostics))
    shown = shown_path(dest, root)
    reporter.note(msg("已生成 {n} 个文件 → {dest}（{m} 个指标没有实际完成值，上年完成值留空）",
                      "wrote {n} files to {dest} ({m} indicators had no actual; their last_year is left empty)",
                      n=len(rolled.files), dest=shown, m=rolled.without_actual))
    if rolled.year_added:
        reporter.note(msg("{k} 个文件的年度来自 {src} 之上的 _defaults.yaml，已在这些文件中写明 year",
                          "{k} files took their year from a _defaults.yaml above {src}; they now state year",
                          k=rolled.year_added, src=src))
    reporter.note(msg("审阅改动：perfgen diff {src} {dest}", "review the changes: perfgen diff {src} {dest}",
                      src=shown_path(src, root), dest=shown))
    sys.exit(EXIT_OK)
