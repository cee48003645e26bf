"""The straightforward python-docx version of the Word output, kept as a yardstick for DocxWriter.

This is what a typical developer writes first: a new ``Document()`` per project, ``add_table``,
``table.cell(r, c).text = ...`` and ``a.merge(b)`` for the merged cells. Same content as
``perfgen.render.docx.DocxWriter`` (title, year line, header block table, indicator table).

Run ``python -m benchmarks.naive_docx [COPIES]`` from the repository root to time both on seed table 1
(its seven indicator rows repeated COPIES times; default: 1 and 10).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, Twips

from perfgen.model import COLUMN_TITLES, Funds, Indicator, Project, format_money, format_number
from perfgen.render.docx import DocxWriter


def render_naive(project: Project) -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Twips(16838), Twips(11906)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("项目支出绩效目标表")
    run.bold = True
    run.font.size = Pt(18)
    doc.add_paragraph(f"({project.year}年)").alignment = WD_ALIGN_PARAGRAPH.CENTER

    header = doc.add_table(rows=4, cols=9)
    header.style = "Table Grid"
    funds = project.funds
    header.cell(0, 0).text = "预算单位"
    header.cell(0, 2).text = project.unit
    header.cell(1, 0).text = "项目名称"
    header.cell(1, 2).text = project.name
    header.cell(1, 5).text = "项目负责人"
    header.cell(1, 7).text = project.leader
    header.cell(2, 0).text = "项目资金（万元）"
    header.cell(2, 2).text = "年度预算总额："
    header.cell(2, 3).text = format_money(funds.total)
    header.cell(2, 4).text = "其中：财政拨款"
    header.cell(2, 5).text = format_money(funds.fiscal)
    header.cell(2, 6).text = "其他资金："
    header.cell(2, 7).text = format_money(funds.other)
    header.cell(3, 0).text = "项目总体目标"
    objectives = [f"目标{n}、{text}" for n, text in enumerate(project.objectives, 1)]
    header.cell(3, 2).text = "\n".join(objectives)
    header_spans = [[(0, 1), (2, 8)], [(0, 1), (2, 4), (5, 6), (7, 8)], [(0, 1), (7, 8)], [(0, 1), (2, 8)]]
    for r, spans in enumerate(header_spans):
        for a, b in spans:
            header.cell(r, a).merge(header.cell(r, b))

    doc.add_paragraph()
    rows = len(project.indicators) + 1
    table = doc.add_table(rows=rows, cols=9)
    table.style = "Table Grid"
    for c, text in enumerate(COLUMN_TITLES):
        table.cell(0, c).text = text
    r = 1
    for level1, subgroups in project.groups():
        start1 = r
        table.cell(r, 0).text = level1
        for level2, indicators in subgroups:
            start2 = r
            table.cell(r, 1).text = level2
            for ind in indicators:
                values = (ind.name, ind.target, ind.basis, ind.last_year, format_number(ind.weight))
                for c, text in enumerate((*values, ind.scoring, ind.evidence), start=2):
                    table.cell(r, c).text = text
                r += 1
            if r - 1 > start2:
                table.cell(start2, 1).merge(table.cell(r - 1, 1))
        if r - 1 > start1:
            table.cell(start1, 0).merge(table.cell(r - 1, 0))

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def sample_project(copies: int = 1) -> Project:
    """Seed table 1 (2023, 退休人员待遇补差), its seven indicator rows repeated ``copies`` times."""
    base = [
        ("产出指标", "数量指标", "领取退休人员待遇", "=3人", "历史标准", 10, "按照正常比例赋分", "工作资料"),
        ("产出指标", "数量指标", "发放补助次数", "=12次", "历史标准", 10, "按照正常比例赋分", "工作资料"),
        (
            "产出指标",
            "质量指标",
            "发放退休人员补差",
            "=100%",
            "行业或国家标准",
            10,
            "按照正常比例赋分",
            "工作资料",
        ),
        ("产出指标", "质量指标", "退休补差按日发放", "=100%", "历史标准", 10, "直接赋分", "工作资料"),
        (
            "成本指标",
            "经济成本指标",
            "每次发放（补助）",
            "≤0.42万元/次",
            "预算支出标准",
            20,
            "按照正常比例赋分",
            "原始凭证",
        ),
        (
            "效益指标",
            "社会效益指标",
            "领取退休补差人员",
            "有效提高",
            "历史标准",
            20,
            "按评判等级赋分",
            "工作资料",
        ),
        ("满意度指标", "满意度指标", "受益人员满意度", "≥98%", "历史标准", 10, "满意度赋分", "说明材料"),
    ]
    indicators = [
        Indicator(
            level1=l1,
            level2=l2,
            name=f"{name}{k or ''}",
            target=target,
            basis=basis,
            weight=float(weight),
            scoring=scoring,
            evidence=evidence,
        )
        for k in range(copies)
        for (l1, l2, name, target, basis, weight, scoring, evidence) in base
    ]
    indicators.sort(key=lambda i: [row[0] for row in base].index(i.level1))  # keep 一级 groups together
    return Project(
        source="goals/2023/sample.yaml",
        output_stem="2023/sample",
        year=2023,
        unit="库尔勒市社会保险中心",
        name="2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资",
        leader="张琪悦",
        funds=Funds(total=5, fiscal=5, other=0),
        objectives=["领取退休人员待遇补差3人，发放补助次数12次。", "提高领取退休补差人员生活水平。"],
        indicators=indicators,
    )


def _median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    reference = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
    writer = DocxWriter(reference)
    for copies in [int(argv[1])] if len(argv) > 1 else [1, 10]:
        project = sample_project(copies)
        writer.render(project), render_naive(project)  # warm up imports and caches
        naive = _median_seconds(lambda p=project: render_naive(p), 7)
        fast = _median_seconds(lambda p=project: writer.render(p), 51)
        print(
            f"{len(project.indicators):4d} rows: naive {naive * 1000:8.2f} ms,"
            f" DocxWriter {fast * 1000:6.3f} ms, ratio {naive / fast:6.1f}x (median of 7 / 51 runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
