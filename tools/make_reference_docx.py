"""Build ``templates/reference.docx``: page setup and styles for perfgen's Word output.

The Word writer (``perfgen.render.docx``) copies everything from this file except the body: the
section properties (A4 landscape, margins) and the styles below. Users restyle the form by opening the
reference in Word, editing the styles or the page setup, and saving it as ``templates/reference.docx`` of
their goals repo. Styles the writer uses:

- ``Normal`` / document defaults: SimSun (宋体, East Asian) + Times New Roman, 10.5pt, zh-CN
- ``Title``: the title line, 宋体 bold 18pt, centred
- ``PerfgenYear``: the "(2023年)" line, centred
- ``PerfgenCell`` / ``PerfgenCellLeft`` / ``PerfgenCellHeading``: table text (centred / left / bold)
- ``TableGrid``: table style with single borders

The package is lean, since every generated file carries it: styles.xml holds only those styles and the default
ones Word expects (Default Paragraph Font, Normal Table, No List), no latent styles; fontTable.xml names only the
fonts used, SimSun with its fallbacks for Word (altName 宋体, serif PANOSE and family, GB2312 charset); no
numbering, web settings, extended properties, thumbnail, stylesWithEffects or custom XML parts. Every part is
valid against the OOXML schemas (element order included; tests/test_reference_docx.py checks it).

The output is deterministic: same bytes on every run (fixed core properties, zip order and timestamps).

Usage: ``python tools/make_reference_docx.py [OUTPUT]`` (default: templates/reference.docx).
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import cast

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, Twips
from docx.styles.style import ParagraphStyle
from lxml import etree

EAST_ASIAN_FONT = "SimSun"  # 宋体 by its English name: Word knows both, fontconfig (LibreOffice) only this one
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(10.5)
FIXED_DATE = datetime(2023, 1, 1)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"


# CT_Style: ... w:pPr, w:rPr, w:tblPr, w:trPr, w:tcPr, w:tblStylePr — a table style's w:rPr goes before w:tblPr.
_AFTER_RPR = tuple(qn(tag) for tag in ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"))


def _rpr(parent: BaseOxmlElement) -> BaseOxmlElement:
    """The ``w:rPr`` child of a style or ``w:rPrDefault``, created where the schema puts it when missing."""
    rpr = parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
        later = [child for child in parent if child.tag in _AFTER_RPR]
        if later:
            later[0].addprevious(rpr)
        else:
            parent.append(rpr)
    return rpr


def _set_fonts(parent: BaseOxmlElement, east_asian: str = EAST_ASIAN_FONT, latin: str = LATIN_FONT) -> None:
    """Replace ``w:rFonts`` (theme attributes included) with explicit Latin and East Asian fonts."""
    rpr = _rpr(parent)
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = parse_xml(
        f'<w:rFonts {nsdecls("w")} w:ascii="{latin}" w:hAnsi="{latin}" '
        f'w:eastAsia="{east_asian}" w:cs="{latin}"/>'
    )
    rpr.insert(0, fonts)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style_fonts(style: ParagraphStyle, size: Pt | None = BODY_SIZE, bold: bool | None = None) -> None:
    _set_fonts(style.element)
    font = style.font
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold


def _paragraph_style(doc: docx.document.Document, name: str, base: str, centred: bool) -> ParagraphStyle:
    style = cast(ParagraphStyle, doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH))
    style.base_style = doc.styles[base]
    style.quick_style = True
    fmt = style.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    return style


# Styles kept in styles.xml: the ones the writer refers to (and their bases), and the defaults Word expects of
# every document. Everything else of python-docx's template (about 160 styles, 270 latent-style exceptions)
# would travel in every generated file.
KEEP_STYLES = (
    "Normal", "DefaultParagraphFont", "TableNormal", "NoList",
    "Title", "PerfgenYear", "PerfgenCell", "PerfgenCellLeft", "PerfgenCellHeading", "TableGrid",
)
# Fonts named in fontTable.xml: East Asian SimSun (宋体) with what Word uses to substitute it where it is missing
# (its other name 宋体, a serif PANOSE and family, the GB2312 charset, its Unicode and code page signature), and the
# Latin Times New Roman. LibreOffice's DOCX import ignores all of these but the name and substitutes through
# fontconfig, which knows SimSun as a serif font but not 宋体: hence the English name (tests/test_reference_docx.py).
FONTS = (
    (EAST_ASIAN_FONT, "宋体", "02010600030101010101", "86", "roman",
     ("00000003", "288F0000", "00000016", "00000000", "00040001", "00000000")),
    (LATIN_FONT, None, "02020603050405020304", "00", "roman",
     ("E0002AFF", "C0007841", "00000009", "00000000", "000001FF", "00000000")),
)
_FONT_TABLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
# Relationship types of python-docx's template parts that nothing here uses.
_UNUSED_PACKAGE_RELS = ("/thumbnail", "/extended-properties")
_UNUSED_DOCUMENT_RELS = ("/stylesWithEffects", "/customXml", "/numbering", "/webSettings")
# Settings of python-docx's template that record its own editing history or nothing we use.
_UNUSED_SETTINGS = ("w:savePreviewPicture", "w:rsids", "m:mathPr", "w:shapeDefaults", "w14:docId",
                    "w14:defaultImageDpi", "w:doNotAutoCompressPictures")


def _keep_only_used_styles(styles_el: BaseOxmlElement) -> None:
    """Drop every style but KEEP_STYLES, the latent styles and the styles' revision ids."""
    for latent in styles_el.findall(qn("w:latentStyles")):
        styles_el.remove(latent)
    for style in styles_el.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP_STYLES:
            styles_el.remove(style)
        for rsid in style.findall(qn("w:rsid")):
            style.remove(rsid)
    kept = {style.get(qn("w:styleId")) for style in styles_el.findall(qn("w:style"))}
    if kept != set(KEEP_STYLES):
        raise SystemExit(f"styles missing from python-docx's template: {sorted(set(KEEP_STYLES) - kept)}")
    for ref in ("w:basedOn", "w:next", "w:link"):
        for el in styles_el.iter(qn(ref)):
            if el.get(qn("w:val")) not in kept:
                raise SystemExit(f"a kept style's {ref} names the dropped style {el.get(qn('w:val'))}")


