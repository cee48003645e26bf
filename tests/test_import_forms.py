"""perfgen import reads the built-in forms' layouts back: 湖南, 四川 and 财政部 tables become goals that rebuild the
same table (what a form does not print is lost; everything it prints comes back)."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sample_data import ROOT, example_projects, make_project

from perfgen.forms.definition import FormDef
from perfgen.forms.registry import form_files, load_forms
from perfgen.importers import read_bytes, read_projects
from perfgen.importers.layouts import GROUP, IGNORED, detect, known_forms, label_key
from perfgen.importers.tables import builtin_labels, column_of
from perfgen.model import Funds, Project
from perfgen.render.layout import Layout, layout
from perfgen.resources import find_template

CASES = ROOT / "tests" / "cases" / "import"
FORMS = ("hunan-2023", "sichuan-2021", "mof-2021", "xinjiang-2023")


@cache
def forms() -> dict[str, FormDef]:
    return load_forms(None, list(FORMS))


@cache
def writer() -> Any:
    from perfgen.render.docx import DocxWriter

    return DocxWriter(find_template("reference.docx", None))


def docx(form: FormDef, p: Project) -> bytes:
    data: bytes = writer().render(p, layout(form, p))
    return data


def printed(lay: Layout) -> list[Any]:
    """Everything a laid-out form prints, cell by cell."""
    return [lay.title, lay.year_line, lay.above, lay.below,
            *([(c.col, c.role, c.text, c.span, c.rows) for c in row] for t in lay.tables for row in t.rows)]


def has_v2() -> bool:
    return {"department", "period", "prepared_by"} <= {f.name for f in dataclasses.fields(Project)} and \
        "superior" in {f.name for f in dataclasses.fields(Funds)}


def v2(obj: object, name: str) -> Any:
    """A field the model gains with the v2 header fields."""
    return getattr(obj, name)


# ---- the two published tables --------------------------------------------------------------------------

def one(path: Path) -> Project:
    projects, diags = read_projects([path])
    assert [(str(d.pos), d.code, d.message) for d in diags] == []
    (project,) = projects
    return project


def rows(p: Project) -> list[tuple[str, str, str, str, str, float | None]]:
    return [(i.level1, i.level2, i.name, i.target, i.basis, i.weight) for i in p.indicators]


def test_hunan_example() -> None:
    p = one(CASES / "hunan-2023" / "hunan-2023.txt")
    assert (p.year, p.unit, p.name) == (2023, "湘潭市环境卫生管理处", "雾炮车降尘抑尘服务")
    assert (p.funds.total, p.funds.fiscal, p.funds.other) == (250, 250, 0)  # 年度本级预算金额 250万
    assert p.objectives == ["通过采购雾炮车降尘抑尘服务,服务周期2023.07-2024.01,全市空气质量达到优良"]
    assert rows(p) == [
        ("产出指标", "数量指标", "雾炮车降尘抑尘服务配备车辆数", "10辆", "计划标准", None),
        ("产出指标", "数量指标", "雾炮车风炮射程", "≥80M", "计划标准", None),
        ("产出指标", "质量指标", "服务周期内空气质量", "优良", "计划标准", None),
        ("产出指标", "时效指标", "服务周期", "2023.07-2024.01", "计划标准", None),
        ("成本指标", "经济成本指标", "控制在预算成本内", "250万", "计划标准", None),  # 产出指标 → 成本指标
        ("效益指标", "社会效益指标", "服务周期内,市民对空气质量改善的满意程度", "≥85%", "计划标准", None),
        ("满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", "计划标准", None),  # 社会公众或服务对象满意度指标
    ]
    if has_v2():
        assert [v2(p, k) for k in ("period", "prepared_by", "phone", "filed_on")] == [
            "2023.07-2024.01", "宋云花", "[phone omitted]", ""]
        assert v2(p, "long_term_objectives") == p.objectives
        assert v2(p.funds, "superior") in (0, None)


def test_sichuan_example() -> None:
    p = one(CASES / "sichuan-2021" / "sichuan-2021.txt")
    assert (p.year, p.unit, p.name) == (2021, "区卫生健康局", "特困家庭再扶助(独生子女死亡再扶助)")
    assert (p.funds.total, p.funds.fiscal, p.funds.other) == (6.3, 6.3, 0)  # no 年度资金总额: fiscal + other
    assert len(p.objectives) == 1 and p.objectives[0].endswith("稳定特扶家庭情绪")
    assert [r[:4] for r in rows(p)] == [
        ("产出指标", "数量指标", "对符合政策法规的独生子伤残、死亡家庭进行扶助", "63人"),  # 项目完成指标
        ("产出指标", "质量指标", "按政策、法律、法规乡镇申报、初审确认对象资格,县级按要求复审", "100%"),
        ("产出指标", "时效指标", "项目实施时间", "2021年1月-12月"),
        ("产出指标", "时效指标", "资金拨付", "12月底到位"),
        ("成本指标", "经济成本指标", "成本控制", "严格按照预算标准1000元/人给补助对象兑付补助"),
        ("效益指标", "社会效益指标", "促进人口与经济、社会、资源、环境协调和可持续发展", "100%"),  # 项目效益指标
        ("效益指标", "可持续影响指标", "实现社会稳定和谐发展", "长期"),
        ("满意度指标", "满意度指标", "受益群众满意度", "≥90%"),
        ("满意度指标", "满意度指标", "社会满意度", "100%"),
    ]
    assert {r[4] for r in rows(p)} == {""} and {r[5] for r in rows(p)} == {None}
    if has_v2():
        assert v2(p.funds, "fiscal_sources") == {"一般公共预算": 6.3}
        assert not v2(p.funds, "other_sources")


@pytest.mark.parametrize(("case", "form"), [("hunan-2023", "hunan-2023"), ("sichuan-2021", "sichuan-2021")])
def test_examples_rebuild_their_table(case: str, form: str) -> None:
    """Imported, built on its form, imported again: the same goals (the published text itself has its own
    spacing and punctuation, so the table is compared after one round)."""
    p = one(CASES / case / f"{case}.txt")
    again, diags = read_bytes(docx(forms()[form], p), ".docx", "x.docx")
    assert diags == []
    assert printed(layout(forms()[form], again[0])) == printed(layout(forms()[form], p))


# ---- round trips: goals → a form's .docx → import → the same table -----------------------------------------

def rich(p: Project, **top: Any) -> Project:
    """``p`` with the header fields the other forms print (v2), where the model has them."""
    if not has_v2():
        return p
    v2: dict[str, Any] = {"department": "[173]人社局", "implementer": "实施单位甲", "period": "2023.01-2023.12",
                          "long_term_objectives": ["长期目标一。", "长期目标二。"], "prepared_by": "张三",
                          "phone": "0996-1234567", "filed_on": "2023-02-01", **top}
    total = p.funds.total
    funds = dataclasses.replace(p.funds, total=total, fiscal=total, other=0, superior=1.5,
                                fiscal_sources={"一般公共预算": total})
    return dataclasses.replace(p, funds=funds, **v2)


MIXED = [("产出指标", "数量指标", "人数", "=3人", "历史标准", "", 10, "", ""),
         ("产出指标", "成本指标", "旧式成本", "≤1万元", "预算支出标准", "", 10, "", ""),  # the pre-2021 placement
         ("成本指标", "社会成本指标", "社会成本", "≤2万元", "", "", 10, "", ""),  # prints as 成本指标: 二级 lost
         ("效益指标", "可持续影响指标", "长期影响", "长期", "", "", 30, "", ""),
         ("满意度指标", "满意度指标", "满意度", "≥90%", "", "", 30, "", "")]


def projects() -> list[tuple[str, Project]]:
    found = [(p.stem, p) for p in example_projects()]
    found += [(f"rich-{p.stem}", rich(p)) for p in example_projects()[:2]]
    found.append(("mixed", make_project(MIXED, funds=Funds(total=12.5, fiscal=10, other=2.5))))
    found.append(("mixed-rich", rich(make_project(MIXED, name="另一个项目"))))
    return found


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("stem", "project"), projects(), ids=[s for s, _ in projects()])
def test_docx_round_trip(form: str, stem: str, project: Project) -> None:
    definition = forms()[form]
    data = docx(definition, project)
    imported, diags = read_bytes(data, ".docx", "x.docx")
    assert [(d.code, d.message) for d in diags] == []
    assert printed(layout(definition, imported[0])) == printed(layout(definition, project))
    assert docx(definition, imported[0]) == data


def as_text(lay: Layout, lead: bool) -> str:
    """A laid-out form as the published examples transcribe it: one row a line, TAB-separated, a merged cell
    only on its first row (a short row right-aligns), the lines above and below the table as they are.
    ``lead``: indicator rows keep an empty first cell under the merged 绩效指标 label (湖南's example)."""
    lines = [lay.title, *([lay.year_line] if lay.year_line else []), *lay.above]
    for table in lay.tables:
        for r, row in enumerate(table.rows):
            cells = [c.text.replace("\n", " ") for c in row]
            if lead and table.name == "indicators" and r > 0 and row and row[0].role != "label":
                cells.insert(0, "")
            lines.append("\t".join(cells))
    return "\n".join([*lines, *lay.below]) + "\n"


@pytest.mark.parametrize("lead", [False, True], ids=["sichuan-style", "hunan-style"])
@pytest.mark.parametrize("form", FORMS[:3])
@pytest.mark.parametrize(("stem", "project"), projects(), ids=[s for s, _ in projects()])
def test_text_round_trip(form: str, stem: str, project: Project, lead: bool) -> None:
    """The same through text copied from a PDF (a paragraph per line: lists of one)."""
    one_line = {k: [" ".join(getattr(project, k))] for k in ("objectives", "long_term_objectives")
                if getattr(project, k, None)}
    project = dataclasses.replace(project, **one_line)
    definition = forms()[form]
    imported, diags = read_bytes(as_text(layout(definition, project), lead).encode(), ".txt", "x.txt")
    assert [(d.code, d.message) for d in diags] == []
    assert printed(layout(definition, imported[0])) == printed(layout(definition, project))


def test_what_each_form_loses() -> None:
    """Fields a form does not print do not come back: weights and the columns it lacks, the 二级 a form merges."""
    p = make_project(MIXED, funds=Funds(total=12.5, fiscal=10, other=2.5))
    back = {f: read_bytes(docx(forms()[f], p), ".docx", "x.docx")[0][0] for f in FORMS[:3]}
    for project in back.values():
        assert {i.weight for i in project.indicators} == {None}
        assert project.leader == "" and {i.last_year for i in project.indicators} == {""}
    assert [i.basis for i in back["hunan-2023"].indicators][:2] == ["历史标准", "预算支出标准"]
    assert {i.basis for i in back["sichuan-2021"].indicators} == {""}
    assert (back["hunan-2023"].funds.fiscal, back["hunan-2023"].funds.other) == (12.5, 0)  # prints the total only
    assert (back["sichuan-2021"].funds.fiscal, back["sichuan-2021"].funds.other) == (10, 2.5)
    social = [(i.level1, i.level2) for i in back["hunan-2023"].indicators if i.name == "社会成本"]
    assert social == [("成本指标", "经济成本指标")]  # 成本指标 prints without its 二级
    old = [(i.level1, i.level2) for i in back["mof-2021"].indicators if i.name == "旧式成本"]
    assert old == [("产出指标", "成本指标")]  # mof-2021 prints the model's categories as they are


# ---- the labels and the category mapping, read off the definitions -------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("项目支出名称", ("name", "")), ("预算部门", ("unit", "")), ("年度本级 预算金额", ("funds.total", "")),
    ("该项目支出上级资金", ("funds.superior", "")), ("项目支出实施期", ("period", "")),
    ("实施期绩效目标", ("long_term_objectives", "")), ("本年度绩效目标", ("objectives", "")),
    ("项目资金(万元)", (GROUP, "")), ("年度资金总额", ("funds.total", "")), ("(一)财政拨款小计", ("funds.fiscal", "")),
    ("1、一般公共预算", ("funds.fiscal_sources.一般公共预算", "")),
    ("3、国有资本经营预算", ("funds.fiscal_sources.国有资本经营预算", "")),
    ("2、经营性收入", ("funds.other_sources.经营性收入", "")), ("(三)其他收入", ("funds.other_sources.其他收入", "")),
    ("年度目标", ("objectives", "")), ("金额(万元)", (IGNORED, "")), ("主管部门及代码", ("department", "")),
    ("实施单位", ("implementer", "")), ("其中：财政拨款", ("funds.fiscal", "")), ("年度总体目标", ("objectives", "")),
    ("项目支出名称：雾炮车", ("name", "雾炮车")), ("本年度绩效指标", None), ("绩效指标", None), ("项目完成指标", None),
])
def test_labels_of_the_forms(text: str, expected: tuple[str, str] | None) -> None:
    found = builtin_labels().split(text)
    assert (found[:2] if found else None) == expected


