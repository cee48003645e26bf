"""The HTML writer: the page is parsed back and every cell compared with the model it came from."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import jinja2
import lxml.html
import pytest
from sample_data import EXAMPLES_UNIT, make_project

from perfgen.model import Funds, Project
from perfgen.render.html import HtmlRenderer, TemplateError, make_environment
from perfgen.render.listings import IndexEntry, UnitPage, index_page, unit_group, unit_summary
from perfgen.render.sandbox import BoundedSandbox, Trusted
from perfgen.resources import builtin_templates_dir

# The indicator rows as the printed table shows them, in the form's nine columns (一级 … 佐证资料).
# Seed table 1, and seed table 2 with its shifted 时效指标 row repaired.
SEED1_TABLE = """
产出指标 | 数量指标 | 领取退休人员待遇 | =3人 | 历史标准 |  | 10 | 按照正常比例赋分 | 工作资料
产出指标 | 数量指标 | 发放补助次数 | =12次 | 历史标准 |  | 10 | 按照正常比例赋分 | 工作资料
产出指标 | 质量指标 | 发放退休人员补差 | =100% | 行业或国家标准 |  | 10 | 按照正常比例赋分 | 工作资料
产出指标 | 质量指标 | 退休补差按日发放 | =100% | 历史标准 |  | 10 | 直接赋分 | 工作资料
成本指标|经济成本指标|每次发放（补助）|<=0.42万元/次|预算支出标准||20|按照正常比例赋分|原始凭证
效益指标 | 社会效益指标 | 领取退休补差人员 | 有效提高 | 历史标准 |  | 20 | 按评判等级赋分 | 工作资料
满意度指标 | 满意度指标 | 受益人员满意度 | >=98% | 历史标准 |  | 10 | 满意度赋分 | 说明材料
"""
SEED2_TABLE = """
产出指标|数量指标|补助企业1995年前退休人员生活补助|=973人|历史标准|1023人|10|按照正常比例赋分|工作资料
产出指标 | 数量指标 | 发放生活补贴入账 | =12次 | 历史标准 | 12次 | 10 | 按照正常比例赋分 | 工作资料
产出指标 | 质量指标 | 资金发放及时率 | >=98% | 历史标准 | 98% | 10 | 按照正常比例赋分 | 工作资料
产出指标 | 时效指标 | 补助按月发放 | =100% | 历史标准 | 100% | 10 | 直接赋分 | 工作资料
成本指标|经济成本指标|生活补贴发放数|=45.5元/人/月|预算支出标准|120元/人/月|20|按照正常比例赋分|原始凭证
效益指标 | 社会效益指标 | 领取补贴人员生活 | 有效提高 | 历史标准 | 有效提高 | 10 | 按评判等级赋分 | 工作资料
效益指标 | 社会效益指标 | 社会保险政策宣传 | >=98% | 历史标准 | 95% | 10 | 按照正常比例赋分 | 工作资料
满意度指标 | 满意度指标 | 受益退休人员满意 | >=98% | 历史标准 | 95% | 10 | 满意度赋分 | 说明材料
"""


def table_rows(text: str) -> list[tuple[str, ...]]:
    return [tuple(cell.strip() for cell in line.split("|")) for line in text.strip().splitlines()]


SEED1_ROWS = table_rows(SEED1_TABLE)
SEED2_ROWS = table_rows(SEED2_TABLE)
# A user template that builds on the built-in one (a newline keeps the line numbers in the tests easy).
EXTENDS = '{% extends "default:project.html.j2" %}\n'


def seed1() -> Project:
    return make_project(SEED1_ROWS)


def seed2() -> Project:
    return make_project(
        SEED2_ROWS,
        name="巴财企[2022]32号关于提前下达2023年4月-2024年3月1995年前退休[退",
        funds=Funds(52, 52, 0),
        objectives=[
            "保障破产企业离退休973人正常领取补助。",
            "提高领取补贴人员生活水平，社会保险政策宣传知晓率98%以上。",
        ],
    )


@pytest.fixture(scope="module")
def renderer() -> HtmlRenderer:
    return HtmlRenderer([builtin_templates_dir()])


def parse(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def one(root: lxml.html.HtmlElement, xpath: str) -> lxml.html.HtmlElement:
    found = root.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} matches"
    return found[0]


def expand(rows: list[lxml.html.HtmlElement]) -> list[list[str]]:
    """The visual grid of table rows: a merged cell's text repeated in every row and column it covers."""
    grid: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.xpath("th|td"):
            while (r, c) in grid:
                c += 1
            for dr in range(int(cell.get("rowspan", "1"))):
                for dc in range(int(cell.get("colspan", "1"))):
                    assert (r + dr, c + dc) not in grid, "overlapping cells"
                    grid[(r + dr, c + dc)] = cell.text_content()
            c += int(cell.get("colspan", "1"))
    return [[grid[(r, c)] for c in range(9)] for r in range(len(rows))]


