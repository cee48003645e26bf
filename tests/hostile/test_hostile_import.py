"""``perfgen import`` of hostile sources: what a stranger's Excel, Word or text file can do to the importer.

Threats (issue 10): a 6 KB workbook whose merged range (or hyperlink range, or far cell) makes a spreadsheet
library expand seventeen billion cells; a Word table whose spans multiply its cells; zip packages with
thousands of members, members larger than they say, XML parts of hundreds of megabytes; text with millions of
lines, of tabs, or lines built to make a regular expression backtrack; an import source that is a FIFO, a
link to ``/dev/zero``, a directory or a sparse file of gigabytes; a ``_defaults.yaml`` in the output folder
that links out of the repository. Each must end quickly with exit 1 and a diagnostic naming the file (or,
for what is merely odd, with the table imported), never hang, exhaust memory or print a traceback.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import Run, run

from perfgen.model import COLUMN_TITLES

# A slow machine starts Python, perfgen and openpyxl in about a second; the attacks below took minutes (or
# all the memory) before they were bounded.
FAST = 5.0

HEADER = [["项目支出绩效目标表"], ["(2024年)"], ["预算单位", "", "单位"],
          ["项目名称", "", "名称", "", "", "项目负责人", "", "张三"],
          ["项目资金（万元）", "", "年度预算总额：", "5", "其中：财政拨款", "5", "其他资金：", "0"],
          ["项目总体目标", "", "目标1、甲"], list(COLUMN_TITLES)]
INDICATORS = [["产出指标", "数量指标", "人数", "3人", "历史标准", "", "10", "按照正常比例赋分", "工作资料"],
              ["成本指标", "经济成本指标", "每次", "≤1万元", "预算支出标准", "", "20", "按照正常比例赋分", "原始凭证"]]
FORM = HEADER + INDICATORS


def form_text() -> str:
    return "\n".join("\t".join(row) for row in FORM) + "\n"


def timed(cwd: Path, *args: str, timeout: float = 30) -> tuple[Run, float]:
    start = time.perf_counter()
    result = run(cwd, "import", *args, timeout=timeout)
    return result, time.perf_counter() - start


def workbook() -> bytes:
    book = openpyxl.Workbook()
    for row in FORM:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def word_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("项目支出绩效目标表")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def repack(data: bytes, member: str, change: Callable[[bytes], bytes], extra: dict[str, bytes] | None = None,
           ) -> bytes:
    """The zip package ``data`` with ``member`` rewritten by ``change`` and ``extra`` members added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info.filename, change(content) if info.filename == member else content)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
DOCUMENT = "word/document.xml"


def after_sheet_data(xml: bytes) -> Callable[[bytes], bytes]:
    """Insert ``xml`` right after ``</sheetData>`` (where mergeCells goes)."""
    return lambda sheet: sheet.replace(b"</sheetData>", b"</sheetData>" + xml, 1)


def assert_refused(r: Run, name: str, elapsed: float, *words: str) -> None:
    assert r.code == 1, r.text
    assert re.search(rf"{re.escape(name)}\S*: 错误\[PG053\]", r.err), r.err
    for word in words:
        assert word in r.err, r.err
    assert elapsed < FAST, f"{elapsed:.1f} s"


# ---- item 10: Excel ---------------------------------------------------------------------------------------


def test_merge_bomb_is_refused_before_anything_is_expanded(tmp_path: Path) -> None:
    """6 KB, one <mergeCell ref="A1:XFD1048576"/>: 17 billion cells to a library that expands merges."""
    bomb = repack(workbook(), SHEET, after_sheet_data(b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/>'
                                                      b"</mergeCells>"))
    assert len(bomb) < 10_000
    (tmp_path / "bomb.xlsx").write_bytes(bomb)
    r, elapsed = timed(tmp_path, "bomb.xlsx", timeout=20)
    assert_refused(r, "bomb.xlsx", elapsed, "合并单元格", "A1:XFD1048576")
    assert not (tmp_path / "goals").exists()
    r = run(tmp_path, "import", "bomb.xlsx", "--lang", "en", timeout=20)
    assert "error[PG053]" in r.err and "merged" in r.err, r.err


