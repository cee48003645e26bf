"""Forms as data: the built-in definitions, choosing forms, a repository's own definition, broken definitions,
and each built-in form's cells as FORMS.md draws them — read back from the real .docx and HTML."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from clitools import invoke
from sample_data import EXAMPLE_FILES, EXAMPLES_UNIT, ROOT

from perfgen.forms.definition import read_definition
from perfgen.forms.registry import form_files, load_forms
from perfgen.resources import builtin_forms_dir, form_schema_path

BUILTIN = ("hunan-2023", "mof-2021", "monitoring", "self-evaluation", "sichuan-2021", "xinjiang-2023")
FIRST = EXAMPLE_FILES[0].stem  # 01-yuanshuili-buchai: 产出(数量 2, 质量 2, 成本 1), 效益(社会 1), 满意度(1)


# ---- the definitions ------------------------------------------------------------------------------------

def test_the_built_in_forms_are_listed_and_valid_against_their_schema() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(form_schema_path().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert tuple(form_files(None)) == BUILTIN
    for path in sorted(builtin_forms_dir().glob("*.yaml")):
        form, diags = read_definition(path.read_bytes(), path.name)  # as a repository's: schema checked
        assert form is not None and diags == [], [d.message for d in diags]
        assert form.id == path.stem


def test_perfgen_forms_lists_every_form_with_its_description(repo: Path) -> None:
    result = invoke(repo, "forms")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert [line[2:].split()[0] for line in lines] == list(BUILTIN)
    assert lines[-1].startswith("* xinjiang-2023")  # the default form is marked
    kinds = ("项目支出绩效目标", "项目支出绩效自评表", "项目支出绩效运行监控表")
    assert all(any(kind in line for kind in kinds) for line in lines)


# ---- reading the outputs back ---------------------------------------------------------------------------

def docx_grid(path: Path, table: int) -> list[list[str]]:
    """Cell texts of one table, one per grid column (a cell spanning columns repeats, python-docx style)."""
    return [[c.text for c in row.cells] for row in docx.Document(str(path)).tables[table].rows]


class Cells(HTMLParser):
    """Every <table>'s rows: (tag, text, colspan, rowspan) of each cell as written."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str, int, int]]]] = []
        self.cell: list[object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = [tag, "", int(a.get("colspan") or 1), int(a.get("rowspan") or 1)]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append((str(self.cell[0]), str(self.cell[1]).strip(), int(str(self.cell[2])),
                                        int(str(self.cell[3]))))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] = str(self.cell[1]) + data


