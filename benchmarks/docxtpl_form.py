"""The docxtpl version of the Word output: what a Python developer reaches for when a Word form is to be filled.

docxtpl renders a .docx template holding Jinja tags. The template here is made once with python-docx (the
same page, title, year line, header block and nine-column indicator table as perfgen's default form), with a
``{%tr for %}`` row loop over the indicators and ``{% vm %}`` in the 一级 and 二级 columns, docxtpl's way of
merging equal cells vertically. Rendering a project is then ``DocxTemplate(template).render(context)`` and a
save into memory: the cost measured in ``bench.py`` against perfgen's ``DocxWriter`` (issue 16: perfgen's Word
must cost at most 1/40 of this).

docxtpl is not a dependency of perfgen; ``pip install docxtpl`` to measure it (bench.py says when it is
missing). ``python benchmarks/docxtpl_form.py OUT.docx`` renders the first example, to look at.
"""

from __future__ import annotations

import io
import sys
from functools import cache
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, Twips

from perfgen.model import COLUMN_TITLES, Project, format_money, format_number


def _template_bytes() -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Twips(16838), Twips(11906)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("项目支出绩效目标表")
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph("({{ year }}年)").alignment = WD_ALIGN_PARAGRAPH.CENTER

    header = doc.add_table(rows=4, cols=9)
    header.style = "Table Grid"
    cells = {(0, 0): "预算单位", (0, 2): "{{ unit }}", (1, 0): "项目名称", (1, 2): "{{ name }}",
             (1, 5): "项目负责人", (1, 7): "{{ leader }}", (2, 0): "项目资金（万元）", (2, 2): "年度预算总额：",
             (2, 3): "{{ total }}", (2, 4): "其中：财政拨款", (2, 5): "{{ fiscal }}", (2, 6): "其他资金：",
             (2, 7): "{{ other }}", (3, 0): "项目总体目标",
             (3, 2): "{% for line in objectives %}{{ line }}{% if not loop.last %}\n{% endif %}{% endfor %}"}
    for (r, c), text in cells.items():
        header.cell(r, c).text = text
    for r, a, b in ((0, 0, 1), (0, 2, 8), (1, 0, 1), (1, 2, 4), (1, 5, 6), (1, 7, 8), (2, 0, 1), (2, 7, 8),
                    (3, 0, 1), (3, 2, 8)):
        header.cell(r, a).merge(header.cell(r, b))
    doc.add_paragraph()

    table = doc.add_table(rows=4, cols=9)
    table.style = "Table Grid"
    for c, title_text in enumerate(COLUMN_TITLES):
        table.cell(0, c).text = title_text
    table.cell(1, 0).text = "{%tr for row in rows %}"
    fields = ("{% vm %}{{ row.level1 }}", "{% vm %}{{ row.level2 }}", "{{ row.name }}", "{{ row.target }}",
              "{{ row.basis }}", "{{ row.last_year }}", "{{ row.weight }}", "{{ row.scoring }}", "{{ row.evidence }}")
    for c, text in enumerate(fields):
        table.cell(2, c).text = text
    table.cell(3, 0).text = "{%tr endfor %}"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@cache
def template() -> bytes:
    return _template_bytes()


def context(project: Project) -> dict[str, Any]:
    rows = [{"level1": i.level1, "level2": i.level2, "name": i.name, "target": i.target, "basis": i.basis,
             "last_year": i.last_year, "weight": format_number(i.weight) if i.weight is not None else "",
             "scoring": i.scoring, "evidence": i.evidence} for i in project.indicators]
    funds = project.funds
    return {"year": project.year, "unit": project.unit, "name": project.name, "leader": project.leader,
            "total": format_money(funds.total), "fiscal": format_money(funds.fiscal),
            "other": format_money(funds.other), "objectives": list(project.objectives), "rows": rows}


def render_docxtpl(project: Project) -> bytes:
    """One project's .docx through docxtpl: load the template, render the context, save into memory."""
    from docxtpl import DocxTemplate  # not a perfgen dependency: imported only when measured

    doc = DocxTemplate(io.BytesIO(template()))
    doc.render(context(project))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from sample_data import example_projects

    Path(argv[0] if argv else "docxtpl-example.docx").write_bytes(render_docxtpl(example_projects()[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
