"""The reference Word document (templates/reference.docx, made by tools/make_reference_docx.py) as the built
files carry it: valid OOXML, lean, opened by python-docx and LibreOffice, in a serif Chinese face.

The rendering helpers and their skip rule are in render_tools.py (a missing program skips, except in CI).
The LibreOffice tests are slow (about a second per conversion): ``pytest -m slow tests/test_reference_docx.py``.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
import render_tools
from clitools import invoke
from lxml import etree
from render_tools import docx_to_pdf, needs, ooxml_errors, pdf_fonts, pdf_pages, pdf_text
from sample_data import EXAMPLE_FILES, ROOT, make_repo

REFERENCE = ROOT / "templates" / "reference.docx"
MAX_DOCX_BYTES = 12 * 1024  # a built example: about 8 KB, 5 KB of it the reference's parts
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_reference_docx", ROOT / "tools" / "make_reference_docx.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The nine examples built by ``perfgen build`` (the .docx files, in name order)."""
    repo = make_repo(tmp_path_factory.mktemp("reference") / "repo")
    result = invoke(repo, "build")
    assert result.exit_code == 0, result.output
    files = sorted((repo / "build").rglob("*.docx"))
    assert len(files) == len(EXAMPLE_FILES)
    return files


@pytest.mark.render
@needs("ooxml")
def test_reference_and_built_examples_pass_the_ooxml_check(built: list[Path]) -> None:
    """Schema and semantics as Word's own SDK checks them: e.g. w:rPr before w:tblPr in a table style."""
    for path in [REFERENCE, *built]:
        assert ooxml_errors(path) == [], path.name


def test_reference_holds_only_what_the_output_uses() -> None:
    with zipfile.ZipFile(REFERENCE) as z:
        names = set(z.namelist())
        styles = etree.fromstring(z.read("word/styles.xml"))
        fonts = etree.fromstring(z.read("word/fontTable.xml"))
    assert names == {"[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "word/_rels/document.xml.rels",
                     "word/document.xml", "word/fontTable.xml", "word/settings.xml", "word/styles.xml",
                     "word/theme/theme1.xml"}
    assert sorted(s.get(f"{W}styleId") for s in styles.iter(f"{W}style")) == sorted(_tool().KEEP_STYLES)
    assert styles.find(f"{W}latentStyles") is None
    assert [f.get(f"{W}name") for f in fonts] == ["SimSun", "Times New Roman"]


def test_word_falls_back_from_songti_to_a_serif_chinese_font() -> None:
    """Where 宋体 is missing Word substitutes from the font table: its other name, then a font of the same
    PANOSE class, family, charset (GB2312) and signature — a serif Chinese face, not a sans one."""
    fonts = etree.fromstring(zipfile.ZipFile(REFERENCE).read("word/fontTable.xml"))
    songti = fonts.find(f"{W}font[@{W}name='SimSun']")
    assert songti is not None

    def val(tag: str) -> str | None:
        el = songti.find(f"{W}{tag}")
        return None if el is None else el.get(f"{W}val")

    assert (val("altName"), val("family"), val("charset"), val("pitch")) == ("宋体", "roman", "86", "variable")
    assert val("panose1") == "02010600030101010101"  # SimSun's: Latin text, serif (cove)
    sig = songti.find(f"{W}sig")
    assert sig is not None and sig.get(f"{W}csb0") == "00040001"  # code pages Latin 1 and GB2312


def test_built_examples_are_lean_and_open_in_python_docx(built: list[Path]) -> None:
    for path in built:
        assert path.stat().st_size <= MAX_DOCX_BYTES, f"{path.name}: {path.stat().st_size} bytes"
        document = docx.Document(str(path))
        assert len(document.tables) == 2
        assert document.paragraphs[0].style is not None and document.paragraphs[0].style.style_id == "Title"


def test_needs_skips_a_missing_program_only_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_tools, "available", lambda tool: tool != "soffice")
    monkeypatch.setenv("CI", "")
    mark = needs("soffice", "poppler")
    assert mark.args == (True,) and "soffice" in mark.kwargs["reason"] and "poppler" not in mark.kwargs["reason"]
    monkeypatch.setenv("CI", "true")
    assert needs("soffice").args == (False,)  # in CI the test runs, and fails where soffice is missing
    assert needs("poppler").args == (False,)


# -- LibreOffice (slow) ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(built: list[Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The nine built examples converted to PDF by LibreOffice."""
    out = tmp_path_factory.mktemp("pdf")
    return [docx_to_pdf(path, out) for path in built]


@pytest.mark.slow
@pytest.mark.render
@needs("soffice", "poppler")
def test_built_examples_convert_in_libreoffice(pdfs: list[Path]) -> None:
    for pdf in pdfs:
        assert pdf_pages(pdf) >= 1
        text = pdf_text(pdf)
        assert "项目支出绩效目标表" in text and "预算单位" in text and "库尔勒市社会保险中心" in text, pdf.name


@pytest.mark.slow
@pytest.mark.render
@needs("soffice", "poppler")
def test_libreoffice_draws_the_chinese_text_in_a_serif_face(pdfs: list[Path]) -> None:
    """A serif CJK face (Noto Serif CJK where fonts-noto-cjk is installed), as the HTML's font stack gives,
    not a sans one. (Every face of a Noto CJK collection embeds as ``…CJKjp…``: see render_tools.pdf_fonts.)"""
    for pdf in pdfs:
        cjk = [name for name in pdf_fonts(pdf) if "CJK" in name or "Song" in name or "Ming" in name]
        assert cjk and all("Serif" in name or "Song" in name or "Ming" in name for name in cjk), (pdf.name, cjk)
