"""``perfgen score [PATH...] [--format text|json|csv]``: every project's year-end scores at a glance."""

from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from perfgen.check.runner import check_paths
from perfgen.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ReportingCommand,
    lang_option,
    msg,
    repo_config,
    summary_line,
    terminal_reporter,
)
from perfgen.model import Project
from perfgen.score import ProjectScore, Settings, percent, score_project


@click.command("score", cls=ReportingCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True, help="输出格式：text（表格）、json 或 csv（可用 Excel 打开）")
@lang_option
def cmd(paths: tuple[str, ...], output_format: str) -> None:
    """年终自评得分：每个项目的预算执行率、执行得分、指标得分、总分和等级（规则见 docs/scoring.md）。

    PATH 默认为 goals/。目标文件有错误时列出错误并以 1 退出，不计分。"""
    root = Path.cwd()
    config = repo_config(root)
    projects: list[Project] = []
    checked = check_paths(root, list(paths), config, keep=projects.append)
    if checked.report.errors:  # the errors only: warnings do not keep a project from being scored
        problems = [d for d in checked.report.diagnostics if d.severity == "error"]
        reporter = terminal_reporter("text")
        reporter.report_all(problems)
        reporter.close(checked.files, len(problems), 0)
        reporter.note(summary_line(checked.files, len(problems), 0))
        sys.exit(EXIT_INPUT)
    settings = Settings(config.scoring_rules)
    scored = [(p, score_project(p, settings)) for p in projects]
    click.echo({"text": _text, "json": _json, "csv": _csv}[output_format](scored), nl=False)
    sys.exit(EXIT_OK)


def _row(p: Project, s: ProjectScore | None) -> dict[str, Any]:
    if s is None:
        return {"file": p.source, "name": p.name, "scored": False}
    indicators = sum((line.score for line in s.lines if line.score is not None), Decimal(0))
    return {"file": p.source, "name": p.name, "scored": True,
            "execution_rate": percent(s.execution.rate) if s.execution else None,
            "execution_score": f"{s.execution.score:.2f}" if s.execution else None,
            "indicator_score": f"{indicators:.2f}", "total": f"{s.total:.2f}", "grade": s.grade,
            "lines": [{"level1": line.indicator.level1, "level2": line.indicator.level2, "name": line.indicator.name,
                       "rule": line.rule, "weight": f"{line.weight:g}",
                       "score": None if line.score is None else f"{line.score:.2f}"} for line in s.lines]}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _text(scored: list[tuple[Project, ProjectScore | None]]) -> str:
    heads = [msg("项目", "project"), msg("执行率", "execution"), msg("执行得分", "exec. score"),
             msg("指标得分", "indicators"), msg("总分", "total"), msg("等级", "grade")]
    rows = []
    for p, s in scored:
        r = _row(p, s)
        if not r["scored"]:
            rows.append([p.name, "", "", "", "", msg("未计分：没有年终数据", "not scored: no year-end data")])
        else:
            rows.append([p.name, r["execution_rate"] or "—", r["execution_score"] or "—", r["indicator_score"],
                         r["total"], msg(r["grade"], {"优": "excellent", "良": "good", "中": "fair"}.get(r["grade"],
                                                                                                  "poor"))])
    widths = [max(_width(str(x)) for x in col) for col in zip(heads, *rows, strict=True)]
    lines = ["  ".join(_pad(str(x), w) for x, w in zip(row, widths, strict=True)).rstrip() for row in [heads, *rows]]
    done = sum(1 for _, s in scored if s is not None)
    lines.append(msg("共 {n} 个项目，已计分 {d} 个", "{n} project(s), {d} scored", n=len(scored), d=done))
    return "\n".join(lines) + "\n"


def _json(scored: list[tuple[Project, ProjectScore | None]]) -> str:
    return json.dumps({"projects": [_row(p, s) for p, s in scored]}, ensure_ascii=False, indent=2) + "\n"


def _csv(scored: list[tuple[Project, ProjectScore | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["文件", "项目名称", "执行率", "执行得分", "指标得分", "总分", "等级"])
    for p, s in scored:
        r = _row(p, s)
        writer.writerow([_safe(p.source), _safe(p.name), r.get("execution_rate") or "", r.get("execution_score") or "",
                         r.get("indicator_score", ""), r.get("total", ""), r.get("grade", "")])
    return "\ufeff" + out.getvalue()  # a BOM: Excel opens UTF-8 CSV as such


def _safe(text: str) -> str:
    """A cell Excel will not run as a formula (CSV injection): text starting = + - @ gets a leading '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