def html_tables(path: Path) -> list[list[list[tuple[str, str, int, int]]]]:
    parser = Cells()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nine examples built in all four forms (the default form at the top, the others under their ID)."""
    from sample_data import make_repo

    root = make_repo(tmp_path_factory.mktemp("forms") / "repo")
    result = invoke(root, "build", "--form", ",".join(reversed(BUILTIN)))
    assert result.exit_code == 0, result.output
    return root / "build"


def test_every_form_builds_every_example_in_both_formats(built: Path) -> None:
    for example in EXAMPLE_FILES:
        assert (built / "2023" / f"{example.stem}.docx").is_file()
        for form in ("hunan-2023", "mof-2021", "sichuan-2021"):
            for fmt in ("docx", "html"):
                assert (built / form / "2023" / f"{example.stem}.{fmt}").is_file()
    assert not (built / "xinjiang-2023").exists()  # the default form's outputs stay where they were
    page = next((built / "units").iterdir()).read_text(encoding="utf-8")
    assert "../hunan-2023/2023/" in page and "../sichuan-2021/2023/" in page


def test_hunan_layout(built: Path) -> None:
    path = built / "hunan-2023" / "2023" / f"{FIRST}.docx"
    document = docx.Document(str(path))
    assert document.paragraphs[0].text == "2023年项目支出绩效目标申报表"
    header = docx_grid(path, 0)
    assert header[0][0] == "项目支出名称" and header[0][3] == "预算部门" and header[0][4] == EXAMPLES_UNIT
    assert header[0][1] == header[0][2]  # name spans two columns
    assert [r[0] for r in header] == ["项目支出名称", "年度本级预算金额", "项目支出实施期", "实施期绩效目标",
                                      "本年度绩效目标"]
    assert header[1][1] == "5.00" and header[1][4] == "0.00"
    table = docx_grid(path, 1)
    assert table[0] == ["本年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"]
    assert all(row[0] == "本年度绩效指标" for row in table[:-1])  # the label merges down the indicator rows
    level2 = list(dict.fromkeys((r[1], r[2]) for r in table[1:-1]))
    assert level2 == [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
                      ("产出指标", "成本指标"),
                      ("效益指标", "经济效益指标"), ("效益指标", "社会效益指标"), ("效益指标", "生态效益指标"),
                      ("效益指标", "可持续影响指标"), ("效益指标", "社会公众或服务对象满意度指标")]
    empty = [r for r in table[1:-1] if r[2] == "时效指标"]
    assert empty == [["本年度绩效指标", "产出指标", "时效指标", "", "", ""]]  # every standard 二级, empty if none
    assert table[-1][0] == "财政部门审核意见" and table[-1][1:] == [""] * 5
    assert any(p.text.startswith("填表人：") for p in document.paragraphs)


def test_sichuan_layout(built: Path) -> None:
    path = built / "sichuan-2021" / "2023" / f"{FIRST}.docx"
    header = docx_grid(path, 0)
    assert header[2][:2] == ["项目资金(万元)", "年度资金总额"] and header[2][4] == "5.00"
    labels = [r[1] for r in header[2:11]]
    assert labels == ["年度资金总额", "(一)财政拨款小计", "1、一般公共预算", "2、政府性基金", "3、国有资本经营预算",
                      "(二)自有资金小计", "1、事业收入", "2、经营性收入", "(三)其他收入"]
    assert all(r[0] == "项目资金(万元)" for r in header[2:11])  # merged down nine rows
    assert [r[4] for r in header[4:11]] == ["0.00"] * 7  # sources the goals file does not give print 0.00
    table = docx_grid(path, 1)
    assert table[0] == ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值(包含数字及文字描述)"]
    level1 = list(dict.fromkeys(r[1] for r in table[1:]))
    assert level1 == ["项目完成指标", "项目效益指标", "满意度指标"]
    assert ("项目完成指标", "成本指标") in {(r[1], r[2]) for r in table[1:]}
    assert "时效指标" not in {r[2] for r in table[1:]}  # only the project's own 二级


def test_mof_layout_has_no_weights(built: Path) -> None:
    path = built / "mof-2021" / "2023" / f"{FIRST}.docx"
    header = docx_grid(path, 0)
    assert header[1][0] == "主管部门及代码" and header[1][3] == "实施单位" and header[1][4] == EXAMPLES_UNIT
    assert [r[0] for r in header[2:5]] == ["项目资金（万元）"] * 3
    assert [r[1] for r in header[2:5]] == ["年度资金总额", "其中：财政拨款", "其他资金"]
    table = docx_grid(path, 1)
    assert table[0] == ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"]


def test_html_draws_the_same_grid_with_its_merges(built: Path) -> None:
    # Each HTML table has a grid of its own: only the form's columns where one of its cells begins (vnu), so
    # 湖南's header block has four columns and 四川's three (项目名称 | name over 一级…三级 | the amounts).
    for form, first_row in (("hunan-2023", [("th", "项目支出名称", 1, 1), ("td", None, 1, 1), ("th", "预算部门", 1, 1),
                                            ("td", EXAMPLES_UNIT, 1, 1)]),
                            ("sichuan-2021", [("th", "项目名称", 1, 1), ("td", None, 2, 1)])):
        tables = html_tables(built / form / "2023" / f"{FIRST}.html")
        got = [(tag, text if want is not None else None, cs, rs)
               for (tag, text, cs, rs), (_, want, _, _) in zip(tables[0][0], first_row, strict=True)]
        assert got == first_row
    sichuan = html_tables(built / "sichuan-2021" / "2023" / f"{FIRST}.html")
    assert sichuan[0][2][0] == ("th", "项目资金(万元)", 1, 9)
    hunan = html_tables(built / "hunan-2023" / "2023" / f"{FIRST}.html")
    label = hunan[1][0][0]
    assert label[:2] == ("th", "本年度绩效指标") and label[3] == len(hunan[1]) - 1  # title row + indicators


# ---- choosing forms -------------------------------------------------------------------------------------

def test_perfgen_yaml_chooses_the_default_form_and_its_weights_rule(repo: Path) -> None:
    example = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    example.write_text(example.read_text(encoding="utf-8").replace("weight: 20", "weight: 21", 1), encoding="utf-8")
    assert "PG101" in invoke(repo, "validate").output  # the default form totals 90
    (repo / "perfgen.yaml").write_text("form: hunan-2023\n", encoding="utf-8")
    result = invoke(repo, "build")
    assert result.exit_code == 0, result.output
    assert "PG101" not in result.output  # a form without weights has no weights rule
    assert "PG145" in result.output and "period" in result.output  # it prints 项目支出实施期
    first = repo / "build" / "2023" / f"{FIRST}.docx"
    assert docx.Document(str(first)).paragraphs[0].text == "2023年项目支出绩效目标申报表"


def test_forms_setting_and_the_command_line(repo: Path) -> None:
    (repo / "perfgen.yaml").write_text("forms: [xinjiang-2023, mof-2021]\n", encoding="utf-8")
    assert invoke(repo, "build").exit_code == 0
    assert (repo / "build" / "mof-2021" / "2023" / f"{FIRST}.docx").is_file()
    result = invoke(repo, "build", "--form", "sichuan-2021")
    assert result.exit_code == 0, result.output
    assert (repo / "build" / "sichuan-2021" / "2023" / f"{FIRST}.html").is_file()
    # the forms no longer built are removed with their outputs
    assert not (repo / "build" / "mof-2021" / "2023" / f"{FIRST}.docx").exists()
    assert not (repo / "build" / "2023" / f"{FIRST}.docx").exists()


def test_unknown_forms(repo: Path) -> None:
    result = invoke(repo, "build", "--form", "guangdong-2030")
    assert result.exit_code == 2 and "PG044" in result.output and "hunan-2023" in result.output
    (repo / "perfgen.yaml").write_text("rules: {}\nform: guangdong-2030\n", encoding="utf-8")
    result = invoke(repo, "build")
    assert result.exit_code == 1 and "perfgen.yaml:2:7: 错误[PG044]" in result.output
    assert not (repo / "build").exists()


# ---- a repository's own form ---------------------------------------------------------------------------

MY_FORM = """\
id: county-2024
description: 某县项目绩效目标表（四列，含权重，合计 100）
title: "{year}年度项目绩效目标表"
year_line: "单位：{unit}"
widths: [2000, 2000, 4000, 3000, 2000]
header:
  - - {label: 项目名称}
    - {value: name, span: 2, align: left}
    - {label: 负责人}
    - {value: leader}
  - - {label: 资金（万元）}
    - {value: funds.total}
    - {text: "其中财政 {funds.fiscal}", span: 3}
  - - {label: 目标}
    - {value: objectives, span: 4, align: left, numbered: "（{n}）{text}"}
