"""Excel (.xlsx) writer: a form's :class:`~perfgen.render.layout.Layout` as a worksheet.

One project is one sheet: the title lines, then the form's tables on one column grid — real merged ranges for
spans and for the 一级/二级 groups, thin borders, wrapped text in 宋体, column widths from the form, row heights
estimated from the text (Excel and LibreOffice do not grow a row for the text of a merged cell), and a print
setup (A4 landscape, one page wide, the indicator table's column titles repeated on every printed page, a footer
``第 N 页 共 M 页``). A unit's combined workbook (``build --combine``) is a first sheet ``目录`` listing the
projects with their totals and links, then one sheet per project.

Values keep their type: money is a number shown with two decimals, weights are numbers, everything else is an
inline string — a goals value beginning with ``=``, ``+``, ``-`` or ``@`` stays text and can never become a
formula (CSV/formula injection): perfgen writes no formula at all.

Like the Word writer, it writes the package itself: the sheet XML as strings and a deterministic zip (entries
dated 1980-01-01, the document's creation date fixed to 1 January of the goals year), so the bytes depend only on
the input. XlsxWriter makes the constant parts — the cell formats (styles.xml) and the theme — once per process;
writing whole workbooks with it costs 2.1 ms a project, 0.8 ms of it fixed per workbook, against 0.5 ms now
(benchmarks/README.md).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from decimal import Decimal

from perfgen.model import Project, format_money
from perfgen.render.layout import Cell, Layout
from perfgen.render.xlsxpackage import FONT_SIZE, LINE_HEIGHT, Sheet, reference, write_package

# Sheet names: at most 31 characters, none of []:*?/\, not beginning or ending with an apostrophe, unique
# without regard to case, and not Excel's reserved "History".
SHEET_NAME_LIMIT = 31
_ILLEGAL = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
CONTENTS = "目录"  # the first sheet of a combined workbook

TOTAL_WIDTH = 150.0  # the grid's width in Excel character units (fit to one page wide when printed)
ROW_MIN = 20.0  # points: the Word form's 0.7 cm minimum row
ROW_PAD = 5.0
CONTENTS_COLUMNS = (("序号", 6), ("项目名称", 48), ("年度预算总额（万元）", 18), ("财政拨款（万元）", 16),
                    ("其他资金（万元）", 16), ("绩效指标（个）", 12), ("分值合计", 10), ("工作表", 8))




_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
                   "\uffe0-\uffe6\U00020000-\U0003fffd]")


def display_width(text: str) -> float:
    """How wide ``text`` prints, in Excel character units: a CJK (East Asian wide) character takes two."""
    wide = len(_WIDE.findall(text))
    return 2.0 * wide + 1.1 * (len(text) - wide)


def lines_needed(lines: Sequence[str], width: float) -> int:
    """The printed lines of a cell ``width`` character units wide holding ``lines`` (each wrapped)."""
    room = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(display_width(line) / room)) for line in lines) if lines else 1


def sheet_name(name: str, taken: set[str], salt: str = "") -> str:
    """A legal, unique (among ``taken``, folded to lower case) sheet name for a project called ``name``, the same
    on every run: the name itself where Excel allows it, else its legal characters cut short plus eight hex
    digits of the name's hash (``salt``, e.g. the goals file, tells apart projects of the same name)."""
    clean = _ILLEGAL.sub("_", name).strip().strip("'") or "项目"
    name_ok = clean == name and len(name) <= SHEET_NAME_LIMIT and name.lower() != "history"
    candidate = name if name_ok else f"{clean[:SHEET_NAME_LIMIT - 9].rstrip(chr(39))}~{_hash(name)}"
    if candidate.lower() in taken:
        candidate = f"{clean[:SHEET_NAME_LIMIT - 9].rstrip(chr(39))}~{_hash(name + chr(0) + salt)}"
        n = 2
        while candidate.lower() in taken:  # the same name and file twice: keep counting, still stable
            candidate = f"{clean[:SHEET_NAME_LIMIT - 12].rstrip(chr(39))}~{_hash(name + chr(0) + salt)}~{n}"
            n += 1
    taken.add(candidate.lower())
    return candidate


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


