"""A form definition applied to a project: the grid every writer draws (Word, HTML, and the later formats).

:func:`layout` turns a :class:`~perfgen.forms.definition.FormDef` and a project into a :class:`Layout`: the
title lines and tables of cells, each cell placed on the form's column grid with its spans, its role (a
label, a value, a column title, a merged 一级/二级 group) and its text. The writers know nothing of any
particular form: they draw cells. No Jinja here, so the Word writer and the build import it cheaply.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate, pairwise
from typing import Literal

from markupsafe import Markup

from perfgen.forms import values
from perfgen.forms.definition import CellDef, FormDef
from perfgen.forms.values import Printed
from perfgen.model import Indicator, Project

Role = Literal["label", "text", "value", "title", "group", "item"]

# HTML classes of header fields and indicator columns (the stylesheet and override templates use them).
_FIELD_CLASS = {"name": "name", "unit": "unit", "leader": "leader", "objectives": "objectives"}
_COLUMN_CLASS = {"name": "indicator", "last_year": "last-year"}


_NO_SPANS = Markup("")
_SPANS = {  # (several columns, several rows) -> the attributes
    (False, False): lambda span, rows: _NO_SPANS,
    (True, False): lambda span, rows: Markup(f' colspan="{span}"'),
    (False, True): lambda span, rows: Markup(f' rowspan="{rows}"'),
    (True, True): lambda span, rows: Markup(f' colspan="{span}" rowspan="{rows}"'),
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell on the grid: first column ``col``, ``span`` columns wide, ``rows`` rows high."""

    col: int
    role: Role
    value: Printed
    span: int = 1
    rows: int = 1
    align: str = "center"
    cls: str = ""  # the HTML class

    @property
    def lines(self) -> tuple[str, ...]:
        return self.value.lines

    @property
    def text(self) -> str:
        return self.value.text

    @property
    def html_spans(self) -> Markup:
        """`` colspan="2" rowspan="3"`` as HTML needs it (numbers only: safe to print unescaped, so marked so)."""
        return _SPANS[self.span > 1, self.rows > 1](self.span, self.rows)

    @property
    def html_class(self) -> str:
        """The HTML class: the field's, plus ``left`` where the form aligns the value left."""
        return f"{self.cls} left" if self.align == "left" and self.role != "group" else self.cls


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # "header-block", "indicators"
    rows: tuple[tuple[Cell, ...], ...]
    head: int = 0  # leading rows that are column titles (repeated on every page)
    open_bottom: bool = False  # the next table draws the line between them

    @property
    def head_only(self) -> bool:
        """The title rows hold no cell merged into the rows below (HTML can then make them a ``<thead>``)."""
        return all(r + c.rows <= self.head for r, row in enumerate(self.rows[: self.head]) for c in row)

    def compact(self, widths: Sequence[int]) -> Grid:
        """This table on a grid of its own: only the columns of ``widths`` where one of its cells begins, each
        joined with the columns after it up to the next such column (their widths summed), and every cell's
        ``col`` and ``span`` counted on that grid. HTML needs it: a ``<col>`` in which no cell begins is an
        error to the W3C checker (the header block begins no cell in the form's second and last columns)."""
        starts = sorted({0, *(c.col for row in self.rows for c in row if c.col < len(widths))})
        if len(starts) == len(widths):
            return Grid(tuple(widths), self.rows)
        own = tuple(sum(widths[a:b]) for a, b in pairwise((*starts, len(widths))))

        def moved(cell: Cell) -> Cell:
            col = bisect_left(starts, cell.col)
            return replace(cell, col=col, span=max(1, bisect_left(starts, cell.col + cell.span) - col))

        return Grid(own, tuple(tuple(moved(c) for c in row) for row in self.rows))


