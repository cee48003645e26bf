"""The forms as they come out of a printer: Word through LibreOffice, HTML through Chromium, read back with poppler.

What is measured is what a reader sees: page counts, where the indicator table starts, whether a rule runs
unbroken or a label wraps — in the PDF's text (``pdftotext -bbox``: words with their boxes, in points) and in
its pixels (``pdftoppm -gray`` at 300 dpi, read here as a PGM, so no imaging library is needed). The programs
and the skip rule are render_tools'; the tests that run them are ``slow`` (``pytest -m slow``) and ``render``.
"""

from __future__ import annotations

import functools
import html
import io
import re
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html
import pytest
from clitools import invoke
from lxml import etree
from render_tools import docx_to_pdf, html_to_pdf, needs, vnu_errors
from sample_data import make_project, make_repo

from perfgen.forms.registry import default_form
from perfgen.forms.values import Printed
from perfgen.model import Project
from perfgen.render.docx import DocxWriter
from perfgen.render.html import HtmlRenderer
from perfgen.render.layout import Cell, Grid, Table, layout
from perfgen.render.view import project_form
from perfgen.resources import builtin_templates_dir

DPI = 300
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# -- projects made to print ------------------------------------------------------------------------------

# Every 二级 of the standard vocabulary under its 一级 (perfgen.load.config.VOCABULARY; 成本指标 as 产出指标's 二级
# is left out: the 一级 of that name prints it), and the standard words of the 依据, 赋分规则 and 佐证资料 columns.
LEVELS = (("产出指标", ("数量指标", "质量指标", "时效指标")),
          ("成本指标", ("经济成本指标", "社会成本指标", "生态环境成本指标")),
          ("效益指标", ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
          ("满意度指标", ("满意度指标", "服务对象满意度指标")))
# 财政部门认可的其他标准 (eleven characters) is not among them: on one line it would take a third of 三级's width.
BASIS = ("历史标准", "行业或国家标准", "行业标准", "计划标准", "预算支出标准")
SCORING = ("按照正常比例赋分", "直接赋分", "按评判等级赋分", "满意度赋分")
EVIDENCE = ("工作资料", "原始凭证", "说明材料")
# 三级 names of eight characters, as 42 of the examples' 71 are: the 三级 column gives room to 二级 but keeps them
# on one line.
NAMES = ("企业养老参保人数", "全民参保计划目标", "发放生活补贴入账", "每次发放（补助）", "城乡居民参保覆盖",
         "社会保险政策知晓", "受益退休人员满意")
TITLES = ("一级指标", "二级指标", "三级指标", "指标值", "指标值设置依据", "上年完成值", "指标分值权重", "指标赋分规则",
          "佐证资料")


def labels_project() -> Project:
    """One indicator under every standard 二级, the standard words cycled through the other columns."""
    pairs = [(l1, l2) for l1, l2s in LEVELS for l2 in l2s]
    return make_project([(l1, l2, NAMES[n % len(NAMES)], "=1次", BASIS[n % len(BASIS)], "", 6,
                          SCORING[n % len(SCORING)], EVIDENCE[n % len(EVIDENCE)]) for n, (l1, l2) in enumerate(pairs)])


# Forty indicators, each 三级 name unique by its first two characters (甲子, 乙子, …) and one to three lines long.
PREFIXES = tuple(stem + branch for branch in "子丑寅卯" for stem in "甲乙丙丁戊己庚辛壬癸")
NAME_TAILS = ("发放补助次数", "城乡居民基本养老保险参保人员待遇按时足额发放率", "资金支付及时性",
              "社会保险业务正常办理人次")


def forty_rows() -> list[tuple[object, ...]]:
    """40 indicators over every standard 二级 (6, 5, 4, 3, 3, 3, 3, 4, 3, 3, 3 of them), weights totalling 90."""
    pairs = [(l1, l2) for l1, l2s in LEVELS for l2 in l2s if l2 != "满意度指标"]
    counts = (6, 5, 4, 3, 3, 3, 3, 4, 3, 3, 3)
    rows: list[tuple[object, ...]] = []
    for (l1, l2), count in zip(pairs, counts, strict=True):
        for _ in range(count):
            n = len(rows)
            target = ("=12次", ">=98%", "有效提高", "<=0.42万元/次")[n % 4]
            rows.append((l1, l2, PREFIXES[n] + NAME_TAILS[n % 4], target, BASIS[n % 3], ("12次", "", "98%")[n % 3],
                         3 if n < 10 else 2, SCORING[n % 3], EVIDENCE[n % 3]))
    return rows


# 项目总体目标 of seven objectives, ~28 lines: too tall for what the title and three header rows leave of page 1,
# short enough for a page. Each objective starts with its own two characters (甲辰, 乙辰, …: no 三级 name's).
OBJECTIVE_PREFIXES = tuple(stem + "辰" for stem in "甲乙丙丁戊己庚")
OBJECTIVES = tuple(f"{prefix}保障全市城乡居民养老保险参保人员按时足额领取待遇，" + "按月足额发放各项养老保险待遇，" * 9
                   + "确保发放准确率达到100%。" for prefix in OBJECTIVE_PREFIXES)


PROJECTS: dict[str, Callable[[], Project]] = {
    "labels": labels_project,
    "forty": lambda: make_project(forty_rows()),
    "objectives": lambda: make_project(forty_rows()[:12], objectives=list(OBJECTIVES)),
}


# -- reading printed pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bitmap:
    """A page in grey levels (0 black … 255 white), ``width`` × ``height`` device pixels at :data:`DPI`."""

    width: int
    height: int
    pixels: bytes

    def row(self, y: int) -> bytes:
        return self.pixels[y * self.width : (y + 1) * self.width]

    def dark(self, x: int, y: int) -> bool:
        return self.pixels[y * self.width + x] < 160


def bitmap(pdf: Path, page: int = 1) -> Bitmap:
    """Page ``page`` of ``pdf`` rasterised in grey by pdftoppm (a binary PGM on its standard output)."""
    done = subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                           str(pdf)], capture_output=True, check=True, timeout=120)
    magic, width, height, _maxval, pixels = done.stdout.split(maxsplit=4)
    assert magic == b"P5", magic
    w, h = int(width), int(height)
    return Bitmap(w, h, pixels[-w * h :])


