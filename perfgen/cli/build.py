"""perfgen build [PATH...] [--out DIR] [--format docx,html,xlsx,pdf] [--form ID] [--combine] [-j N] [--shard I/N]
[--force] [--strict]"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from perfgen.build.outputs import DEFAULT_FORMATS, parse_formats
from perfgen.build.pipeline import build
from perfgen.build.plan import BuildOptions, Shard, refused_out
from perfgen.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ReportingCommand,
    lang_option,
    msg,
    report_option,
    usage_error,
)
from perfgen.diagnostics.report import Diagnostic
from perfgen.diagnostics.reporters import Reporter
from perfgen.forms.choice import settle_forms
from perfgen.load.config import load_config


def _formats(text: str) -> tuple[str, ...]:
    items = parse_formats(text)
    if items is None:
        usage_error(msg("--format 只能是 docx、html、xlsx、pdf 中的一个或几个，用逗号分隔（收到 {v}）",
                        "--format takes one or more of docx, html, xlsx, pdf, comma-separated (got {v})", v=text))
    return items


class _Bar:
    """A one-line progress bar on a terminal; silent otherwise (pipes, CI)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        pct = done * 100 // total
        if pct != self.last:
            self.last = pct
            filled = pct * 30 // 100
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            sys.stderr.flush()

    def close(self) -> None:
        """Clear the bar's line (before anything else is printed)."""
        if self.enabled and self.last >= 0:
            sys.stderr.write("\r" + " " * 60 + "\r")
            self.last = -1


@click.command("build", cls=ReportingCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "out", default="build", show_default=True, type=click.Path(), help="输出目录")
@click.option("--format", "formats", default=None, metavar="FMT[,FMT]",
              help="输出格式：docx、html、xlsx、pdf（默认：perfgen.yaml 的 formats，或 docx,html）")
@click.option("--form", "form_ids", default=None, metavar="ID[,ID]",
              help="要生成的表样（默认：perfgen.yaml 的 forms 或 form）；perfgen forms 列出全部")
@click.option("--combine/--no-combine", default=None,
              help="另为每个单位每年生成一份合并文件（build/combined/）；也可在 perfgen.yaml 写 combine: true")
@click.option("--assemble", "assemble", multiple=True, type=click.Path(), metavar="DIR",
              help="先并入各分片（--shard）构建的输出目录，再生成目录页和合并文件；可重复给出")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）")
@click.option("--shard", default=None, metavar="I/N", help="只构建稳定划分的第 I 份（共 N 份），用于 CI 矩阵")
@click.option("--force", is_flag=True, help="忽略缓存，全部重新生成")
@click.option("--strict", is_flag=True, help="有警告也视为失败，不写出任何文件")
@report_option("--diagnostics", help="诊断输出格式（同 validate 的 --format）")
@lang_option
def cmd(paths: tuple[str, ...], out: str, formats: str | None, form_ids: str | None, combine: bool | None,
        assemble: tuple[str, ...], jobs: int | None, shard: str | None, force: bool, strict: bool,
        reporter: Reporter) -> None:
    """校验并生成 Word、HTML（以及 Excel、PDF）表格，和目录页 index.html。"""
    root = Path.cwd()
    chosen = [x.strip() for x in form_ids.split(",") if x.strip()] if form_ids is not None else None
    if chosen is not None and not chosen:
        usage_error(msg("--form 需要至少一个表样 ID", "--form takes at least one form ID"))
    if assemble and shard is not None:
        usage_error(msg("--assemble 与 --shard 不能同时使用：合并在各分片构建完成之后进行",
                        "--assemble and --shard cannot be used together: assembling follows the shard builds"))
    _run(root, paths, out, _formats(formats) if formats is not None else None, chosen, combine,
         jobs or os.cpu_count() or 1, shard, force, strict, reporter, tuple(root / d for d in assemble))


def _run(root: Path, paths: tuple[str, ...], out: str, formats: tuple[str, ...] | None, chosen: list[str] | None,
         combine: bool | None, jobs: int, shard: str | None, force: bool, strict: bool, reporter: Reporter,
         assemble: tuple[Path, ...] = ()) -> None:
    config = load_config(root)  # settled once, for the forms chosen here
    forms = settle_forms(root, config, chosen)
    if formats is None:
        formats = tuple(config.formats) if config.formats else DEFAULT_FORMATS
    shard_obj = None
    if shard is not None:
        try:
            shard_obj = Shard.parse(shard)
        except ValueError:
            usage_error(msg("--shard 应写成 I/N，且 1 ≤ I ≤ N（收到 {v}）", "--shard takes I/N with 1 ≤ I ≤ N "
                            "(got {v})", v=shard))
    if not paths and not (root / "goals").is_dir():
        usage_error(msg("当前目录没有 goals/ 文件夹：请在目标仓库根目录运行，或用 perfgen init 新建",
                        "no goals/ folder here: run in a goals repo's root, or create one with perfgen init"))
    if (refused := refused_out(root, root / out)) is not None:
        usage_error(msg("--out {out} 不能用作输出目录：{why}", "--out {out} cannot be the output folder: {why}",
                        out=out, why=refused))
    opts = BuildOptions(root=root, out=(root / out), paths=list(paths) or None, formats=formats,
                        jobs=jobs, shard=shard_obj, force=force, strict=strict, forms=forms,
                        default_form=config.form, combine=config.combine if combine is None else combine,
                        assemble=assemble)
    if opts.combine and shard_obj is not None:
        click.echo(msg("--shard：分片构建不生成合并文件（合并文件需要全部项目）",
                       "--shard: a sharded build makes no combined documents (they need every project)"), err=True)
    bar = _Bar()
    def show(d: Diagnostic) -> None:
        bar.close()
        reporter.report(d)

    def waiting() -> None:
        click.echo(msg("另一次 perfgen build 正在写 {out}，等它结束……", "another perfgen build is writing {out}; "
                       "waiting for it to finish…", out=out), err=True)

    try:
        result = build(opts, config, bar, show, waiting)
    finally:
        bar.close()
    reporter.close(result.files, result.report.errors, result.report.warnings)
    if result.cache_discarded:
        click.echo(msg("构建记录文件已损坏（{out}/.perfgen），已丢弃并重新生成全部项目",
                       "the build record ({out}/.perfgen) was damaged: discarded, every project built again",
                       out=out), err=True)
    if not result.ok:
        click.echo(msg("构建失败：{e} 个错误，{w} 个警告；未写出任何文件，原有输出保持不变",
                       "build failed: {e} error(s), {w} warning(s); nothing written, previous output untouched",
                       e=result.report.errors, w=result.report.warnings), err=True)
        sys.exit(EXIT_INPUT)
    for form_id, count in sorted(result.skipped.items()):
        click.echo(msg("表样 {form}：{n} 个项目没有它需要的数据（年终执行或年中监控），未生成",
                       "form {form}: {n} project(s) lack the data it needs (year-end or mid-year): not built",
                       form=form_id, n=count), err=True)
    click.echo(msg("已生成 {b} 个项目，{u} 个未变，删除 {r} 个文件，{w} 个警告，用时 {s:.2f} 秒 → {out}",
                   "built {b}, unchanged {u}, removed {r} file(s), {w} warning(s), {s:.2f}s → {out}",
                   b=result.built, u=result.unchanged, r=result.removed, w=result.report.warnings,
                   s=result.seconds, out=out), err=True)
    sys.exit(EXIT_OK)
