"""The fast Word writer: every test opens the real output (python-docx for text, lxml for structure)."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from lxml import etree
from sample_data import ROOT, make_project

from perfgen.model import COLUMN_TITLES, Funds, Project, format_number
from perfgen.render import docx as docx_module
from perfgen.render.docx import FALLBACK_STYLES, DocxWriter, render_docx, writer_for
from perfgen.resources import find_template

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

# Seed table 1 (2023, 退休人员待遇补差): 一级 | 二级 | 三级 | 指标值 | 依据 | 上年 | 权重 | 赋分规则 | 佐证资料
SEED1_ROWS = [
    ("产出指标", "数量指标", "领取退休人员待遇", "=3人", "历史标准", "", 10, "按照正常比例赋分", "工作资料"),
    ("产出指标", "数量指标", "发放补助次数", "=12次", "历史标准", "", 10, "按照正常比例赋分", "工作资料"),
    ("产出指标", "质量指标", "发放退休人员补差", "=100%", "行业或国家标准", "", 10, "按照正常比例赋分", "工作资料"),
    ("产出指标", "质量指标", "退休补差按日发放", "=100%", "历史标准", "", 10, "直接赋分", "工作资料"),
    (
        "成本指标",
        "经济成本指标",
        "每次发放（补助）",
        "≤0.42万元/次",
        "预算支出标准",
        "",
        20,
        "按照正常比例赋分",
        "原始凭证",
    ),
    ("效益指标", "社会效益指标", "领取退休补差人员", "有效提高", "历史标准", "", 20, "按评判等级赋分", "工作资料"),
    ("满意度指标", "满意度指标", "受益人员满意度", "≥98%", "历史标准", "", 10, "满意度赋分", "说明材料"),
]


def big_rows() -> list[tuple[str, str, str, str, str, str, float, str, str]]:
    """240 rows: groups of different sizes, single-row groups, decimal weights."""
    rows = []
    layout = [("产出指标", ["数量指标", "质量指标", "时效指标"]), ("成本指标", ["经济成本指标"]),
              ("效益指标", ["社会效益指标", "可持续影响指标"]), ("满意度指标", ["满意度指标"])]  # fmt: skip
    n = 0
    while len(rows) < 240:
        for l1, l2s in layout:
            for k, l2 in enumerate(l2s):
                for _ in range(1 + (n + k) % 5):
                    n += 1
                    weight = 0.5 if n % 7 == 0 else 2
                    rows.append(
                        (l1, l2, f"指标{n}", f"≥{n}人", "历史标准", f"{n - 1}人", weight, "直接赋分", "工作资料")
                    )
    return rows


@pytest.fixture(scope="module")
def reference() -> Path:
    return find_template("reference.docx", None)


@pytest.fixture(scope="module")
def writer(reference: Path) -> DocxWriter:
    return DocxWriter(reference)


@pytest.fixture(scope="module")
def seed1() -> Project:
    return make_project(SEED1_ROWS)


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def expected_rows(project: Project) -> list[list[str]]:
    return [
        [i.level1, i.level2, i.name, i.target, i.basis, i.last_year, format_number(i.weight), i.scoring, i.evidence]
        for i in project.indicators
    ]


def attr(el: etree._Element | None, name: str) -> str | None:
    return None if el is None else el.get(f"{{{W}}}{name}")


# -- content ---------------------------------------------------------------------------------------


def test_title_and_year_line(writer: DocxWriter, seed1: Project) -> None:
    doc = open_docx(writer.render(seed1))
    assert doc.paragraphs[0].text == "项目支出绩效目标表"
    assert doc.paragraphs[0].style is not None and doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[1].text == "(2023年)"
    assert len(doc.tables) == 2


def test_header_block_values(writer: DocxWriter) -> None:
    project = make_project(SEED1_ROWS, funds=Funds(total=1780.91, fiscal=1700.5, other=80.41), leader="王五")
    table = open_docx(writer.render(project)).tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]  # spanned cells repeat per grid column
    assert cells[0] == ["预算单位"] * 2 + ["库尔勒市社会保险中心"] * 7
    assert cells[1] == ["项目名称"] * 2 + [project.name] * 3 + ["项目负责人"] * 2 + ["王五"] * 2
    assert cells[2] == ["项目资金（万元）"] * 2 + [
        "年度预算总额：", "1780.91", "其中：财政拨款", "1700.50", "其他资金：", "80.41", "80.41"
    ]  # fmt: skip
    objectives = table.rows[3].cells[2]
    assert [p.text for p in objectives.paragraphs] == [
        "目标1、领取退休人员待遇补差3人，发放补助次数12次。",
        "目标2、提高领取退休补差人员生活水平。",
    ]
    assert table.rows[3].cells[0].text == "项目总体目标"


def test_money_prints_two_decimals(writer: DocxWriter, seed1: Project) -> None:
    table = open_docx(writer.render(seed1)).tables[0]
    assert [table.rows[2].cells[c].text for c in (3, 5, 7)] == ["5.00", "5.00", "0.00"]


@pytest.mark.parametrize("rows", [SEED1_ROWS, big_rows()], ids=["seed1", "240-rows"])
def test_every_indicator_cell_equals_the_model(writer: DocxWriter, rows: list) -> None:
    project = make_project(rows)
    table = open_docx(writer.render(project)).tables[1]
    assert [c.text for c in table.rows[0].cells] == list(COLUMN_TITLES)
    got = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert got == expected_rows(project)


def test_weights_print_without_needless_decimals(writer: DocxWriter) -> None:
    rows = [
        ("产出指标", "数量指标", f"指标{w}", "=1次", "历史标准", "", w, "直接赋分", "工作资料")
        for w in (10, 0.5, 12.25)
    ]
    table = open_docx(writer.render(make_project(rows))).tables[1]
    assert [r.cells[6].text for r in table.rows[1:]] == ["10", "0.5", "12.25"]


@pytest.mark.parametrize("rows", [SEED1_ROWS, big_rows()], ids=["seed1", "240-rows"])
def test_vmerge_structure(writer: DocxWriter, rows: list) -> None:
    project = make_project(rows)
    body = part(writer.render(project), "word/document.xml").find("w:body", NS)
    table = body.findall("w:tbl", NS)[1]
    data_rows = table.findall("w:tr", NS)[1:]
    assert len(data_rows) == len(project.indicators)
    previous: tuple[str, str] | None = None
    for tr, ind in zip(data_rows, project.indicators, strict=True):
        tcs = tr.findall("w:tc", NS)
        assert len(tcs) == 9
        starts = (previous is None or previous[0] != ind.level1,
                  previous is None or previous[:2] != (ind.level1, ind.level2))  # fmt: skip
        for col, start, text in ((0, starts[0], ind.level1), (1, starts[1], ind.level2)):
            vmerge = tcs[col].find("w:tcPr/w:vMerge", NS)
            assert vmerge is not None
            cell_text = "".join(tcs[col].itertext())
            if start:
                assert attr(vmerge, "val") == "restart" and cell_text == text
            else:
                assert attr(vmerge, "val") in (None, "continue") and cell_text == ""
                assert len(tcs[col].findall("w:p", NS)) == 1
        for tc in tcs[2:]:
            assert tc.find("w:tcPr/w:vMerge", NS) is None
        previous = (ind.level1, ind.level2)


def test_grid_spans_and_widths(writer: DocxWriter, seed1: Project) -> None:
    body = part(writer.render(seed1), "word/document.xml").find("w:body", NS)
    tables = body.findall("w:tbl", NS)
    grids = [[int(attr(g, "w") or 0) for g in t.findall("w:tblGrid/w:gridCol", NS)] for t in tables]
    assert grids[0] == grids[1] and len(grids[0]) == 9
    assert sum(grids[0]) == 16838 - 2 * 1020  # A4 landscape minus the reference's margins
    spans = []
    for table in tables:
        assert attr(table.find("w:tblPr/w:tblLayout", NS), "type") == "fixed"
        assert int(attr(table.find("w:tblPr/w:tblW", NS), "w") or 0) == sum(grids[0])
        for tr in table.findall("w:tr", NS):
            col, row_spans = 0, []
            for tc in tr.findall("w:tc", NS):
                span = int(attr(tc.find("w:tcPr/w:gridSpan", NS), "val") or 1)
                assert int(attr(tc.find("w:tcPr/w:tcW", NS), "w") or 0) == sum(grids[0][col : col + span])
                col += span
                row_spans.append(span)
            assert col == 9
            spans.append(row_spans)
    assert spans[:4] == [[2, 7], [2, 3, 2, 2], [2, 1, 1, 1, 1, 1, 2], [2, 7]]
    assert all(s == [1] * 9 for s in spans[4:])


def test_header_row_repeats_rows_never_split_borders_complete(writer: DocxWriter, seed1: Project) -> None:
    body = part(writer.render(seed1), "word/document.xml").find("w:body", NS)
    header_block, indicators = body.findall("w:tbl", NS)
    flags = [tr.find("w:trPr/w:tblHeader", NS) is not None for tr in indicators.findall("w:tr", NS)]
    assert flags == [True] + [False] * len(SEED1_ROWS)
    assert not header_block.findall(".//w:tblHeader", NS)
    # Indicator rows never break across pages; the header block's rows may (a long 项目总体目标
    # must start on page 1 rather than leave it blank).
    for tr in indicators.findall("w:tr", NS):
        assert tr.find("w:trPr/w:cantSplit", NS) is not None
    for tr in header_block.findall("w:tr", NS):
        assert tr.find("w:trPr/w:cantSplit", NS) is None
    edges = ("top", "left", "bottom", "right", "insideH", "insideV")
    for table in (header_block, indicators):
        borders = table.find("w:tblPr/w:tblBorders", NS)
        for edge in edges:
            el = borders.find(f"w:{edge}", NS)
            if table is header_block and edge == "bottom":  # drawn by the indicator table's top edge
                assert attr(el, "val") == "nil"
            else:
                assert (attr(el, "val"), attr(el, "sz")) == ("single", "4")
    # The two tables are kept apart by a paragraph (Word would merge adjacent tables).
    # Its mark is hidden and its line 1 twip, so the two tables print as one frame.
    children = list(body)
    spacer = children[children.index(header_block) + 1]
    assert etree.QName(spacer).localname == "p"
    assert spacer.find("w:pPr/w:rPr/w:vanish", NS) is not None
    assert attr(spacer.find("w:pPr/w:spacing", NS), "line") == "1"
    assert not list(spacer.iter(f"{{{W}}}t"))


def test_every_table_cell_has_a_paragraph(writer: DocxWriter) -> None:
    project = make_project(big_rows(), objectives=[], leader="")
    root = part(writer.render(project), "word/document.xml")
    cells = list(root.iter(f"{{{W}}}tc"))
    assert len(cells) > 240 * 9
    assert all(tc.find("w:p", NS) is not None for tc in cells)


# -- fonts, styles, page ----------------------------------------------------------------------


def _style_chain(styles: etree._Element, style_id: str) -> list[etree._Element]:
    chain = []
    while style_id:
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert style is not None, f"style {style_id} missing"
        chain.append(style)
        style_id = attr(style.find("w:basedOn", NS), "val") or ""
    return chain


def test_east_asian_font_from_styles(writer: DocxWriter, seed1: Project) -> None:
    data = writer.render(seed1)
    styles = part(data, "word/styles.xml")
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert attr(defaults.find("w:rFonts", NS), "eastAsia") == "SimSun"
    assert attr(defaults.find("w:lang", NS), "eastAsia") == "zh-CN"
    used = {attr(p, "val") for p in part(data, "word/document.xml").iter(f"{{{W}}}pStyle")}
    assert used == {"Title", "PerfgenYear", "PerfgenCell", "PerfgenCellLeft", "PerfgenCellHeading"}
    for style_id in [*used, "Normal", "TableGrid"]:
        for style in _style_chain(styles, style_id):
            fonts = style.find("w:rPr/w:rFonts", NS)
            if fonts is not None:
                assert attr(fonts, "eastAsia") == "SimSun", style_id
                assert not [a for a in fonts.attrib if "Theme" in a or a.endswith("theme")], style_id
    for fonts in [defaults.find("w:rFonts", NS)]:
        assert not [a for a in fonts.attrib if "Theme" in a or a.endswith("theme")]
    assert attr(styles.find("w:style[@w:styleId='Title']/w:pPr/w:jc", NS), "val") == "center"


def test_page_is_a4_landscape_from_the_reference(writer: DocxWriter, reference: Path, seed1: Project) -> None:
    body = part(writer.render(seed1), "word/document.xml").find("w:body", NS)
    sectpr = body[-1]
    assert etree.QName(sectpr).localname == "sectPr"
    page = sectpr.find("w:pgSz", NS)
    assert (attr(page, "w"), attr(page, "h"), attr(page, "orient")) == ("16838", "11906", "landscape")
    ref_sectpr = part(reference.read_bytes(), "word/document.xml").find("w:body/w:sectPr", NS)
    assert etree.tostring(sectpr, method="c14n") == etree.tostring(ref_sectpr, method="c14n")


def test_page_setup_and_missing_styles_come_from_any_reference(tmp_path: Path, seed1: Project) -> None:
    """A plain python-docx document (US Letter portrait, none of our styles) still works as reference."""
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    data = DocxWriter(plain).render(seed1)
    body = part(data, "word/document.xml").find("w:body", NS)
    assert attr(body.find("w:sectPr/w:pgSz", NS), "w") == "12240"
    grid = [int(attr(g, "w") or 0) for g in body.find("w:tbl/w:tblGrid", NS)]
    assert sum(grid) == 12240 - 2 * 1800
    styles = part(data, "word/styles.xml")
    for style_id in FALLBACK_STYLES:
        assert len(styles.findall(f"w:style[@w:styleId='{style_id}']", NS)) == 1
    assert [c.text for c in open_docx(data).tables[1].rows[1].cells] == expected_rows(seed1)[0]


def test_reference_defines_every_style_and_is_up_to_date(reference: Path) -> None:
    styles = part(reference.read_bytes(), "word/styles.xml")
    for style_id in FALLBACK_STYLES:
        assert styles.find(f"w:style[@w:styleId='{style_id}']", NS) is not None
    body = part(reference.read_bytes(), "word/document.xml").find("w:body", NS)
    assert [etree.QName(c).localname for c in body] == ["sectPr"]
    spec = importlib.util.spec_from_file_location("make_reference_docx", ROOT / "tools" / "make_reference_docx.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    built = tool.deterministic_bytes(tool.build())
    assert built == tool.deterministic_bytes(tool.build())
    assert built == (ROOT / "templates" / "reference.docx").read_bytes(), "run tools/make_reference_docx.py"


# -- bytes and package -----------------------------------------------------------------------------


def test_output_is_byte_identical_across_renders_writers_and_processes(reference: Path, seed1: Project) -> None:
    first = DocxWriter(reference).render(seed1)
    assert DocxWriter(reference).render(seed1) == first
    script = (
        "import sys, pathlib; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])\n"
        "from sample_data import make_project\n"
        "from test_docx_writer import SEED1_ROWS\n"
        "from perfgen.render.docx import DocxWriter\n"
        "sys.stdout.buffer.write(DocxWriter(pathlib.Path(sys.argv[3])).render(make_project(SEED1_ROWS)))\n"
    )
    args = [sys.executable, "-c", script, str(ROOT), str(Path(__file__).parent), str(reference)]
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    other = subprocess.run(args, capture_output=True, check=True, timeout=60, env=env)
    assert other.stdout == first


def test_zip_is_deterministic_and_valid(writer: DocxWriter, seed1: Project) -> None:
    data = writer.render(seed1)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
        assert names[2:] == sorted(names[2:]) and "word/document.xml" in names
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.external_attr >> 16 == 0o100644
        core = etree.fromstring(z.read("docProps/core.xml"))
    text = {etree.QName(el).localname: el.text for el in core}
    assert text["title"] == seed1.name and text["creator"] == "perfgen"
    assert "created" not in text and "modified" not in text
    props = open_docx(data).core_properties
    assert (props.title, props.author, props.created) == (seed1.name, "perfgen", None)


def test_render_docx_reuses_a_cached_writer(reference: Path, seed1: Project, tmp_path: Path) -> None:
    reference = Path(shutil.copy(reference, tmp_path / "reference.docx"))
    writer = writer_for(reference)
    assert writer_for(reference) is writer
    first = render_docx(seed1, reference)
    second = render_docx(make_project(SEED1_ROWS[:2]), reference)
    assert first == DocxWriter(reference).render(seed1)
    assert len(open_docx(second).tables[1].rows) == 3
    os.utime(reference, ns=(0, reference.stat().st_mtime_ns + 1))  # the reference changed: read it again
    assert writer_for(reference) is not writer


# -- escaping ------------------------------------------------------------------------------------


def test_markup_in_text_is_escaped_and_reads_back(writer: DocxWriter) -> None:
    nasty = '<script>alert("x")</script> & "quoted" \'single\' ]]> &amp;'
    rows = [(f"产出指标{nasty}", "数量指标", nasty, nasty, "历史标准", nasty, 10, nasty, nasty)]
    project = make_project(rows, name=nasty, unit=nasty, leader=nasty, objectives=[nasty])
    data = writer.render(project)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    doc = open_docx(data)
    header, table = doc.tables
    assert header.rows[0].cells[2].text == nasty
    assert header.rows[1].cells[2].text == nasty and header.rows[1].cells[7].text == nasty
    assert header.rows[3].cells[2].text == f"目标1、{nasty}"
    assert [c.text for c in table.rows[1].cells] == expected_rows(project)[0]
    assert doc.core_properties.title == nasty


def test_xml_illegal_characters_are_removed(writer: DocxWriter) -> None:
    dirty = "a\x00b\x01c\x0bd\x1fe\ufffef\uffff\ud800g"
    rows = [("产出指标", "数量指标", dirty, "=3人", "历史标准", "", 10, "直接赋分", "工作资料")]
    project = make_project(rows, name=dirty)
    doc = open_docx(writer.render(project))  # lxml refuses to parse illegal characters
    assert doc.tables[0].rows[1].cells[2].text == "abcdefg"
    assert doc.tables[1].rows[1].cells[2].text == "abcdefg"
    assert doc.core_properties.title == "abcdefg"


def _xml_char(cp: int) -> bool:
    """XML 1.0's Char production, as the spec writes it."""
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


