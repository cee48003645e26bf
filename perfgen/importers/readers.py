"""Read .txt (text extracted from a PDF), .docx and .xlsx files into rows of cells (:mod:`.grid`).

Nothing a user feeds these may raise: a file that cannot be read is a diagnostic. Nor may it take more than
time and memory in proportion to the limits: Word and Excel packages are measured before a library opens
them, worksheets are scanned before they are read and read as a stream (:mod:`.package`), and every reader
stops at so many rows and columns.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from itertools import repeat
from typing import Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.importers.grid import Row, Section, clean
from perfgen.importers.layouttext import layout_rows, looks_like_layout
from perfgen.importers.package import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_SHEET_ROWS,
    PackageScan,
    Refused,
    SheetScan,
    check_package,
    megabytes,
)
from perfgen.model import format_number

MAX_FILE = 50 * 1024 * 1024  # a Word file with pictures
MAX_TEXT = 8 * 1024 * 1024  # the text of a 2,000-page PDF
MAX_ROWS = 100_000  # lines of a text file, paragraphs and table rows of a Word document
TEXT_SUFFIXES = (".txt", ".tsv")
SUFFIXES = (*TEXT_SUFFIXES, ".docx", ".xlsx", ".xlsm")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes, suffix: str, display: str) -> tuple[list[Section], list[Diagnostic]]:
    """The sections of one file (a text file or a Word body: one; a workbook: one per sheet)."""
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        return [], [diag(Pos(display), "PG053", "import.unsupported", suffix=suffix or "（无）")]
    if len(data) > size_limit(suffix):
        return [], [diag(Pos(display), "PG053", "import.too_large", limit=megabytes(size_limit(suffix)))]
    try:
        if suffix in TEXT_SUFFIXES:
            return read_text(data, display)
        return _read_package(data, suffix, display)
    except Refused as refused:
        return [], [diag(Pos(refused.where or display), "PG053", refused.key, **refused.params)]


def size_limit(suffix: str) -> int:
    return MAX_TEXT if suffix.lower() in TEXT_SUFFIXES else MAX_FILE


def _read_package(data: bytes, suffix: str, display: str) -> tuple[list[Section], list[Diagnostic]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl and python-docx warn about features they drop
        try:
            scan = check_package(data, excel=suffix != ".docx")
            if suffix == ".docx":
                return [read_docx(data, display)], []
            return read_xlsx(data, display, scan)
        except Refused:
            raise
        except Exception as exc:  # any failure inside zipfile, expat or the libraries means a bad file
            reason = f"{type(exc).__name__}: {exc}"[:200]
            return [], [diag(Pos(display), "PG053", "import.unreadable", reason=reason)]


# ---- text extracted from a PDF ----------------------------------------------------------------------

def read_text(data: bytes, display: str) -> tuple[list[Section], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                return [], [diag(Pos(display), "PG053", "import.unreadable", reason=str(exc))]
            diags.append(diag(Pos(display), "PG066", "import.encoding", "warning"))
    if "\x00" in text:
        return [], [diag(Pos(display), "PG053", "import.unreadable", reason="binary data (NUL bytes)")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") > MAX_ROWS:
        raise Refused("import.rows", limit=MAX_ROWS)
    section = Section(display)
    if looks_like_layout(text):  # pdftotext -layout: columns of spaces, wrapped cells on the lines below
        section.rows = layout_rows(text, display)
        return [section], diags
    for number, line in enumerate(text.split("\n"), 1):
        parts = line.split("\t", MAX_COLUMNS)[:MAX_COLUMNS]  # a form has nine columns; more are not read
        cols, at = [], 1
        for part in parts:
            cols.append(at)
            at += len(part) + 1
        section.rows.append(Row(tuple(clean(p) for p in parts), Pos(display, number, 1), tuple(cols)))
    return [section], diags


# ---- Word -------------------------------------------------------------------------------------------

def read_docx(data: bytes, display: str) -> Section:
    import docx

    body = docx.Document(io.BytesIO(data)).element.body
    section = Section(display)
    tables = 0
    cells = 0
    for element in _blocks(body):
        if len(section.rows) >= MAX_ROWS:
            raise Refused("import.rows", limit=MAX_ROWS)
        if element.tag == W + "p":
            section.rows.append(Row((clean(_text(element)),), Pos(display), (1,), prose=True))
            continue
        tables += 1
        for number, tr in enumerate(element.iterchildren(W + "tr"), 1):
            row = _word_row(tr, Pos(f"{display}#表{tables}", number, 1))
            cells += len(row.cells) or 1
            if cells > MAX_CELLS or len(section.rows) >= MAX_ROWS:
                raise Refused("import.cells" if cells > MAX_CELLS else "import.rows",
                              limit=MAX_CELLS if cells > MAX_CELLS else MAX_ROWS)
            section.rows.append(row)
    return section


def _blocks(container: Any) -> Iterator[Any]:
    """Body paragraphs and tables in order, looking inside content controls (w:sdt)."""
    for child in container.iterchildren():
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag == W + "sdt":
            for content in child.iterchildren(W + "sdtContent"):
                yield from _blocks(content)


def _text(element: Any) -> str:
    parts: list[str] = []
    for p_index, p in enumerate(element.iter(W + "p")):
        if p_index:
            parts.append("\n")
        for node in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
            parts.append(node.text or "" if node.tag == W + "t" else " " if node.tag == W + "tab" else "\n")
    return "".join(parts)


def _val(parent: Any, tag: str) -> str | None:
    el = parent.find(W + tag) if parent is not None else None
    if el is None:
        return None
    return str(el.get(W + "val", "continue"))


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(MAX_COLUMNS, int(value))) if value is not None else default
    except ValueError:
        return default


def _word_row(tr: Any, pos: Pos) -> Row:
    """One table row, one cell per grid column; the first MAX_COLUMNS columns (a form has nine)."""
    cells: list[str] = []
    spans: set[int] = set()
    cells.extend("" for _ in range(_int(_val(tr.find(W + "trPr"), "gridBefore"), 0)))
    for tc in tr.iterchildren(W + "tc", W + "sdt"):
        if len(cells) >= MAX_COLUMNS:
            break
        if tc.tag == W + "sdt":  # a content control around a cell
            inner = tc.find(f"{W}sdtContent/{W}tc")
            if inner is None:
                continue
            tc = inner
        props = tc.find(W + "tcPr")
        continues = _val(props, "vMerge") == "continue" or _val(props, "hMerge") == "continue"
        if _val(props, "hMerge") == "continue":
            spans.add(len(cells))
        cells.append("" if continues else clean(_text(tc)))
        for _ in range(min(_int(_val(props, "gridSpan"), 1), MAX_COLUMNS - len(cells) + 1) - 1):
            spans.add(len(cells))
            cells.append("")
    return Row(tuple(cells), pos, tuple(range(1, len(cells) + 1)), frozenset(spans))


# ---- Excel --------------------------------------------------------------------------------------------

def read_xlsx(data: bytes, display: str, scan: PackageScan) -> tuple[list[Section], list[Diagnostic]]:
    """Each worksheet, streamed by openpyxl's read-only mode as far as its scan (``scan``) says it has content.

    Read-only mode never expands merged ranges, hyperlinks or dimensions; the merged ranges come from the
    scan and are applied to the rows and columns read, as the normal mode would (all but the first cell of
    a range empty).
    """
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = None
    try:
        sheets = [(sheet, scan.sheets.get(sheet._worksheet_path, SheetScan())) for sheet in book.worksheets]
        for sheet, sheet_scan in sheets:
            if sheet_scan.refused is not None:
                sheet_scan.refused.where = f"{display}#{sheet.title}"
                raise sheet_scan.refused
        if any(sheet_scan.formulas for _, sheet_scan in sheets):
            # A formula saved without its result (files written by scripts, not by Excel) reads as None;
            # its text is kept when it is really a value such as =3人 that a script wrote as a string.
            formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sections: list[Section] = []
        diags: list[Diagnostic] = []
        for index, (sheet, sheet_scan) in enumerate(sheets):
            written = formulas.worksheets[index] if formulas is not None and sheet_scan.formulas else None
            sections.append(_sheet(sheet, written, sheet_scan, f"{display}#{sheet.title}", diags))
        return sections, diags
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


def _sheet(sheet: Any, source: Any, scan: SheetScan, name: str, diags: list[Diagnostic]) -> Section:
    if scan.beyond:
        diags.append(diag(Pos(name), "PG067", "import.too_many_rows", "warning", limit=MAX_SHEET_ROWS))
    section = Section(name)
    last_row, width = scan.last_row, scan.last_col
    if not last_row:
        return section
    covered: set[tuple[int, int]] = set()  # every cell of a merged range but its first: empty
    spans: set[tuple[int, int]] = set()  # the cells right of a range's first column: known spans
    for min_col, min_row, max_col, max_row in scan.merges:
        for r in range(min_row, min(max_row, last_row) + 1):
            for c in range(min_col, min(max_col, width) + 1):
                covered.add((r, c))
                if c > min_col:
                    spans.add((r, c))
        covered.discard((min_row, min_col))
    rows = sheet.iter_rows(max_row=last_row, max_col=width)
    written = source.iter_rows(max_row=last_row, max_col=width) if source is not None else repeat(None)
    for number, (row, formula_row) in enumerate(zip(rows, written, strict=False), 1):
        cells = []
        for col, c in enumerate(row, 1):
            if (number, col) in covered:
                cells.append("")
                continue
            value = c.value
            f = formula_row[col - 1].value if formula_row is not None else None
            if value is None and isinstance(f, str) and f.startswith("="):
                if _TARGET_LIKE.match(f):
                    value = f
                else:
                    diags.append(diag(Pos(name, number, col), "PG065", "import.formula", "warning", formula=f))
                    section.formulas[(number, col)] = f
            cells.append(clean(_cell_text(value, c.number_format)))
        hspans = frozenset(i for i in range(len(cells)) if (number, i + 1) in spans)
        section.rows.append(Row(tuple(cells), Pos(name, number, 1), tuple(range(1, len(cells) + 1)), hspans))
    return section


_TARGET_LIKE = re.compile(r"=\s*[-+]?\d[\d,.]*\s*[^\d\s(),:!$+*/^&<>=-]")


def _cell_text(value: Any, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if number_format and "%" in number_format:
            return format_number(round(value * 100, 6)) + "%"
        return format_number(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
