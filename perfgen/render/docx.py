"""Fast Word (.docx) writer for the 项目支出绩效目标表.

The reference document (``templates/reference.docx``, see ``tools/make_reference_docx.py``) supplies
every part of the package except the body: styles, fonts, settings and the section properties (page size,
orientation, margins). Users restyle the output by editing that file in Word.

:class:`DocxWriter` reads the reference once and pre-compresses its unchanged parts. Rendering a project
then only builds ``word/document.xml`` as a string, deflates it and writes the zip container by hand —
no python-docx objects, no per-cell DOM work. The output is byte-identical across runs and processes:
fixed entry order, DOS timestamp 1980-01-01, fixed permissions, no dates in ``docProps/core.xml``.

Layout (PITFALLS.md): two tables on one 9-column grid — the header block (预算单位 … 项目总体目标) and
the indicator table, whose column-title row is ``w:tblHeader`` so it repeats on every page — separated
by a 1pt paragraph so Word keeps them apart. 一级/二级 cells merge with ``w:vMerge``; spans use
``w:gridSpan``; every ``w:tc`` holds at least one ``w:p``.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

from lxml import etree

from perfgen.model import COLUMN_TITLES, Project
from perfgen.render.view import FORM_TITLE, MergedCell, ProjectForm, project_form

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"

# Relative column widths: twips for A4 landscape with 1.8 cm margins (14796 twips of text width).
# They are scaled to the text width of the reference's page setup.
COLUMN_WEIGHTS = (1300, 1500, 2500, 1700, 1750, 1400, 1500, 1950, 1196)
ROW_HEIGHT = 397  # minimum row height in twips (0.7 cm)

# Paragraph styles the body refers to, with fallback definitions for a reference that lacks them.
STYLE_TITLE = "Title"
STYLE_YEAR = "PerfgenYear"
STYLE_CELL = "PerfgenCell"
STYLE_CELL_LEFT = "PerfgenCellLeft"
STYLE_HEADING = "PerfgenCellHeading"


def _style_xml(style_id: str, name: str, base: str, align: str | None, run: str) -> str:
    """A paragraph style definition: zero spacing, optional alignment, 宋体 East Asian font."""
    custom = "" if style_id == STYLE_TITLE else ' w:customStyle="1"'
    jc = f'<w:jc w:val="{align}"/>' if align else ""
    return (
        f'<w:style w:type="paragraph"{custom} w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="{base}"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>{jc}</w:pPr>'
        f'<w:rPr><w:rFonts w:eastAsia="宋体"/>{run}<w:lang w:eastAsia="zh-CN"/></w:rPr></w:style>'
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
_SPACER = (
    '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
)
_EMPTY_CELL_P = f'<w:p><w:pPr><w:pStyle w:val="{STYLE_CELL}"/></w:pPr></w:p>'
_BODY_MARK = "@@perfgen-body@@"

# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
# Spelled as the (short) forbidden set: the negated allowed ranges take re ~10 ms to compile at start-up.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
_FILE_MODE = 0o100644 << 16
_FIRST_PARTS = ("[Content_Types].xml", "_rels/.rels")


def xml_text(text: str) -> str:
    """Escape ``text`` for element content; drop characters XML 1.0 cannot hold."""
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraph(text: str, style: str = STYLE_CELL) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
    if not text:
        return f"<w:p>{ppr}</w:p>"
    body = xml_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    body = body.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{body}</w:t></w:r></w:p>'


class _Entry:
    """One zip member, already deflated: local header + data, and its central directory record."""

    __slots__ = ("central", "local")
    local: bytes
    central: tuple[bytes, bytes]

    def __init__(self, name: str, data: bytes) -> None:
        raw_name = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        method = zipfile.ZIP_DEFLATED
        fields = (20, flags, method, _DOS_TIME, _DOS_DATE, crc, len(packed), len(data), len(raw_name))
        self.local = struct.pack("<I5HIII2H", 0x04034B50, *fields, 0) + raw_name + packed
        # Central record without its trailing local-header offset (added when the zip is assembled).
        central = struct.pack("<I6HIII5HI", 0x02014B50, 0x0314, *fields, 0, 0, 0, 0, _FILE_MODE)
        self.central = (central, raw_name)


def _zip(entries: list[_Entry]) -> bytes:
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for entry in entries:
        head, raw_name = entry.central
        directory.append(head + struct.pack("<I", offset) + raw_name)
        chunks.append(entry.local)
        offset += len(entry.local)
    central = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), offset, 0)
    return b"".join(chunks) + central + end


MAX_TWIPS = 31680  # 22 inches: the largest page Word accepts
_TWIPS = re.compile("[0-9]{1,6}")
MAX_PARTS = 1000  # a reference document has about a dozen parts
MAX_PART_BYTES = 16 * 1024 * 1024  # uncompressed, each
MAX_PACKAGE_BYTES = 64 * 1024 * 1024  # uncompressed, all parts
# No entities, no DTDs fetched, no huge trees: the reference comes from a repository, maybe a pull request.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


class BadReference(ValueError):
    """The reference document cannot be used (the message says why, for the user)."""


def _xml(data: bytes, part: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadReference(f"{part}: XML error: {exc}") from None


def _attr_int(element: etree._Element | None, name: str, default: int) -> int:
    """A page-setup number in twips; anything else than a whole number from 0 to 22 inches is refused."""
    if element is None:
        return default
    value = element.get(f"{{{W_NS}}}{name}")
    if value is None:
        return default
    if not _TWIPS.fullmatch(value) or int(value) > MAX_TWIPS:
        raise BadReference(f"page setup w:{name}=\"{value[:40]}\" is not a number of twips from 0 to {MAX_TWIPS}")
    return int(value)


def _member_name(name: str) -> str:
    """A zip member name that stays inside the package (no absolute path, no ``..``, no backslash)."""
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or ":" in parts[0] or any(p in ("", ".", "..") for p in parts):
        raise BadReference(f"part name {name[:80]!r} would leave the package")
    return name


def read_package(data: bytes) -> dict[str, bytes]:
    """The parts of a .docx, every name and size checked before anything is inflated past its limit."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in package.infolist() if not i.is_dir()]
        if len(infos) > MAX_PARTS:
            raise BadReference(f"more than {MAX_PARTS} parts")
        names = [_member_name(i.filename) for i in infos]
        if len(set(names)) != len(names):
            raise BadReference("two parts with the same name")
        parts: dict[str, bytes] = {}
        total = 0
        for info in infos:
            with package.open(info) as member:
                body = member.read(MAX_PART_BYTES + 1)  # the declared size may lie: read no more than allowed
            total += len(body)
            if len(body) > MAX_PART_BYTES or total > MAX_PACKAGE_BYTES:
                raise BadReference(f"{info.filename}: inflates past {MAX_PART_BYTES // 2**20} MB")
            parts[info.filename] = body
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        raise BadReference(f"not a valid zip package: {exc}") from None
    for required in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
        if required not in parts:
            raise BadReference(f"the package has no {required}")
    _check_parts(parts)
    return parts


