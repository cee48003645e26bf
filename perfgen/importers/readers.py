"""Read .txt (text extracted from a PDF), .docx and .xlsx files into rows of cells (:mod:`.grid`).

Nothing a user feeds these may raise: a file that cannot be read is a diagnostic. Word and Excel files are
zip packages; their declared sizes are checked before anything is unpacked (zip bombs).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from ..diagnostics import Diagnostic, diag
from ..model import Pos, format_number
from .grid import Row, Section, clean

MAX_FILE = 50 * 1024 * 1024
MAX_UNPACKED = 300 * 1024 * 1024
MAX_SHEET_ROWS = 10_000
MAX_COLUMNS = 64
TEXT_SUFFIXES = (".txt", ".tsv")
SUFFIXES = (*TEXT_SUFFIXES, ".docx", ".xlsx", ".xlsm")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes, suffix: str, display: str) -> tuple[list[Section], list[Diagnostic]]:
    """The sections of one file (a text file or a Word body: one; a workbook: one per sheet)."""
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        return [], [diag(Pos(display), "PG053", "import.unsupported", suffix=suffix or "（无）")]
    if len(data) > MAX_FILE:
        return [], [diag(Pos(display), "PG053", "import.unreadable", reason=f"{len(data)} bytes")]
    if suffix in TEXT_SUFFIXES:
        return read_text(data, display)
    problem = _zip_problem(data)
    if problem:
        return [], [diag(Pos(display), "PG053", "import.unreadable", reason=problem)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl and python-docx warn about features they drop
        try:
            if suffix == ".docx":
                return [read_docx(data, display)], []
            return read_xlsx(data, display)
        except Exception as exc:  # any failure inside the libraries means a bad file
            reason = f"{type(exc).__name__}: {exc}"[:200]
            return [], [diag(Pos(display), "PG053", "import.unreadable", reason=reason)]


def _zip_problem(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        return f"not a zip package ({exc})"
    if len(infos) > 10_000 or sum(i.file_size for i in infos) > MAX_UNPACKED:
        return "unpacks to too much data"
    return None


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
    section = Section(display)
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        parts = line.split("\t")
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
    for element in _blocks(body):
        if element.tag == W + "p":
            section.rows.append(Row((clean(_text(element)),), Pos(display), (1,), prose=True))
            continue
        tables += 1
        for number, tr in enumerate(element.iterchildren(W + "tr"), 1):
            section.rows.append(_word_row(tr, Pos(f"{display}#表{tables}", number, 1)))
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
    cells: list[str] = []
    spans: set[int] = set()
    cells.extend("" for _ in range(_int(_val(tr.find(W + "trPr"), "gridBefore"), 0)))
    for tc in tr.iterchildren(W + "tc", W + "sdt"):
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
        for _ in range(_int(_val(props, "gridSpan"), 1) - 1):
            spans.add(len(cells))
            cells.append("")
    return Row(tuple(cells), pos, tuple(range(1, len(cells) + 1)), frozenset(spans))


# ---- Excel --------------------------------------------------------------------------------------------

def read_xlsx(data: bytes, display: str) -> tuple[list[Section], list[Diagnostic]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    # A formula saved without its result (files written by scripts, not by Excel) reads as None; its
    # text is kept when it is really a value such as =3人 that a script wrote as a string.
    formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    sections: list[Section] = []
    diags: list[Diagnostic] = []
    for sheet, source in zip(book.worksheets, formulas.worksheets, strict=True):
        name = f"{display}#{sheet.title}"
        spans: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:
            for r in range(merged.min_row, merged.max_row + 1):
                spans.update((r, c) for c in range(merged.min_col + 1, merged.max_col + 1))
        last_row = sheet.max_row
        if last_row > MAX_SHEET_ROWS:
            diags.append(diag(Pos(name), "PG067", "import.too_many_rows", "warning", limit=MAX_SHEET_ROWS))
            last_row = MAX_SHEET_ROWS
        section = Section(name)
        width = min(sheet.max_column, MAX_COLUMNS)
        rows = zip(sheet.iter_rows(max_row=last_row, max_col=width),
                   source.iter_rows(max_row=last_row, max_col=width), strict=True)
        for number, (row, written) in enumerate(rows, 1):
            cells = []
            for c, f in zip(row, written, strict=True):
                value = c.value
                if value is None and isinstance(f.value, str) and f.value.startswith("="):
                    if _TARGET_LIKE.match(f.value):
                        value = f.value
                    else:
                        diags.append(diag(Pos(name, number, f.column), "PG065", "import.formula", "warning",
                                          formula=f.value))
                cells.append(clean(_cell_text(value, getattr(c, "number_format", ""))))
            hspans = frozenset(i for i in range(len(cells)) if (number, i + 1) in spans)
            section.rows.append(Row(tuple(cells), Pos(name, number, 1), tuple(range(1, len(cells) + 1)), hspans))
        sections.append(section)
    return sections, diags


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
