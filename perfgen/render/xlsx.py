"""Excel (.xlsx) writer: a form's :class:`~perfgen.render.layout.Layout` as a worksheet, with XlsxWriter.

One project is one sheet: the title lines, then the form's tables on one column grid — real merged ranges for
spans and for the 一级/二级 groups, thin borders, wrapped text in 宋体, column widths from the form, row heights
estimated from the text (Excel and LibreOffice do not grow a row for the text of a merged cell), and a print
setup (A4 landscape, one page wide, the indicator table's column titles repeated on every printed page, a footer
``第 N 页 共 M 页``). A unit's combined workbook (``build --combine``) is a first sheet ``目录`` listing the
projects with their totals and links, then one sheet per project.

Values keep their type: money is a number shown with two decimals, weights are numbers, everything else is
text written with ``write_string`` — a goals value beginning with ``=``, ``+``, ``-`` or ``@`` stays text and can
never become a formula (CSV/formula injection). Output bytes depend only on the input: XlsxWriter dates the zip
entries 1980-01-01 and perfgen fixes the document's creation date (1 January of the goals year).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from perfgen.model import Project, format_money
from perfgen.render.layout import Cell, Layout

# Sheet names: at most 31 characters, none of []:*?/\, not beginning or ending with an apostrophe, unique
# without regard to case, and not Excel's reserved "History".
SHEET_NAME_LIMIT = 31
_ILLEGAL = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
CONTENTS = "目录"  # the first sheet of a combined workbook

TOTAL_WIDTH = 150.0  # the grid's width in Excel character units (fit to one page wide when printed)
FONT = "宋体"
FONT_SIZE = 10
LINE_HEIGHT = 13.5  # points per line of 10-point text
ROW_MIN = 20.0  # points: the Word form's 0.7 cm minimum row
ROW_PAD = 5.0
CONTENTS_COLUMNS = (("序号", 6), ("项目名称", 48), ("年度预算总额（万元）", 18), ("财政拨款（万元）", 16),
                    ("其他资金（万元）", 16), ("绩效指标（个）", 12), ("分值合计", 10), ("工作表", 8))



def _options() -> dict[str, Any]:
    """A new workbook's options: made fresh each time, as XlsxWriter changes the default format's dict."""
    return {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE, "font_scheme": "none"}}


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
    """The cell formats of one workbook, made on first use (XlsxWriter formats belong to a workbook)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.cache: dict[tuple[Any, ...], Format] = {}

    def get(self, *, bold: bool = False, align: str = "center", money: bool = False, border: bool = True,
            size: int = FONT_SIZE, underline: bool = False) -> Format:
        key = (bold, align, money, border, size, underline)
        fmt = self.cache.get(key)
        if fmt is None:
            props: dict[str, Any] = {"font_name": FONT, "font_size": size, "font_scheme": "none", "valign": "vcenter",
                                     "text_wrap": True, "align": align}
            if bold:
                props["bold"] = True
            if border:
                props["border"] = 1
            if money:
                props["num_format"] = "0.00"
            if underline:
                props.update(underline=1, font_color="#0563C1")
            fmt = self.cache[key] = self.book.add_format(props)
        return fmt

    def of(self, cell: Cell) -> Format:
        heading = cell.role in ("label", "title")
        align = "left" if cell.align == "left" and cell.role not in ("group", "label", "title") else "center"
        return self.get(bold=heading, align=align, money=cell.value.kind == "money" and cell.value.number is not None)


class XlsxFormWriter:
    """Draws laid-out forms into workbooks: one project (:meth:`render`) or a unit's year (:meth:`render_combined`)."""

    def render(self, project: Project, lay: Layout) -> bytes:
        out = io.BytesIO()
        book = _workbook(out, project.year, project.name, lay.title)
        _draw(book.add_worksheet(sheet_name(project.name, set())), lay, _Styles(book))
        book.close()
        return out.getvalue()

    def render_combined(self, layouts: Sequence[Layout], title: str) -> bytes:
        out = io.BytesIO()
        year = layouts[0].project.year if layouts else 2000
        book = _workbook(out, year, title, layouts[0].title if layouts else title)
        styles = _Styles(book)
        taken = {CONTENTS.lower()}
        contents = book.add_worksheet(CONTENTS)
        names = [sheet_name(lay.project.name, taken, lay.project.source) for lay in layouts]
        _draw_contents(contents, title, layouts, names, styles)
        for lay, name in zip(layouts, names, strict=True):
            _draw(book.add_worksheet(name), lay, styles)
        book.close()
        return out.getvalue()


def _workbook(out: io.BytesIO, year: int, title: str, subject: str) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(out, _options())
    created = datetime(max(1980, min(int(year), 9999)), 1, 1, tzinfo=UTC)  # a fixed date: same bytes
    book.set_properties({"title": title, "subject": subject, "author": "perfgen", "created": created})
    return book


def _page_setup(sheet: Worksheet, repeat: tuple[int, int] | None) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.center_horizontally()
    sheet.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.75)
    sheet.set_footer("&C第 &P 页 共 &N 页")
    sheet.hide_gridlines(2)
    if repeat is not None:
        sheet.repeat_rows(*repeat)


def _widths(lay: Layout) -> list[float]:
    weights = lay.form.widths
    total = sum(weights) or 1
    return [round(TOTAL_WIDTH * w / total, 2) for w in weights]


