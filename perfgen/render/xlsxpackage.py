"""The .xlsx package of perfgen's Excel writer: worksheets written as XML strings and zipped deterministically.

:class:`Sheet` collects one worksheet's cells (inline strings and numbers, each with the index of its cell
format), merged ranges, row heights, column widths and links, and writes its XML with perfgen's print setup (A4
landscape, one page wide, title rows repeated, page numbers in the footer). :func:`write_package` assembles a
workbook of sheets. The cell formats themselves — one constant ``styles.xml`` holding every combination perfgen
uses, and the theme — are made once per process by XlsxWriter (:func:`reference`).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Sequence
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from perfgen.render.docxpackage import ZipMember, zip_package

FONT = "宋体"
FONT_SIZE = 10
LINE_HEIGHT = 13.5  # points per line of 10-point text

# Every cell format a sheet uses, by (bold, align, money, border, size, link): the workbook's styles.xml holds
# them all, always in this order, so that it is one constant part.
StyleKey = tuple[bool, str, bool, bool, int, bool]
_STYLE_KEYS: tuple[StyleKey, ...] = tuple(itertools.product((False, True), ("center", "left"), (False, True),
                                                            (True, False), (FONT_SIZE, 16), (False, True)))


@cache
def reference() -> tuple[dict[StyleKey, int], ZipMember, ZipMember]:
    """The cell formats' indices and the constant parts (styles, theme), made once per process by XlsxWriter:
    a workbook holding one cell in each format."""
    import xlsxwriter  # only here: everything else of a workbook is written directly (it is much faster)

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "default_format_properties": _font(FONT_SIZE)})
    sheet = book.add_worksheet()
    formats = {}
    for n, key in enumerate(_STYLE_KEYS):
        bold, align, money, border, size, link = key
        props: dict[str, Any] = {**_font(size), "valign": "vcenter", "text_wrap": True, "align": align}
        if bold:
            props["bold"] = True
        if border:
            props["border"] = 1
        if money:
            props["num_format"] = "0.00"
        if link:
            props.update(underline=1, font_color="#0563C1")
        formats[key] = book.add_format(props)
        sheet.write_number(n, 0, 0, formats[key])
    book.close()
    with zipfile.ZipFile(out) as package:
        styles, theme = package.read("xl/styles.xml"), package.read("xl/theme/theme1.xml")
    indices = {key: int(fmt.xf_index) for key, fmt in formats.items()}
    return indices, ZipMember("xl/styles.xml", styles), ZipMember("xl/theme/theme1.xml", theme)


def _font(size: int) -> dict[str, Any]:
    return {"font_name": FONT, "font_size": size, "font_scheme": "none"}


_LETTERS = [chr(65 + n) for n in range(26)]
_COLUMNS = (*_LETTERS, *(a + b for a in _LETTERS for b in _LETTERS))  # A … ZZ
# Characters XML 1.0 cannot hold (the goals rules already refuse control characters; never write a broken part)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _ref(row: int, col: int) -> str:
    return f"{_COLUMNS[col]}{row + 1}"


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class Sheet:
    """One worksheet's XML, written cell by cell (the few calls of XlsxWriter's Worksheet that perfgen uses)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[int, dict[int, str]] = {}
        self.heights: dict[int, float] = {}
        self.widths: list[float] = []
        self.merges: list[str] = []
        self.links: list[str] = []
        self.repeat: tuple[int, int] | None = None
        self.selected = False

    def set_column(self, col: int, width: float) -> None:
        self.widths.append(width)

    def set_row(self, row: int, height: float) -> None:
        self.heights[row] = round(height, 2)

    def write_string(self, row: int, col: int, text: str, style: int) -> None:
        clean = escape(_NOT_XML.sub("\ufffd", text))
        space = ' xml:space="preserve"' if clean != clean.strip() else ""
        self.cells.setdefault(row, {})[col] = (f'<c r="{_ref(row, col)}" s="{style}" t="inlineStr">'
                                               f"<is><t{space}>{clean}</t></is></c>")

    def write_number(self, row: int, col: int, value: float, style: int) -> None:
        self.cells.setdefault(row, {})[col] = f'<c r="{_ref(row, col)}" s="{style}"><v>{_number(float(value))}</v></c>'

    def write_blank(self, row: int, col: int, style: int) -> None:
        self.cells.setdefault(row, {})[col] = f'<c r="{_ref(row, col)}" s="{style}"/>'

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, style: int) -> None:
        """Cells merged into one (their borders drawn: each covered cell carries the style)."""
        for row in range(first_row, last_row + 1):
            line = self.cells.setdefault(row, {})
            for col in range(first_col, last_col + 1):
                line.setdefault(col, f'<c r="{_ref(row, col)}" s="{style}"/>')
        self.merges.append(f'<mergeCell ref="{_ref(first_row, first_col)}:{_ref(last_row, last_col)}"/>')

    def write_url(self, row: int, col: int, sheet: str, text: str, style: int) -> None:
        """A link to cell A1 of another sheet of the workbook."""
        self.write_string(row, col, text, style)
        target = "'" + sheet.replace("'", "''") + "'!A1"
        self.links.append(f'<hyperlink ref="{_ref(row, col)}" location={quoteattr(target)} display={quoteattr(text)}/>')

    def xml(self) -> str:
        last_row = max(self.cells, default=0)
        last_col = max(len(self.widths), 1) - 1
        rows = []
        for row in sorted(self.cells):
            height = self.heights.get(row)
            ht = f' ht="{height:g}" customHeight="1"' if height is not None else ""
            line = self.cells[row]
            rows.append(f'<row r="{row + 1}"{ht}>{"".join(line[c] for c in sorted(line))}</row>')
        cols = "".join(f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>'
                       for n, w in enumerate(self.widths, start=1))
        merges = f'<mergeCells count="{len(self.merges)}">{"".join(self.merges)}</mergeCells>' if self.merges else ""
        links = f"<hyperlinks>{''.join(self.links)}</hyperlinks>" if self.links else ""
        selected = ' tabSelected="1"' if self.selected else ""
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{_ref(last_row, last_col)}"/>'
            f'<sheetViews><sheetView showGridLines="0"{selected} workbookViewId="0"/></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="{LINE_HEIGHT:g}"/><cols>{cols}</cols>'
            f'<sheetData>{"".join(rows)}</sheetData>{merges}{links}'
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.6" right="0.6" top="0.7" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToHeight="0"/>'
            "<headerFooter><oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter></worksheet>"
        )

    def print_titles(self) -> str | None:
        if self.repeat is None:
            return None
        first, last = self.repeat
        return "'" + self.name.replace("'", "''") + f"'!${first + 1}:${last + 1}"


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_RELS}">'
    f'<Relationship Id="rId3" Type="{_DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG_RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>perfgen</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop></Properties>"
)


