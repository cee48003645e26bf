"""Word: several projects' forms in one document (a unit's year, ``perfgen build --combine``).

Each project is a section of its own, so it starts on a new page and keeps the reference's page setup
(landscape): every section but the last ends with a paragraph holding a copy of the reference's section
properties (``w:sectPr``), as Word itself writes section breaks. A footer shared by all sections prints
「第 N 页 共 M 页」 from Word's PAGE and NUMPAGES fields, numbered across the whole document (no section restarts
its numbering). A reference document that brings its own footer keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfgen.render.docx import STYLE_CELL, DocxWriter, xml_text
from perfgen.render.docxpackage import W_NS
from perfgen.render.layout import Layout

FOOTER_PART = "word/perfgen-footer.xml"
_FOOTER_ID = "rIdPerfgenFooter"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FOOTER_REL = f"{_R_NS}/footer"
_FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
_SECTPR_OPEN = re.compile(r"<w:sectPr\b[^>]*?(/?)>")


def _field(instr: str) -> str:
    return f'<w:fldSimple w:instr=" {instr} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def _text(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


FOOTER_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:ftr xmlns:w="{W_NS}"><w:p><w:pPr><w:pStyle w:val="{STYLE_CELL}"/><w:jc w:val="center"/></w:pPr>'
    f'{_text("第 ")}{_field("PAGE")}{_text(" 页 共 ")}{_field("NUMPAGES")}{_text(" 页")}</w:p></w:ftr>'
)


def with_footer(sectpr: str) -> str:
    """The section properties ``sectpr`` with perfgen's footer (unless they name a footer of their own)."""
    if "footerReference" in sectpr:
        return sectpr
    ref = f'<w:footerReference xmlns:r="{_R_NS}" w:type="default" r:id="{_FOOTER_ID}"/>'
    match = _SECTPR_OPEN.search(sectpr)
    if match is None:
        return sectpr
    if match[1]:  # <w:sectPr/>: empty
        return sectpr[: match.start()] + match[0][:-2] + ">" + ref + "</w:sectPr>" + sectpr[match.end():]
    return sectpr[: match.end()] + ref + sectpr[match.end():]


def _section_break(sectpr: str) -> str:
    """The paragraph that ends a section: as small as a line can be, so it never spills onto a page."""
    return ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="1" w:lineRule="exact"/>'
            f"{sectpr}</w:pPr></w:p>")


def _core_xml(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_text(title)}</dc:title>"
        "<dc:creator>perfgen</dc:creator><cp:lastModifiedBy>perfgen</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision></cp:coreProperties>"
    )


def _footer_parts(writer: DocxWriter) -> dict[str, bytes]:
    """The footer part, and the relationships and content types that register it."""
    types = writer.raw["[Content_Types].xml"].decode("utf-8")
    override = f'<Override PartName="/{FOOTER_PART}" ContentType="{_FOOTER_TYPE}"/>'
    rels = writer.raw.get("word/_rels/document.xml.rels",
                          b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          b"</Relationships>").decode("utf-8")
    rel = f'<Relationship Id="{_FOOTER_ID}" Type="{_FOOTER_REL}" Target="{FOOTER_PART.removeprefix("word/")}"/>'
    return {
        "[Content_Types].xml": types.replace("</Types>", override + "</Types>").encode("utf-8"),
        "word/_rels/document.xml.rels": rels.replace("</Relationships>", rel + "</Relationships>").encode("utf-8"),
        FOOTER_PART: FOOTER_XML.encode("utf-8"),
    }


def combined_docx(writer: DocxWriter, layouts: Sequence[Layout], title: str) -> bytes:
    """One .docx of ``layouts`` in order, each project a section starting on a new page, titled ``title``."""
    own_footer = "footerReference" in writer.sectpr_xml
    sectpr = with_footer(writer.sectpr_xml)
    body = _section_break(sectpr).join(writer.body_xml(lay) for lay in layouts)
    extra = {} if own_footer else _footer_parts(writer)
    return writer.package(writer.document_around(body, sectpr), _core_xml(title), extra)