indicators:
  columns:
    - {title: 一级, value: level1}
    - {title: 二级, value: level2}
    - {title: 指标, value: name, align: left}
    - {title: 目标值, value: target}
    - {title: 分值, value: weight}
weights: 100
"""


def test_a_repository_defines_its_own_form(repo: Path) -> None:
    (repo / "forms").mkdir()
    (repo / "forms" / "county-2024.yaml").write_text(MY_FORM, encoding="utf-8")
    assert "county-2024" in invoke(repo, "forms").stdout
    result = invoke(repo, "build", "--form", "county-2024")
    assert result.exit_code == 0, result.output
    path = repo / "build" / "county-2024" / "2023" / f"{FIRST}.docx"
    document = docx.Document(str(path))
    assert [p.text for p in document.paragraphs[:2]] == ["2023年度项目绩效目标表", f"单位：{EXAMPLES_UNIT}"]
    header = docx_grid(path, 0)
    assert header[1][2] == "其中财政 5.00" and header[2][1].startswith("（1）")
    assert docx_grid(path, 1)[0] == ["一级", "二级", "指标", "目标值", "分值"]
    (repo / "perfgen.yaml").write_text("form: county-2024\n", encoding="utf-8")
    assert "PG101" in invoke(repo, "validate").output  # weights total 100 on this form, the examples total 90


BROKEN = [
    ("widths: [2000, 2000, 4000, 3000, 2000]", "widths: [2000, 2000, 4000, 3000]", "PG041"),
    ("    - {value: leader}\n", "    - {value: leader, span: 2}\n", "PG041"),
    ("{value: leader}", "{value: leadr}", "PG042"),
    ("其中财政 {funds.fiscal}", "其中财政 {funds.fiscl}", "PG042"),
    ("    - {title: 分值, value: weight}", "    - {value: weight}", "PG011"),
    ("  - - {label: 目标}\n", "  - - {label: 目标, rows: 3}\n", "PG041"),
    ("weights: 100", "weights: 100\ncolour: red", "PG010"),
    ("id: county-2024", "id: county-2025", "PG040"),
    ("title: ", "title: [", "PG001"),
]


@pytest.mark.parametrize(("old", "new", "code"), BROKEN)
def test_a_broken_definition_is_reported_at_its_line(repo: Path, old: str, new: str, code: str) -> None:
    assert old in MY_FORM
    (repo / "forms").mkdir()
    (repo / "forms" / "county-2024.yaml").write_text(MY_FORM.replace(old, new), encoding="utf-8")
    for args in (("build", "--form", "county-2024"), ("forms",)):
        result = invoke(repo, *args)
        assert result.exit_code == 1, result.output
        assert "forms/county-2024.yaml:" in result.output and f"[{code}]" in result.output
        assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception,
                                                                                           SystemExit)
    assert not (repo / "build").exists()


def test_the_repository_form_replaces_a_built_in_of_the_same_id(repo: Path) -> None:
    (repo / "forms").mkdir()
    text = (builtin_forms_dir() / "mof-2021.yaml").read_text(encoding="utf-8")
    text = text.replace("年度总体目标", "总体目标（本地）")
    (repo / "forms" / "mof-2021.yaml").write_text(text, encoding="utf-8")
    forms = load_forms(repo, ["mof-2021"])
    assert not forms["mof-2021"].builtin
    assert invoke(repo, "build", "--form", "mof-2021").exit_code == 0
    assert "总体目标（本地）" in (repo / "build" / "mof-2021" / "2023" / f"{FIRST}.html").read_text(encoding="utf-8")


def test_forms_folder_that_is_a_link_is_not_used(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "county-2024.yaml").write_text(MY_FORM, encoding="utf-8")
    (repo / "forms").symlink_to(outside)
    assert "county-2024" not in form_files(repo)
    assert invoke(repo, "build", "--form", "county-2024").exit_code == 2


def test_docs_show_a_complete_definition_that_builds(repo: Path) -> None:
    text = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    start = text.index("```yaml\nid: ")
    example = text[start + len("```yaml\n"): text.index("```", start + 8)]
    form_id = example.split("\n", 1)[0].removeprefix("id: ").strip()
    (repo / "forms").mkdir()
    (repo / "forms" / f"{form_id}.yaml").write_text(example, encoding="utf-8")
    result = invoke(repo, "build", "--form", form_id)
    assert result.exit_code == 0, result.output


def test_the_compiled_built_in_forms_are_current_and_used() -> None:
    import subprocess
    import sys

    from perfgen.forms import registry

    check = subprocess.run([sys.executable, str(ROOT / "tools" / "compile_forms.py"), "--check"], capture_output=True)
    assert check.returncode == 0, check.stderr
    registry._read_builtin.cache_clear()
    compiled = registry._read_builtin(builtin_forms_dir() / "hunan-2023.yaml")[0]
    parsed = read_definition((builtin_forms_dir() / "hunan-2023.yaml").read_bytes(), "<perfgen>/hunan-2023.yaml",
                             builtin=True)[0]
    assert compiled == parsed


@pytest.mark.parametrize(("form", "example"), [("hunan-2023", "hunan-2023.txt"), ("sichuan-2021", "sichuan-2021.txt")])
def test_a_published_table_imports_and_builds_again_on_its_form(tmp_path: Path, form: str, example: str) -> None:
    """The real 湖南 and 四川 tables (tests/cases/import) import into goals that, built on their form, give back
    the table's cells: the header values and every indicator row with its 一级/二级 as printed."""
    source = ROOT / "tests" / "cases" / "import" / form / example
    repo = tmp_path / "repo"
    (repo / "goals").mkdir(parents=True)
    result = invoke(repo, "import", str(source))
    assert result.exit_code == 0, result.output
    assert "form: hunan-2023" in result.output  # no weights: it says which setting to choose
    (repo / "perfgen.yaml").write_text(f"form: {form}\nrules: {{PG145: off}}\n", encoding="utf-8")
    built = invoke(repo, "build")
    assert built.exit_code == 0, built.output
    (path,) = (repo / "build").glob("*/*.docx")
    document = docx.Document(str(path))
    printed = {c.text for t in document.tables for row in t.rows for c in row.cells}
    printed |= {p.text for p in document.paragraphs}
    lines = [line.split("\t") for line in source.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    indicator_cells = {cell.strip() for line in lines for cell in line if cell.strip()}
    missing = {c for c in indicator_cells if c not in printed and not any(c in p for p in printed)}
    # what the source prints that the built table does not hold as such: the transcription's ASCII colons, the
    # spaces where a label wrapped in the published table (the built one writes full-width colons), and the
    # column title 四川 printed where 年度资金总额's amount belongs (FORMS.md: print the total)
    assert missing <= {"填报单位:(盖章) 单位:万元", "填表人: 宋云花 联系电话:[phone omitted] 填报日期: 单位负责人签字:",
                       "年度本级 预算金额", "本年度 绩效指标", "金额(万元)"}, missing