@cache
def _constant(name: str) -> ZipMember:
    return ZipMember(name, {"_rels/.rels": _ROOT_RELS, "docProps/app.xml": _APP}[name].encode("utf-8"))


def write_package(sheets: Sequence[Sheet], year: int, title: str, subject: str) -> bytes:
    """The .xlsx file of ``sheets``: its parts written directly, the styles and theme made once by XlsxWriter."""
    _, styles, theme = reference()
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{_SHEET_TYPE}"/>'
                        for k in range(1, n + 1))
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/theme/theme1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
    )
    rels = "".join(f'<Relationship Id="rId{k}" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet{k}.xml"/>'
                   for k in range(1, n + 1))
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_RELS}">{rels}'
        f'<Relationship Id="rId{n + 1}" Type="{_DOC_RELS}/theme" Target="theme/theme1.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>'
    )
    entries = "".join(f"<sheet name={quoteattr(s.name)} sheetId=\"{k}\" r:id=\"rId{k}\"/>"
                      for k, s in enumerate(sheets, start=1))
    names = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{k}">{escape(t)}</definedName>'
                    for k, s in enumerate(sheets) if (t := s.print_titles()) is not None)
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
    created = f"{max(1, min(int(year), 9999)):04d}-01-01T00:00:00Z"  # a fixed date: the same bytes on every run
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(_NOT_XML.sub('', title))}</dc:title><dc:subject>{escape(subject)}</dc:subject>"
        "<dc:creator>perfgen</dc:creator><cp:lastModifiedBy>perfgen</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified></cp:coreProperties>'
    )
    members = [
        ZipMember("[Content_Types].xml", types.encode("utf-8")), _constant("_rels/.rels"),
        _constant("docProps/app.xml"), ZipMember("docProps/core.xml", core.encode("utf-8")),
        ZipMember("xl/workbook.xml", workbook.encode("utf-8")),
        ZipMember("xl/_rels/workbook.xml.rels", book_rels.encode("utf-8")), styles, theme,
        *(ZipMember(f"xl/worksheets/sheet{k}.xml", s.xml().encode("utf-8")) for k, s in enumerate(sheets, start=1)),
    ]
    return zip_package(members)