def spans(tr: lxml.html.HtmlElement) -> list[tuple[str, int]]:
    return [(cell.text_content(), int(cell.get("colspan", "1"))) for cell in tr.xpath("th|td")]


# --- the form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "rows"), [(seed1(), SEED1_ROWS), (seed2(), SEED2_ROWS)], ids=["seed1", "seed2"]
)
def test_every_indicator_cell_equals_the_model(
    renderer: HtmlRenderer, project: Project, rows: list[tuple[str, ...]]
) -> None:
    table = one(parse(renderer.render_project(project)), "//table[contains(@class, 'indicators')]")
    body_rows = table.xpath("tbody/tr")
    assert len(body_rows) == len(rows)
    assert expand(body_rows) == [list(row) for row in rows]


def test_column_titles_are_a_thead_that_repeats_on_printed_pages(renderer: HtmlRenderer) -> None:
    table = one(parse(renderer.render_project(seed1())), "//table[contains(@class, 'indicators')]")
    titles = [th.text_content() for th in table.xpath("thead/tr/th")]
    assert titles == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "指标值设置依据",
        "上年完成值",
        "指标分值权重",
        "指标赋分规则",
        "佐证资料",
    ]
    assert len(table.xpath("colgroup/col")) == 9


def test_level1_and_level2_cells_are_merged_over_their_rows(renderer: HtmlRenderer) -> None:
    table = one(parse(renderer.render_project(seed2())), "//table[contains(@class, 'indicators')]")
    merged = [
        (td.get("class"), td.text_content(), int(td.get("rowspan", "1")))
        for td in table.xpath("tbody/tr/td[@class='level1' or @class='level2']")
    ]
    assert merged == [
        ("level1", "产出指标", 4),
        ("level2", "数量指标", 2),
        ("level2", "质量指标", 1),
        ("level2", "时效指标", 1),
        ("level1", "成本指标", 1),
        ("level2", "经济成本指标", 1),
        ("level1", "效益指标", 2),
        ("level2", "社会效益指标", 2),
        ("level1", "满意度指标", 1),
        ("level2", "满意度指标", 1),
    ]
    # Rows covered by a merged cell leave it out instead of printing an empty one.
    assert [len(tr.xpath("td")) for tr in table.xpath("tbody/tr")] == [9, 7, 8, 8, 9, 9, 7, 9]


def test_header_block_uses_the_word_layouts_spans(renderer: HtmlRenderer) -> None:
    root = parse(renderer.render_project(seed2()))
    block = one(root, "//table[contains(@class, 'header-block')]")
    unit, name, funds, objectives = block.xpath("tbody/tr")
    # The header block has its own grid: the indicator table's columns that no header cell divides are
    # joined (HTML tables ignore columns without a cell starting in them when printing).
    assert spans(unit) == [("预算单位", 1), (EXAMPLES_UNIT, 6)]
    assert spans(name) == [
        ("项目名称", 1),
        ("巴财企[2022]32号关于提前下达2023年4月-2024年3月1995年前退休[退", 3),
        ("项目负责人", 2),
        ("张琪悦", 1),
    ]
    assert spans(funds) == [
        ("项目资金（万元）", 1),
        ("年度预算总额：", 1),
        ("52.00", 1),
        ("其中：财政拨款", 1),
        ("52.00", 1),
        ("其他资金：", 1),
        ("0.00", 1),
    ]
    assert spans(objectives)[0] == ("项目总体目标", 1)
    cell = objectives.xpath("td")[0]
    assert cell.get("colspan") == "6"
    assert [p.text_content() for p in cell.xpath("p")] == [
        "目标1、保障破产企业离退休973人正常领取补助。",
        "目标2、提高领取补贴人员生活水平，社会保险政策宣传知晓率98%以上。",
    ]
    # ...whose widths are the indicator table's, summed where columns were joined: the two tables line up.
    def widths(table: str) -> list[float]:
        styles = root.xpath(f"//table[contains(@class, '{table}')]/colgroup/col/@style")
        return [float(s.removeprefix("width: ").removesuffix("%")) for s in styles]

    inner = widths("indicators")
    joined = [inner[0] + inner[1], *inner[2:7], inner[7] + inner[8]]
    assert widths("header-block") == pytest.approx(joined, abs=0.11)


