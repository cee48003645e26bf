"""The .docx package for the Word writer: reading a reference document safely, and writing the zip by hand.

A reference document comes from a repository, maybe from a pull request: :func:`read_package` checks every
member name and inflated size before use, parses every XML part without entities or DTDs, and refuses a
package whose main part is not a plain ``word/document.xml`` or that links outside itself (but hyperlinks).
Each refusal is a :class:`BadReference` saying why.

The writer deflates each part once (:class:`ZipMember`) and assembles the container itself
(:func:`zip_package`): fixed member order, DOS timestamp 1980-01-01 and fixed permissions, so the bytes never
depend on the clock or the process.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
_FILE_MODE = 0o100644 << 16
# zlib level 3: a form's document.xml (about 24 KB of XML) deflates in 0.076 ms to 2.4 KB, where level 6 took
# 0.111 ms for 2.2 KB (medians over 400 generated projects): a third of the time for 0.3 KB more per file.
DEFLATE_LEVEL = 3
FIRST_PARTS = ("[Content_Types].xml", "_rels/.rels")  # a package's members start with these


class ZipMember:
    """One zip member, already deflated: local header + data, and its central directory record."""

    __slots__ = ("central", "local")
    local: bytes
    central: tuple[bytes, bytes]

    def __init__(self, name: str, data: bytes) -> None:
        raw_name = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        method = zipfile.ZIP_DEFLATED
        fields = (20, flags, method, _DOS_TIME, _DOS_DATE, crc, len(packed), len(data), len(raw_name))
        self.local = struct.pack("<I5HIII2H", 0x04034B50, *fields, 0) + raw_name + packed
        # Central record without its trailing local-header offset (added when the zip is assembled).
        central = struct.pack("<I6HIII5HI", 0x02014B50, 0x0314, *fields, 0, 0, 0, 0, _FILE_MODE)
        self.central = (central, raw_name)


def zip_package(members: list[ZipMember]) -> bytes:
    """The zip container of ``members``, in their order: local entries, then the central directory."""
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for member in members:
        head, raw_name = member.central
        directory.append(head + struct.pack("<I", offset) + raw_name)
        chunks.append(member.local)
        offset += len(member.local)
    central = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), offset, 0)
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


def parse_xml(data: bytes, part: str) -> etree._Element:
    """A part of the package as XML (no entities, no DTD, no network), or BadReference."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadReference(f"{part}: XML error: {exc}") from None


def twips_attribute(element: etree._Element | None, name: str, default: int) -> int:
    """A page-setup number in twips; anything else than a whole number from 0 to 22 inches is refused."""
    if element is None:
        return default
    value = element.get(f"{{{W_NS}}}{name}")
    if value is None:
        return default
    if not _TWIPS.fullmatch(value) or int(value) > MAX_TWIPS:
        raise BadReference(f"page setup w:{name}=\"{value[:40]}\" is not a number of twips from 0 to {MAX_TWIPS}")
    return int(value)


def member_name(name: str) -> str:
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
        names = [member_name(i.filename) for i in infos]
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
            root = parse_xml(data, name)
            if name.endswith(".rels"):
                for rel in root:
                    if rel.get("TargetMode") == "External" and rel.get("Type") != _HYPERLINK:
                        raise BadReference(f"{name}: a link to {str(rel.get('Target'))[:80]} outside the document")
    main = [r.get("Target", "").lstrip("/") for r in parse_xml(parts["_rels/.rels"], "_rels/.rels")
            if r.get("Type") == _OFFICE_DOCUMENT]
    if main != ["word/document.xml"]:
        raise BadReference(f"the package's main part is {main or 'missing'}, not word/document.xml")
    types = parts["[Content_Types].xml"].decode("utf-8")
    if "macroEnabled" in types or _MAIN_TYPE not in types:
        raise BadReference("the content type of word/document.xml is not a plain Word document (.docx)")