class _Styles:
    """The index (``s=``) of each cell format in the constant styles part."""

    def __init__(self) -> None:
        self.index = reference()[0]

    def get(self, *, bold: bool = False, align: str = "center", money: bool = False, border: bool = True,
            size: int = FONT_SIZE, underline: bool = False) -> int:
        return self.index[(bold, align, money, border, size, underline)]

    def of(self, cell: Cell) -> int:
        heading = cell.role in ("label", "title")
        align = "left" if cell.align == "left" and cell.role not in ("group", "label", "title") else "center"
        return self.get(bold=heading, align=align, money=cell.value.kind == "money" and cell.value.number is not None)


class XlsxFormWriter:
    """Draws laid-out forms into workbooks: one project (:meth:`render`) or a unit's year (:meth:`render_combined`)."""

    def __init__(self) -> None:
        self.styles = _Styles()

    def render(self, project: Project, lay: Layout) -> bytes:
        sheet = Sheet(sheet_name(project.name, set()))
        sheet.selected = True
        _draw(sheet, lay, self.styles)
        return write_package([sheet], project.year, project.name, lay.title)

    def render_combined(self, layouts: Sequence[Layout], title: str) -> bytes:
        taken = {CONTENTS.lower()}
        names = [sheet_name(lay.project.name, taken, lay.project.source) for lay in layouts]
        contents = Sheet(CONTENTS)
        contents.selected = True
        _draw_contents(contents, title, layouts, names, self.styles)
        sheets = [contents]
        for lay, name in zip(layouts, names, strict=True):
            sheets.append(Sheet(name))
            _draw(sheets[-1], lay, self.styles)
        year = layouts[0].project.year if layouts else 2000
        return write_package(sheets, year, title, layouts[0].title if layouts else title)


def _widths(lay: Layout) -> list[float]:
    weights = lay.form.widths
    total = sum(weights) or 1
    return [round(TOTAL_WIDTH * w / total, 2) for w in weights]


def _draw(sheet: Sheet, lay: Layout, styles: _Styles) -> None:
    """The form of one project on ``sheet``: title lines, tables, the lines below; the title rows to repeat."""
    widths = _widths(lay)
    last = len(widths) - 1
    for col, width in enumerate(widths):
        sheet.set_column(col, width)
    row = 0
    title = styles.get(bold=True, border=False, size=16)
    sheet.write_string(row, 0, lay.title, title)
    sheet.merge_range(row, 0, row, last, title)
    sheet.set_row(row, 30)
    row += 1
    left = styles.get(border=False, align="left")
    if lay.year_line is not None:
        plain = styles.get(border=False)
        sheet.write_string(row, 0, lay.year_line, plain)
        sheet.merge_range(row, 0, row, last, plain)
        sheet.set_row(row, ROW_MIN)
        row += 1
    for line in lay.above:
        row = _line(sheet, row, last, line, left, sum(widths))
    for table in lay.tables:
        if table.head and sheet.repeat is None:
            sheet.repeat = (row, row + table.head - 1)
        row = _table(sheet, row, table.rows, widths, styles)
    for line in lay.below:
        row = _line(sheet, row, last, line, left, sum(widths))


def _line(sheet: Sheet, row: int, last: int, text: str, style: int, width: float) -> int:
    sheet.write_string(row, 0, text, style)
    sheet.merge_range(row, 0, row, last, style)
    sheet.set_row(row, max(ROW_MIN, lines_needed((text,), width) * LINE_HEIGHT + ROW_PAD))
    return row + 1


