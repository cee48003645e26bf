"""perfgen build --combine: one document per unit and year, for each form and format, rebuilt only when one of
its projects changes (perfgen/build/combine.py)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from clitools import invoke
from lxml import etree
from render_tools import docx_to_pdf, needs, ooxml_errors, pdf_pages, vnu_errors
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.build.combine import combined_path, unit_file_name

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The nine examples in three unit folders: units 单位00 … 单位02, nine projects each."""
    return make_repo(tmp_path / "repo", units=3)


def combined(repo: Path, unit: str, ext: str, form: str | None = None) -> Path:
    return repo / "build" / (f"{form}/" if form else "") / "combined" / f"2023-{unit}.{ext}"


def example_names() -> list[str]:
    names = []
    for path in EXAMPLE_FILES:
        match = re.search(r"^name: (.+)$", path.read_text(encoding="utf-8"), re.M)
        assert match is not None
        names.append(match[1].strip().strip("'\""))
    return names


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


def test_one_word_and_html_document_per_unit_and_year(repo: Path) -> None:
    result = invoke(repo, "build", "--combine")
    assert result.exit_code == 0, result.output
    made = sorted(p.relative_to(repo / "build").as_posix() for p in (repo / "build" / "combined").iterdir())
    assert made == [f"combined/2023-单位{n:02d}.{ext}" for n in range(3) for ext in ("docx", "html")]
    # Word: one section per project, each with the reference's landscape page, all sharing the page-number footer
    with zipfile.ZipFile(combined(repo, "单位01", "docx")) as z:
        body = etree.fromstring(z.read("word/document.xml")).find("w:body", NS)
        footer = z.read("word/perfgen-footer.xml").decode("utf-8")
        assert "word/perfgen-footer.xml" in z.read("[Content_Types].xml").decode("utf-8")
    sections = body.findall(".//w:sectPr", NS)
    assert len(sections) == 9
    for sect in sections:
        assert sect.find("w:pgSz", NS).get(f"{{{W}}}orient") == "landscape"
        assert sect.find("w:footerReference", NS) is not None
    assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in footer and " 页 共 " in footer
    titles = [p for p in body.iter(f"{{{W}}}p") if p.find("w:pPr/w:pStyle[@w:val='Title']", NS) is not None]
    assert len(titles) == 9
    # the projects in goals-file order: the 项目名称 of each section
    text = "".join(t.text or "" for t in body.iter(f"{{{W}}}t"))
    positions = [text.index(name) for name in example_names()]
    assert positions == sorted(positions)
    # HTML: one page, a section per project, in the same order
    page = lxml.html.document_fromstring(combined(repo, "单位01", "html").read_text(encoding="utf-8"))
    projects = page.xpath("//section[@class='project']")
    assert len(projects) == 9
    names = [s.xpath(".//td[contains(@class, 'name')]")[0].text_content() for s in projects]
    assert names == example_names()
    assert "counter(pages)" in page.xpath("//style")[-1].text


def test_index_links_each_units_combined_documents(repo: Path) -> None:
    assert invoke(repo, "build", "--combine").exit_code == 0
    index = lxml.html.parse(str(repo / "build" / "index.html")).getroot()
    rows = index.xpath("//tbody/tr")
    assert len(rows) == 3
    for row in rows:
        unit = row.xpath("td[@class='name']")[0].text_content()
        links = {a.text_content(): a.get("href") for a in row.xpath("td[contains(@class, 'combined')]/a")}
        assert set(links) == {"Word", "网页"}
        for href in links.values():
            assert (repo / "build" / unquote(href)).is_file()
            assert unit in unquote(href)
    for page in (repo / "build" / "units").iterdir():  # and each unit's page, relative to its folder
        group = lxml.html.parse(str(page)).getroot()
        unit = group.xpath("//h1")[0].text_content().split()[0]
        links = {a.text_content(): a.get("href") for a in group.xpath("//p[@class='combined']/a")}
        assert set(links) == {"Word", "网页"}
        for href in links.values():
            assert href.startswith("../") and (page.parent / unquote(href)).resolve().is_file()
            assert unit in unquote(href)


def test_a_units_document_is_rebuilt_when_one_of_its_projects_changes_and_only_then(repo: Path) -> None:
    assert invoke(repo, "build", "--combine").exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in (repo / "build" / "combined").iterdir()}
    old = digests(repo / "build" / "combined")
    assert invoke(repo, "build", "--combine").exit_code == 0  # nothing changed: nothing made again
    assert {p: p.stat().st_mtime_ns for p in before} == before
    edited = repo / "goals" / "unit01" / "2023" / EXAMPLE_FILES[2].name
    edited.write_text(edited.read_text(encoding="utf-8").replace("name: ", "name: 改", 1), encoding="utf-8")
    result = invoke(repo, "build", "--combine")
    assert result.exit_code == 0, result.output
    new = digests(repo / "build" / "combined")
    changed = sorted(k for k in new if new[k] != old[k])
    assert changed == ["2023-单位01.docx", "2023-单位01.html"]
    untouched = [p for p in before if "单位01" not in p.name]
    assert all(p.stat().st_mtime_ns == before[p] for p in untouched)