def test_money_has_two_decimals_and_weights_print_as_written(renderer: HtmlRenderer) -> None:
    rows = [("产出指标", "数量指标", "甲", "=1次", "历史标准", "", "8.5", "直接赋分", "工作资料")]
    project = make_project(rows, funds=Funds(1780.91, 1780.9, 0.01))
    root = parse(renderer.render_project(project))
    money = [td.text_content() for td in root.xpath("//td[contains(@class, 'money')]")]
    assert money == ["1780.91", "1780.90", "0.01"]
    assert one(root, "//td[@class='weight']").text_content() == "8.5"


def test_page_frame_title_language_and_year_line(renderer: HtmlRenderer) -> None:
    data = renderer.render_project(seed1())
    assert data.startswith(b"<!DOCTYPE html>\n")
    root = parse(data)
    assert root.get("lang") == "zh-CN"
    assert root.xpath("//meta/@charset") == ["utf-8"]
    assert root.xpath("//meta[@name='generator']/@content") == ["perfgen"]
    assert one(root, "//h1").text_content() == "项目支出绩效目标表"
    assert one(root, "//p[@class='year']").text_content() == "(2023年)"
    assert "2022年-巴财企[2022]38号" in one(root, "//title").text_content()


def test_page_is_self_contained(renderer: HtmlRenderer) -> None:
    data = renderer.render_project(seed1())
    text = data.decode("utf-8")
    root = parse(data)
    assert root.xpath("//script") == []
    assert root.xpath("//link") == []
    for attr in root.xpath("//@src | //@href"):
        assert not re.match(r"(?i)(https?:|//)", attr), attr
    assert not re.search(r"(?i)https?://|url\(|@import", text)
    style = one(root, "//style").text_content()
    assert "@page" in style and "A4 landscape" in style
    assert '"SimSun"' in style


def test_markup_in_the_data_prints_as_text(renderer: HtmlRenderer) -> None:
    evil = "<script>alert(1)</script>"
    rows = [("产出指标", "数量指标", evil, "=1次&lt;", "历史标准", "", "10", "直接赋分", "工作资料")]
    data = renderer.render_project(make_project(rows, name=evil, objectives=[evil]))
    assert b"<script" not in data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in data
    root = parse(data)
    assert root.xpath("//script") == []
    assert one(root, "//td[contains(concat(' ', @class, ' '), ' name ')]").text_content() == evil
    assert one(root, "//td[contains(concat(' ', @class, ' '), ' indicator ')]").text_content() == evil
    assert one(root, "//td[@class='target']").text_content() == "=1次&lt;"
    assert one(root, "//td[contains(concat(' ', @class, ' '), ' objectives ')]/p").text_content() == "目标1、" + evil
    assert evil in one(root, "//title").text_content()


def test_output_is_deterministic_utf8_with_unix_newlines(renderer: HtmlRenderer) -> None:
    first = renderer.render_project(seed2())
    assert renderer.render_project(seed2()) == first
    assert HtmlRenderer([builtin_templates_dir()]).render_project(seed2()) == first
    assert b"\r" not in first
    assert first.endswith(b"</html>\n")
    first.decode("utf-8")


def test_empty_optional_cells_stay_empty(renderer: HtmlRenderer) -> None:
    project = seed1()
    project.leader = ""
    root = parse(renderer.render_project(project))
    assert one(root, "//td[@class='leader']").text_content() == ""
    assert [td.text_content() for td in root.xpath("//td[@class='last-year']")] == [""] * len(SEED1_ROWS)


# --- overrides and template errors -----------------------------------------------------------------


def user_renderer(tmp_path: Path, files: dict[str, str]) -> HtmlRenderer:
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, text in files.items():
        (templates / name).write_text(text, encoding="utf-8")
    return HtmlRenderer([templates, builtin_templates_dir()])


def test_override_replaces_one_block_of_the_builtin(tmp_path: Path) -> None:
    footer = '{% block footer %}<p class="signature">填报人：{{ project.leader }}</p>{% endblock %}'
    renderer = user_renderer(
        tmp_path, {"project.html.j2": EXTENDS + "{% block title %}X{% endblock %}" + footer}
    )
    root = parse(renderer.render_project(seed1()))
    assert one(root, "//title").text_content() == "X"
    assert one(root, "//p[@class='signature']").text_content() == "填报人：张琪悦"
    # Everything else still comes from the built-in template.
    table = one(root, "//table[contains(@class, 'indicators')]")
    assert expand(table.xpath("tbody/tr")) == [list(row) for row in SEED1_ROWS]


