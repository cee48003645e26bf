"""Fast Word (.docx) writer for the 项目支出绩效目标表.

The reference document (``templates/reference.docx``, see ``tools/make_reference_docx.py``) supplies
every part of the package except the body: styles, fonts, settings and the section properties (page size,
orientation, margins). Users restyle the output by editing that file in Word.

:class:`DocxWriter` reads the reference once (checked by :mod:`perfgen.render.docxpackage`) and
pre-compresses its unchanged parts. Rendering a project then only builds ``word/document.xml`` as a string,
deflates it and writes the zip container by hand — no python-docx objects, no per-cell DOM work. The output
is byte-identical across runs and processes: fixed entry order, DOS timestamp 1980-01-01, fixed
permissions, no dates in ``docProps/core.xml``.

Layout (docs/pitfalls.md, "Word"): two tables on one 9-column grid — the header block (预算单位 … 项目总体目标) and
the indicator table, whose column-title row is ``w:tblHeader`` so it repeats on every page — separated
by a paragraph with a hidden mark so Word keeps them apart and they print as one frame. 一级/二级 cells merge
with ``w:vMerge``; spans use ``w:gridSpan``; every ``w:tc`` holds at least one ``w:p``. The indicator table's
rows never break across pages (``w:cantSplit``); the header block's may (a long 项目总体目标).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from perfgen.forms.definition import FormDef
from perfgen.forms.registry import default_form
from perfgen.model import Project
from perfgen.render.docxpackage import (
    FIRST_PARTS,
    W_NS,
    BadReference,
    ZipMember,
    member_name,
    parse_xml,
    read_package,
    twips_attribute,
    zip_package,
)
from perfgen.render.layout import Cell, Layout, Table, layout

_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"

ROW_HEIGHT = 397  # minimum row height in twips (0.7 cm)

# Paragraph styles the body refers to, with fallback definitions for a reference that lacks them.
STYLE_TITLE = "Title"
STYLE_YEAR = "PerfgenYear"
STYLE_CELL = "PerfgenCell"
STYLE_CELL_LEFT = "PerfgenCellLeft"
STYLE_HEADING = "PerfgenCellHeading"


def _style_xml(style_id: str, name: str, base: str, align: str | None, run: str) -> str:
    """A paragraph style definition: zero spacing, optional alignment, 宋体 (named SimSun) East Asian font."""
    custom = "" if style_id == STYLE_TITLE else ' w:customStyle="1"'
    jc = f'<w:jc w:val="{align}"/>' if align else ""
    return (
        f'<w:style w:type="paragraph"{custom} w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="{base}"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>{jc}</w:pPr>'
        f'<w:rPr><w:rFonts w:eastAsia="SimSun"/>{run}<w:lang w:eastAsia="zh-CN"/></w:rPr></w:style>'
    )


FALLBACK_STYLES = {
    STYLE_TITLE: _style_xml(STYLE_TITLE, "Title", "Normal", "center", '<w:b/><w:sz w:val="36"/>'),
    STYLE_YEAR: _style_xml(STYLE_YEAR, "Perfgen Year", "Normal", "center", '<w:sz w:val="24"/>'),
    STYLE_CELL: _style_xml(STYLE_CELL, "Perfgen Cell", "Normal", "center", ""),
    STYLE_CELL_LEFT: _style_xml(STYLE_CELL_LEFT, "Perfgen Cell Left", STYLE_CELL, "left", ""),
    STYLE_HEADING: _style_xml(STYLE_HEADING, "Perfgen Cell Heading", STYLE_CELL, None, "<w:b/>"),
}

_DEFAULT_SECTPR = (
    '<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="1134" w:right="1020" '
    'w:bottom="1134" w:left="1020" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>'
)
_BORDER = '<w:{} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
_BORDERS = "".join(_BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
# The header block leaves its bottom edge to the indicator table's top border: no double line.
_BORDERS_OPEN_BOTTOM = _BORDERS.replace(_BORDER.format("bottom"), '<w:bottom w:val="nil"/>')
# The paragraph that keeps the two tables apart (adjacent tables are one to Word): its mark hidden and its line
# one twip high, so that it takes no room and the tables print as one frame. A 1 pt line broke every vertical
# rule for 4 pixels at 300 dpi in LibreOffice (1 pixel with a 1-twip line alone; none hidden). docs/pitfalls.md.
_SPACER = (
    '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="1" w:lineRule="exact"/>'
    '<w:rPr><w:vanish/><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
)
# Tables whose rows may break across pages: a header-block row taller than what is left of page 1 (a long
# 项目总体目标) moved whole to page 2 and left page 1 empty. The indicator table's rows never break.
_SPLITTABLE = frozenset({"header-block"})
_EMPTY_CELL_P = f'<w:p><w:pPr><w:pStyle w:val="{STYLE_CELL}"/></w:pPr></w:p>'
_BODY_MARK = "@@perfgen-body@@"

# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
# Spelled as the (short) forbidden set: the negated allowed ranges take re ~10 ms to compile at start-up.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

def xml_text(text: str) -> str:
    """Escape ``text`` for element content; drop characters XML 1.0 cannot hold."""
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=4096)
def _paragraph(text: str, style: str = STYLE_CELL) -> str:
    """One paragraph of ``text`` (line breaks kept). Cached: most cells of a form repeat from one project to the
    next (一级/二级 names, column titles, 历史标准, 工作资料), and the cache is bounded."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
    if not text:
        return f"<w:p>{ppr}</w:p>"
    body = xml_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    body = body.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{body}</w:t></w:r></w:p>'


