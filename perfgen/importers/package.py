"""What a Word or Excel file may hold before a library opens it: the bounds of zip packages and their XML.

A .docx or .xlsx is a zip package of XML parts. A file of a few KB can make the libraries that read it take
minutes or all the memory: a package of a million members, a part that unpacks to gigabytes, a stylesheet of
a million formats (each one a Python object), entities that expand a kilobyte into gigabytes, and a worksheet
that asks for more cells than exist — ``<mergeCell ref="A1:XFD1048576"/>`` is seventeen billion cells to a
reader that expands merges. :func:`check_package` measures all of it before any library parses anything:
the zip directory (its end record first, so even the directory of a million members is not parsed), then
every XML part, streamed through expat, counting, building nothing. What is beyond a limit raises
:class:`Refused`, which the reader turns into a PG053 diagnostic.

The sizes checked are the ones the directory declares. They bound what unpacking produces: :mod:`zipfile`
stops reading a member at its declared size (and then fails its CRC check), so a member that lies about
its size cannot unpack to more than it says.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat

MAX_MEMBERS = 1000  # a Word or Excel file has a few dozen parts (a few hundred with many pictures)
MAX_DIRECTORY = 1024 * 1024  # the zip directory of MAX_MEMBERS members with long names
MAX_UNPACKED = 300 * 1024 * 1024
MAX_PART = 32 * 1024 * 1024  # the body of a 300-page Word document is a few MB; so is a 10,000-row sheet
MAX_ELEMENTS = 3_000_000  # XML elements in all parts of a package
MAX_PART_ELEMENTS = 200_000  # in an Excel part that is not a worksheet: openpyxl makes an object of each
MAX_SHEET_ROWS = 10_000  # rows of a sheet that are read (PG067 warns of the rest)
MAX_COLUMNS = 64  # columns of a sheet (or a Word table) that are read
MAX_CELLS = 1_000_000  # rows and cells in a workbook, read or not; cells of a Word document's tables
MAX_MERGED = 1_000_000  # cells covered by the merged ranges of one sheet
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # the size of a sheet: XFD1048576


class Refused(Exception):
    """A file beyond one of the limits: the message key of its PG053 diagnostic and the key's arguments."""

    def __init__(self, key: str, where: str = "", **params: Any) -> None:
        super().__init__(key)
        self.key, self.where, self.params = key, where, params


def megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}".removesuffix(".0")


# ---- the zip directory --------------------------------------------------------------------------------

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"


def _declared_directory(data: bytes) -> tuple[int, int] | None:
    """(members, directory size) as the end record declares them; None if there is none (not a zip).

    Found the way :mod:`zipfile` finds it (the last 22 bytes, else the last 64 KB), so the directory
    zipfile then parses is the one measured here.
    """
    at = len(data) - 22
    if at < 0:
        return None
    if data[at:at + 4] != _END:
        at = data.rfind(_END, max(0, len(data) - 22 - 65535))
        if at < 0 or len(data) - at < 22:
            return None
    members = int.from_bytes(data[at + 10:at + 12], "little")
    size = int.from_bytes(data[at + 12:at + 16], "little")
    locator = at - 20
    if locator >= 0 and data[locator:locator + 4] == _END64_LOCATOR:
        end64 = int.from_bytes(data[locator + 8:locator + 16], "little")
        if data[end64:end64 + 4] == _END64 and end64 + 56 <= len(data):
            members = max(members, int.from_bytes(data[end64 + 32:end64 + 40], "little"))
            size = max(size, int.from_bytes(data[end64 + 40:end64 + 48], "little"))
    return members, size


# ---- XML parts ----------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_WORKSHEET, _ROW, _CELL, _MERGE = _MAIN + "worksheet", _MAIN + "row", _MAIN + "c", _MAIN + "mergeCell"
_CONTENT = {_MAIN + "v", _MAIN + "is", _MAIN + "f"}
_FORMULA = _MAIN + "f"