def test_labels_mean_one_thing_in_every_form() -> None:
    """A label that two built-in forms print means the same field in both (import reads it before it knows the
    form)."""
    meaning: dict[str, set[str]] = {}
    for k in known_forms():
        for key, field in (*k.labels.items(), *k.below.items()):
            if field not in (GROUP, IGNORED):
                meaning.setdefault(key, set()).add(field)
    assert {key: f for key, f in meaning.items() if len(f) > 1} == {}
    assert {k.form.id for k in known_forms()} >= set(FORMS) and known_forms()[0].form.id == "xinjiang-2023"


@pytest.mark.parametrize(("title", "column"), [("绩效标准", "basis"), ("指标值及单位", "target"),
                                               ("指标值(包含数字及文字描述)", "target"), ("本年度 绩效指标", None)])
def test_column_titles(title: str, column: str | None) -> None:
    assert column_of(title) == column


@pytest.mark.parametrize(("form", "printed_as", "model"), [
    ("hunan-2023", ("产出指标", "成本指标"), ("成本指标", "经济成本指标")),
    ("hunan-2023", ("效益指标", "社会公众或服务对象满意度指标"), ("满意度指标", "服务对象满意度指标")),
    ("hunan-2023", ("产出指标", "数量指标"), ("产出指标", "数量指标")),
    ("sichuan-2021", ("项目完成指标", "时效指标"), ("产出指标", "时效指标")),
    ("sichuan-2021", ("项目完成指标", "成本指标"), ("成本指标", "经济成本指标")),
    ("sichuan-2021", ("项目效益指标", "生态效益指标"), ("效益指标", "生态效益指标")),
    ("sichuan-2021", ("满意度指标", "服务对象满意度指标"), ("满意度指标", "服务对象满意度指标")),
    ("mof-2021", ("产出指标", "成本指标"), ("产出指标", "成本指标")),
])
def test_categories_reversed(form: str, printed_as: tuple[str, str], model: tuple[str, str]) -> None:
    from perfgen.load.config import VOCABULARY

    known = next(k for k in known_forms() if k.form.id == form)
    vocabulary = {k: tuple(v) for k, v in VOCABULARY.items()}
    assert known.to_model(*printed_as, vocabulary) == model


@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_recognised_by_its_own_words(form: str) -> None:
    k = next(k for k in known_forms() if k.form.id == form)
    found = detect(k.words)
    assert found is not None and found.form.id == form


def test_label_keys() -> None:
    assert label_key("其中：财政拨款") == label_key("财政拨款") == "财政拨款"
    assert label_key("（二）自有资金小计") == "自有资金小计"
    assert label_key("项目资金（万元）：") == "项目资金"
    assert label_key("年度本级　预算金额") == "年度本级预算金额"
    assert set(form_files(None)) >= set(FORMS)