def test_override_of_the_stylesheet_alone(tmp_path: Path) -> None:
    renderer = user_renderer(tmp_path, {"style.css": "td { color: navy; }\n"})
    style = one(parse(renderer.render_project(seed1())), "//style").text_content()
    assert "color: navy" in style
    assert "@page" not in style


def test_templates_are_compiled_once_per_renderer(tmp_path: Path) -> None:
    renderer = user_renderer(tmp_path, {"project.html.j2": EXTENDS + "{% block title %}first{% endblock %}"})
    assert b"<title>first</title>" in renderer.render_project(seed1())
    (tmp_path / "templates" / "project.html.j2").write_text(
        EXTENDS + "{% block title %}second{% endblock %}", encoding="utf-8"
    )
    assert b"<title>first</title>" in renderer.render_project(seed1())


def test_undefined_variable_names_the_template_file_and_line(tmp_path: Path) -> None:
    template = EXTENDS + "{% block heading %}\n<h1>{{ form.subtitle }}</h1>\n{% endblock %}\n"
    renderer = user_renderer(tmp_path, {"project.html.j2": template})
    with pytest.raises(TemplateError) as info:
        renderer.render_project(seed1())
    err = info.value
    assert err.file == tmp_path / "templates" / "project.html.j2"
    assert err.line == 3
    assert "subtitle" in err.message
    assert str(err).endswith(f"project.html.j2:3: error[PG030]: {err.message}")
    assert isinstance(err.__cause__, jinja2.UndefinedError)


def test_syntax_error_names_the_template_file_and_line(tmp_path: Path) -> None:
    renderer = user_renderer(
        tmp_path, {"project.html.j2": EXTENDS + "{% block title %}{% if %}{% endblock %}\n"}
    )
    with pytest.raises(TemplateError) as info:
        renderer.render_project(seed1())
    assert info.value.file == tmp_path / "templates" / "project.html.j2"
    assert info.value.line == 2
    assert "syntax" in info.value.message


def test_missing_parent_template_is_a_template_error(tmp_path: Path) -> None:
    renderer = user_renderer(tmp_path, {"project.html.j2": '\n{% extends "default:nothing.html.j2" %}\n'})
    with pytest.raises(TemplateError) as info:
        renderer.render_project(seed1())
    assert "default:nothing.html.j2" in info.value.message
    assert info.value.file == tmp_path / "templates" / "project.html.j2"
    assert info.value.line == 2


def test_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    template = EXTENDS + "{% block title %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}\n"
    renderer = user_renderer(tmp_path, {"project.html.j2": template})
    with pytest.raises(TemplateError) as info:
        renderer.render_project(seed1())
    assert isinstance(info.value.__cause__, jinja2.exceptions.SecurityError)
    assert info.value.line == 2
    assert "sandbox" in info.value.message


def test_sandbox_keeps_the_model_unchanged(tmp_path: Path) -> None:
    template = EXTENDS + "{% block title %}{{ project.objectives.append('x') }}{% endblock %}"
    renderer = user_renderer(tmp_path, {"project.html.j2": template})
    project = seed1()
    with pytest.raises(TemplateError) as info:
        renderer.render_project(project)
    assert isinstance(info.value.__cause__, jinja2.exceptions.SecurityError)
    assert len(project.objectives) == 2


def test_python_error_in_template_code_is_a_template_error(tmp_path: Path) -> None:
    template = EXTENDS + "\n{% block title %}{{ 1 // 0 }}{% endblock %}"
    renderer = user_renderer(tmp_path, {"project.html.j2": template})
    with pytest.raises(TemplateError) as info:
        renderer.render_project(seed1())
    assert info.value.line == 3
    assert "ZeroDivisionError" in info.value.message


# --- the index ------------------------------------------------------------------------------------


def entry(
    name: str, year: int, total: float, *, unit: str = EXAMPLES_UNIT, other: float = 0.0, docx: bool = True
) -> IndexEntry:
    return IndexEntry(
        unit=unit,
        year=year,
        name=name,
        total=total,
        fiscal=total - other,
        other=other,
        files=(("html", f"{year}/{name}.html"), *((("docx", f"{year}/{name}.docx"),) if docx else ())),
        source=f"goals/{year}/{name}.yaml",
    )