def test_many_merged_ranges_that_add_up_are_refused(tmp_path: Path) -> None:
    ranges = b"".join(b'<mergeCell ref="A%d:XFD%d"/>' % (r, r) for r in range(10, 1010))
    bomb = repack(workbook(), SHEET, after_sheet_data(b"<mergeCells>" + ranges + b"</mergeCells>"))
    (tmp_path / "rows.xlsx").write_bytes(bomb)
    r, elapsed = timed(tmp_path, "rows.xlsx", timeout=20)
    assert_refused(r, "rows.xlsx", elapsed, "合并单元格")


def test_ordinary_merges_still_import(tmp_path: Path) -> None:
    merges = b'<mergeCells count="3"><mergeCell ref="A1:I1"/><mergeCell ref="A3:B3"/><mergeCell ref="C3:I3"/>' \
             b"</mergeCells>"
    (tmp_path / "ok.xlsx").write_bytes(repack(workbook(), SHEET, after_sheet_data(merges)))
    r, _ = timed(tmp_path, "ok.xlsx")
    assert r.code == 0, r.text
    assert "unit: 单位" in (tmp_path / "goals/2024/_defaults.yaml").read_text(encoding="utf-8")
    assert (tmp_path / "goals/2024/名称.yaml").is_file()


def test_hyperlink_over_the_whole_sheet_is_not_expanded(tmp_path: Path) -> None:
    """A library binding a hyperlink to every cell of its range hangs just like the merge bomb."""
    link = b'<hyperlinks><hyperlink ref="A1:XFD1048576" location="Sheet!A1" display="x"/></hyperlinks>'
    data = repack(workbook(), SHEET, lambda s: s.replace(b"<pageMargins", link + b"<pageMargins", 1))
    (tmp_path / "link.xlsx").write_bytes(data)
    r, elapsed = timed(tmp_path, "link.xlsx", timeout=20)
    assert r.code == 0, r.text
    assert (tmp_path / "goals/2024/名称.yaml").is_file()
    assert elapsed < FAST, f"{elapsed:.1f} s"