@pytest.mark.parametrize("cp", sorted({b + d for b in (0, 0x9, 0xA, 0xD, 0x20, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFFFD,
                                                       0xFFFE, 0xFFFF, 0x10000, 0x10FFFF, 0x4E2D)
                                       for d in (-1, 0, 1) if 0 <= b + d <= 0x10FFFF}))
def test_xml_text_keeps_exactly_the_xml_characters(cp: int) -> None:
    kept = docx_module.xml_text(chr(cp)) != ""
    assert kept == _xml_char(cp)


def test_line_breaks_and_spaces_survive(writer: DocxWriter) -> None:
    rows = [("产出指标", "数量指标", "第一行\n第二行", "  =3人 ", "历史标准", "", 10, "直接赋分", "工作资料")]
    table = open_docx(writer.render(make_project(rows))).tables[1]
    assert table.rows[1].cells[2].text == "第一行\n第二行"
    assert table.rows[1].cells[3].text == "  =3人 "


# -- against the naive python-docx version ---------------------------------------------------------


def _naive() -> Callable[[Project], bytes]:
    from benchmarks.naive_docx import render_naive

    return render_naive


def test_same_text_as_the_naive_python_docx_version(writer: DocxWriter, seed1: Project) -> None:
    ours, naive = open_docx(writer.render(seed1)), open_docx(_naive()(seed1))
    assert [p.text for p in ours.paragraphs[:2]] == [p.text for p in naive.paragraphs[:2]]
    for mine, theirs in zip(ours.tables, naive.tables, strict=True):
        assert [[c.text for c in r.cells] for r in mine.rows] == [[c.text for c in r.cells] for r in theirs.rows]