@dataclass(frozen=True, slots=True)
class Grid:
    """A table's own columns (:meth:`Table.compact`): their relative widths and the cells placed on them."""

    widths: tuple[int, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def css_widths(self) -> tuple[str, ...]:
        """The widths as CSS percentages (one decimal), rounded where the columns meet rather than one by one:
        a rule two tables share lands at the same place in both, and the columns add up to 100%."""
        total = sum(self.widths) or 1
        edges = [round(edge * 1000 / total) for edge in accumulate(self.widths, initial=0)]  # tenths of a percent
        return tuple(f"{(b - a) / 10:.1f}%" for a, b in pairwise(edges))


@dataclass(frozen=True, slots=True)
class Layout:
    form: FormDef
    project: Project
    title: str
    year_line: str | None
    above: tuple[str, ...]
    tables: tuple[Table, ...]
    below: tuple[str, ...]

    @property
    def widths(self) -> tuple[int, ...]:
        return self.form.widths

    def css_widths(self) -> tuple[str, ...]:
        """The columns' widths as CSS percentages (one decimal)."""
        total = sum(self.form.widths)
        return tuple(f"{w * 100 / total:.1f}%" for w in self.form.widths)


def _field_class(name: str, kind: str) -> str:
    if name in _FIELD_CLASS:
        return _FIELD_CLASS[name]
    if kind == "money":
        last = name.split(".")[1] if name.startswith(("funds.fiscal_sources", "funds.other_sources")) else name
        return "money " + ("source" if "sources" in last or "+" in name else last.rpartition(".")[2])
    return name.replace("_", "-").replace(".", "-")


def _header_cell(cell: CellDef, col: int, project: Project) -> Cell:
    if cell.kind == "value":
        printed = values.header_value(project, cell.content)
        if printed.kind == "list" and cell.numbered:
            lines = tuple(cell.numbered.format(n=n, text=t) for n, t in enumerate(printed.lines, start=1))
            printed = Printed(lines, "list")
        return Cell(col, "value", printed, cell.span, cell.rows, cell.align, _field_class(cell.content, printed.kind))
    if cell.kind == "empty":
        return Cell(col, "value", Printed(()), cell.span, cell.rows, cell.align, "empty")
    role: Role = "label" if cell.kind == "label" else "text"
    return Cell(col, role, Printed((values.fill(cell.content, project),)), cell.span, cell.rows, cell.align)


def _placed(rows: tuple[tuple[CellDef, ...], ...], project: Project) -> Iterator[tuple[Cell, ...]]:
    """Each row's cells with their first grid column (columns covered by a cell above are skipped)."""
    covered: dict[tuple[int, int], int] = {}
    for r, row in enumerate(rows):
        col, out = 0, []
        for cell in row:
            while (r, col) in covered:
                col += covered[(r, col)]
            for below in range(r + 1, r + cell.rows):
                covered[(below, col)] = cell.span
            out.append(_header_cell(cell, col, project))
            col += cell.span
        yield tuple(out)


# ---- the indicator table ------------------------------------------------------------------------------

Groups = list[tuple[str, list[tuple[str, list[Indicator]]]]]


def _on_form(form: FormDef, ind: Indicator) -> tuple[str, str]:
    """The 一级 and 二级 an indicator prints under on ``form`` (its category mapping applied)."""
    for rule in form.categories:
        if rule.source == (ind.level1, ind.level2) or rule.source == (ind.level1,):
            return (rule.target[0], rule.target[1] if len(rule.target) == 2 else ind.level2)
    return ind.level1, ind.level2


def form_groups(form: FormDef, project: Project) -> Groups:
    """Indicators grouped 一级 → 二级 as ``form`` prints them.

    Without a mapping or an order, consecutive runs as written (the model's own grouping); otherwise the
    form's order first, then the rest as first written, with every listed 二级 when ``list_empty``.
    """
    if not form.categories and not form.order and not form.list_empty:
        return project.groups()
    written: dict[str, dict[str, list[Indicator]]] = {}
    for ind in project.indicators:
        l1, l2 = _on_form(form, ind)
        written.setdefault(l1, {}).setdefault(l2, []).append(ind)
    if form.list_empty:
        for l1, l2s in form.order.items():
            for l2 in l2s:
                written.setdefault(l1, {}).setdefault(l2, [])
    groups: Groups = []
    for l1 in _ordered(written, tuple(form.order)):
        found = written[l1]
        groups.append((l1, [(l2, found[l2]) for l2 in _ordered(found, form.order.get(l1, ()))]))
    return groups


def _ordered(found: Mapping[str, object], order: tuple[str, ...]) -> list[str]:
    """The keys of ``found``: those ``order`` lists first, in its order, then the others as found."""
    return [k for k in order if k in found] + [k for k in found if k not in order]


def _indicator_cell(form: FormDef, c: int, ind: Indicator | None, computed: Mapping[str, Mapping[int, str]],
                    index: int) -> Cell:
    column = form.columns[c]
    col = c + (1 if form.label else 0)
    if ind is None:
        printed = Printed(())
    elif column.value is not None:
        printed = values.indicator_value(ind, column.value)
    elif column.computed is not None:
        printed = Printed((computed.get(column.computed, {}).get(index, ""),))
    else:
        printed = Printed(())
    cls = _COLUMN_CLASS.get(column.value or "", column.value or f"computed {column.computed or ''}".strip())
    return Cell(col, "item", printed, 1, 1, column.align, cls)


def _indicator_rows(form: FormDef, project: Project,
                    computed: Mapping[str, Mapping[int, str]]) -> list[tuple[Cell, ...]]:
    offset = 1 if form.label else 0
    level_cols = [i for i, c in enumerate(form.columns) if c.value in ("level1", "level2")]
    position = {id(ind): n for n, ind in enumerate(project.indicators)}
    rows: list[tuple[Cell, ...]] = []
    for l1, l2_groups in form_groups(form, project):
        l1_rows = sum(max(1, len(inds)) for _, inds in l2_groups)
        first_l1 = True
        for l2, inds in l2_groups:
            first_l2 = True
            listed: list[Indicator | None] = [*inds] or [None]  # a listed 二级 without indicators: one empty row
            for ind in listed:
                cells = []
                for c, column in enumerate(form.columns):
                    if c in level_cols:
                        is_l1 = column.value == "level1"
                        if (first_l1 if is_l1 else first_l2):
                            text, span = (l1, l1_rows) if is_l1 else (l2, max(1, len(inds)))
                            cells.append(Cell(c + offset, "group", Printed((text,)), 1, span, column.align,
                                              str(column.value)))
                        continue
                    index = position.get(id(ind), -1) if ind is not None else -1
                    cells.append(_indicator_cell(form, c, ind, computed, index))
                rows.append(tuple(cells))
                first_l1 = first_l2 = False
    return rows


def _titles(form: FormDef, project: Project) -> list[list[Cell]]:
    """The column titles: one row; two where columns share a group title (偏差原因分析 over five), the titles of
    the others then two rows high. Titles may name header fields ({midyear.label}执行情况)."""
    offset = 1 if form.label else 0
    if not any(col.group for col in form.columns):
        return [[Cell(c + offset, "title", Printed((values.fill(col.title, project),)))
                 for c, col in enumerate(form.columns)]]
    first: list[Cell] = []
    second: list[Cell] = []
    c = 0
    while c < len(form.columns):
        group = form.columns[c].group
        if group is None:
            first.append(Cell(c + offset, "title", Printed((values.fill(form.columns[c].title, project),)), 1, 2))
            c += 1
            continue
        end = c
        while end < len(form.columns) and form.columns[end].group == group:
            second.append(Cell(end + offset, "title", Printed((values.fill(form.columns[end].title, project),))))
            end += 1
        first.append(Cell(c + offset, "title", Printed((values.fill(group, project),)), end - c))
        c = end
    return [first, second]


def layout(form: FormDef, project: Project, computed: Mapping[str, Mapping[int, str]] | None = None) -> Layout:
    """``project`` on ``form``. ``computed``: the values of computed columns, by name then indicator index."""
    header = Table("header-block", tuple(_placed(form.header, project)), open_bottom=True)
    body = _indicator_rows(form, project, computed or {})
    title_rows = _titles(form, project)
    if form.label:
        title_rows[0].insert(0, Cell(0, "label", Printed((form.label,)), 1, len(title_rows) + len(body)))
    footer = list(_placed(form.footer, project))
    indicators = Table("indicators", (*map(tuple, title_rows), *body, *footer), head=len(title_rows))
    fill = lambda text: values.fill(text, project)  # noqa: E731
    return Layout(form, project, fill(form.title), fill(form.year_line) if form.year_line is not None else None,
                  tuple(fill(t) for t in form.above), (header, indicators), tuple(fill(t) for t in form.below))