INDEX = [
    entry("部门专项-社会保险工作经费及大楼运行经费", 2023, 15),
    entry("旧项目 甲", 2022, 3.5, other=0.5, docx=False),
    entry("部门专项-城乡居民社会养老保险财政配套", 2023, 1780.91),
    entry("其他单位项目", 2023, 0.1, unit="A单位"),
    entry("2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资", 2023, 5),
]


def groups_of(entries: list[IndexEntry]) -> dict[tuple[str, int], list[IndexEntry]]:
    found: dict[tuple[str, int], list[IndexEntry]] = {}
    for e in entries:
        found.setdefault((e.unit, e.year), []).append(e)
    return found


def unit_page(renderer: HtmlRenderer, entries: list[IndexEntry],
              formats: tuple[str, ...] = ()) -> lxml.html.HtmlElement:
    group = unit_group(entries, (("Word", "combined/x.docx"),))
    return parse(renderer.render_unit(UnitPage(f"{group.heading} 目录", group, "../index.html", formats)))


def index_of(renderer: HtmlRenderer, entries: list[IndexEntry]) -> lxml.html.HtmlElement:
    lines = [unit_summary(unit_group(members), f"units/{year}-{unit}.html")
             for (unit, year), members in groups_of(entries).items()]
    return parse(renderer.render_index(index_page(lines, "目录")))


def test_a_unit_page_lists_its_projects_in_goals_file_order(renderer: HtmlRenderer) -> None:
    root = unit_page(renderer, [e for e in INDEX if e.unit == EXAMPLES_UNIT and e.year == 2023])
    assert one(root, "//h1").text_content() == f"{EXAMPLES_UNIT} 2023年"
    assert [a.text_content() for a in root.xpath("//tbody/tr/td[@class='name']/a")] == [
        "2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资",
        "部门专项-城乡居民社会养老保险财政配套",
        "部门专项-社会保险工作经费及大楼运行经费",
    ]
    assert [td.text_content() for td in root.xpath("//tr/td[@class='number']")] == ["1", "2", "3"]
    assert unit_page(renderer, list(reversed(INDEX[:3:2] + INDEX[4:]))).xpath("//tbody//a/@href") == \
        root.xpath("//tbody//a/@href")
    with pytest.raises(ValueError):
        unit_group(INDEX)  # one unit's year per page


def test_a_unit_page_has_funds_subtotals_and_its_combined_files(renderer: HtmlRenderer) -> None:
    root = unit_page(renderer, [e for e in INDEX if e.unit == EXAMPLES_UNIT and e.year == 2023])
    money = [[td.text_content() for td in tr.xpath("td[contains(@class, 'money')]")]
             for tr in root.xpath("//table/tbody/tr | //table/tfoot/tr")]
    assert money == [
        ["5.00", "5.00", "0.00"],
        ["1780.91", "1780.91", "0.00"],
        ["15.00", "15.00", "0.00"],
        ["1800.91", "1800.91", "0.00"],
    ]
    assert one(root, "//tfoot/tr/th").text_content() == "小计"
    assert [unquote(h) for h in root.xpath("//p[@class='combined']/a/@href")] == ["../combined/x.docx"]
    assert one(root, "//p[@class='back']/a").get("href") == "../index.html"


def test_a_unit_page_links_are_relative_to_its_folder_and_url_quoted(renderer: HtmlRenderer) -> None:
    root = unit_page(renderer, [e for e in INDEX if e.year == 2022])
    hrefs = root.xpath("//a/@href")
    assert hrefs, "no links"
    for href in hrefs:
        assert href.isascii() and " " not in href, href
        assert not re.match(r"(?i)(https?:|//|/)", href), href
    old = one(root, "//tr[td/a[text()='旧项目 甲']]")
    assert [unquote(h) for h in old.xpath(".//a/@href")] == ["../2022/旧项目 甲.html", "../2022/旧项目 甲.html"]
    assert old.xpath("td[contains(@class, 'docx')]/a") == []


def test_a_unit_page_escapes_markup_and_has_no_scripts(renderer: HtmlRenderer) -> None:
    group = unit_group([entry("<script>alert(1)</script>", 2023, 1, unit="<b>单位</b>")])
    data = renderer.render_unit(UnitPage("目录", group, "../index.html"))
    assert b"<script" not in data and b"<b>" not in data
    assert parse(data).xpath("//td[@class='name']/a")[0].text_content() == "<script>alert(1)</script>"