_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _check_parts(parts: dict[str, bytes]) -> None:
    """Every XML part well-formed UTF-8; the package's main part is word/document.xml as a plain document
    (no macros); no relationship reaches outside the package except hyperlinks (a linked template would
    make Word contact a server whenever anyone opens a generated file)."""
    if len({n.lower() for n in parts}) != len(parts):
        raise BadReference("two parts whose names differ only in case")
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise BadReference(f"{name}: not UTF-8 (save the document again in Word)") from None
            root = _xml(data, name)
            if name.endswith(".rels"):
                for rel in root:
                    if rel.get("TargetMode") == "External" and rel.get("Type") != _HYPERLINK:
                        raise BadReference(f"{name}: a link to {str(rel.get('Target'))[:80]} outside the document")
    main = [r.get("Target", "").lstrip("/") for r in _xml(parts["_rels/.rels"], "_rels/.rels")
            if r.get("Type") == _OFFICE_DOCUMENT]
    if main != ["word/document.xml"]:
        raise BadReference(f"the package's main part is {main or 'missing'}, not word/document.xml")
    types = parts["[Content_Types].xml"].decode("utf-8")
    if "macroEnabled" in types or _MAIN_TYPE not in types:
        raise BadReference("the content type of word/document.xml is not a plain Word document (.docx)")


