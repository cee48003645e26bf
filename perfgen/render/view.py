"""The 项目支出绩效目标表 laid out for a writer: display-ready strings, merged-cell spans, numbered objectives.

Both writers work from :func:`project_form` (the Word writer and the HTML templates), so the form's
title, the year line, the numbering and the 一级/二级 merging are decided once. No Jinja here: the
Word writer and the build's parent process import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfgen.model import COLUMN_TITLES, Indicator, Project, format_money, format_number

FORM_TITLE = "项目支出绩效目标表"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: str  # CSS width of the <col>, e.g. "8%"


# The nine columns of the form, shared by the header block and the indicator table so that they align.
COLUMNS: tuple[Column, ...] = tuple(
    Column(title, width)
    for title, width in zip(COLUMN_TITLES, ("9%", "10%", "18%", "11%", "11%", "9%", "9%", "13%", "10%"), strict=True)
)


@dataclass(frozen=True, slots=True)
class MergedCell:
    """A 一级/二级 cell that spans ``rowspan`` rows; only the first row of its group carries it."""

    text: str
    rowspan: int


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    level1: MergedCell | None  # None: covered by a cell above (omit the <td>)
    level2: MergedCell | None
    name: str
    target: str
    basis: str
    last_year: str
    weight: str
    scoring: str
    evidence: str
    indicator: Indicator  # the model object, for override templates that print more columns


@dataclass(frozen=True, slots=True)
class FundsView:
    total: str
    fiscal: str
    other: str


@dataclass(frozen=True, slots=True)
class ProjectForm:
    """Display-ready strings for one 项目支出绩效目标表."""

    title: str
    year: int
    year_line: str  # "(2023年)"
    unit: str
    name: str
    leader: str
    funds: FundsView
    objectives: tuple[str, ...]  # "目标1、…"
    columns: tuple[Column, ...]
    rows: tuple[IndicatorRow, ...]
    weight_total: str


def _text(value: object) -> str:
    """Cell text: numbers as the form prints them (10, not 10.0), everything else as written."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    return "" if value is None else str(value)


def indicator_rows(project: Project) -> tuple[IndicatorRow, ...]:
    """The indicator table's rows; the first row of each 一级/二级 group carries the merged cell."""
    rows: list[IndicatorRow] = []
    for level1, level2_groups in project.groups():
        l1_cell: MergedCell | None = MergedCell(level1, sum(len(inds) for _, inds in level2_groups))
        for level2, inds in level2_groups:
            l2_cell: MergedCell | None = MergedCell(level2, len(inds))
            for ind in inds:
                rows.append(
                    IndicatorRow(
                        level1=l1_cell,
                        level2=l2_cell,
                        name=_text(ind.name),
                        target=_text(ind.target),
                        basis=_text(ind.basis),
                        last_year=_text(ind.last_year),
                        weight=_text(ind.weight),
                        scoring=_text(ind.scoring),
                        evidence=_text(ind.evidence),
                        indicator=ind,
                    )
                )
                l1_cell = l2_cell = None
    return tuple(rows)


def project_form(project: Project) -> ProjectForm:
    return ProjectForm(
        title=FORM_TITLE,
        year=project.year,
        year_line=f"({project.year}年)",
        unit=project.unit,
        name=project.name,
        leader=project.leader,
        funds=FundsView(
            total=format_money(project.funds.total),
            fiscal=format_money(project.funds.fiscal),
            other=format_money(project.funds.other),
        ),
        objectives=tuple(f"目标{n}、{text}" for n, text in enumerate(project.objectives, start=1)),
        columns=COLUMNS,
        rows=indicator_rows(project),
        weight_total=format_number(project.weight_total()),
    )