def test_far_cell_and_lying_dimension_cost_nothing(tmp_path: Path) -> None:
    """A cell at XFD1048576 and a dimension claiming the whole sheet: the table is read, the rest ignored."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'

    def change(sheet: bytes) -> bytes:
        sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
        return sheet.replace(b"</sheetData>", far + b"</sheetData>", 1)

    (tmp_path / "far.xlsx").write_bytes(repack(workbook(), SHEET, change))
    r, elapsed = timed(tmp_path, "far.xlsx", timeout=20)
    assert r.code == 0, r.text
    assert "PG067" in r.err  # more rows than are read: said so
    assert (tmp_path / "goals/2024/名称.yaml").is_file()
    assert elapsed < FAST, f"{elapsed:.1f} s"


def test_too_many_cells_are_refused(tmp_path: Path) -> None:
    """1.2 million empty cells on row 20: each one a parsed object to a library, 60 KB zipped."""
    row = b'<row r="20">' + b"<c/>" * 1_200_000 + b"</row>"
    data = repack(workbook(), SHEET, lambda s: s.replace(b"</sheetData>", row + b"</sheetData>", 1))
    (tmp_path / "cells.xlsx").write_bytes(data)
    r, elapsed = timed(tmp_path, "cells.xlsx", timeout=30)
    assert_refused(r, "cells.xlsx", elapsed, "单元格")


def test_rows_out_of_order_are_a_diagnostic_not_lost(tmp_path: Path) -> None:
    """Read as a stream, a row that comes after a later one would be dropped without a word."""
    data = repack(workbook(), SHEET, lambda s: s.replace(b'<row r="3"', b'<row r="1"', 1))
    (tmp_path / "order.xlsx").write_bytes(data)
    r, elapsed = timed(tmp_path, "order.xlsx", timeout=20)
    assert_refused(r, "order.xlsx", elapsed, "第 1 行出现在第 2 行之后")


def with_shared_strings(data: bytes, xml: bytes) -> bytes:
    """``data`` with a shared-strings part registered (openpyxl writes inline strings, Excel does not)."""
    types = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-' \
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    rel = b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/' \
          b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    data = repack(data, "[Content_Types].xml", lambda x: x.replace(b"</Types>", types), {"xl/sharedStrings.xml": xml})
    return repack(data, "xl/_rels/workbook.xml.rels", lambda x: x.replace(b"</Relationships>", rel))


@pytest.mark.parametrize(("member", "attack"), [
    # a million formats: openpyxl makes an object of each, 13 µs apiece
    ("xl/styles.xml", lambda x: x.replace(b'<cellXfs count="1">', b"<cellXfs>" + b'<xf numFmtId="0"/>' * 1_000_000)),
    # the same after blanks (XML may start with them, a picture may not)
    ("xl/styles.xml", lambda x: b" " * 100_000 + x.replace(b'<cellXfs count="1">',
                                                            b"<cellXfs>" + b'<xf numFmtId="0"/>' * 1_000_000)),
    # a million shared strings, loaded before the first cell is read
    ("xl/sharedStrings.xml", None),
], ids=["styles", "styles-after-blanks", "strings"])
def test_parts_of_a_million_elements_are_refused(tmp_path: Path, member: str, attack: Callable[[bytes], bytes] | None,
                                                 ) -> None:
    if attack is None:
        strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
                  b"<si><t>a</t></si>" * 1_000_000 + b"</sst>"
        data = with_shared_strings(workbook(), strings)
    else:
        data = repack(workbook(), member, attack)
    (tmp_path / "parts.xlsx").write_bytes(data)
    r, elapsed = timed(tmp_path, "parts.xlsx", timeout=60)
    assert_refused(r, "parts.xlsx", elapsed, member)


def test_entities_are_refused_before_they_expand(tmp_path: Path) -> None:
    """Python's XML parser expands entities up to 100 times the input: 9 MB of &e; are 870 MB of text."""
    dtd = b'<!DOCTYPE worksheet [<!ENTITY e "' + b"x" * 290 + b'">]>'
    cell = b'<row r="20"><c r="A20" t="inlineStr"><is><t>' + b"&e;" * 3_000_000 + b"</t></is></c></row>"

    def change(sheet: bytes) -> bytes:
        sheet = sheet.replace(b"<worksheet", dtd + b"<worksheet", 1)
        return sheet.replace(b"</sheetData>", cell + b"</sheetData>", 1)

    (tmp_path / "entities.xlsx").write_bytes(repack(workbook(), SHEET, change))
    r, elapsed = timed(tmp_path, "entities.xlsx", timeout=60)
    assert_refused(r, "entities.xlsx", elapsed, "DTD", SHEET)


# ---- zip packages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_package_with_thousands_of_members_is_refused(tmp_path: Path, suffix: str) -> None:
    base = workbook() if suffix == ".xlsx" else word_document()
    data = repack(base, "", lambda b: b, {f"junk/{n}.bin": b"" for n in range(5000)})
    (tmp_path / f"many{suffix}").write_bytes(data)
    members = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    r, elapsed = timed(tmp_path, f"many{suffix}", timeout=20)
    assert_refused(r, f"many{suffix}", elapsed, f"文件由 {members} 个部件组成")


