"""The rules of form definitions (PG040-PG044) and the domain rule of header fields a form prints (PG145).

Records only (see :mod:`perfgen.diagnostics.rule`). A definition's YAML and schema problems use the reading
rules (PG001-PG016) like any YAML file perfgen reads; these are the problems only a form can have.
"""

from __future__ import annotations

from perfgen.diagnostics.rule import Message, Rule

_SEE_DOCS = ("表样定义的写法见 docs/forms.md", "docs/forms.md describes form definitions")

FORM_UNKNOWN = Rule(
    "PG040", "error", "没有这个表样", "no such form",
    messages=(
        Message("form.unknown", "没有 ID 为 “{form}” 的表样（可用：{available}）",
                "no form with the ID “{form}” (available: {available})",
                "perfgen forms 列出全部表样；仓库自己的表样放在 forms/<ID>.yaml",
                "perfgen forms lists every form; a repository's own forms are forms/<ID>.yaml"),
        Message("form.id_mismatch", "表样文件 {file} 的 id 是 “{id}”，应与文件名 “{stem}” 相同",
                "the form file {file} has the id “{id}”; it must match its file name “{stem}”",
                "把 id 改成文件名（不含 .yaml），或把文件改名", "make the id the file name (without .yaml), or rename "
                "the file"),
        Message("form.unreadable", "表样文件无法读取：{reason}", "the form file cannot be read: {reason}",
                "表样文件须是仓库 forms/ 中的普通 UTF-8 文件",
                "a form is a regular UTF-8 file in the repository's forms/"),
    ))

FORM_GRID = Rule(
    "PG041", "error", "表样的单元格超出或未填满网格", "a form's cells overrun or do not fill its grid",
    messages=(
        Message("form.overrun", "这一行的单元格占 {used} 列，超出表格的 {width} 列",
                "this row's cells take {used} columns; the grid has {width}", *_SEE_DOCS),
        Message("form.short", "这一行的单元格只占 {used} 列，表格有 {width} 列",
                "this row's cells take {used} columns of the grid's {width}",
                "用 span 让单元格跨列，把这一行填满", "widen a cell with span so the row fills the grid"),
        Message("form.rows_overrun", "单元格向下合并 {rows} 行，超出了这一部分的行数",
                "the cell spans {rows} rows, past the end of its section", *_SEE_DOCS),
        Message("form.widths", "widths 有 {got} 个数，表格有 {width} 列", "widths has {got} numbers; the grid has "
                "{width} columns", "每列一个相对宽度", "give one relative width per column"),
        Message("form.columns", "指标表占 {used} 列，表格有 {width} 列", "the indicator table takes {used} columns; "
                "the grid has {width}", "指标列（加上 label 列）须正好占满 widths 的列数",
                "the indicator columns (with the label column) must fill the grid exactly"),
    ))

FORM_FIELD = Rule(
    "PG042", "error", "表样引用了不存在的字段", "a form names a field that does not exist",
    messages=(
        Message("form.field", "没有名为 “{field}” 的字段（可用：{available}）",
                "no field named “{field}” (available: {available})", *_SEE_DOCS),
        Message("form.placeholder", "文字中的 {{{field}}} 不是可用的字段（可用：{available}）",
                "{{{field}}} in the text is no field (available: {available})", *_SEE_DOCS),
    ))

FORM_CATEGORY = Rule(
    "PG043", "error", "表样的指标类别映射有误", "a form's category mapping is wrong",
    messages=(
        Message("form.category", "类别映射 {detail}", "category mapping: {detail}", *_SEE_DOCS),
    ))

FORM_CHOICE = Rule(
    "PG044", "error", "表样选择有误（perfgen.yaml 的 form/forms，或 --form）",
    "wrong choice of forms (form/forms in perfgen.yaml, or --form)",
    messages=(
        Message("form.choice", "表样 “{form}” 不存在（可用：{available}）", "there is no form “{form}” (available: "
                "{available})", "perfgen forms 列出全部表样", "perfgen forms lists every form"),
    ))

RULES = (FORM_UNKNOWN, FORM_GRID, FORM_FIELD, FORM_CATEGORY, FORM_CHOICE)
