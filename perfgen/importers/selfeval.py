"""A filled 项目支出绩效自评表 (the national layout, perfgen's ``self-evaluation`` form) back into goals with their
year-end data: execution figures, each indicator's actual, deviation and — on qualitative lines — the score a
person gave (the others are computed again by perfgen, not read).

The table arrives as rows of cells like any other (:mod:`.readers`: Word, Excel, PDF text). Above the indicators it
is read by its labels: 项目名称, 主管部门, 实施单位, the 项目资金 block (年度资金总额 and its lines: the first three
numbers of a row are 年初预算数, 全年预算数, 全年执行数), 预期目标 and 实际完成情况. The indicator columns are found
by their titles; 一级 and 二级 printed once per merged group are carried down; the table ends at 总分. What cannot be
read is a diagnostic at its row, as for target tables: a row without a name or a target, a weight that is not a
number, a table without its year or indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.importers.fields import split_objectives
from perfgen.importers.grid import Row, Section, number, squash
from perfgen.importers.rows import Vocab, place
from perfgen.model import Execution, ExecutionLine, Funds, Indicator, Project
from perfgen.targets import parse_target

TITLE = "项目支出绩效自评表"
COLUMNS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "年度指标值": "target", "指标值": "target",
           "实际完成值": "actual", "分值": "weight", "得分": "score", "偏差原因分析及改进措施": "deviation",
           "偏差原因分析": "deviation"}
LINES = ("当年财政拨款", "上年结转资金", "其他资金")
_TITLES = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "得分",
           "deviation": "偏差原因分析及改进措施"}
_YEAR = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")


def is_self_evaluation(section: Section) -> bool:
    return any(row.filled and squash(row.filled[0]) == TITLE for row in section.rows)


@dataclass
class _Table:
    start: Pos
    year: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    where: dict[str, Pos] = field(default_factory=dict)
    execution: dict[str, float] = field(default_factory=dict)
    lines: dict[str, ExecutionLine] = field(default_factory=dict)
    columns: dict[int, str] | None = None
    indicators: list[Indicator] = field(default_factory=list)
    level1: str = ""
    level2: str = ""
    goals_next: bool = False
    done: bool = False


def read_section(section: Section, vocab: Vocab) -> tuple[list[Project], list[Diagnostic], int]:
    """The projects of a section holding 自评表, what could not be read, and how many tables it held."""
    tables: list[_Table] = []
    diags: list[Diagnostic] = []
    for row in section.rows:
        if not row.filled:
            continue
        if squash(row.filled[0]) == TITLE:
            tables.append(_Table(row.pos))
            continue
        if tables and not tables[-1].done:
            _row(tables[-1], row, diags, vocab)
    projects = [p for t in tables if (p := _project(t, section.name, diags)) is not None]
    return projects, diags, len(tables)


def _numbers(cells: list[str]) -> list[float]:
    return [v for c in cells if (v := number(c)) is not None]


def _row(t: _Table, row: Row, diags: list[Diagnostic], vocab: Vocab) -> None:
    filled = row.filled
    first = squash(filled[0])
    if t.year is None and (m := _YEAR.search("".join(filled))):
        t.year = int(m[1])
        return
    if t.columns is not None:
        _indicator(t, row, diags, vocab)
        return
    titles = [squash(c) for c in row.cells]
    if "一级指标" in titles and "三级指标" in titles:
        t.columns = {i: COLUMNS[c] for i, c in enumerate(titles) if c in COLUMNS}
        return
    if t.goals_next:
        t.goals_next = False
        texts = [c.removeprefix("预期目标").removeprefix("实际完成情况").strip() for c in filled if c.strip()]
        if texts:
            t.values["objectives"], t.where["objectives"] = texts[0], row.pos
            t.values["achieved"] = texts[1] if len(texts) > 1 else ""
        return
    labels = {"项目名称": "name", "主管部门": "department", "主管部门及代码": "department", "实施单位": "implementer"}
    for i, cell in enumerate(filled[:-1]):
        if (key := labels.get(squash(cell))) is not None and squash(filled[i + 1]) not in labels:
            t.values[key], t.where[key] = filled[i + 1], row.pos
    if "年度资金总额" in first:
        amounts = _numbers(filled[1:])
        for key, value in zip(("initial", "adjusted", "spent"), amounts[:3], strict=False):
            t.execution[key] = value
        t.where["execution"] = row.pos
    elif (line := next((name for name in LINES if name in first), None)) is not None:
        amounts = _numbers(filled[1:4])
        if amounts:
            padded: list[float | None] = [*amounts, None, None, None]
            t.lines[line] = ExecutionLine(*padded[:3])
    elif any(squash(c).startswith("预期目标") for c in filled):
        inline = [c for c in filled if squash(c).startswith("预期目标") and squash(c) != "预期目标"]
        if inline:  # PDF text: the goals on the same row as their titles
            t.goals_next = True
            _row(t, Row(tuple(c for c in filled if squash(c) != "年度总体目标"), row.pos), diags, vocab)
        else:
            t.goals_next = True


def _placed(t: _Table, row: Row, vocab: Vocab, diags: list[Diagnostic]) -> dict[str, str] | None:
    """The row's values by field, its cells aligned to the columns as for target tables (:func:`.rows.place`):
    a lost or surplus cell repaired with a warning; None when the row cannot be placed (an error)."""
    assert t.columns is not None
    keep = sorted(t.columns)
    cells = tuple(row.cells[i].strip() if i < len(row.cells) else "" for i in keep)
    columns = tuple(t.columns[i] for i in keep)
    placed = place(cells, columns, vocab)
    if placed is None:
        diags.append(diag(row.pos, "PG059", "import.unplaced", cells=" | ".join(row.filled)))
        return None
    if placed.extra:
        diags.append(diag(row.pos, "PG055", "import.extra_cell", "warning", count=len(placed.extra)))
    if {"level1", "level2"} & set(placed.lost) and any(cells[:2]):
        diags.append(diag(row.pos, "PG054", "import.shift_left", "warning"))
    missing = [c for c in placed.lost if c not in ("level1", "level2", "name")]
    if missing:
        diags.append(diag(row.pos, "PG056", "import.missing_cells", "warning",
                          fields="、".join(_TITLES.get(c, c) for c in missing)))
    return {col: cells[i] for col, i in placed.values.items()}


def _indicator(t: _Table, row: Row, diags: list[Diagnostic], vocab: Vocab) -> None:
    assert t.columns is not None
    if squash(row.filled[0]) in ("总分", "合计"):
        t.done = True
        return
    titles = [squash(c) for c in row.cells]
    if "一级指标" in titles and "三级指标" in titles:  # the titles again, at the top of the next page: their
        t.columns = {i: COLUMNS[c] for i, c in enumerate(titles) if c in COLUMNS}  # columns there may differ
        return
    if not any(row.cells[i].strip() for i in t.columns if i < len(row.cells)):
        return  # a row of nothing but the merged label
    value = _placed(t, row, vocab, diags)
    if value is None:
        return
    t.level1 = value.get("level1") or t.level1
    if value.get("level1"):
        t.level2 = ""
    t.level2 = value.get("level2") or t.level2
    if not value.get("name") or not value.get("target") or not t.level1 or not t.level2:
        diags.append(diag(row.pos, "PG059", "import.unplaced", cells=" | ".join(row.filled)))
        return
    weight = number(value.get("weight", ""), "分")
    if value.get("weight") and weight is None:
        diags.append(diag(row.pos, "PG060", "import.weight_text", value=value["weight"]))
        return
    qualitative = parse_target(value["target"]).number is None
    score = number(value.get("score", "")) if qualitative else None
    t.indicators.append(Indicator(
        level1=t.level1, level2=t.level2, name=value["name"], target=value["target"], weight=weight,
        actual=value.get("actual", ""), deviation=value.get("deviation", ""), score=score,
        where={"_": row.pos, "level1": row.pos, "level2": row.pos}))


def _project(t: _Table, source: str, diags: list[Diagnostic]) -> Project | None:
    missing = [label for label, ok in (("(年度)", t.year is not None), ("项目名称", bool(t.values.get("name"))),
                                       ("年度资金总额", "initial" in t.execution),
                                       ("预期目标", bool(split_objectives(t.values.get("objectives", "")))),
                                       ("一级指标 | 二级指标 | 三级指标 …", bool(t.indicators))) if not ok]
    if missing:
        diags += [diag(t.start, "PG060", "import.header_missing", label=label) for label in missing]
        return None
    assert t.year is not None
    total = t.execution["initial"]
    fiscal_line, other_line = t.lines.get("当年财政拨款"), t.lines.get("其他资金")
    fiscal = fiscal_line.initial if fiscal_line and fiscal_line.initial is not None else total
    other = other_line.initial if other_line and other_line.initial is not None else round(total - fiscal, 6)
    achieved = [x.strip() for x in t.values.get("achieved", "").split("\n") if x.strip()]
    execution = Execution(total, t.execution.get("adjusted"), t.execution.get("spent"), dict(t.lines), achieved,
                          {"_": t.where.get("execution", t.start)})
    unit = t.values.get("implementer") or t.values.get("department") or ""
    return Project(source=source, output_stem="", year=t.year, unit=unit, name=t.values["name"],
                   funds=Funds(total, fiscal, other), objectives=split_objectives(t.values["objectives"]),
                   indicators=t.indicators,
                   department=t.values.get("department", ""), execution=execution,
                   where={"_": t.start, **{k: v for k, v in t.where.items() if k in ("name", "unit")}})
