"""PDF output (perfgen/render/pdf.py, pdfdoc.py, cff.py, fonts.py): read back with poppler (pdfinfo, pdffonts,
pdftotext, pdftoppm) and pypdf; pdftotext -layout fed to perfgen import gives the same goals."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from clitools import invoke
from pypdf import PdfReader
from render_tools import needs, pdf_pages, pdf_text
from sample_data import EXAMPLE_FILES, EXAMPLES_UNIT, example_projects, make_repo, project_values

from perfgen.load.loader import FsReader, Loader
from perfgen.render.fonts import NoCjkFont, find_cjk_font

pytestmark = needs("poppler")


def has_cjk_font() -> bool:
    try:
        find_cjk_font(None)
    except NoCjkFont:
        return False
    return True


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not has_cjk_font():
        pytest.fail("no CJK font on this machine (apt install fonts-noto-cjk)")
    repo = make_repo(tmp_path_factory.mktemp("pdf") / "repo")
    result = invoke(repo, "build", "--format", "pdf,docx", "--combine")
    assert result.exit_code == 0, result.output
    return repo


def pdfs(repo: Path) -> list[Path]:
    return sorted((repo / "build" / "2023").glob("*.pdf"))


def page_text(pdf: Path, page: int, layout: bool = False) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page), *(["-layout"] if layout else []), "-enc", "UTF-8",
            str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def test_one_pdf_per_project_a4_landscape_with_an_embedded_subset(built: Path) -> None:
    files = pdfs(built)
    assert [f.stem for f in files] == [f.stem for f in EXAMPLE_FILES]
    for pdf in files:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+841.89 x 595.28 pts \(A4\)", info), info
        assert "CreationDate" not in info and "ModDate" not in info
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        line = fonts.splitlines()[2]
        assert re.match(r"[A-Z]{6}\+\S+\s+CID Type 0C\s+Identity-H\s+yes yes yes", line), fonts
        assert len(fonts.splitlines()) == 3  # one font, nothing else
        assert pdf.stat().st_size < 60_000  # a subset, not the 26 MB font


def test_the_text_reads_in_the_tables_order(built: Path) -> None:
    text = pdf_text(built / "build" / "2023" / "03-shebao-jingban-jingfei.pdf")
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == "项目支出绩效目标表"
    assert lines[2].startswith("预算单位 库尔勒市社会保险中心")
    titles = next(i for i, line in enumerate(lines) if line.startswith("一级指标"))
    assert lines[titles].split() == ["一级指标", "二级指标", "三级指标", "指标值", "指标值设置依据", "上年完成值",
                                     "指标分值权重", "指标赋分规则", "佐证资料"]
    assert lines[titles + 1].startswith("产出指标 数量指标 企业养老参保人数 ≥16.44万人 历史标准 10")
    assert re.search(r"第\s*1\s*页\s*共\s*1\s*页", lines[-1])


def test_pdftotext_then_import_gives_the_same_goals(built: Path, tmp_path: Path) -> None:
    """The round trip of the issue: pdftotext -layout of each example's PDF, through perfgen import, is the
    example again (what the default form prints: everything but a project code and notes)."""
    texts = []
    for pdf in pdfs(built):
        target = tmp_path / f"{pdf.stem}.txt"
        target.write_text(pdf_text(pdf), encoding="utf-8")
        texts.append(target.name)
    result = invoke(tmp_path, "import", *texts, "--out", "goals/2023")
    assert result.exit_code == 0, result.output
    assert "[PG" not in result.output, result.output  # no warning, no repair
    imported = Loader(FsReader(tmp_path)).load_all(["goals/2023"])
    assert not [d for d in imported.diagnostics if d.severity == "error"]
    by_name = {p.name: project_values(p) for p in imported.projects}
    for original in example_projects():
        values = project_values(original)
        values["code"] = ""
        values["indicators"] = [(*row[:-1], "") for row in values["indicators"]]  # notes are not printed
        assert by_name[original.name] == values, original.name


def test_same_bytes_every_run(built: Path, tmp_path: Path) -> None:
    again = make_repo(tmp_path / "again")
    assert invoke(again, "build", "--format", "pdf", "--combine").exit_code == 0

    def digest(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "build").rglob("*.pdf"))}

    assert digest(built) == digest(again)


def test_the_combined_pdf_of_a_unit(built: Path) -> None:
    combined = built / "build" / "combined" / f"2023-{EXAMPLES_UNIT}.pdf"
    singles = sum(pdf_pages(p) for p in pdfs(built))
    assert pdf_pages(combined) == singles == len(EXAMPLE_FILES)
    reader = PdfReader(combined)
    titles = [item.title for item in reader.outline]
    assert titles == [p.name for p in example_projects()]  # one bookmark per project, in goals-file order
    assert [reader.get_destination_page_number(item) for item in reader.outline] == list(range(singles))
    assert re.search(r"第\s*1\s*页\s*共\s*9\s*页", page_text(combined, 1))
    assert re.search(r"第\s*9\s*页\s*共\s*9\s*页", page_text(combined, 9))
    assert "2022年-巴财企[2022]38号" in page_text(combined, 1)


def test_a_long_project_repeats_its_column_titles(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    path = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    text = path.read_text(encoding="utf-8")
    block = text[text.index("    数量指标:\n") + len("    数量指标:\n") : text.index("    质量指标:")]
    many = "".join(block.replace("name: ", f"name: 第{n}项") for n in range(30))
    path.write_text(text.replace(block, many, 1), encoding="utf-8")
    result = invoke(repo, "build", "--format", "pdf", EXAMPLE_FILES[0].relative_to(EXAMPLE_FILES[0].parents[2])
                    .as_posix())
    assert result.exit_code in (0, 1), result.output  # weights no longer add up (PG101): still an error
    if result.exit_code == 1:
        (repo / "perfgen.yaml").write_text("rules:\n  PG101: off\n", encoding="utf-8")
        result = invoke(repo, "build", "--format", "pdf")
        assert result.exit_code == 0, result.output
    pdf = repo / "build" / "2023" / path.with_suffix(".pdf").name
    pages = pdf_pages(pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        content = page_text(pdf, page)
        assert re.search(rf"第\s*{page}\s*页\s*共\s*{pages}\s*页", content)
        if page > 1:
            assert "一级指标" in content and "佐证资料" in content  # the column titles again
    assert "第29项" in page_text(pdf, pages) or "第29项" in pdf_text(pdf)


def test_no_cjk_font_is_an_error_not_boxes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "perfgen.yaml").write_text("pdf_font: 没有这个字体\n", encoding="utf-8")
    result = invoke(repo, "build", "--format", "pdf")
    assert result.exit_code == 1
    assert "[PG033]" in result.output and "fonts-noto-cjk" in result.output
    assert not list((repo / "build").rglob("*.pdf")) if (repo / "build").exists() else True


def test_a_font_file_can_be_named(tmp_path: Path) -> None:
    font = find_cjk_font(None)
    repo = make_repo(tmp_path / "repo")
    (repo / "perfgen.yaml").write_text(f"pdf_font: {font.path}\n", encoding="utf-8")
    assert invoke(repo, "build", "--format", "pdf").exit_code == 0
    assert len(list((repo / "build" / "2023").glob("*.pdf"))) == len(EXAMPLE_FILES)


def test_characters_the_font_lacks_are_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    path = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    path.write_text(path.read_text(encoding="utf-8").replace("提高领取退休补差人员生活水平。",
                                                             "提高领取退休补差人员生活水平\U0001f600。"),
                    encoding="utf-8")
    result = invoke(repo, "build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if "[PG034]" in line)
    assert warning.startswith(f"goals/2023/{EXAMPLE_FILES[0].name}") and "\U0001f600" in warning
    assert "警告[PG034]" in warning
    assert (repo / "build" / "2023" / path.with_suffix(".pdf").name).is_file()


@needs("pdftoppm")
def test_the_page_is_drawn(built: Path, tmp_path: Path) -> None:
    """Not a blank page: the table's lines and text are dark pixels."""
    pdf = built / "build" / "2023" / "01-yuanshuili-buchai.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pgm = next(tmp_path.glob("page*.pgm")).read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pgm)
    assert header is not None
    pixels = pgm[header.end():]
    dark = sum(1 for b in pixels if b < 128)
    assert 0.01 < dark / len(pixels) < 0.5