def _lean_settings(doc: docx.document.Document) -> None:
    """Chinese theme language; none of the template's history (revision ids, docId) or unused settings."""
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    for tag in _UNUSED_SETTINGS:
        for el in settings.findall(qn(tag)):
            settings.remove(el)


def _font_table(doc: docx.document.Document) -> None:
    """fontTable.xml with FONTS only (python-docx's lists Cambria, Calibri, Japanese fonts, … none used)."""
    entries = []
    for name, alt, panose, charset, family, sig in FONTS:
        alt_name = f'<w:altName w:val="{alt}"/>' if alt else ""
        usb = " ".join(f'w:usb{i}="{v}"' for i, v in enumerate(sig[:4]))
        csb = " ".join(f'w:csb{i}="{v}"' for i, v in enumerate(sig[4:]))
        entries.append(
            f'<w:font w:name="{name}">{alt_name}<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="variable"/><w:sig {usb} {csb}/></w:font>'
        )
    part = doc.part.part_related_by(_FONT_TABLE_REL)
    xml = f'<w:fonts {nsdecls("w")}>{"".join(entries)}</w:fonts>'
    part._blob = etree.tostring(etree.fromstring(xml), xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_unused_parts(doc: docx.document.Document) -> None:
    """Drop python-docx's template parts that no generated file needs: thumbnail, extended properties,
    stylesWithEffects, custom XML, numbering (no lists) and web settings."""
    for rels, unused in ((doc.part.package.rels, _UNUSED_PACKAGE_RELS), (doc.part.rels, _UNUSED_DOCUMENT_RELS)):
        for rid, rel in list(rels.items()):
            if rel.reltype.endswith(unused):
                del rels[rid]


def build() -> docx.document.Document:
    doc = docx.Document()

    # Page: A4 landscape (python-docx defaults to US Letter portrait; swap width/height ourselves).
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Twips(16838)
    section.page_height = Twips(11906)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2)
    section.header_distance = section.footer_distance = Cm(1)

    # Document defaults and Normal: 宋体 for East Asian text, no theme fonts, zh-CN, 10.5pt, no spacing.
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    _set_fonts(rpr_default)
    for tag in ("w:sz", "w:szCs"):
        _rpr(rpr_default).find(qn(tag)).set(qn("w:val"), "21")
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    spacing = ppr_default.find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    normal = cast(ParagraphStyle, doc.styles["Normal"])
    _style_fonts(normal)

    title = cast(ParagraphStyle, doc.styles["Title"])
    ppr = title.element.get_or_add_pPr()
    for child in list(ppr):
        ppr.remove(child)
    rpr = _rpr(title.element)
    for child in list(rpr):
        rpr.remove(child)
    link = title.element.find(qn("w:link"))  # the linked TitleChar keeps theme fonts and colours
    if link is not None:
        title.element.remove(link)
    _style_fonts(title, size=Pt(18), bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(6)
    title.paragraph_format.keep_with_next = True

    year = _paragraph_style(doc, "Perfgen Year", "Normal", centred=True)
    _style_fonts(year, size=Pt(12))
    year.paragraph_format.space_after = Pt(6)
    year.paragraph_format.keep_with_next = True
    _style_fonts(_paragraph_style(doc, "Perfgen Cell", "Normal", centred=True))
    _style_fonts(_paragraph_style(doc, "Perfgen Cell Left", "Perfgen Cell", centred=False))
    _style_fonts(_paragraph_style(doc, "Perfgen Cell Heading", "Perfgen Cell", centred=True), bold=True)

    grid = cast(ParagraphStyle, doc.styles["Table Grid"])
    _style_fonts(grid)

    _keep_only_used_styles(styles_el)
    _lean_settings(doc)
    _font_table(doc)
    _drop_unused_parts(doc)

    props = doc.core_properties
    props.title = ""
    props.subject = ""
    props.author = "perfgen"
    props.comments = "perfgen reference document: edit styles and page setup in Word"
    props.last_modified_by = "perfgen"
    props.revision = 1
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    return doc


def deterministic_bytes(doc: docx.document.Document) -> bytes:
    """Save ``doc`` and re-zip it with a stable entry order and fixed timestamps."""
    raw = io.BytesIO()
    doc.save(raw)
    with zipfile.ZipFile(raw) as src:
        names = src.namelist()
        parts = {name: src.read(name) for name in names}
    first = ["[Content_Types].xml", "_rels/.rels"]
    order = first + sorted(n for n in names if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in order:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            dst.writestr(info, parts[name])
    return out.getvalue()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(deterministic_bytes(build()))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
