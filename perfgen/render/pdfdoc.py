"""A PDF file written as it goes: objects streamed to the output, the font and the page tree written at the end.

:class:`PdfDocument` numbers objects, writes each one at once (a page's content is never kept after it is
written), and remembers only what the end needs: each object's offset, the page objects, the glyphs used and
the outline. The CJK font is embedded at the end as a subset of exactly the glyphs the pages used
(:func:`perfgen.render.cff.cid_font`, Identity-H, with a ToUnicode map so that text can be selected, searched and
extracted). The total page count, which a streamed document does not know while writing its pages, is a Form
XObject every footer draws and that is written last. No dates; the document ID is a hash of the content: the same
input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import BinaryIO

from perfgen.render.cff import cid_font
from perfgen.render.fonts import CjkFont

PAGE_WIDTH, PAGE_HEIGHT = 841.89, 595.28  # A4 landscape, in points
_CATALOG, _PAGES, _FONT, _INFO, _TOTAL = 1, 2, 3, 4, 5


def _name_text(text: str) -> str:
    """A PDF text string: UTF-16BE with its byte-order mark, hex-encoded (any character, no escaping needed)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class PdfDocument:
    def __init__(self, out: BinaryIO, font: CjkFont, title: str) -> None:
        self.out, self.font, self.title = out, font, title
        self.offsets: dict[int, int] = {}
        self.position = 0
        self.digest = hashlib.sha256()
        self.next_number = _TOTAL + 1
        self.pages: list[int] = []
        self.cids: dict[str, int] = {}  # glyph name -> CID (in order of first use)
        self.names: list[str] = []  # CID - 1 -> glyph name
        self.unicode: dict[int, str] = {}  # CID -> the text it stands for
        self.outline: list[tuple[str, int]] = []  # (title, page object) of each bookmark
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # -- objects ----------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)

    def number(self) -> int:
        self.next_number += 1
        return self.next_number - 1

    def obj(self, number: int, body: str | bytes) -> None:
        self.offsets[number] = self.position
        raw = body.encode("latin-1") if isinstance(body, str) else body
        self._write(b"%d 0 obj\n" % number + raw + b"\nendobj\n")

    def stream(self, number: int, data: bytes, extra: str = "") -> None:
        packed = zlib.compress(data, 6)
        self.obj(number, f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode("latin-1")
                 + packed + b"\nendstream")

    # -- text -------------------------------------------------------------------------------------

    def encode(self, text: str) -> str:
        """``text`` as a hex string of CIDs for ``Tj`` (a character the font lacks: CID 0, drawn as nothing)."""
        out = []
        for ch in text:
            name = self.font.glyph_name(ch)
            if name is None:
                out.append("0000")
                continue
            cid = self.cids.get(name)
            if cid is None:
                self.names.append(name)
                cid = self.cids[name] = len(self.names)
                self.unicode[cid] = ch
            out.append(f"{cid:04X}")
        return "<" + "".join(out) + ">"

    # -- pages ------------------------------------------------------------------------------------

    def page(self, content: bytes, bookmark: str | None = None) -> None:
        """One page of ``content`` (drawing with font /F1 and the page total /Tot)."""
        stream, page = self.number(), self.number()
        self.stream(stream, content)
        self.obj(page, f"<< /Type /Page /Parent {_PAGES} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                       f"/Resources << /Font << /F1 {_FONT} 0 R >> /XObject << /Tot {_TOTAL} 0 R >> >> "
                       f"/Contents {stream} 0 R >>")
        self.pages.append(page)
        if bookmark is not None:
            self.outline.append((bookmark, page))

    def finish(self, total_size: float) -> None:
        """The page total, the font, the page tree, the outline, the catalog and the cross-reference table."""
        total = f"BT /F1 {total_size:g} Tf 0 0 Td {self.encode(f'{len(self.pages)} 页')} Tj ET".encode("latin-1")
        self.stream(_TOTAL, total, f" /Type /XObject /Subtype /Form /BBox [0 -10 200 {total_size * 2:g}] "
                                   f"/Resources << /Font << /F1 {_FONT} 0 R >> >>")
        self._font()
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self.obj(_PAGES, f"<< /Type /Pages /Count {len(self.pages)} /Kids [{kids}] >>")
        outlines = self._outline()
        catalog = f"<< /Type /Catalog /Pages {_PAGES} 0 R"
        if outlines is not None:
            catalog += f" /Outlines {outlines} 0 R /PageMode /UseOutlines"
        self.obj(_CATALOG, catalog + " >>")
        self.obj(_INFO, f"<< /Title {_name_text(self.title)} /Producer (perfgen) /Creator (perfgen) >>")
        xref = self.position
        count = self.next_number
        lines = [f"xref\n0 {count}\n0000000000 65535 f \n"]
        lines += [f"{self.offsets[n]:010d} 00000 n \n" for n in range(1, count)]
        ident = self.digest.hexdigest()[:32].upper()
        lines.append(f"trailer\n<< /Size {count} /Root {_CATALOG} 0 R /Info {_INFO} 0 R /ID [<{ident}> <{ident}>] >>\n"
                     f"startxref\n{xref}\n%%EOF\n")
        self._write("".join(lines).encode("latin-1"))

    def _font(self) -> None:
        font = self.font
        programs = [font.program(name) for name in self.names]
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256("\n".join(self.names).encode()).digest()[:6])
        base = f"{tag}+{font.ps_name}"
        cid, descriptor, file, tounicode = self.number(), self.number(), self.number(), self.number()
        self.stream(file, cid_font(base, programs, font.bbox), " /Subtype /CIDFontType0C")
        x0, y0, x1, y1 = font.bbox
        self.obj(descriptor, f"<< /Type /FontDescriptor /FontName /{base} /Flags 6 /FontBBox [{x0} {y0} {x1} {y1}] "
                             f"/ItalicAngle 0 /Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.ascent} "
                             f"/StemV 80 /FontFile3 {file} 0 R >>")
        widths = " ".join(f"{n} [{font.width(self.unicode[n])}]" for n in range(1, len(self.names) + 1))
        self.obj(cid, f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{base} /CIDSystemInfo << /Registry "
                      f"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R /DW 1000 "
                      f"/W [{widths}] >>")
        self.stream(tounicode, self._to_unicode())
        self.obj(_FONT, f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H "
                        f"/DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>")

    def _to_unicode(self) -> bytes:
        entries = [f"<{cid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for cid, text in self.unicode.items()]
        blocks = []
        for start in range(0, len(entries), 100):
            chunk = entries[start : start + 100]
            blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
        return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) "
                "/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(blocks)
                + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")

    def _outline(self) -> int | None:
        if not self.outline:
            return None
        root = self.number()
        items = [self.number() for _ in self.outline]
        for i, ((title, page), number) in enumerate(zip(self.outline, items, strict=True)):
            links = f"/Parent {root} 0 R"
            if i:
                links += f" /Prev {items[i - 1]} 0 R"
            if i + 1 < len(items):
                links += f" /Next {items[i + 1]} 0 R"
            self.obj(number, f"<< /Title {_name_text(title)} {links} /Dest [{page} 0 R /Fit] >>")
        self.obj(root, f"<< /Type /Outlines /First {items[0]} 0 R /Last {items[-1]} 0 R /Count {len(items)} >>")
        return root