@pytest.mark.parametrize("form", ["mof-2021", "hunan-2023", "sichuan-2021"])
def test_every_built_in_form(tmp_path: Path, form: str) -> None:
    """Each form's own grid as PDF: every cell of its HTML page is text on the PDF's pages."""
    repo = make_repo(tmp_path / "repo")
    result = invoke(repo, "build", "--form", form, "--format", "pdf,html", "--combine")
    assert result.exit_code == 0, result.output
    folder = repo / "build" / form / "2023"
    for pdf in sorted(folder.glob("*.pdf")):
        text = re.sub(r"\s+", "", pdf_text(pdf, layout=False))
        page = (pdf.with_suffix(".html")).read_text(encoding="utf-8")
        cells = [re.sub(r"<[^>]+>|\s+", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, re.S)]
        assert len([c for c in cells if c]) > 20
        for cell in cells:
            cell = cell.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
            assert cell in text, (pdf.name, cell)
    combined = repo / "build" / form / "combined" / f"2023-{EXAMPLES_UNIT}.pdf"
    assert len(PdfReader(combined).outline) == len(EXAMPLE_FILES)


def test_the_listings_link_the_pdfs(built: Path) -> None:
    (page,) = (built / "build" / "units").iterdir()
    assert page.read_text(encoding="utf-8").count('.pdf"') == len(EXAMPLE_FILES) + 1  # each project's, the unit's
    index = (built / "build" / "index.html").read_text(encoding="utf-8")
    assert index.count('.pdf"') == 1  # the unit's combined PDF
