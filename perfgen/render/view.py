"""A form laid out for the HTML templates: the layout's tables, plus the names override templates use.

:func:`project_form` wraps a :class:`~perfgen.render.layout.Layout` (what every writer draws) with display
strings templates have always had — ``form.unit``, ``form.funds.total``, ``form.rows`` (the model's indicators
grouped 一级/二级, with merged-cell spans) — so that a repository's template overriding one block keeps working
whatever form it is drawn on. No Jinja here.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfgen.forms.registry import default_form
from perfgen.model import Indicator, Project, format_money, format_number
from perfgen.render.layout import Layout, layout


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: str  # CSS width of the <col>, e.g. "8.8%"


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
    """Display-ready strings for one project on one form."""

    title: str
    year: int
    year_line: str  # "(2023年)"; "" when the form has none
    unit: str
    name: str
    leader: str
    funds: FundsView
    objectives: tuple[str, ...]  # "目标1、…"
    columns: tuple[Column, ...]  # the grid's columns: the indicator table's title (if any) and the CSS width
    rows: tuple[IndicatorRow, ...]
    weight_total: str
    layout: Layout
    widths: tuple[str, ...]  # CSS widths of the grid's columns


def _text(value: object) -> str:
    """Cell text: numbers as the form prints them (10, not 10.0), everything else as written."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    return "" if value is None else str(value)


def indicator_rows(project: Project) -> tuple[IndicatorRow, ...]:
    """The model's indicator rows; the first row of each 一级/二级 group carries the merged cell."""
    rows: list[IndicatorRow] = []
    for level1, level2_groups in project.groups():
        l1_cell: MergedCell | None = MergedCell(level1, sum(len(inds) for _, inds in level2_groups))
        for level2, inds in level2_groups:
            l2_cell: MergedCell | None = MergedCell(level2, len(inds))
            for ind in inds:
                rows.append(IndicatorRow(level1=l1_cell, level2=l2_cell, name=_text(ind.name), target=_text(ind.target),
                                         basis=_text(ind.basis), last_year=_text(ind.last_year),
                                         weight=_text(ind.weight), scoring=_text(ind.scoring),
                                         evidence=_text(ind.evidence), indicator=ind))
                l1_cell = l2_cell = None
    return tuple(rows)


def project_form(project: Project, lay: Layout | None = None) -> ProjectForm:
    """``project`` on the form of ``lay`` (without it, the default form)."""
    lay = lay or layout(default_form(), project)
    widths = lay.css_widths()
    titles = [""] * (1 if lay.form.label else 0) + [c.title for c in lay.form.columns]
    return ProjectForm(
        title=lay.title,
        year=project.year,
        year_line=lay.year_line or "",
        unit=project.unit,
        name=project.name,
        leader=project.leader,
        funds=FundsView(total=format_money(project.funds.total), fiscal=format_money(project.funds.fiscal),
                        other=format_money(project.funds.other)),
        objectives=tuple(f"目标{n}、{text}" for n, text in enumerate(project.objectives, start=1)),
        columns=tuple(Column(t, w) for t, w in zip(titles, widths, strict=True)),
        rows=indicator_rows(project),
        weight_total=format_number(project.weight_total()),
        layout=lay,
        widths=widths,
    )
