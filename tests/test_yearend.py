"""The year-end and mid-year data in the model (issue 14 item 1): read with their positions, valid in the schema,
and invisible to the target table — adding them leaves every output of the default form byte for byte the same."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from clitools import invoke
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.load.loader import FsReader, Loader
from perfgen.model import Indicator

CASES = Path(__file__).parent / "cases" / "validate"
COMPLETE = CASES / "yearend-complete-no-findings" / "goals" / "2023" / "a.yaml"
MIDYEAR = CASES / "pg156-midyear-pace-red-light" / "goals" / "2023" / "a.yaml"


def load(path: Path, tmp: Path) -> object:
    target = tmp / "goals" / "2023" / "a.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, target)
    result = Loader(FsReader(tmp)).load_all(["goals"])
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.message for d in result.diagnostics]
    return result.projects[0]


def test_year_end_values_in_the_model(tmp_path: Path) -> None:
    p = load(COMPLETE, tmp_path)
    ex = p.execution  # type: ignore[attr-defined]
    assert (ex.initial, ex.adjusted, ex.spent) == (1780.91, 1800.0, 1790.5)
    assert ex.lines["当年财政拨款"].adjusted == 1800.0 and ex.achieved == ["发放12次。"]
    assert ex.where["spent"].line == 11
    first = p.indicators[0]  # type: ignore[attr-defined]
    assert first.actual == "57600人" and first.pos("actual").line == 24
    qualitative = next(i for i in p.indicators if i.actual == "达成年度指标")  # type: ignore[attr-defined]
    assert qualitative.score == 9.0 and qualitative.deviation


def test_mid_year_values_in_the_model(tmp_path: Path) -> None:
    p = load(MIDYEAR, tmp_path)
    mid = p.midyear  # type: ignore[attr-defined]
    assert (mid.month, mid.spent, mid.forecast_spent, mid.progress) == (7, 300.0, 1780.91, ["已发放7次。"])
    first = p.indicators[0].midyear  # type: ignore[attr-defined]
    assert (first.value, first.forecast, first.likelihood, first.causes) == ("57100人", "57600人", "确定能",
                                                                             ["经费保障"])


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "build").rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


def test_the_target_table_is_unchanged_by_year_end_data(tmp_path: Path) -> None:
    spring = make_repo(tmp_path / "spring")
    autumn = make_repo(tmp_path / "autumn")
    path = autumn / "goals" / "2023" / EXAMPLE_FILES[6].name
    text = path.read_text(encoding="utf-8")
    text = text.replace("objectives:", "execution:\n  spent: 1700\nmidyear:\n  month: 7\n  spent: 900\nobjectives:", 1)
    text = text.replace('        target: ">=57560人"\n', '        target: ">=57560人"\n        actual: 57600人\n', 1)
    path.write_text(text, encoding="utf-8")
    for repo in (spring, autumn):
        result = invoke(repo, "build", "--format", "docx,html,xlsx,pdf")
        assert result.exit_code == 0, result.output
    assert digests(spring) == digests(autumn)
    assert invoke(autumn, "validate").exit_code == 0


# ---- the self-evaluation form (issue 14 item 4) -------------------------------------------------------------

def year_end_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    text = COMPLETE.read_text(encoding="utf-8").replace("year: 2023\n", "").replace("unit: 库尔勒市社会保险中心\n", "")
    (repo / "goals" / "2023" / "10-year-end.yaml").write_text(text.replace(
        "name: 部门专项-城乡居民社会养老保险财政配套", "name: 年终示例项目", 1), encoding="utf-8")
    return repo


def test_the_self_evaluation_form_prints_the_engines_scores(tmp_path: Path) -> None:
    import docx
    import lxml.html
    import openpyxl
    from render_tools import pdf_text

    repo = year_end_repo(tmp_path)
    result = invoke(repo, "build", "--form", "self-evaluation", "--format", "docx,html,xlsx,pdf", "--combine")
    assert result.exit_code == 0, result.output
    assert f"表样 self-evaluation：{len(EXAMPLE_FILES)} 个项目没有它需要的数据" in result.output
    folder = repo / "build" / "self-evaluation" / "2023"
    assert sorted(p.name for p in folder.iterdir()) == [f"10-year-end.{ext}" for ext in ("docx", "html", "pdf", "xlsx")]
    document = docx.Document(str(folder / "10-year-end.docx"))
    assert document.paragraphs[0].text == "项目支出绩效自评表"
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    for expected in ("99.47%", "9.95", "9.79", "98.74", "优", "1790.50", "达成年度指标"):
        assert expected in cells, expected
    page = lxml.html.parse(str(folder / "10-year-end.html")).getroot()
    texts = [" ".join(td.text_content().split()) for td in page.iter("td", "th")]
    assert "98.74" in texts and "优" in texts and "9.95" in texts
    sheet = openpyxl.load_workbook(folder / "10-year-end.xlsx").worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "98.74" in values and "99.47%" in values and 1790.5 in values
    text = pdf_text(folder / "10-year-end.pdf", layout=False)
    assert "98.74" in text and "项目支出绩效自评表" in text
    combined = repo / "build" / "self-evaluation" / "combined"
    assert len(list(combined.iterdir())) == 4  # the unit's self-evaluations: the one project that has the data


def test_a_project_gaining_year_end_data_gets_its_self_evaluation(tmp_path: Path) -> None:
    repo = year_end_repo(tmp_path)
    assert invoke(repo, "build", "--form", "self-evaluation").exit_code == 0
    target = repo / "build" / "self-evaluation" / "2023" / EXAMPLE_FILES[0].with_suffix(".html").name
    assert not target.exists()
    path = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    path.write_text(path.read_text(encoding="utf-8").replace("objectives:", "execution:\n  spent: 4.8\nobjectives:", 1),
                    encoding="utf-8")
    assert invoke(repo, "build", "--form", "self-evaluation").exit_code == 0
    assert target.exists() and "96.00%" in target.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("execution:\n  spent: 4.8\n", ""), encoding="utf-8")
    assert invoke(repo, "build", "--form", "self-evaluation").exit_code == 0
    assert not target.exists()  # the data gone, the form goes with it


def test_the_monitoring_form_ticks_and_its_two_title_rows(tmp_path: Path) -> None:
    import subprocess

    import docx
    import openpyxl
    from render_tools import pdf_pages

    repo = make_repo(tmp_path / "repo")
    text = MIDYEAR.read_text(encoding="utf-8").replace("year: 2023\n", "").replace("unit: 库尔勒市社会保险中心\n", "")
    (repo / "goals" / "2023" / "10-midyear.yaml").write_text(text.replace(
        "name: 部门专项-城乡居民社会养老保险财政配套", "name: 年中示例项目", 1), encoding="utf-8")
    result = invoke(repo, "build", "--form", "monitoring", "--format", "docx,html,xlsx,pdf")
    assert result.exit_code == 0, result.output
    folder = repo / "build" / "monitoring" / "2023"
    assert sorted(p.stem for p in folder.iterdir()) == ["10-midyear"] * 4
    document = docx.Document(str(folder / "10-midyear.docx"))
    assert document.paragraphs[1].text == "（2023年1-7月）"
    table = document.tables[-1]
    first, second = [[c.text for c in table.rows[r].cells] for r in (0, 1)]
    assert "偏差原因分析" in first and "完成目标可能性" in first and "1-7月执行情况" in first
    ticks = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "确定能", "有可能", "完全不可能"]
    assert second[-9:-1] == ticks
    row = [c.text for c in table.rows[2].cells]
    assert row[-9:-1] == ["√", "", "", "", "", "√", "", ""]  # causes: 经费保障; likelihood: 确定能
    values = [c.value for r in openpyxl.load_workbook(folder / "10-midyear.xlsx").worksheets[0].iter_rows()
              for c in r if c.value is not None]
    assert "16.85%" in values and "√" in values and 300.0 in values
    pdf = folder / "10-midyear.pdf"
    pages = pdf_pages(pdf)
    assert pages >= 2
    last = "".join(subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    assert "偏差原因分析" in last and "经费保障" in last  # both title rows repeated on the next page


def with_a_year(path: Path) -> None:
    """Mid-year data and actuals for every line of a goals file: met, exceeded and missed in turn (costs over and
    under their targets), qualitative lines in each band with a score inside it, a deviation where one is missed."""
    import re

    from perfgen.targets import parse_target

    bands = [("达成年度指标", 0.9), ("部分达成年度指标并具有一定效果", 0.7), ("未达成年度指标且效果较差", 0.5)]
    out: list[str] = []
    n = 0
    source = path.read_text(encoding="utf-8")
    weights = [float(w) for w in re.findall(r"^\s+weight: (.+)$", source, flags=re.M)]  # one per indicator
    total = float(re.search(r"^  total: (.+)$", source, flags=re.M)[1])  # type: ignore[index]
    for line in source.splitlines():
        out.append(line)
        if not (m := re.match(r"^(\s+)target: (.+)$", line)):
            continue
        indent, target = m[1], parse_target(m[2].strip().strip('"'))
        n += 1
        if target.number is None:
            words, share = bands[n % 3]
            out += [f"{indent}actual: {words}", f"{indent}score: {round(share * weights[n - 1], 1)}"]
        else:
            factor = (1.0, 1.05, 0.9)[n % 3]
            value = round(target.number * factor, 2)
            out.append(f"{indent}actual: {value:g}{target.unit}")
        out += [f"{indent}deviation: 受当年政策调整影响，已制定改进措施。",
                f"{indent}midyear: {{value: 进行中, forecast: 全年完成, likelihood: 有可能, causes: [制度保障]}}"]
    text = "\n".join(out) + "\n"
    year = f"execution:\n  spent: {total * 0.97:.2f}\nmidyear:\n  month: 6\n  spent: {total * 0.45:.2f}\n"
    path.write_text(text.replace("objectives:", year + "objectives:", 1), encoding="utf-8")


def test_the_nine_examples_with_a_year_of_data_build_both_forms(tmp_path: Path) -> None:
    """The nine examples given a year of data (with_a_year): both forms in every format, each project's total and
    grade on its self-evaluation as perfgen score computes them."""
    import json

    repo = make_repo(tmp_path / "repo")
    for path in sorted((repo / "goals" / "2023").glob("0*.yaml")):
        with_a_year(path)
    validated = invoke(repo, "validate")
    assert "错误[" not in validated.output, validated.output
    result = invoke(repo, "build", "--form", "self-evaluation,monitoring", "--format", "docx,html,xlsx,pdf",
                    "--combine")
    assert result.exit_code == 0, result.output
    for form in ("self-evaluation", "monitoring"):
        assert len(list((repo / "build" / form / "2023").glob("*.pdf"))) == len(EXAMPLE_FILES)
    scores = json.loads(invoke(repo, "score", "--format", "json").output)["projects"]
    assert len(scores) == len(EXAMPLE_FILES) and all(p["scored"] for p in scores)
    assert len({p["total"] for p in scores}) > 1  # the scores differ: met, exceeded and missed lines
    for p in scores:
        page = (repo / "build" / "self-evaluation" / "2023" / Path(p["file"]).with_suffix(".html").name)
        text = page.read_text(encoding="utf-8")
        assert f">{p['total']}<" in text and f">{p['grade']}<" in text


# ---- importing a filled 自评表 (issue 14 item 7) --------------------------------------------------------------

def test_a_filled_self_evaluation_imports_back_with_its_year_end_data(tmp_path: Path) -> None:
    """The nine examples with a year of data, printed as 自评表 in Word, Excel and PDF (pdftotext -layout), read back:
    the same indicators, actuals, deviations, qualitative scores and execution figures."""
    import subprocess

    from perfgen.targets import parse_target

    repo = make_repo(tmp_path / "repo")
    for path in sorted((repo / "goals" / "2023").glob("0*.yaml")):
        with_a_year(path)
    assert invoke(repo, "build", "--form", "self-evaluation", "--format", "docx,xlsx,pdf").exit_code == 0
    originals = {p.name: p for p in Loader(FsReader(repo)).load_all(["goals/2023"]).projects}
    folder = repo / "build" / "self-evaluation" / "2023"
    for kind in ("docx", "xlsx", "txt"):
        work = tmp_path / kind
        work.mkdir()
        for built in sorted(folder.glob("*.pdf" if kind == "txt" else f"*.{kind}")):
            if kind == "txt":
                text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(built), "-"], capture_output=True,
                                      text=True, check=True).stdout
                (work / f"{built.stem}.txt").write_text(text, encoding="utf-8")
            else:
                shutil.copy(built, work)
        result = invoke(work, "import", *sorted(p.name for p in work.iterdir()))
        assert result.exit_code == 0 and "[PG" not in result.output, (kind, result.output)
        imported = Loader(FsReader(work)).load_all(["goals/2023"])
        assert not [d for d in imported.diagnostics if d.severity == "error"], kind
        assert len(imported.projects) == len(EXAMPLE_FILES)
        for p in imported.projects:
            o = originals[p.name]
            assert (p.year, p.funds.total, p.objectives) == (o.year, o.funds.total, o.objectives), (kind, p.name)
            assert p.execution is not None and o.execution is not None
            assert (p.execution.spent, p.execution.achieved) == (o.execution.spent, o.execution.achieved)

            def meaning(i: Indicator) -> tuple[object, ...]:
                score = i.score if parse_target(i.target).number is None else None
                t = parse_target(i.target)
                return (i.level1, i.level2, i.name, t.op, t.number, t.unit, i.weight, i.actual, i.deviation, score)

            assert [meaning(i) for i in p.indicators] == [meaning(i) for i in o.indicators], (kind, p.name)


def test_a_self_evaluation_row_that_lost_a_cell_is_repaired_with_a_warning(tmp_path: Path) -> None:
    """As for target tables: a row extracted with a cell too few is aligned by the vocabulary, and said so."""
    import subprocess

    from perfgen.importers.layouttext import layout_rows

    repo = make_repo(tmp_path / "repo")
    with_a_year(repo / "goals" / "2023" / EXAMPLE_FILES[0].name)
    assert invoke(repo, "build", "--form", "self-evaluation", "--format", "pdf", "goals/2023/" +
                  EXAMPLE_FILES[0].name).exit_code == 0
    pdf = repo / "build" / "self-evaluation" / "2023" / EXAMPLE_FILES[0].with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    rows = [list(r.cells) for r in layout_rows(text, "x")]
    shifted = next(n for n, r in enumerate(rows) if len(r) > 4 and r[3] == "发放补助次数")
    rows[shifted] = rows[shifted][2:]  # its empty 一级 and 二级 cells (and the label column) lost in extraction
    work = tmp_path / "work"
    work.mkdir()
    (work / "table.txt").write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    result = invoke(work, "import", "table.txt")
    assert result.exit_code == 0, result.output
    assert "[PG054]" in result.output or "[PG055]" in result.output or "[PG056]" in result.output
    imported = Loader(FsReader(work)).load_all(["goals/2023"]).projects[0]
    second = imported.indicators[1]
    assert (second.level1, second.level2, second.name, second.target) == ("产出指标", "数量指标", "发放补助次数",
                                                                          "=12次")