def _draw(sheet: Worksheet, lay: Layout, styles: _Styles) -> None:
    """The form of one project on ``sheet``: title lines, tables, the lines below, the print setup."""
    widths = _widths(lay)
    last = len(widths) - 1
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    row = 0
    title = styles.get(bold=True, border=False, size=16)
    sheet.merge_range(row, 0, row, last, "", title)
    sheet.write_string(row, 0, lay.title, title)
    sheet.set_row(row, 30)
    row += 1
    plain = styles.get(border=False)
    left = styles.get(border=False, align="left")
    if lay.year_line is not None:
        sheet.merge_range(row, 0, row, last, "", plain)
        sheet.write_string(row, 0, lay.year_line, plain)
        sheet.set_row(row, ROW_MIN)
        row += 1
    for line in lay.above:
        row = _line(sheet, row, last, line, left, sum(widths))
    repeat: tuple[int, int] | None = None
    for table in lay.tables:
        if table.head and repeat is None:
            repeat = (row, row + table.head - 1)
        row = _table(sheet, row, table.rows, widths, styles)
    for line in lay.below:
        row = _line(sheet, row, last, line, left, sum(widths))
    _page_setup(sheet, repeat)


def _line(sheet: Worksheet, row: int, last: int, text: str, fmt: Format, width: float) -> int:
    sheet.merge_range(row, 0, row, last, "", fmt)
    sheet.write_string(row, 0, text, fmt)
    sheet.set_row(row, max(ROW_MIN, lines_needed((text,), width) * LINE_HEIGHT + ROW_PAD))
    return row + 1


def _table(sheet: Worksheet, top: int, rows: Sequence[Sequence[Cell]], widths: list[float], styles: _Styles) -> int:
    """One table of the layout from row ``top``: each cell written (merged where it spans), every grid position
    bordered, and each row as high as its text needs; returns the row after the table."""
    heights = [ROW_MIN] * len(rows)
    tall: list[tuple[int, int, float]] = []  # (first row, rows, height needed) of cells merged down
    filled: set[tuple[int, int]] = set()
    for r, cells in enumerate(rows):
        for cell in cells:
            fmt = styles.of(cell)
            first, last_row = top + r, top + r + cell.rows - 1
            last_col = min(cell.col + cell.span, len(widths)) - 1
            if last_row > first or last_col > cell.col:
                sheet.merge_range(first, cell.col, last_row, last_col, "", fmt)
            _value(sheet, first, cell, fmt)
            for rr in range(r, r + cell.rows):
                filled.update((rr, c) for c in range(cell.col, last_col + 1))
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
        for c in range(len(widths)):
            if (r, c) not in filled:
                sheet.write_blank(top + r, c, None, border)
        sheet.set_row(top + r, round(heights[r], 2))
    return top + len(rows)


def _value(sheet: Worksheet, row: int, cell: Cell, fmt: Format) -> None:
    """A cell's value with its type: money and weights as numbers, all else as text (never a formula)."""
    number = cell.value.number
    if number is not None and cell.value.kind in ("money", "number") and math.isfinite(number):
        sheet.write_number(row, cell.col, number, fmt)
    elif cell.value.kind == "list":
        sheet.write_string(row, cell.col, "\n".join(cell.lines), fmt)
    else:
        sheet.write_string(row, cell.col, cell.text, fmt)


def _draw_contents(sheet: Worksheet, title: str, layouts: Sequence[Layout], names: Sequence[str],
                   styles: _Styles) -> None:
    """The first sheet of a combined workbook: every project with its funds and indicators, linked to its sheet,
    and the unit's totals."""
    last = len(CONTENTS_COLUMNS) - 1
    heading = styles.get(bold=True, border=False, size=16)
    sheet.merge_range(0, 0, 0, last, "", heading)
    sheet.write_string(0, 0, f"{title} 项目支出绩效目标表 目录", heading)
    sheet.set_row(0, 30)
    bold, text, left = styles.get(bold=True), styles.get(), styles.get(align="left")
    money, link = styles.get(money=True), styles.get(underline=True)
    for col, (label, width) in enumerate(CONTENTS_COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(1, col, label, bold)
    sheet.set_row(1, ROW_MIN)
    sums = [Decimal(0), Decimal(0), Decimal(0)]
    count = 0
    for n, (lay, name) in enumerate(zip(layouts, names, strict=True), start=1):
        row, project = n + 1, lay.project
        sheet.write_number(row, 0, n, text)
        sheet.write_string(row, 1, project.name, left)
        quoted = name.replace("'", "''")
        sheet.write_url(row, 7, f"internal:'{quoted}'!A1", link, string="查看", tip=name)
        amounts = (project.funds.total, project.funds.fiscal, project.funds.other)
        for col, amount in enumerate(amounts, start=2):
            value = float(amount or 0.0)
            sheet.write_number(row, col, value, money)
            sums[col - 2] += Decimal(format_money(value))
        indicators = len(project.indicators)
        weight = sum((Decimal(str(ind.weight)) for ind in project.indicators if ind.weight is not None), Decimal(0))
        sheet.write_number(row, 5, indicators, text)
        sheet.write_number(row, 6, float(weight), text)
        count += indicators
        sheet.set_row(row, max(ROW_MIN, lines_needed((project.name,), CONTENTS_COLUMNS[1][1]) * LINE_HEIGHT + ROW_PAD))
    total = len(layouts) + 2
    sheet.merge_range(total, 0, total, 1, "", bold)
    sheet.write_string(total, 0, f"合计（{len(layouts)} 个项目）", bold)
    for col, subtotal in enumerate(sums, start=2):
        sheet.write_number(total, col, float(subtotal), money)
    sheet.write_number(total, 5, count, text)
    sheet.write_blank(total, 6, None, text)
    sheet.write_blank(total, 7, None, text)
    sheet.set_row(total, ROW_MIN)
    _line(sheet, total + 1, last, "每个项目一张工作表，按目标文件顺序排列；点击“查看”转到该项目的表。",
          styles.get(border=False, align="left"), 150.0)
    _page_setup(sheet, (1, 1))
    sheet.activate()