def test_directory_of_a_hundred_thousand_members_is_not_parsed(tmp_path: Path) -> None:
    """The end record says how many members there are: no need to parse their directory to refuse them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for n in range(100_000):
            package.writestr(str(n), b"")
    (tmp_path / "huge.xlsx").write_bytes(out.getvalue())
    r, elapsed = timed(tmp_path, "huge.xlsx", timeout=20)
    assert_refused(r, "huge.xlsx", elapsed, "文件由 100000 个部件组成")


def lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """Overwrite the uncompressed size the local header and the central directory give ``member``."""
    buf = bytearray(data)
    name = member.encode()
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := buf.find(sig, at)) >= 0:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if buf[name_at:name_at + len(name)] == name:
                buf[at + offset:at + offset + 4] = size.to_bytes(4, "little")
            at += 4
    return bytes(buf)


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_member_larger_than_it_says_is_not_unpacked(tmp_path: Path, suffix: str) -> None:
    """100 MB of XML declared as 2 KB: unpacking must stop at what the directory says."""
    base, member = (workbook(), SHEET) if suffix == ".xlsx" else (word_document(), DOCUMENT)
    pad = b"<!--" + b" " * (100 * 1024 * 1024) + b"-->"
    data = lie_about_size(repack(base, member, lambda x: x.replace(b"?>", b"?>" + pad, 1)), member, 2048)
    assert len(data) < 1024 * 1024
    (tmp_path / f"liar{suffix}").write_bytes(data)
    r, elapsed = timed(tmp_path, f"liar{suffix}", timeout=20)
    assert_refused(r, f"liar{suffix}", elapsed)


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_huge_xml_part_is_refused_before_it_is_parsed(tmp_path: Path, suffix: str) -> None:
    """An honest 100 MB XML part (under the package limit): parsed, it would take gigabytes."""
    base, member = (workbook(), SHEET) if suffix == ".xlsx" else (word_document(), DOCUMENT)
    if suffix == ".xlsx":
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(100, 200))
        bulk = rows * 22_000  # rows out of order: a reader still has to parse every one
    else:
        bulk = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 3_000_000
    anchor = b"</sheetData>" if suffix == ".xlsx" else b"<w:sectPr"
    data = repack(base, member, lambda x: x.replace(anchor, bulk + anchor, 1))
    (tmp_path / f"huge{suffix}").write_bytes(data)
    r, elapsed = timed(tmp_path, f"huge{suffix}", timeout=60)
    assert_refused(r, f"huge{suffix}", elapsed, "MB")


# ---- Word -------------------------------------------------------------------------------------------------


def table_xml(rows: int, row: bytes) -> bytes:
    return b"<w:tbl>" + (b"<w:tr>" + row + b"</w:tr>") * rows + b"</w:tbl>"


@pytest.mark.parametrize(("rows", "row"), [
    # every cell spans the whole grid: 3,000 x 120 x 64 cells to a reader that spells out spans
    pytest.param(3000, b'<w:tc><w:tcPr><w:gridSpan w:val="1000000000"/></w:tcPr></w:tc>' * 120, id="gridSpan"),
    # 500,000 rows that each skip 64 grid columns: 32 million empty cells (a large file to make: the slow set)
    pytest.param(500_000, b'<w:trPr><w:gridBefore w:val="64"/></w:trPr>', marks=pytest.mark.slow, id="gridBefore"),
    # a vertical merge continued over 350,000 rows, each spanning 64 columns
    pytest.param(350_000, b'<w:tc><w:tcPr><w:vMerge/><w:gridSpan w:val="64"/></w:tcPr></w:tc>',
                 marks=pytest.mark.slow, id="vMerge"),
])
def test_word_table_spans_are_bounded(tmp_path: Path, rows: int, row: bytes) -> None:
    table = table_xml(rows, row)
    data = repack(word_document(), DOCUMENT, lambda x: x.replace(b"<w:sectPr", table + b"<w:sectPr", 1))
    (tmp_path / "spans.docx").write_bytes(data)
    r, elapsed = timed(tmp_path, "spans.docx", timeout=60)
    assert r.code == 1, r.text
    assert re.search(r"spans\.docx\S*: 错误\[PG05[23]\]", r.err), r.err
    assert elapsed < FAST, f"{elapsed:.1f} s"


# ---- text copied from a PDF -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text"), [
    ("title.txt", "绩效目标" * 300_000),  # a regular expression that backtracks on every 绩效目标
    ("label.txt", "预算单位" + " " * 2_000_000 + "x"),  # ... on every blank after a label
    ("tabs.txt", "\t" * 8_000_000),  # eight million cells in one row
], ids=["title", "label", "tabs"])
def test_text_lines_built_to_be_slow_are_read_in_linear_time(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(form_text() + text + "\n", encoding="utf-8")
    r, elapsed = timed(tmp_path, name, timeout=30)
    assert r.code in (0, 1), r.text
    assert elapsed < FAST, f"{elapsed:.1f} s"


def test_indicator_row_of_thousands_of_cells_is_a_diagnostic(tmp_path: Path) -> None:
    """A row placed cell by cell recursed once per cell: 5,000 cells were a RecursionError."""
    (tmp_path / "wide.txt").write_text(form_text() + "\t".join(["x"] * 5000) + "\n", encoding="utf-8")
    r, elapsed = timed(tmp_path, "wide.txt", timeout=30)
    assert r.code == 1, r.text
    assert "wide.txt:10:1: 错误[PG059]" in r.err, r.err
    assert elapsed < FAST, f"{elapsed:.1f} s"


def test_millions_of_lines_are_refused(tmp_path: Path) -> None:
    (tmp_path / "lines.txt").write_text(form_text() + "\n" * 6_000_000, encoding="utf-8")
    r, elapsed = timed(tmp_path, "lines.txt", timeout=30)
    assert_refused(r, "lines.txt", elapsed, "行")


# ---- item 3: only regular files are read, never more than the limit ------------------------------------------


def test_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    r, elapsed = timed(tmp_path, "pipe.txt", timeout=20)
    assert_refused(r, "pipe.txt", elapsed, "命名管道")
    r = run(tmp_path, "import", "pipe.txt", "--lang", "en", timeout=20)
    assert "error[PG053]" in r.err and "named pipe" in r.err, r.err


@pytest.mark.parametrize("name", ["zero.txt", "zero.xlsx", "zero.docx"])
def test_link_to_dev_zero_is_refused_without_reading_it(tmp_path: Path, name: str) -> None:
    (tmp_path / name).symlink_to("/dev/zero")
    r, elapsed = timed(tmp_path, name, timeout=20)
    assert_refused(r, name, elapsed, "设备")
    assert "MemoryError" not in r.text


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.docx").mkdir()
    r, elapsed = timed(tmp_path, "folder.docx", timeout=20)
    assert_refused(r, "folder.docx", elapsed, "目录")


@pytest.mark.parametrize("name", ["big.txt", "big.xlsx"])
def test_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path, name: str) -> None:
    with open(tmp_path / name, "wb") as fh:
        fh.truncate(4 * 1024 ** 3)  # sparse: 4 GB that take no disk
    r, elapsed = timed(tmp_path, name, timeout=20)
    assert_refused(r, name, elapsed, "MB")
    r = run(tmp_path, "import", name, "--lang", "en", timeout=20)
    assert "error[PG053]" in r.err and "larger than" in r.err, r.err


# ---- the output folder's _defaults.yaml ------------------------------------------------------------------


def test_defaults_linked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "goals" / "2024").mkdir(parents=True)
    secret = tmp_path / "secret.yaml"
    secret.write_text("unit: SECRET-VALUE\nleader: [SECRET-TOKEN\n", encoding="utf-8")
    (repo / "goals" / "2024" / "_defaults.yaml").symlink_to(secret)
    (repo / "t.txt").write_text(form_text(), encoding="utf-8")
    r = run(repo, "import", "t.txt", timeout=20)
    assert r.code == 1, r.text
    assert "goals/2024/_defaults.yaml" in r.err and "PG018" in r.err, r.err
    assert "SECRET" not in r.text
    assert sorted(p.name for p in (repo / "goals" / "2024").iterdir()) == ["_defaults.yaml"]


def test_defaults_that_is_a_huge_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "goals" / "2024").mkdir(parents=True)
    with open(tmp_path / "goals" / "2024" / "_defaults.yaml", "wb") as fh:
        fh.truncate(4 * 1024 ** 3)
    (tmp_path / "t.txt").write_text(form_text(), encoding="utf-8")
    r, elapsed = timed(tmp_path, "t.txt", timeout=20)
    assert r.code == 1, r.text
    assert "goals/2024/_defaults.yaml" in r.err and "PG005" in r.err, r.err
    assert elapsed < FAST, f"{elapsed:.1f} s"