@dataclass
class Budget:
    """What the parts of one package may still hold, counted down as they are scanned."""

    elements: int = MAX_ELEMENTS
    cells: int = MAX_CELLS  # rows and cells of worksheets


@dataclass
class SheetScan:
    """A worksheet as far as reading it is concerned (rows and columns 1-based; 0: none)."""

    last_row: int = 0  # the last row within MAX_SHEET_ROWS with a cell holding something
    last_col: int = 0  # the last such column within MAX_COLUMNS
    beyond: bool = False  # something below row MAX_SHEET_ROWS
    formulas: bool = False  # a formula within the rows and columns read
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row
    refused: Refused | None = None  # why the sheet cannot be read, raised once its name is known


@dataclass
class PackageScan:
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # member name → scan, for each worksheet part


class _Scanner:
    """Expat handlers for one XML part. Every element is counted; a part whose root is a worksheet is also
    read for its rows, cells and merged ranges, numbered as openpyxl numbers them (``r`` attributes, else
    counting on)."""

    def __init__(self, part: str, budget: Budget, excel: bool) -> None:
        self.part, self.budget, self.excel = part, budget, excel
        self.part_elements = MAX_PART_ELEMENTS if excel else MAX_ELEMENTS
        self.sheet: SheetScan | None = None
        self.root = True
        self.row = self.col = self.previous = 0
        self.in_row = self.in_cell = False
        self.content = self.formula = False
        self.merged = 0
        self.largest = (0, "")

    def doctype(self, name: str, system_id: str | None, public_id: str | None, internal_subset: bool) -> None:
        # Entities are declared in a DTD's internal subset; the XML of Office documents never has one, and
        # Python's XML parser (openpyxl reads worksheets with it) expands them up to 100 times the input.
        if internal_subset and self.excel:
            raise Refused("import.dtd", part=self.part)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        budget = self.budget
        budget.elements -= 1
        if budget.elements < 0:
            raise Refused("import.elements", limit=MAX_ELEMENTS)
        if self.root:
            self.root = False
            if name == _WORKSHEET:
                self.sheet = SheetScan()
        if self.sheet is None:
            self.part_elements -= 1
            if self.part_elements < 0:
                raise Refused("import.part_elements", part=self.part, limit=MAX_PART_ELEMENTS)
            return
        if self.in_cell:
            if name in _CONTENT:
                self.content = True
                self.formula = self.formula or name == _FORMULA
        elif name == _CELL and self.in_row:
            self.spend()
            ref = attrs.get("r")
            if ref:
                from openpyxl.utils.cell import coordinate_to_tuple

                self.col = coordinate_to_tuple(ref)[1]
            else:
                self.col += 1
            self.in_cell, self.content, self.formula = True, False, False
        elif name == _ROW:
            self.spend()
            number = attrs.get("r")
            self.row = self.row + 1 if number is None else _row_number(number)
            if self.row <= self.previous and self.sheet.refused is None:  # read-only mode would drop it
                self.sheet.refused = Refused("import.row_order", row=self.row, after=self.previous)
            self.previous, self.col, self.in_row = self.row, 0, True
        elif name == _MERGE:
            self.merge(attrs.get("ref", ""))

    def end(self, name: str) -> None:
        if self.sheet is None:
            return
        if name == _CELL and self.in_cell:
            self.in_cell = False
            if not self.content:
                return
            scan = self.sheet
            if self.row > MAX_SHEET_ROWS:
                scan.beyond = True
            elif self.col <= MAX_COLUMNS:
                scan.last_row = max(scan.last_row, self.row)
                scan.last_col = max(scan.last_col, self.col)
                scan.formulas = scan.formulas or self.formula
        elif name == _ROW:
            self.in_row = False

    def spend(self) -> None:
        self.budget.cells -= 1
        if self.budget.cells < 0:
            raise Refused("import.cells", limit=MAX_CELLS)

    def merge(self, ref: str) -> None:
        from openpyxl.utils.cell import range_boundaries

        sheet = self.sheet
        assert sheet is not None
        if sheet.refused is not None:
            return
        min_col, min_row, max_col, max_row = range_boundaries(ref)  # A:A and 1:1 leave out the open ends
        box = (min_col or 1, min_row or 1, max_col or EXCEL_COLUMNS, max_row or EXCEL_ROWS)
        if box[0] > box[2] or box[1] > box[3]:
            raise ValueError(f"merged range {ref} is reversed")
        cells = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
        self.merged += cells
        self.largest = max(self.largest, (cells, ref))
        if self.merged > MAX_MERGED or len(sheet.merges) >= MAX_MERGED:
            sheet.refused = Refused("import.merged", cells=self.merged, ref=self.largest[1], limit=MAX_MERGED)
            sheet.merges.clear()
        elif box[0] <= MAX_COLUMNS and box[1] <= MAX_SHEET_ROWS:
            sheet.merges.append(box)


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)  # openpyxl reads r="3.0" as row 3
        if not number.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(number)


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def scan_part(source: IO[bytes], part: str, budget: Budget, excel: bool) -> SheetScan | None:
    """Stream one part's XML through expat; its :class:`SheetScan` if it is a worksheet.

    A part that expat cannot read is skipped if it does not look like XML (a picture: its first byte that
    is not a blank is not ``<``), and in a Word file in any case (python-docx's parser fails on broken XML
    too, never expands entities, and a Word file may embed HTML). Excel XML that expat cannot read (an
    encoding other than UTF-8 or UTF-16, entities past expat's amplification limit, XML that is not
    well-formed) is refused: openpyxl reads some parts with lxml, which accepts more encodings.
    """
    scanner = _Scanner(part, budget, excel)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = scanner.doctype
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    first = b""  # the first byte that is not a blank
    try:
        while chunk := source.read(1 << 20):
            if not first:
                first = b"<" if chunk.startswith(_BOMS) else chunk.lstrip(b" \t\r\n")[:1]
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        if not excel or first != b"<":
            return None
        raise Refused("import.xml", part=part, reason=expat.ErrorString(exc.code) or str(exc)) from None
    return scanner.sheet