def dark_runs(line: bytes) -> list[tuple[int, int]]:
    """The runs of dark pixels along a line of pixels: (first pixel, length)."""
    runs, start = [], None
    for x, level in enumerate(line):
        if level < 160 and start is None:
            start = x
        elif level >= 160 and start is not None:
            runs.append((start, x - start))
            start = None
    if start is not None:
        runs.append((start, len(line) - start))
    return runs


@dataclass(frozen=True)
class Word:
    """A word of a printed page as pdftotext -bbox gives it: its box in points (y down) and its text."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def words(pdf: Path) -> list[Word]:
    """Every word of ``pdf``, page by page (from 1)."""
    done = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                          timeout=120, text=True)
    found = []
    for number, page in enumerate(done.stdout.split("<page ")[1:], start=1):
        for x0, y0, x1, y1, text in _WORD.findall(page):
            found.append(Word(number, float(x0), float(y0), float(x1), float(y1), html.unescape(text)))
    return found


# -- what is printed --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nine examples built by ``perfgen build``: ``build/2023/*.docx|html`` and ``build/index.html``."""
    repo = make_repo(tmp_path_factory.mktemp("repo"))
    result = invoke(repo, "build", "-j", "1")
    assert result.exit_code == 0, result.output
    return repo / "build"


@pytest.fixture(scope="module")
def chromium_pdf(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """``html`` printed by Chromium, once per file."""
    out = tmp_path_factory.mktemp("chromium")

    @functools.cache
    def printed(html: Path) -> Path:
        return html_to_pdf(html, out / f"{html.parent.name}-{html.stem}.pdf")

    return printed


class Printer:
    """Projects written in both formats and printed: Word by LibreOffice, HTML by Chromium (each once)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writer = DocxWriter(builtin_templates_dir() / "reference.docx")
        self.renderer = HtmlRenderer([builtin_templates_dir()])

    @functools.cache  # noqa: B019 - one printer per module
    def word(self, name: str) -> Path:
        docx = self.folder / f"{name}.docx"
        docx.write_bytes(self.writer.render(PROJECTS[name]()))
        return docx_to_pdf(docx, self.folder / "word")

    @functools.cache  # noqa: B019 - one printer per module
    def html(self, name: str) -> Path:
        page = self.folder / f"{name}.html"
        page.write_bytes(self.renderer.render_project(PROJECTS[name]()))
        return html_to_pdf(page, self.folder / "html" / f"{name}.pdf")


@pytest.fixture(scope="module")
def printer(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    return Printer(tmp_path_factory.mktemp("printed"))


# -- item 7: the right rule of every HTML table ----------------------------------------------------------


def edge_rules(page: Bitmap) -> list[tuple[int, int]]:
    """(left, right) widths in pixels of the outermost vertical rules, on every line that crosses a table
    between rules (its first and last dark runs are narrow: rules, not a horizontal line or text)."""
    found = []
    for y in range(0, page.height, 4):
        runs = dark_runs(page.row(y))
        if len(runs) >= 3 and runs[0][1] <= 8 and runs[-1][1] <= 8 and runs[-1][0] - runs[0][0] > page.width // 2:
            found.append((runs[0][1], runs[-1][1]))
    return found


@pytest.mark.slow
@pytest.mark.render
@needs("chromium", "poppler")
def test_html_tables_print_their_right_rule_as_thick_as_the_left(built: Path,
                                                                 chromium_pdf: Callable[[Path], Path]) -> None:
    """Chromium clipped the right rule of every table to 1 device pixel at 300 dpi (the left: 3)."""
    for page in (built / "2023" / "01-yuanshuili-buchai.html", built / "index.html", *(built / "units").iterdir()):
        rules = edge_rules(bitmap(chromium_pdf(page)))
        assert len(rules) > (4 if page.name == "index.html" else 20), page.name
        left = min(width for width, _ in rules)
        right = min(width for _, width in rules)
        assert left >= 2 and abs(right - left) <= 1, (page.name, left, right)


# -- item 12a: each HTML table on a grid of its own ------------------------------------------------------


def _cells(rows: tuple[tuple[Cell, ...], ...]) -> list[list[tuple[int, int]]]:
    return [[(c.col, c.span) for c in row] for row in rows]


def test_the_header_block_is_drawn_on_the_columns_where_its_cells_begin() -> None:
    """The default form's header block begins no cell in the grid's 2nd or 9th column: both join the column
    before them, widths summed, spans counted again; the indicator table begins a cell in every column."""
    lay = layout(default_form(), make_project([("产出指标", "数量指标", "甲", "=1次", "历史标准", "", 90, "直接赋分",
                                                "工作资料")]))
    widths = lay.widths
    header, indicators = lay.tables
    grid = header.compact(widths)
    assert grid.widths == (widths[0] + widths[1], *widths[2:7], widths[7] + widths[8])
    assert _cells(grid.rows) == [[(0, 1), (1, 6)], [(0, 1), (1, 3), (4, 2), (6, 1)],
                                 [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1)], [(0, 1), (1, 6)]]
    assert [[c.text for c in row] for row in grid.rows] == [[c.text for c in row] for row in header.rows]
    same = indicators.compact(widths)
    assert same.widths == widths and same.rows is indicators.rows


def test_compact_grids_share_their_rules_and_fill_the_width() -> None:
    """Percentages are rounded where columns meet, so a rule two tables share prints at one place in both."""
    cell = functools.partial(Cell, role="value", value=Printed(("x",)))
    table = Table("t", ((cell(0, span=3), cell(3, span=2)), (cell(0), cell(1, span=2), cell(3), cell(4))))
    grid = table.compact((1, 1, 1, 1, 1))  # nothing begins in the third column
    assert grid.widths == (1, 2, 1, 1) and grid.css_widths() == ("20.0%", "40.0%", "20.0%", "20.0%")
    assert _cells(grid.rows) == [[(0, 2), (2, 2)], [(0, 1), (1, 1), (2, 1), (3, 1)]]
    thirds = Grid((1, 1, 1), ()).css_widths()  # one by one: 33.3% three times, 99.9% in all
    assert thirds == ("33.3%", "33.4%", "33.3%") and Grid((2, 1), ()).css_widths() == ("66.7%", "33.3%")


@pytest.mark.render
@needs("vnu")
def test_the_w3c_checker_finds_no_error_in_the_built_pages(built: Path) -> None:
    """Before each table had its own grid, vnu reported two errors on every form page: “Table column 2
    (and 9) established by element col has no cells beginning in it” (the header block's)."""
    pages = sorted((built / "2023").glob("*.html"))
    assert len(pages) == 9
    assert vnu_errors(built / "index.html", *(built / "units").iterdir(), *pages) == []


# -- item 9: column widths fit the standard labels ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.render
@needs("soffice", "chromium", "poppler")
@pytest.mark.parametrize("kind", ["word", "html"])
def test_every_standard_label_prints_on_one_line(printer: Printer, kind: str) -> None:
    """“可持续影响指/标”, “服务对象满意/度指标”, “生态环境成本/指标” wrapped inside the word: each label must
    be one word of the printed page (a wrapped one is two, on two lines). So must the column titles and the
    common eight-character 三级 names."""
    pdf = printer.word("labels") if kind == "word" else printer.html("labels")
    printed = {w.text for w in words(pdf)}
    wanted = {*TITLES, *(l1 for l1, _ in LEVELS), *(l2 for _, l2s in LEVELS for l2 in l2s), *BASIS, *SCORING,
              *EVIDENCE, *NAMES}
    assert sorted(wanted - printed) == []


# -- items 6 and 11: pages -------------------------------------------------------------------------------


def column_text(found: list[Word], page: int, left: float) -> str:
    """The text of a left-aligned column on ``page``: its words whose left edge is ``left``, top to bottom."""
    return "".join(w.text for w in sorted((w for w in found if w.page == page and abs(w.x0 - left) < 1.5),
                                          key=lambda w: (w.y0, w.x0)))


@pytest.mark.slow
@pytest.mark.render
@needs("soffice", "chromium", "poppler")
def test_forty_indicators_print_from_html_on_no_more_pages_than_from_word(printer: Printer) -> None:
    """Chromium printed 5 pages against LibreOffice's 3: page 1 held only the header block, and pages broke only
    between 二级 groups (a row's break-inside: avoid held for every row its rowspan cells cover)."""
    word, page = words(printer.word("forty")), words(printer.html("forty"))
    assert max(w.page for w in page) <= max(w.page for w in word)
    names = [row[2] for row in forty_rows()]
    for found in (word, page):
        on_one = {w.text for w in found if w.page == 1}
        assert {"一级指标", "三级指标"} <= on_one and any(t.startswith(str(names[0])) for t in on_one)
        # No row is split across pages: every 三级 name is whole on one page (its lines all there).
        left = min(w.x0 for w in found if w.text.startswith(PREFIXES[0]))
        texts = [column_text(found, n, left) for n in range(1, max(w.page for w in found) + 1)]
        assert [sum(str(name) in text for text in texts) for name in names] == [1] * len(names)


@pytest.mark.slow
@pytest.mark.render
@needs("soffice", "chromium", "poppler")
@pytest.mark.parametrize("kind", ["word", "html"])
def test_a_long_objectives_row_starts_on_page_one_and_goes_on_to_page_two(printer: Printer, kind: str) -> None:
    """The row of 项目总体目标 moved whole to page 2, leaving page 1 with the title and three rows."""
    found = words(printer.word("objectives") if kind == "word" else printer.html("objectives"))
    first = [w.page for w in found if OBJECTIVE_PREFIXES[0] in w.text]
    last = [w.page for w in found if OBJECTIVE_PREFIXES[-1] in w.text]
    assert first == [1] and last == [2], (first, last)


def _document(project: Project) -> etree._Element:
    data = DocxWriter(builtin_templates_dir() / "reference.docx").render(project)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def test_word_lets_only_the_header_blocks_rows_break_across_pages() -> None:
    """What the printed test above relies on, in the file: the header block's rows have no w:cantSplit (a long
    项目总体目标 may break), every row of the indicator table keeps it."""
    header, indicators = _document(PROJECTS["objectives"]()).iter(f"{W}tbl")
    assert [tr.find(f"{W}trPr/{W}cantSplit") for tr in header.iter(f"{W}tr")] == [None] * 4
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in indicators.iter(f"{W}tr"))


# -- item 8: one look ------------------------------------------------------------------------------------


def test_text_cells_are_aligned_as_the_definition_says_in_both_formats() -> None:
    """Text a form prints as written (role 'text', e.g. 四川's “1、一般公共预算”) is left or centred as its
    definition says, in Word (the left paragraph style) and in HTML (class ``left``) alike."""
    project = make_project(forty_rows()[:2])
    lay = layout(default_form(), project)
    header = lay.tables[0]
    text = [Cell(0, "text", Printed(("左起的说明文字",)), 2, align="left"),
            Cell(2, "text", Printed(("居中的说明文字",)), 7)]
    lay = replace(lay, tables=(replace(header, rows=(*header.rows, tuple(text))), *lay.tables[1:]))
    page = lxml.html.fromstring(HtmlRenderer([builtin_templates_dir()]).render_project(project,
                                                                                        project_form(project, lay)))
    assert [(td.text_content(), td.get("class")) for td in page.xpath("//td[contains(@class, 'text')]")] == [
        ("左起的说明文字", "text left"), ("居中的说明文字", "text")]
    body = etree.fromstring(DocxWriter(builtin_templates_dir() / "reference.docx").document_xml(lay).encode())
    styles = {"".join(p.itertext()): p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for p in body.iter(f"{W}p")
              if p.find(f"{W}pPr/{W}pStyle") is not None}
    assert (styles["左起的说明文字"], styles["居中的说明文字"]) == ("PerfgenCellLeft", "PerfgenCell")


# -- item 10: one frame -----------------------------------------------------------------------------------


def seam(page: Bitmap, middle: int) -> tuple[dict[int, int], int, int]:
    """Where the header block meets the indicator table, found up from ``middle`` (a pixel line through the
    column-title row): ({x of each vertical rule of the title row that the header block's
    last row also draws: pixels it misses across the seam (0: unbroken)}, the seam's thickness in pixels, the
    thickness of the rule under the column titles)."""
    def line(y: int) -> bool:
        return max((width for _, width in dark_runs(page.row(y))), default=0) > page.width // 2

    def thickness(y: int, step: int) -> tuple[int, int]:
        while not line(y):
            y += step
        start = y
        while line(y):
            y += step
        return start, abs(y - start)

    top, seam_width = thickness(middle, -1)  # the seam's lowest pixel line
    _, under_titles = thickness(middle, 1)
    below = top + 4  # inside the title row, above its text
    rules = {}
    for x in (x + width // 2 for x, width in dark_runs(page.row(below)) if width <= 8):
        def dark(y: int, x: int = x) -> bool:
            return any(page.dark(x + dx, y) for dx in (-2, -1, 0, 1, 2))

        if all(dark(y) for y in range(top - 40, top - 20)):  # a rule of the header block's last row
            rules[x] = sum(not dark(y) for y in range(top - 20, below))
    return rules, seam_width, under_titles


def test_the_paragraph_between_the_word_tables_takes_no_room() -> None:
    """Word would join adjacent tables (and the column titles would no longer lead a table, so no longer
    repeat): a paragraph keeps them apart, its mark hidden and its line one twip high."""
    body = _document(PROJECTS["forty"]()).find(f"{W}body")
    children = [etree.QName(child).localname for child in body]
    between = body[children.index("tbl") + 1]
    assert etree.QName(between).localname == "p" and children.count("tbl") == 2
    assert between.find(f"{W}pPr/{W}rPr/{W}vanish") is not None and not "".join(between.itertext())
    spacing = between.find(f"{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("1", "exact")


@pytest.mark.slow
@pytest.mark.render
@needs("soffice", "chromium", "poppler")
@pytest.mark.parametrize("kind", ["word", "html"])
def test_header_block_and_indicator_table_print_as_one_frame(printer: Printer, kind: str) -> None:
    """In Word every vertical rule stopped for about 1 pt where the header block meets the indicator table (a
    spacer paragraph between the two tables, and the header block drew no bottom edge)."""
    pdf = printer.word("forty") if kind == "word" else printer.html("forty")
    found = words(pdf)
    label = next(w for w in found if w.page == 1 and w.text == "项目总体目标")
    title = next(w for w in found if w.page == 1 and w.text == "一级指标")
    middle = round((title.y0 + title.y1) / 2 * DPI / 72)  # of the column-title row
    assert label.y1 < middle * 72 / DPI
    rules, seam_width, under_titles = seam(bitmap(pdf), middle)
    assert len(rules) >= 3  # the two sides and the rule after 项目总体目标 (二级指标)
    assert rules == dict.fromkeys(rules, 0)
    assert seam_width <= under_titles + 1  # one rule, not two
