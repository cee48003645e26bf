"""Excel output (perfgen/render/xlsx.py): `perfgen build --format xlsx` and the combined workbook, read back with
openpyxl (cells, types, merged ranges, print setup) and rendered by LibreOffice."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import lxml.html
import openpyxl
import pytest
from clitools import invoke
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from render_tools import needs, office_to_pdf, ooxml_errors, pdf_pages, pdf_text
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.forms.registry import load_forms
from perfgen.model import format_number
from perfgen.render.xlsx import SHEET_NAME_LIMIT, sheet_name

FORMULA_LIKE = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"y\")"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("xlsx") / "repo")
    result = invoke(repo, "build", "--format", "xlsx", "--combine")
    assert result.exit_code == 0, result.output
    return repo


def sheet(path: Path) -> Worksheet:
    book = openpyxl.load_workbook(path)
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def values(ws: Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def find(ws: Worksheet, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise AssertionError(f"{text!r} not in the sheet")


def merged(ws: Worksheet) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_one_workbook_per_project_with_the_form(built: Path) -> None:
    files = sorted((built / "build" / "2023").glob("*.xlsx"))
    assert [f.stem for f in files] == [f.stem for f in EXAMPLE_FILES]
    ws = sheet(built / "build" / "2023" / "01-yuanshuili-buchai.xlsx")
    assert ws["A1"].value == "项目支出绩效目标表" and ws["A1"].font.b
    assert ws["A2"].value == "(2023年)"  # as the seed prints it
    grid = values(ws)
    flat = [v for row in grid for v in row if v is not None]
    for label in ("预算单位", "项目名称", "项目资金（万元）", "一级指标", "二级指标", "三级指标", "指标值", "佐证资料"):
        assert label in flat, label
    assert "库尔勒市社会保险中心" in flat
    assert "2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资" in flat
    # 一级 merged down its rows: 产出指标 spans its four indicators; the title merged across the grid
    row, col = find(ws, "产出指标")
    spans = {r for r in merged(ws) if r.startswith(ws.cell(row, col).coordinate + ":")}
    assert len(spans) == 1
    first, last = next(iter(spans)).split(":")
    assert ws[last].row - ws[first].row + 1 == 4
    assert "A1:I1" in merged(ws)
    # the indicator rows: 指标值 as written, text; weights numbers
    row, col = find(ws, "发放补助次数")
    target, weight = ws.cell(row, col + 1), ws.cell(row, col + 4)
    assert target.value == "=12次" and target.data_type == "s"
    assert weight.value == 10 and weight.data_type == "n"


def test_money_is_a_number_with_two_decimals(built: Path) -> None:
    ws = sheet(built / "build" / "2023" / "07-chengxiang-yanglao-peitao.xlsx")
    row, col = find(ws, "年度预算总额：")
    amount = ws.cell(row, col + 1)
    assert amount.value == pytest.approx(1780.91) and amount.data_type == "n"
    assert amount.number_format == "0.00"


def test_print_setup(built: Path) -> None:
    ws = sheet(built / "build" / "2023" / "04-zhongyang-chengxiang-yanglao.xlsx")
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 wide is the default
    title_row = find(ws, "一级指标")[0]
    assert ws.print_title_rows == f"${title_row}:${title_row}"  # the column titles repeat on every page
    assert "第 &P 页 共 &N 页" in str(ws.oddFooter.center.text)
    assert all(ws.column_dimensions[c].width > 3 for c in "ABCDEFGHI")
    assert ws.cell(title_row + 1, 3).alignment.wrap_text


def test_rows_are_high_enough_for_their_text(built: Path) -> None:
    """A merged cell's text does not grow its row in Excel or LibreOffice: perfgen sets the heights."""
    ws = sheet(built / "build" / "2023" / "09-jiguan-yanglao-doudi.xlsx")
    row = find(ws, "项目总体目标")[0]
    lines = len(str(ws.cell(row, 3).value).split("\n"))
    assert ws.row_dimensions[row].height >= lines * 13