class DocxWriter:
    """Renders projects to .docx bytes using one reference document's styles and page setup."""

    def __init__(self, reference: Path, data: bytes | None = None) -> None:
        """``data``: the reference's bytes, if already read (else read from ``reference``)."""
        self.reference = Path(reference)
        parts = read_package(self.reference.read_bytes() if data is None else data)
        self._core_name = self._ensure_core_part(parts)
        self._head, self.sectpr_xml, self._tail, text_width = self._split_document(parts["word/document.xml"])
        self._tail = self.sectpr_xml + self._tail
        self.text_width = text_width
        self._widths: dict[str, tuple[int, ...]] = {}
        self._widths_of: dict[str, tuple[int, ...]] = {}
        self._openings: dict[tuple[tuple[int, ...], int, int, str | None], str] = {}
        if "word/styles.xml" in parts:
            parts["word/styles.xml"] = self._ensure_styles(parts["word/styles.xml"])
        every = set(parts) | {self._core_name}
        self._order = [n for n in FIRST_PARTS if n in every] + sorted(every - set(FIRST_PARTS))
        dynamic = ("word/document.xml", self._core_name)
        self._static = {n: ZipMember(n, parts[n]) for n in self._order if n not in dynamic}
        # The parts a document of several projects changes (render/docx_combined.py: a footer is added).
        self.raw = {n: parts[n] for n in ("[Content_Types].xml", "word/_rels/document.xml.rels") if n in parts}

    # -- reference handling (once) ---------------------------------------------------------------

    @staticmethod
    def _ensure_core_part(parts: dict[str, bytes]) -> str:
        """Name of the core-properties part; registered in the package when the reference lacks one."""
        rels = parse_xml(parts["_rels/.rels"], "_rels/.rels")
        for rel in rels:
            if rel.get("Type") == _CORE_REL:
                name = member_name(str(rel.get("Target", "docProps/core.xml")).lstrip("/"))
                if name in ("word/document.xml", "[Content_Types].xml", "_rels/.rels") or name.startswith("word/"):
                    raise BadReference(f"the core-properties relationship points at {name}")
                return name
        etree.SubElement(
            rels,
            f"{{{_REL_NS}}}Relationship",
            Id="rIdPerfgenCore",
            Type=_CORE_REL,
            Target="docProps/core.xml",
        )
        parts["_rels/.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        types = parts["[Content_Types].xml"].decode("utf-8")
        override = f'<Override PartName="/docProps/core.xml" ContentType="{_CORE_TYPE}"/>'
        parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode("utf-8")
        return "docProps/core.xml"

    @staticmethod
    def _split_document(document: bytes) -> tuple[str, str, str, int]:
        """Document.xml around an empty body: (head, sectPr, tail, text width in twips)."""
        root = parse_xml(document, "word/document.xml")
        if root.nsmap.get("w") != W_NS:
            raise BadReference("word/document.xml must bind the prefix 'w' to WordprocessingML")
        body = root.find(f"{{{W_NS}}}body")
        if body is None:
            raise BadReference("word/document.xml has no w:body")
        sectpr = body.find(f"{{{W_NS}}}sectPr")
        for child in list(body):
            if child is not sectpr:
                body.remove(child)
        if sectpr is None:
            default = _DEFAULT_SECTPR.replace("<w:sectPr>", f'<w:sectPr xmlns:w="{W_NS}">', 1)
            sectpr = parse_xml(default.encode("utf-8"), "word/document.xml")
            body.append(sectpr)
        page = sectpr.find(f"{{{W_NS}}}pgSz")
        margins = sectpr.find(f"{{{W_NS}}}pgMar")
        text_width = (
            twips_attribute(page, "w", 16838)
            - twips_attribute(margins, "left", 1020)
            - twips_attribute(margins, "right", 1020)
            - twips_attribute(margins, "gutter", 0)
        )
        body.text = _BODY_MARK
        xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")
        if xml.count(_BODY_MARK) != 1:
            raise BadReference(f"word/document.xml holds the text {_BODY_MARK}")
        head, rest = xml.split(_BODY_MARK)
        split = rest.rindex("</w:body>")
        if text_width < 2000:
            raise BadReference(f"the page leaves {text_width} twips between the margins (at least 2000 needed)")
        return head, rest[:split], rest[split:], text_width

    @staticmethod
    def _scale_columns(text_width: int, weights: tuple[int, ...]) -> tuple[int, ...]:
        total = sum(weights)
        widths = [w * text_width // total for w in weights[:-1]]
        return (*widths, text_width - sum(widths))

    @staticmethod
    def _ensure_styles(styles: bytes) -> bytes:
        parse_xml(styles, "word/styles.xml")  # well-formed, or Word refuses every document made from it
        text = styles.decode("utf-8")
        present = set(re.findall(r'w:styleId="([^"]+)"', text))
        missing = "".join(xml for sid, xml in FALLBACK_STYLES.items() if sid not in present)
        if not missing:
            return styles
        return text.replace("</w:styles>", missing + "</w:styles>").encode("utf-8")

    # -- rendering (hot path) -------------------------------------------------------------------

    def _tc(self, widths: tuple[int, ...], col: int, span: int = 1, vmerge: str | None = None) -> str:
        """The opening of a cell, up to its content: width, span, vertical merge (made once per kind)."""
        key = (widths, col, span, vmerge)
        opening = self._openings.get(key)
        if opening is None:
            props = f'<w:tcW w:w="{sum(widths[col : col + span])}" w:type="dxa"/>'
            if span > 1:
                props += f'<w:gridSpan w:val="{span}"/>'
            if vmerge is not None:
                props += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
            opening = self._openings[key] = f'<w:tc><w:tcPr>{props}<w:vAlign w:val="center"/></w:tcPr>'
        return opening

    @staticmethod
    def _row(cells: list[str], header: bool = False, keep: bool = True) -> str:
        """A row; ``keep``: never split across pages (``w:cantSplit``)."""
        props = ("<w:cantSplit/>" if keep else "") + ("<w:tblHeader/>" if header else "")
        props += f'<w:trHeight w:val="{ROW_HEIGHT}" w:hRule="atLeast"/>'
        return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"

    @staticmethod
    def _content(cell: Cell) -> str:
        """A cell's paragraphs: labels and column titles bold, values left or centred as the form says."""
        if cell.role in ("label", "title"):
            return _paragraph(cell.text, STYLE_HEADING)
        style = STYLE_CELL_LEFT if cell.align == "left" and cell.role != "group" else STYLE_CELL
        if cell.value.kind == "list":
            return "".join(_paragraph(line, style) for line in cell.lines) or _paragraph("")
        return _paragraph(cell.text, style)

    def _table(self, table: Table, widths: tuple[int, ...]) -> str:
        """One table of the layout on the form's grid: spans, vertical merges (a merged cell's text in its
        first row, empty continuations below), column-title rows repeated on every page."""
        covered: dict[tuple[int, int], int] = {}  # (row, column) under a merged cell above -> its span
        width, tc, end = len(widths), self._tc, "</w:tc>"
        rows = []
        for r, row in enumerate(table.rows):
            cells: list[str] = []
            col = 0
            for cell in (*row, None):  # None: the rest of the row, after its last cell
                stop = width if cell is None else cell.col
                while col < stop:  # columns under a cell merged from above (a definition fills its grid)
                    span = covered.get((r, col)) or stop - col
                    cells += (tc(widths, col, span, "continue" if (r, col) in covered else None), _EMPTY_CELL_P, end)
                    col += span
                if cell is None:
                    break
                for below in range(r + 1, r + cell.rows):
                    covered[(below, col)] = cell.span
                merged = "restart" if cell.rows > 1 or cell.role == "group" else None
                cells += (tc(widths, col, cell.span, merged), self._content(cell), end)
                col += cell.span
            rows.append(self._row(cells, r < table.head, table.name not in _SPLITTABLE))
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        borders = _BORDERS_OPEN_BOTTOM if table.open_bottom else _BORDERS
        props = (
            f'<w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        )
        return f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"

    def widths_of(self, form: FormDef) -> tuple[int, ...]:
        """The form's relative column widths, in twips across the reference's text width."""
        widths = self._widths.get(form.id)
        if widths is None or self._widths_of.get(form.id) != form.widths:
            widths = self._widths[form.id] = self._scale_columns(self.text_width, form.widths)
            self._widths_of[form.id] = form.widths
        return widths

    def document_xml(self, lay: Layout) -> str:
        """The complete ``word/document.xml`` of a laid-out form."""
        return self._head + self.body_xml(lay) + self._tail

    def document_around(self, body: str, sectpr: str) -> str:
        """A ``word/document.xml`` of ``body`` whose last section has the properties ``sectpr``."""
        return self._head + body + sectpr + self._tail[len(self.sectpr_xml):]

    def body_xml(self, lay: Layout) -> str:
        """The body content of a laid-out form (without the section properties)."""
        widths = self.widths_of(lay.form)
        parts = [_paragraph(lay.title, STYLE_TITLE)]
        if lay.year_line is not None:
            parts.append(_paragraph(lay.year_line, STYLE_YEAR))
        parts += [_paragraph(line, STYLE_CELL_LEFT) for line in lay.above]
        for n, table in enumerate(lay.tables):
            if n:
                parts.append(_SPACER)
            parts.append(self._table(table, widths))
        parts += [_paragraph(line, STYLE_CELL_LEFT) for line in lay.below]
        return "".join(parts)

    @staticmethod
    def core_xml(lay: Layout) -> str:
        """Core properties with fixed values (no dates), so output bytes never depend on the clock."""
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{xml_text(lay.project.name)}</dc:title><dc:subject>{xml_text(lay.title)}</dc:subject>"
            "<dc:creator>perfgen</dc:creator><cp:lastModifiedBy>perfgen</cp:lastModifiedBy>"
            "<cp:revision>1</cp:revision></cp:coreProperties>"
        )

    def render(self, project: Project, lay: Layout | None = None) -> bytes:
        """The .docx file for ``project`` on its form (``lay``; without it, the default form), as bytes."""
        lay = lay or layout(default_form(), project)
        dynamic = {
            "word/document.xml": ZipMember("word/document.xml", self.document_xml(lay).encode("utf-8")),
            self._core_name: ZipMember(self._core_name, self.core_xml(lay).encode("utf-8")),
        }
        return zip_package([dynamic.get(name) or self._static[name] for name in self._order])

    def package(self, document: str, core: str, extra: dict[str, bytes]) -> bytes:
        """A .docx of ``document`` and ``core`` XML, with ``extra`` parts added or replacing the reference's."""
        names = self._order + sorted(set(extra) - set(self._order))
        dynamic = {"word/document.xml": document.encode("utf-8"), self._core_name: core.encode("utf-8"), **extra}
        return zip_package([ZipMember(n, dynamic[n]) if n in dynamic else self._static[n] for n in names])


@lru_cache(maxsize=8)
def _writer(reference: Path, mtime_ns: int, size: int) -> DocxWriter:
    return DocxWriter(reference)


def writer_for(reference: Path) -> DocxWriter:
    """The :class:`DocxWriter` of ``reference``, made once and made again when the file changes."""
    path = Path(reference).resolve()
    stat = path.stat()
    return _writer(path, stat.st_mtime_ns, stat.st_size)


def render_docx(project: Project, reference: Path) -> bytes:
    """Render ``project`` with the cached writer of ``reference`` (:func:`writer_for`)."""
    return writer_for(reference).render(project)