class DocxWriter:
    """Renders projects to .docx bytes using one reference document's styles and page setup."""

    def __init__(self, reference: Path, data: bytes | None = None) -> None:
        """``data``: the reference's bytes, if already read (else read from ``reference``)."""
        self.reference = Path(reference)
        parts = read_package(self.reference.read_bytes() if data is None else data)
        self._core_name = self._ensure_core_part(parts)
        self._head, sectpr_xml, self._tail, text_width = self._split_document(parts["word/document.xml"])
        self._tail = sectpr_xml + self._tail
        self.column_widths = self._scale_columns(text_width)
        if "word/styles.xml" in parts:
            parts["word/styles.xml"] = self._ensure_styles(parts["word/styles.xml"])
        every = set(parts) | {self._core_name}
        self._order = [n for n in _FIRST_PARTS if n in every] + sorted(every - set(_FIRST_PARTS))
        dynamic = ("word/document.xml", self._core_name)
        self._static = {n: _Entry(n, parts[n]) for n in self._order if n not in dynamic}

    # -- reference handling (once) ---------------------------------------------------------------

    @staticmethod
    def _ensure_core_part(parts: dict[str, bytes]) -> str:
        """Name of the core-properties part; registered in the package when the reference lacks one."""
        rels = _xml(parts["_rels/.rels"], "_rels/.rels")
        for rel in rels:
            if rel.get("Type") == _CORE_REL:
                name = _member_name(str(rel.get("Target", "docProps/core.xml")).lstrip("/"))
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
        root = _xml(document, "word/document.xml")
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
            sectpr = etree.fromstring(default, _PARSER)
            body.append(sectpr)
        page = sectpr.find(f"{{{W_NS}}}pgSz")
        margins = sectpr.find(f"{{{W_NS}}}pgMar")
        text_width = (
            _attr_int(page, "w", 16838)
            - _attr_int(margins, "left", 1020)
            - _attr_int(margins, "right", 1020)
            - _attr_int(margins, "gutter", 0)
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
    def _scale_columns(text_width: int) -> tuple[int, ...]:
        total = sum(COLUMN_WEIGHTS)
        widths = [w * text_width // total for w in COLUMN_WEIGHTS[:-1]]
        return (*widths, text_width - sum(widths))

    @staticmethod
    def _ensure_styles(styles: bytes) -> bytes:
        _xml(styles, "word/styles.xml")  # well-formed, or Word refuses every document made from it
        text = styles.decode("utf-8")
        present = set(re.findall(r'w:styleId="([^"]+)"', text))
        missing = "".join(xml for sid, xml in FALLBACK_STYLES.items() if sid not in present)
        if not missing:
            return styles
        return text.replace("</w:styles>", missing + "</w:styles>").encode("utf-8")

    # -- rendering (hot path) -------------------------------------------------------------------

    def _cell(self, col: int, content: str, span: int = 1, vmerge: str | None = None) -> str:
        width = sum(self.column_widths[col : col + span])
        props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            props += f'<w:gridSpan w:val="{span}"/>'
        if vmerge is not None:
            props += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
        return f'<w:tc><w:tcPr>{props}<w:vAlign w:val="center"/></w:tcPr>{content}</w:tc>'

    @staticmethod
    def _row(cells: list[str], header: bool = False) -> str:
        props = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
        props += f'<w:trHeight w:val="{ROW_HEIGHT}" w:hRule="atLeast"/>'
        return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"

    def _table(self, rows: list[str], borders: str = _BORDERS) -> str:
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.column_widths)
        props = (
            f'<w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(self.column_widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        )
        return f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"

    def _header_block(self, form: ProjectForm) -> str:
        cell, label = self._cell, lambda text: _paragraph(text, STYLE_HEADING)
        objectives = "".join(_paragraph(text, STYLE_CELL_LEFT) for text in form.objectives)
        rows = [
            [cell(0, label("预算单位"), 2), cell(2, _paragraph(form.unit, STYLE_CELL_LEFT), 7)],
            [
                cell(0, label("项目名称"), 2),
                cell(2, _paragraph(form.name, STYLE_CELL_LEFT), 3),
                cell(5, label("项目负责人"), 2),
                cell(7, _paragraph(form.leader), 2),
            ],
            [
                cell(0, label("项目资金（万元）"), 2),
                cell(2, label("年度预算总额：")),
                cell(3, _paragraph(form.funds.total)),
                cell(4, label("其中：财政拨款")),
                cell(5, _paragraph(form.funds.fiscal)),
                cell(6, label("其他资金：")),
                cell(7, _paragraph(form.funds.other), 2),
            ],
            [cell(0, label("项目总体目标"), 2), cell(2, objectives or _paragraph(""), 7)],
        ]
        return self._table([self._row(r) for r in rows], _BORDERS_OPEN_BOTTOM)

    def _merged(self, col: int, merged: MergedCell | None) -> str:
        """A vertically merged 一级/二级 cell: text in the group's first row, empty continuations below."""
        if merged is not None:
            return self._cell(col, _paragraph(merged.text), vmerge="restart")
        return self._cell(col, _EMPTY_CELL_P, vmerge="continue")

    def _indicator_table(self, form: ProjectForm) -> str:
        cell = self._cell
        rows = [self._row([cell(c, _paragraph(t, STYLE_HEADING)) for c, t in enumerate(COLUMN_TITLES)], True)]
        for r in form.rows:
            cells = [
                self._merged(0, r.level1),
                self._merged(1, r.level2),
                cell(2, _paragraph(r.name, STYLE_CELL_LEFT)),
                cell(3, _paragraph(r.target)),
                cell(4, _paragraph(r.basis)),
                cell(5, _paragraph(r.last_year)),
                cell(6, _paragraph(r.weight)),
                cell(7, _paragraph(r.scoring)),
                cell(8, _paragraph(r.evidence)),
            ]
            rows.append(self._row(cells))
        return self._table(rows)

    def document_xml(self, project: Project, form: ProjectForm | None = None) -> str:
        """The complete ``word/document.xml`` for ``project`` (``form``: its project_form, if already made)."""
        form = form or project_form(project)
        return "".join(
            (
                self._head,
                _paragraph(form.title, STYLE_TITLE),
                _paragraph(form.year_line, STYLE_YEAR),
                self._header_block(form),
                _SPACER,
                self._indicator_table(form),
                self._tail,
            )
        )

    @staticmethod
    def core_xml(project: Project) -> str:
        """Core properties with fixed values (no dates), so output bytes never depend on the clock."""
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{xml_text(project.name)}</dc:title><dc:subject>{FORM_TITLE}</dc:subject>"
            "<dc:creator>perfgen</dc:creator><cp:lastModifiedBy>perfgen</cp:lastModifiedBy>"
            "<cp:revision>1</cp:revision></cp:coreProperties>"
        )

    def render(self, project: Project, form: ProjectForm | None = None) -> bytes:
        """The .docx file for ``project``, as bytes (``form``: its project_form, if already made)."""
        dynamic = {
            "word/document.xml": _Entry("word/document.xml", self.document_xml(project, form).encode("utf-8")),
            self._core_name: _Entry(self._core_name, self.core_xml(project).encode("utf-8")),
        }
        return _zip([dynamic.get(name) or self._static[name] for name in self._order])


@lru_cache(maxsize=8)
def _writer(reference: Path, mtime_ns: int, size: int) -> DocxWriter:
    return DocxWriter(reference)


def render_docx(project: Project, reference: Path) -> bytes:
    """Render ``project`` with a cached :class:`DocxWriter` (reloaded when the reference changes)."""
    path = Path(reference).resolve()
    stat = path.stat()
    return _writer(path, stat.st_mtime_ns, stat.st_size).render(project)
