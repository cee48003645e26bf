"""PDF writer: a form's :class:`~perfgen.render.layout.Layout` drawn on A4 landscape pages, like the Word form.

The same page as ``templates/reference.docx``: margins 2 cm top and bottom, 1.8 cm left and right; title 18 pt
bold, year line 12 pt, cells 10.5 pt with Word's cell padding; column widths from the form; labels and column
titles bold (the glyphs stroked as well as filled: one font file). Rows of the indicator table never break across
pages and its column titles repeat at the top of each page; a merged 一级/二级 cell that crosses a page is drawn
on both, its name on the first. Footer ``第 N 页 共 M 页``.

One difference from Word: in each row the cells' text begins on the same line (the row's text block is centred,
each cell's text at its top), and a merged cell's name stands level with its first row rather than in its middle
— so that text extracted from the page comes out row by row, each name on the first row it covers, as reading a
printed table back needs. The text is real text in the embedded CJK font (a subset: :mod:`perfgen.render.pdfdoc`),
written row by row, cell by cell: ``pdftotext -layout`` reads it in the table's order, and ``perfgen import``
reads that text back into the same goals (tested).

A unit's combined PDF (``build --combine``) is written project after project into the output stream, one bookmark
per project: memory does not grow with the number of projects.

Why this and not a library: benchmarks/README.md ("PDF engines") — LibreOffice converting the .docx, typst,
fpdf2, reportlab and WeasyPrint measured on the same projects.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from perfgen.model import Project
from perfgen.render.fonts import CjkFont, FontRef, load_font
from perfgen.render.layout import Cell, Layout, Table
from perfgen.render.pdfdoc import PAGE_HEIGHT, PAGE_WIDTH, PdfDocument

LEFT, RIGHT, TOP, BOTTOM = 51.0, 51.0, 56.7, 56.7  # margins (reference.docx: 1020 and 1134 twips)
FOOTER_Y = 28.35  # the footer's baseline above the page's bottom edge
CELL_SIZE, TITLE_SIZE, YEAR_SIZE = 10.5, 18.0, 12.0
LINE = 1.3  # line height, in font sizes
PAD_X, PAD_Y = 5.4, 2.0  # cell padding (Word's default left/right cell margin, 0.19 cm)
ROW_MIN = 19.85  # the Word form's minimum row height (397 twips)
BORDER = 0.5
_NO_LINE_START = set("，。、；：？！）》」』】”’％%,.;:?!)]}")  # kept at the end of the line before, not moved down


@dataclass
class _Cell:
    col: int
    span: int
    rows: int
    lines: list[str]
    bold: bool
    align: str
    x: float = 0.0
    width: float = 0.0


@dataclass
class _Row:
    cells: list[_Cell]
    height: float
    head: bool = False  # a column-title row of its table (repeated on each page)
    table: int = 0
    number: int = 0  # in the whole layout
    lines: int = 1  # the most lines of its cells that are one row high


@dataclass
class _Page:
    rows: list[tuple[_Row, float, bool]] = field(default_factory=list)  # (row, its top y, a repeated title row)
    lines: list[tuple[str, float, float, bool, str]] = field(default_factory=list)  # text, size, y, bold, align
    merged: list[tuple[int, int, _Cell]] = field(default_factory=list)  # (first row, row after, cell) of the form


class PdfWriter:
    """Draws laid-out forms with one CJK font (:func:`perfgen.render.fonts.find_cjk_font`)."""

    def __init__(self, font: FontRef) -> None:
        self.font: CjkFont = load_font(font)
        self.font_name = font.family

    def missing_chars(self, lay: Layout) -> str:
        """The characters of ``lay`` the font cannot draw, each once, in order (line breaks and spaces aside)."""
        seen: dict[str, None] = {}
        for text in _texts(lay):
            for ch in text:
                if ch not in seen and not ch.isspace() and not self.font.has(ch):
                    seen[ch] = None
        return "".join(seen)

    def render(self, project: Project, lay: Layout) -> bytes:
        out = io.BytesIO()
        doc = PdfDocument(out, self.font, project.name)
        self._draw(doc, lay, bookmark=None)
        doc.finish(CELL_SIZE * 0.9)
        return out.getvalue()

    def write_combined(self, layouts: Iterable[Layout], out: BinaryIO) -> None:
        """Every project of ``layouts`` into ``out``, each from a new page with a bookmark named after it."""
        doc: PdfDocument | None = None
        for lay in layouts:
            if doc is None:
                doc = PdfDocument(out, self.font, f"{lay.project.unit} {lay.project.year}年")
            self._draw(doc, lay, bookmark=lay.project.name)
        if doc is None:  # no project of the unit has what this form needs: one page that says so
            doc = PdfDocument(out, self.font, "perfgen")
            text = "（没有适用此表样的项目）"
            x = (PAGE_WIDTH - self._text_width(text, CELL_SIZE)) / 2
            doc.page("\n".join([self._show(doc, text, CELL_SIZE, x, PAGE_HEIGHT - TOP - 20, False),
                                 self._footer(doc, 1)]).encode("latin-1"))
        doc.finish(CELL_SIZE * 0.9)

    # -- layout -------------------------------------------------------------------------------------

    def _draw(self, doc: PdfDocument, lay: Layout, bookmark: str | None) -> None:
        for number, page in enumerate(self._pages(lay)):
            doc.page(self._content(doc, page), bookmark if number == 0 else None)

    def _columns(self, lay: Layout) -> list[float]:
        total = sum(lay.form.widths) or 1
        usable = PAGE_WIDTH - LEFT - RIGHT
        return [usable * w / total for w in lay.form.widths]

    def _rows(self, lay: Layout, widths: list[float]) -> list[_Row]:
        edges = [LEFT]
        for w in widths:
            edges.append(edges[-1] + w)
        rows: list[_Row] = []
        for t, table in enumerate(lay.tables):
            first = len(rows)
            tall: list[tuple[int, int, float]] = []
            for r, cells in enumerate(table.rows):
                placed = []
                height = ROW_MIN
                for cell in cells:
                    end = min(cell.col + cell.span, len(widths))
                    c = _Cell(cell.col, cell.span, cell.rows, [], cell.role in ("label", "title"),
                              "left" if cell.align == "left" and cell.role != "group" else "center",
                              edges[cell.col], edges[end] - edges[cell.col])
                    c.lines = self._wrap(_cell_lines(cell), c.width - 2 * PAD_X, CELL_SIZE)
                    need = len(c.lines) * CELL_SIZE * LINE + 2 * PAD_Y
                    if cell.rows == 1:
                        height = max(height, need)
                    else:
                        tall.append((first + r, cell.rows, need))
                    placed.append(c)
                most = max((len(c.lines) for c in placed if c.rows == 1), default=1)
                rows.append(_Row(placed, height, r < table.head, t, len(rows), most))
            for start, count, need in tall:  # a merged cell's text shares its rows: the last grows if short
                have = sum(row.height for row in rows[start : start + count])
                if have < need:
                    rows[min(start + count, len(rows)) - 1].height += need - have
        return rows

    def _wrap(self, paragraphs: Sequence[str], width: float, size: float) -> list[str]:
        """Lines of at most ``width`` points (CJK text breaks between any two characters)."""
        out: list[str] = []
        limit = width * 1000 / size
        for paragraph in paragraphs:
            line, used = "", 0
            for ch in paragraph:
                advance = self.font.width(ch)
                if line and used + advance > limit and ch not in _NO_LINE_START:
                    out.append(line)
                    line, used = "", 0
                line += ch
                used += advance
            out.append(line)
        return out or [""]

    def _pages(self, lay: Layout) -> Iterator[_Page]:
        widths = self._columns(lay)
        rows = self._rows(lay, widths)
        page, y = _Page(), PAGE_HEIGHT - TOP
        for text, size, bold in ((lay.title, TITLE_SIZE, True), *(((lay.year_line, YEAR_SIZE, False),)
                                                                   if lay.year_line is not None else ())):
            for line in self._wrap([text], PAGE_WIDTH - LEFT - RIGHT, size):
                y -= size * LINE
                page.lines.append((line, size, y + size * 0.25, bold, "center"))
            y -= 6
        for text in lay.above:
            for line in self._wrap([text], PAGE_WIDTH - LEFT - RIGHT, CELL_SIZE):
                y -= CELL_SIZE * LINE
                page.lines.append((line, CELL_SIZE, y + CELL_SIZE * 0.25, False, "left"))
        heads: dict[int, list[_Row]] = {}
        merged = [(row.number, row.number + cell.rows, cell) for row in rows for cell in row.cells if cell.rows > 1]
        page.merged = merged
        for row in rows:
            if row.head:
                heads.setdefault(row.table, []).append(row)
        bottom = BOTTOM
        for row in rows:
            if y - row.height < bottom and page.rows:  # a new page, the table's column titles first
                yield page
                page, y = _Page(merged=merged), PAGE_HEIGHT - TOP
                if not row.head:
                    for head in heads.get(row.table, []):
                        page.rows.append((head, y, True))
                        y -= head.height
            page.rows.append((row, y, False))
            y -= row.height
        for text in lay.below:
            for line in self._wrap([text], PAGE_WIDTH - LEFT - RIGHT, CELL_SIZE):
                if y - CELL_SIZE * LINE < bottom:
                    yield page
                    page, y = _Page(merged=merged), PAGE_HEIGHT - TOP
                y -= CELL_SIZE * LINE
                page.lines.append((line, CELL_SIZE, y + CELL_SIZE * 0.25, False, "left"))
        yield page

    # -- drawing ------------------------------------------------------------------------------------

    def _content(self, doc: PdfDocument, page: _Page) -> bytes:
        ops: list[str] = [f"{BORDER:g} w 0 G 0 g"]
        for text, size, y, bold, align in page.lines:
            width = self._text_width(text, size)
            x = (PAGE_WIDTH - width) / 2 if align == "center" else LEFT
            ops.append(self._show(doc, text, size, x, y, bold))
        own = [(row, top) for row, top, repeated in page.rows if not repeated]
        tops = {row.number: top for row, top in own}
        for n, (row, top, repeated) in enumerate(page.rows):
            for cell in row.cells:
                if cell.rows > 1:
                    span = page.rows[n : n + cell.rows]
                    if repeated and len(span) == cell.rows and all(again for _, _, again in span):
                        height = sum(r.height for r, _, _ in span)  # a two-row title repeated on this page
                        ops.append(f"{cell.x:.2f} {top - height:.2f} {cell.width:.2f} {height:.2f} re S")
                        ops += self._cell_text(doc, cell, top, height)
                    continue  # merged cells of the page's own rows: below, once per page they cover
                ops.append(f"{cell.x:.2f} {top - row.height:.2f} {cell.width:.2f} {row.height:.2f} re S")
                ops += self._cell_text(doc, cell, top, row.height, row.lines)
        if own:
            first, last = own[0][0].number, own[-1][0].number
            page_top = page.rows[0][1]
            for start, end, cell in page.merged:
                if end <= first or start > last:
                    continue
                covered = [(row, top) for row, top in own if start <= row.number < end]
                top = tops[start] if start >= first else (page_top if cell.rows and _in_head(page, start) else
                                                          covered[0][1])
                bottom = covered[-1][1] - covered[-1][0].height
                ops.append(f"{cell.x:.2f} {bottom:.2f} {cell.width:.2f} {top - bottom:.2f} re S")
                if start >= first:  # its text on the page where it begins, level with its first row's text
                    row0 = covered[0][0]
                    ops += self._cell_text(doc, cell, top, row0.height, row0.lines)
        ops.append(self._footer(doc, len(doc.pages) + 1))
        return "\n".join(ops).encode("latin-1")

    def _cell_text(self, doc: PdfDocument, cell: _Cell, top: float, height: float, block_lines: int = 0) -> list[str]:
        """The cell's lines, the block of ``block_lines`` (default: its own) centred in the cell and the cell's
        text at the top of that block: the cells of one row start on the same line, so that text extracted from
        the page (pdftotext -layout) has each row's first line on one line, its wrapped rest below."""
        lead = CELL_SIZE * LINE
        block = max(block_lines, len(cell.lines)) * lead
        y = top - (height - block) / 2 - lead + CELL_SIZE * 0.28
        out = []
        for line in cell.lines:
            if line:
                width = self._text_width(line, CELL_SIZE)
                x = cell.x + PAD_X if cell.align == "left" else cell.x + (cell.width - width) / 2
                out.append(self._show(doc, line, CELL_SIZE, x, y, cell.bold))
            y -= lead
        return out

    def _footer(self, doc: PdfDocument, number: int) -> str:
        head = f"第 {number} 页 共 "
        size = CELL_SIZE * 0.9
        width = self._text_width(head, size) + self._text_width("00 页", size)
        x = (PAGE_WIDTH - width) / 2
        return (self._show(doc, head, size, x, FOOTER_Y, False)
                + f"\nq 1 0 0 1 {x + self._text_width(head, size):.2f} {FOOTER_Y:.2f} cm /Tot Do Q")

    def _show(self, doc: PdfDocument, text: str, size: float, x: float, y: float, bold: bool) -> str:
        style = " 2 Tr 0.3 w" if bold else ""
        reset = f" 0 Tr {BORDER:g} w" if bold else ""
        return f"BT /F1 {size:g} Tf{style} {x:.2f} {y:.2f} Td {doc.encode(text)} Tj{reset} ET"

    def _text_width(self, text: str, size: float) -> float:
        return sum(self.font.width(ch) for ch in text) * size / 1000


def _in_head(page: _Page, start: int) -> bool:
    """A merged cell that begins in a column-title row repeated on this page (a form's side label): its part
    on this page begins at the top of the repeated titles."""
    return any(repeated and row.number == start for row, _, repeated in page.rows)


def _cell_lines(cell: Cell) -> list[str]:
    return list(cell.lines) if cell.value.kind == "list" else cell.text.split("\n")


def _texts(lay: Layout) -> Iterator[str]:
    yield lay.title
    if lay.year_line is not None:
        yield lay.year_line
    yield from lay.above
    yield from lay.below
    for table in lay.tables:
        yield from _table_texts(table)


def _table_texts(table: Table) -> Iterator[str]:
    for row in table.rows:
        for cell in row:
            yield from cell.lines
