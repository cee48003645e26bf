"""``perfgen diff [REV_A [REV_B]]``: what changed in the goals, in terms of the form (see :mod:`perfgen.diff`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, ReportingCommand, lang_option, use_reporter
from perfgen.diff.render import RENDERERS
from perfgen.diff.sides import compare


def _output_format(ctx: click.Context, param: click.Parameter, value: str) -> str:
    use_reporter(ctx, "json" if value == "json" else "text")  # why a diff cannot be made: JSON for JSON
    return value


@click.command("diff", cls=ReportingCommand)
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@click.option("--format", "output_format", type=click.Choice(list(RENDERERS)), default="text",
              show_default=True, callback=_output_format, help="输出格式：text、markdown（拉取请求评论）或 json")
@click.option("--exit-code", is_flag=True, help="有变化时以 1 退出（默认总是 0，与 git diff 相同）")
@lang_option
def cmd(rev_a: str | None, rev_b: str | None, output_format: str, exit_code: bool) -> None:
    """比较两个版本的目标：默认 HEAD 与工作区；一个参数：该版本与工作区；两个参数：两个版本或两个路径。"""
    _scoring(Path.cwd())
    result = compare([a for a in (rev_a, rev_b) if a is not None], Path.cwd())
    click.echo(RENDERERS[output_format](result), nl=False)
    sys.exit(EXIT_INPUT if exit_code and result.has_changes else EXIT_OK)


def _scoring(root: Path) -> None:
    """Scores shown as the working tree's perfgen.yaml computes them (its scoring_rules); its defaults if unreadable."""
    from perfgen.diagnostics.report import PerfgenError
    from perfgen.load.config import load_config
    from perfgen.score import Settings, use_settings

    try:
        use_settings(Settings(load_config(root).scoring_rules))
    except PerfgenError:
        use_settings(Settings())