def check_package(data: bytes, excel: bool) -> PackageScan:
    """Refuse a zip package beyond the limits; measure every XML part.

    For a workbook (``excel``), also refuse XML with a DTD's internal subset (openpyxl reads worksheets
    with Python's parser, which expands entities; python-docx's parser never does, and a Word file may
    hold SVG pictures that have one) and Excel parts other than worksheets of more than
    MAX_PART_ELEMENTS elements.
    """
    declared = _declared_directory(data)
    if declared is not None:
        members, size = declared
        if members > MAX_MEMBERS:
            raise Refused("import.members", count=members, limit=MAX_MEMBERS)
        if size > MAX_DIRECTORY:
            raise Refused("import.directory_size", size=megabytes(size), limit=megabytes(MAX_DIRECTORY))
    scan = PackageScan()
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise Refused("import.unreadable", reason=f"not a zip package ({exc})") from None
    with package:
        infos = package.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Refused("import.members", count=len(infos), limit=MAX_MEMBERS)
        for info in infos:
            if info.file_size > MAX_PART:
                raise Refused("import.part", part=info.filename, size=megabytes(info.file_size),
                              limit=megabytes(MAX_PART))
        if sum(info.file_size for info in infos) > MAX_UNPACKED:
            raise Refused("import.unpacked", limit=megabytes(MAX_UNPACKED))
        budget = Budget()
        for info in infos:
            if info.is_dir():
                continue
            with package.open(info) as source:
                sheet = scan_part(source, info.filename, budget, excel)
            if sheet is not None:
                scan.sheets[info.filename] = sheet
    return scan
