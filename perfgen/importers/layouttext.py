"""Text a PDF gave with ``pdftotext -layout`` (cells in columns of spaces, wrapped text on the lines below), put
into the rows of cells every reader delivers (:mod:`.grid`).

A line's cells are its runs of text separated by two or more spaces. In an indicator table the column titles
(一级指标 … 佐证资料) say where the columns are: each cell goes to the column whose title's middle is nearest to
its own. A line with a 指标值 or a weight begins a row; a line with neither continues the row above — the wrapped
rest of its cells, each joined to the cell of its column. Above the table (预算单位 … 项目总体目标) a line that
begins under a value rather than at the labels' left edge continues the value above it; a line continuing the
objectives that begins with the next number (目标2、) starts a new objective. Page footers (第 1 页 共 9 页) are
left out. perfgen's own PDFs are drawn for this (each row's cells start on one line, a merged cell's name on its
first row), and so read back into the same goals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfgen.diagnostics.pos import Pos
from perfgen.importers.grid import Row, squash

_CELL = re.compile(r"\S+(?: \S+)*")
_FOOTER = re.compile(r"第\s*\d+\s*页\s*(共\s*\d+\s*页)?")
_GOAL = re.compile(r"目标\s*[0-9一二三四五六七八九十]+\s*[、:：.．]")
_TARGET_TITLES = ("指标值", "年度指标值")
_WEIGHT_TITLES = ("指标分值权重", "分值", "权重", "分值权重")


def looks_like_layout(text: str) -> bool:
    """Text in columns of spaces (pdftotext -layout), not cells separated by tabs."""
    return "\t" not in text and re.search(r"一级指标 {2,}二级指标", text) is not None


@dataclass
class _Open:
    """The row being read: its cells and, for each, where it began on its line."""

    number: int
    cells: list[str]
    starts: list[int]
    table: bool


@dataclass
class _Reader:
    display: str
    rows: list[Row] = field(default_factory=list)
    centres: list[float] | None = None  # of the indicator table's column titles
    target: set[int] = field(default_factory=set)  # columns whose cells begin a row
    open: _Open | None = None

    def close(self) -> None:
        if self.open is not None:
            cells = tuple(c.strip() for c in self.open.cells)
            self.rows.append(Row(cells, Pos(self.display, self.open.number, 1),
                                 tuple(s + 1 for s in self.open.starts)))
            self.open = None

    def line(self, number: int, text: str) -> None:
        found = [(m.start(), m.group()) for m in _CELL.finditer(text)]
        if not found:
            return
        joined = squash("".join(t for _, t in found))
        if _FOOTER.fullmatch(joined):
            return
        titles = [t for _, t in found]
        if "一级指标" in titles and any("三级指标" in t for t in titles):
            self.close()
            self.centres = [s + len(t) / 2 for s, t in found]
            self.target = {i for i, t in enumerate(titles) if squash(t) in _TARGET_TITLES + _WEIGHT_TITLES}
            self.open = _Open(number, titles, [s for s, _ in found], table=True)
            self.close()
            return
        if self.centres is not None and not self._header(found):
            self._table_line(number, found)
            return
        self.centres = None
        self._header_line(number, found)

    def _header(self, found: list[tuple[int, str]]) -> bool:
        """A line of the next table's title or labels (the indicator table ended)."""
        first = squash(found[0][1])
        return first in ("项目支出绩效目标表", "预算单位", "项目名称") or first.endswith("绩效目标表")

    def _table_line(self, number: int, found: list[tuple[int, str]]) -> None:
        assert self.centres is not None
        cells = [""] * len(self.centres)
        starts = [0] * len(self.centres)
        for start, text in found:
            middle = start + len(text) / 2
            column = min(range(len(self.centres)), key=lambda i: abs(self.centres[i] - middle))  # type: ignore[index]
            cells[column] = f"{cells[column]} {text}".strip() if cells[column] else text
            starts[column] = start
        begins = any(cells[i] for i in self.target) or self.open is None or not self.open.table
        if begins:
            self.close()
            self.open = _Open(number, cells, starts, table=True)
            return
        assert self.open is not None
        for i, text in enumerate(cells):
            if text:
                self.open.cells[i] += text

    def _header_line(self, number: int, found: list[tuple[int, str]]) -> None:
        start = found[0][0]
        open_ = self.open
        if open_ is not None and not open_.table and len(open_.starts) > 1 and start > open_.starts[0] + len(
                open_.cells[0].split("\n")[0]):  # not at the labels' column: the wrapped rest of a value
            for position, text in found:  # the wrapped rest of a value: to the value it stands nearest
                column = min(range(1, len(open_.starts)), key=lambda i: abs(open_.starts[i] - position))
                glue = "\n" if _GOAL.match(text) else ""
                open_.cells[column] += glue + text
            return
        self.close()
        self.open = _Open(number, [t for _, t in found], [s for s, _ in found], table=False)


def layout_rows(text: str, display: str) -> list[Row]:
    """The rows of ``text`` (pdftotext -layout output) as a table reader delivers them."""
    reader = _Reader(display)
    for number, line in enumerate(text.split("\n"), 1):
        reader.line(number, line)
    reader.close()
    return reader.rows