def _table(sheet: Sheet, top: int, rows: Sequence[Sequence[Cell]], widths: list[float], styles: _Styles) -> int:
    """One table of the layout from row ``top``: each cell written (merged where it spans), every grid position
    bordered, and each row as high as its text needs; returns the row after the table."""
    heights = [ROW_MIN] * len(rows)
    tall: list[tuple[int, int, float]] = []  # (first row, rows, height needed) of cells merged down
    for r, cells in enumerate(rows):
        for cell in cells:
            style = styles.of(cell)
            first, last_row = top + r, top + r + cell.rows - 1
            last_col = min(cell.col + cell.span, len(widths)) - 1
            _value(sheet, first, cell, style)
            if last_row > first or last_col > cell.col:
                sheet.merge_range(first, cell.col, last_row, last_col, style)
            width = sum(widths[cell.col : last_col + 1])
            lines: Sequence[str] = cell.lines if cell.value.kind == "list" else cell.text.split("\n")
            need = lines_needed(lines, width) * LINE_HEIGHT + ROW_PAD
            if cell.rows == 1:
                heights[r] = max(heights[r], need)
            else:
                tall.append((r, cell.rows, need))
    for r, count, need in tall:  # a merged cell's text shares its rows: the last one grows if they are short
        have = sum(heights[r : r + count])
        if have < need:
            heights[r + count - 1] += need - have
    border = styles.get()
    for r in range(len(rows)):  # positions no cell covers (a definition leaves none; be safe) still get lines
        line = sheet.cells.setdefault(top + r, {})
        for c in range(len(widths)):
            if c not in line:
                sheet.write_blank(top + r, c, border)
        sheet.set_row(top + r, heights[r])
    return top + len(rows)


def _value(sheet: Sheet, row: int, cell: Cell, style: int) -> None:
    """A cell's value with its type: money and weights as numbers, all else as text (never a formula)."""
    number = cell.value.number
    if number is not None and cell.value.kind in ("money", "number") and math.isfinite(number):
        sheet.write_number(row, cell.col, number, style)
    elif cell.value.kind == "list":
        sheet.write_string(row, cell.col, "\n".join(cell.lines), style)
    else:
        sheet.write_string(row, cell.col, cell.text, style)


def _draw_contents(sheet: Sheet, title: str, layouts: Sequence[Layout], names: Sequence[str],
                   styles: _Styles) -> None:
    """The first sheet of a combined workbook: every project with its funds and indicators, linked to its sheet,
    and the unit's totals."""
    last = len(CONTENTS_COLUMNS) - 1
    heading = styles.get(bold=True, border=False, size=16)
    sheet.write_string(0, 0, f"{title} 项目支出绩效目标表 目录", heading)
    sheet.merge_range(0, 0, 0, last, heading)
    sheet.set_row(0, 30)
    bold, text, left = styles.get(bold=True), styles.get(), styles.get(align="left")
    money, link = styles.get(money=True), styles.get(underline=True)
    for col, (label, width) in enumerate(CONTENTS_COLUMNS):
        sheet.set_column(col, width)
        sheet.write_string(1, col, label, bold)
    sheet.set_row(1, ROW_MIN)
    sheet.repeat = (1, 1)
    sums = [Decimal(0), Decimal(0), Decimal(0)]
    count = 0
    for n, (lay, name) in enumerate(zip(layouts, names, strict=True), start=1):
        row, project = n + 1, lay.project
        sheet.write_number(row, 0, n, text)
        sheet.write_string(row, 1, project.name, left)
        amounts = (project.funds.total, project.funds.fiscal, project.funds.other)
        for col, amount in enumerate(amounts, start=2):
            value = float(amount or 0.0)
            sheet.write_number(row, col, value, money)
            sums[col - 2] += Decimal(format_money(value))
        indicators = len(project.indicators)
        weight = sum((Decimal(str(ind.weight)) for ind in project.indicators if ind.weight is not None), Decimal(0))
        sheet.write_number(row, 5, indicators, text)
        sheet.write_number(row, 6, float(weight), text)
        sheet.write_url(row, 7, name, "查看", link)
        count += indicators
        sheet.set_row(row, max(ROW_MIN, lines_needed((project.name,), CONTENTS_COLUMNS[1][1]) * LINE_HEIGHT + ROW_PAD))
    total = len(layouts) + 2
    sheet.write_string(total, 0, f"合计（{len(layouts)} 个项目）", bold)
    sheet.merge_range(total, 0, total, 1, bold)
    for col, subtotal in enumerate(sums, start=2):
        sheet.write_number(total, col, float(subtotal), money)
    sheet.write_number(total, 5, count, text)
    sheet.write_blank(total, 6, text)
    sheet.write_blank(total, 7, text)
    sheet.set_row(total, ROW_MIN)
    _line(sheet, total + 1, last, "每个项目一张工作表，按目标文件顺序排列；点击“查看”转到该项目的表。",
          styles.get(border=False, align="left"), 150.0)