def test_same_bytes_every_run(built: Path, tmp_path: Path) -> None:
    again = make_repo(tmp_path / "again")
    assert invoke(again, "build", "--format", "xlsx", "--combine").exit_code == 0

    def digest(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "build").rglob("*.xlsx"))}

    assert digest(built) == digest(again)
    with zipfile.ZipFile(built / "build" / "2023" / "01-yuanshuili-buchai.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
    assert "2023-01-01T00:00:00Z" in core and "perfgen" in core


def test_values_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    """CSV/formula injection: whatever a goals file says is written as text, never as a formula."""
    repo = make_repo(tmp_path / "repo")
    path = repo / "goals" / "2023" / "01-yuanshuili-buchai.yaml"
    text = path.read_text(encoding="utf-8")
    replaced = ["工作资料", "历史标准", "按照正常比例赋分", "原始凭证", "说明材料"]
    for old, value in zip(replaced, FORMULA_LIKE, strict=True):
        text = text.replace(old, json.dumps(value), 1)
    text = re.sub(r"^name: .*$", lambda _: "name: " + json.dumps("=cmd|'/C calc'!A0"), text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    result = invoke(repo, "build", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    out = repo / "build" / "2023" / "01-yuanshuili-buchai.xlsx"
    ws = sheet(out)
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for value in [*FORMULA_LIKE, "=cmd|'/C calc'!A0"]:
        assert value in cells, value
        assert cells[value].data_type == "s"
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_sheet_names_are_legal_stable_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("社会保险经办经费", taken) == "社会保险经办经费"
    long = "2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资"
    name = sheet_name(long, taken)
    assert len(name) <= SHEET_NAME_LIMIT and not re.search(r"[\[\]:*?/\\]", name)
    assert name == sheet_name(long, set())  # the same on every run
    assert sheet_name(long, taken, "goals/2023/b.yaml") != name  # the same name twice: still unique
    for bad in ("a/b", "x:y", "why?", "*", "'quoted'", "History", "history", ""):
        made = sheet_name(bad, set())
        assert made and made[0] != "'" and made[-1] != "'" and not re.search(r"[\[\]:*?/\\]", made)
        assert made.lower() != "history"
    assert sheet_name("Budget", {"budget"}).lower() != "budget"


def test_combined_workbook_lists_the_unit(built: Path) -> None:
    book = openpyxl.load_workbook(built / "build" / "combined" / "2023-库尔勒市社会保险中心.xlsx")
    assert book.sheetnames[0] == "目录" and len(book.sheetnames) == 1 + len(EXAMPLE_FILES)
    contents = book["目录"]
    rows = values(contents)
    assert rows[1][:3] == ["序号", "项目名称", "年度预算总额（万元）"]
    listed = [r[1] for r in rows[2 : 2 + len(EXAMPLE_FILES)]]
    names = []
    for ws in book.worksheets[1:]:
        row, col = find(ws, "项目名称")
        names.append(next(c.value for c in ws[row][col:] if c.value))
    assert listed == names  # in goals-file order, each sheet holding the project listed
    assert names[0].startswith("2022年-巴财企[2022]38号")
    total = rows[2 + len(EXAMPLE_FILES)]
    assert total[0] == "合计（9 个项目）"
    assert total[2] == pytest.approx(sum(r[2] for r in rows[2 : 2 + len(EXAMPLE_FILES)]))
    assert total[2] == pytest.approx(15251.21)
    link = contents.cell(3, 8).hyperlink
    assert link is not None and link.location == f"'{book.sheetnames[1]}'!A1"


@pytest.mark.slow  # LibreOffice prints nine workbooks (3 s)
@needs("soffice", "pdftotext")
def test_libreoffice_prints_each_example_on_one_page(built: Path, tmp_path: Path) -> None:
    files = sorted((built / "build" / "2023").glob("*.xlsx"))
    combined_xlsx = built / "build" / "combined" / "2023-库尔勒市社会保险中心.xlsx"
    *pdfs, combined = office_to_pdf([*files, combined_xlsx], tmp_path)
    for f, pdf in zip(files, pdfs, strict=True):
        assert pdf_pages(pdf) == 1, f.name
        text = pdf_text(pdf)
        assert "项目支出绩效目标表" in text and re.search(r"第\s*1\s*页\s*共\s*1\s*页", text)
    pages = pdf_pages(combined)
    assert pages == 1 + len(files)
    assert re.search(rf"第\s*{pages}\s*页\s*共\s*{pages}\s*页", pdf_text(combined))  # across the workbook


@pytest.mark.parametrize("form", ["mof-2021", "hunan-2023", "sichuan-2021"])
def test_every_built_in_form(tmp_path: Path, form: str) -> None:
    """Each form's own grid: its title, its column titles, spans merged; LibreOffice prints it one page wide."""
    repo = make_repo(tmp_path / "repo")
    result = invoke(repo, "build", "--form", form, "--format", "xlsx,html")
    assert result.exit_code == 0, result.output
    files = sorted((repo / "build" / form / "2023").glob("*.xlsx"))
    assert len(files) == len(EXAMPLE_FILES)
    widths = load_forms(None, [form])[form].widths
    for path in files:
        ws = sheet(path)
        html = lxml.html.parse(str(path.with_suffix(".html"))).getroot()
        cells = [" ".join(td.text_content().split()) for td in html.iter("td", "th")]
        texts = {cell_text(c) for row in ws.iter_rows() for c in row if c.value not in (None, "")}
        assert {c for c in cells if c} <= texts, path.name  # every cell of the HTML form is in the sheet
        assert len(merged(ws)) >= 3
        assert ws.max_column == len(widths)


def cell_text(c: Cell) -> str:
    """What a cell shows: money with its two decimals, other numbers as perfgen prints them."""
    if c.data_type == "n":
        return f"{c.value:.2f}" if c.number_format == "0.00" else format_number(float(c.value))
    return " ".join(str(c.value).split())


def test_valid_spreadsheetml(built: Path) -> None:
    """The parts perfgen writes itself (sheets, workbook, content types) pass the OOXML schema check."""
    for path in (built / "build" / "2023" / "06-kunnan-qiye-tuixiu-buzhu.xlsx",
                 built / "build" / "combined" / "2023-库尔勒市社会保险中心.xlsx"):
        assert ooxml_errors(path) == [], path.name