def test_combined_documents_go_when_their_unit_or_the_setting_goes(repo: Path) -> None:
    assert invoke(repo, "build", "--combine").exit_code == 0
    for path in (repo / "goals" / "unit02").rglob("*.yaml"):
        path.unlink()
    assert invoke(repo, "build", "--combine").exit_code == 0
    assert not combined(repo, "单位02", "docx").exists()
    assert combined(repo, "单位01", "docx").exists()
    assert invoke(repo, "build").exit_code == 0  # combine off: the folder is emptied and removed
    assert not (repo / "build" / "combined").exists()
    index = lxml.html.parse(str(repo / "build" / "index.html")).getroot()
    assert index.xpath("//td[contains(@class, 'combined')]/a") == []
    for page in (repo / "build" / "units").iterdir():
        assert "合并文件" not in page.read_text(encoding="utf-8")


def test_the_setting_in_perfgen_yaml_and_another_form(repo: Path) -> None:
    (repo / "perfgen.yaml").write_text("combine: true\nforms: [xinjiang-2023, hunan-2023]\n", encoding="utf-8")
    result = invoke(repo, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert combined(repo, "单位00", "docx").is_file()
    assert combined(repo, "单位00", "docx", form="hunan-2023").is_file()
    assert not combined(repo, "单位00", "html").exists()
    assert invoke(repo, "build", "--format", "docx", "--no-combine").exit_code == 0
    assert not combined(repo, "单位00", "docx").exists()


def test_combined_bytes_are_reproducible(tmp_path: Path) -> None:
    a, b = make_repo(tmp_path / "a", units=2), make_repo(tmp_path / "b", units=2)
    assert invoke(a, "build", "--combine", "-j", "1").exit_code == 0
    assert invoke(b, "build", "--combine", "-j", "2").exit_code == 0
    assert digests(a / "build") == digests(b / "build")
    assert invoke(a, "build", "--combine", "--force").exit_code == 0
    assert digests(a / "build") == digests(b / "build")


def test_shards_make_no_combined_documents(repo: Path) -> None:
    result = invoke(repo, "build", "--combine", "--shard", "1/2")
    assert result.exit_code == 0, result.output
    assert not (repo / "build" / "combined").exists()
    assert "--shard" in result.output


@pytest.mark.parametrize(("unit", "expected"), [
    ("库尔勒市社会保险中心", "2023-库尔勒市社会保险中心"),
    ("a/b", "2023-a_b-" + hashlib.sha256(b"a/b").hexdigest()[:8]),
    ("..", "2023-_-" + hashlib.sha256(b"..").hexdigest()[:8]),
    ('x:*?"<>|\\\x01', "2023-x" + "_" * 9 + "-" + hashlib.sha256(b'x:*?"<>|\\\x01').hexdigest()[:8]),
])
def test_unit_file_names_are_safe_and_never_shared(unit: str, expected: str) -> None:
    assert unit_file_name(2023, unit) == expected


def test_a_long_unit_name_is_cut_and_kept_apart() -> None:
    a, b = "单" * 100 + "甲", "单" * 100 + "乙"
    assert unit_file_name(2023, a) != unit_file_name(2023, b)
    assert len(unit_file_name(2023, a).encode("utf-8")) < 255
    assert combined_path("hunan-2023", "xinjiang-2023", "pdf", 2023, "甲") == "hunan-2023/combined/2023-甲.pdf"


def test_unit_names_from_goals_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    defaults = repo / "goals" / "2023" / "_defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    defaults.write_text(re.sub(r"^unit: .*$", "unit: ../../../escape", text, flags=re.M), encoding="utf-8")
    result = invoke(repo, "build", "--combine")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "escape.docx").exists() and not list(tmp_path.glob("*escape*"))
    (made,) = [p.name for p in (repo / "build" / "combined").glob("*.docx")]
    assert made.startswith("2023-_.._.._escape-")
    assert os.sep not in made


@pytest.mark.slow  # LibreOffice prints the combined document (2.5 s)
@pytest.mark.render
@needs("soffice", "pdftotext")
def test_word_document_prints_each_project_from_a_new_page_numbered_across(repo: Path, tmp_path: Path) -> None:
    assert invoke(repo, "build", "--combine", "--format", "docx").exit_code == 0
    docx_path = combined(repo, "单位00", "docx")
    assert ooxml_errors(docx_path) == []
    pdf = docx_to_pdf(docx_path, tmp_path / "pdf")
    pages = pdf_pages(pdf)
    assert pages >= 9
    for page in (1, 2, pages):
        text = re.sub(r"\s+", "", _page_text(pdf, page))
        assert f"第{page}页共{pages}页" in text
    starts = [n for n in range(1, pages + 1) if "项目支出绩效目标表" in _page_text(pdf, n)]
    assert len(starts) == 9


@pytest.mark.render
@needs("vnu")
def test_combined_html_is_valid(repo: Path) -> None:
    assert invoke(repo, "build", "--combine", "--format", "html").exit_code == 0
    assert vnu_errors(combined(repo, "单位00", "html")) == []


def _page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_listings_only_gain_the_links(repo: Path) -> None:
    assert invoke(repo, "build").exit_code == 0
    pages = [repo / "build" / "index.html", *sorted((repo / "build" / "units").iterdir())]
    plain = [p.read_text(encoding="utf-8") for p in pages]
    assert invoke(repo, "build", "--combine").exit_code == 0
    with_links = [p.read_text(encoding="utf-8") for p in pages]
    assert all('<p class="combined">' in page for page in with_links[1:])
    assert [re.sub(r'<p class="combined">.*?</p>\n', "", page) for page in with_links[1:]] == plain[1:]
    cells = r'(<td class="file combined">).*?(</td>)'
    assert re.sub(cells, r"\1\2", with_links[0]) == re.sub(cells, r"\1\2", plain[0]) != with_links[0]