def test_the_index_lists_units_by_year_with_counts_and_totals(renderer: HtmlRenderer) -> None:
    entries = [*INDEX, entry("另一项目", 2023, 0.25, unit="A单位", other=0.01)]
    root = index_of(renderer, entries)
    assert one(root, "//title").text_content() == "目录"
    assert [h.text_content() for h in root.xpath("//h2")] == ["2023年", "2022年"]
    rows = [[td.text_content() for td in tr.xpath("td")] for tr in root.xpath("//table")[0].xpath("tbody/tr")]
    assert rows == [
        ["1", EXAMPLES_UNIT, "3", "1800.91", "1800.91", "0.00", "—"],  # goals-file order: goals/2023/2022年-…
        ["2", "A单位", "2", "0.35", "0.34", "0.01", "—"],  # before goals/2023/其他单位项目.yaml
    ]
    total = [td.text_content() for td in root.xpath("//table")[0].xpath("tfoot/tr/td")]
    assert total[:4] == ["5", "1801.26", "1801.25", "0.01"]  # the sum of the printed subtotals
    assert [unquote(h) for h in root.xpath("//table//td[@class='name']/a/@href")] == [
        f"units/2023-{EXAMPLES_UNIT}.html", "units/2023-A单位.html", f"units/2022-{EXAMPLES_UNIT}.html"]
    assert "共 3 个单位年度，6 个项目" in one(root, "//p[@class='year']").text_content()
    lines = [unit_summary(unit_group(m), f"u{i}.html") for i, m in enumerate(groups_of(entries).values())]
    assert renderer.render_index(index_page(reversed(lines), "目录")) == renderer.render_index(
        index_page(lines, "目录"))


def test_the_index_escapes_unit_names(renderer: HtmlRenderer) -> None:
    data = renderer.render_index(index_page([unit_summary(unit_group([entry("x", 2023, 1, unit="<script>")]),
                                                          "units/2023-_script_.html")], "目录"))
    assert b"<script>" not in data
    assert parse(data).xpath("//td[@class='name']/a")[0].text_content() == "<script>"


def test_built_in_templates_run_unchecked_only_when_the_repository_overrides_none(tmp_path: Path) -> None:
    assert type(HtmlRenderer([builtin_templates_dir()]).env) is Trusted
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "reference.docx").write_bytes(b"")  # not a template: the built-ins still run unchecked
    assert type(HtmlRenderer([templates, builtin_templates_dir()]).env) is Trusted
    for name in ("style.css", "form.html.j2", "base.html.j2"):
        (templates / name).write_text("{{ 1 }}", encoding="utf-8")
        env = HtmlRenderer([templates, builtin_templates_dir()]).env
        assert type(env) is BoundedSandbox  # a repository's template: every access checked, time and size bounded
        (templates / name).unlink()
    # the unchecked environment renders the same page, byte for byte
    checked = HtmlRenderer([builtin_templates_dir()])
    checked.env = make_environment(checked.env.loader, trusted=False)
    assert checked.render_project(seed1()) == HtmlRenderer([builtin_templates_dir()]).render_project(seed1())


def test_html_cell_draws_each_role_escaped() -> None:
    from perfgen.forms.printed import Printed
    from perfgen.render.html import html_cell
    from perfgen.render.layout import Cell

    label = Cell(0, "label", Printed(("<b>项目名称</b>",)), span=2)
    assert html_cell(label) == '<th scope="row" colspan="2">&lt;b&gt;项目名称&lt;/b&gt;</th>'
    title = Cell(0, "title", Printed(("指标值",)), rows=2)
    assert html_cell(title) == '<th scope="col" rowspan="2">指标值</th>'
    listed = Cell(1, "value", Printed(("一、甲", "二、<乙>"), kind="list"), cls="objectives", align="left")
    assert html_cell(listed) == '<td class="objectives left">\n<p>一、甲</p>\n<p>二、&lt;乙&gt;</p>\n</td>'
    value = Cell(3, "value", Printed(('"=3人"',)), cls='x" onclick="y')
    assert html_cell(value) == '<td class="x&#34; onclick=&#34;y">&#34;=3人&#34;</td>'


def test_html_cell_on_anything_else_is_a_template_error(tmp_path: Path) -> None:
    template = EXTENDS + '{% block title %}{{ "x"|html_cell }}{% endblock %}'
    renderer = user_renderer(tmp_path, {"project.html.j2": template})
    with pytest.raises(TemplateError) as info:
        renderer.render_project(seed1())
    assert "html_cell" in info.value.message
