"""A CID-keyed CFF font of a few glyphs: the subset a PDF embeds (FontFile3, Subtype CIDFontType0C).

fontTools' subsetter takes 0.2-0.3 s a document on a CJK font (it loads and prunes the whole font), which would
make a PDF cost more than LibreOffice converting the .docx. Here the font is assembled directly from glyph
programs that :class:`perfgen.render.fonts.CjkFont` made once per process (Type 2 charstrings without
subroutines, 1000 units per em): CID n is glyph n, CID 0 the empty ``.notdef``. The layout follows the CFF
specification (Adobe Technical Note #5176): header, Name INDEX, Top DICT INDEX, String INDEX, an empty Global
Subr INDEX, then charset, FDSelect, CharStrings INDEX, FDArray INDEX and one Private DICT. Offsets in DICTs are
written as 5-byte integers, so every size is known before anything is placed.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

_NOTDEF = bytes([14])  # endchar: an empty glyph, default width


def _int(value: int) -> bytes:
    """A DICT integer operand in its shortest encoding."""
    if -107 <= value <= 107:
        return bytes([value + 139])
    if 108 <= value <= 1131:
        v = value - 108
        return bytes([(v >> 8) + 247, v & 0xFF])
    if -1131 <= value <= -108:
        v = -value - 108
        return bytes([(v >> 8) + 251, v & 0xFF])
    if -32768 <= value <= 32767:
        return b"\x1c" + struct.pack(">h", value)
    return b"\x1d" + struct.pack(">i", value)


def _offset(value: int) -> bytes:
    """An offset operand, always 5 bytes (so DICT sizes do not depend on where things land)."""
    return b"\x1d" + struct.pack(">i", value)


def _real(text: str) -> bytes:
    """A real-number operand (nibbles: digits, a = '.', e = '-', f = end)."""
    nibbles = [int(ch) if ch.isdigit() else {".": 0xA, "-": 0xE}[ch] for ch in text]
    nibbles.append(0xF)
    if len(nibbles) % 2:
        nibbles.append(0xF)
    return b"\x1e" + bytes((a << 4) | b for a, b in zip(nibbles[::2], nibbles[1::2], strict=True))


def _index(items: Sequence[bytes]) -> bytes:
    """A CFF INDEX of ``items``."""
    if not items:
        return b"\x00\x00"
    offsets = [1]
    for item in items:
        offsets.append(offsets[-1] + len(item))
    size = 1 if offsets[-1] < 1 << 8 else 2 if offsets[-1] < 1 << 16 else 3 if offsets[-1] < 1 << 24 else 4
    packed = b"".join(o.to_bytes(size, "big") for o in offsets)
    return struct.pack(">HB", len(items), size) + packed + b"".join(items)


def cid_font(name: str, programs: Sequence[bytes], bbox: tuple[int, ...]) -> bytes:
    """A CID-keyed CFF holding ``programs`` as CIDs 1…n (CID 0: ``.notdef``)."""
    glyphs = [_NOTDEF, *programs]
    count = len(glyphs)
    header = bytes([1, 0, 4, 4])
    name_index = _index([name.encode("ascii", "replace")[:63]])
    strings = _index([b"Adobe", b"Identity"])  # SIDs 391, 392
    global_subrs = _index([])
    private = _int(0) + bytes([20]) + _int(0) + bytes([21])  # defaultWidthX 0, nominalWidthX 0
    charset = b"\x00" + b"".join(struct.pack(">H", cid) for cid in range(1, count))  # format 0: GID n is CID n
    fd_select = b"\x03" + struct.pack(">HHBH", 1, 0, 0, count)  # format 3: one range, every glyph in FD 0
    charstrings = _index(glyphs)

    def top_dict(at_charset: int, at_fdselect: int, at_charstrings: int, at_fdarray: int) -> bytes:
        return (_int(391) + _int(392) + _int(0) + b"\x0c\x1e"  # ROS Adobe-Identity-0
                + _real("0.001") + _int(0) + _int(0) + _real("0.001") + _int(0) + _int(0) + b"\x0c\x07"  # FontMatrix
                + b"".join(_int(v) for v in bbox) + b"\x05"  # FontBBox
                + _int(count) + b"\x0c\x22"  # CIDCount
                + _offset(at_charset) + b"\x0f" + _offset(at_charstrings) + b"\x11"
                + _offset(at_fdarray) + b"\x0c\x24" + _offset(at_fdselect) + b"\x0c\x25")

    def font_dict(at_private: int) -> bytes:
        return (_int(1) + _int(0) + _int(0) + _int(1) + _int(0) + _int(0) + b"\x0c\x07"  # FontMatrix: identity
                + _int(len(private)) + _offset(at_private) + b"\x12")

    top_size = len(_index([top_dict(0, 0, 0, 0)]))
    fd_array_size = len(_index([font_dict(0)]))
    start = len(header) + len(name_index) + top_size + len(strings) + len(global_subrs)
    at_charset = start
    at_fdselect = at_charset + len(charset)
    at_charstrings = at_fdselect + len(fd_select)
    at_fdarray = at_charstrings + len(charstrings)
    at_private = at_fdarray + fd_array_size
    top = _index([top_dict(at_charset, at_fdselect, at_charstrings, at_fdarray)])
    fd_array = _index([font_dict(at_private)])
    return b"".join((header, name_index, top, strings, global_subrs, charset, fd_select, charstrings, fd_array,
                     private))
