"""Header fields a form prints (PG145): a form that prints 项目实施期 warns when the project has no ``period``.

Which fields: those of every form the run builds (perfgen.forms.choice settles them into the settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.forms.values import is_printed_empty
from perfgen.model import Project

if TYPE_CHECKING:
    from perfgen.load.config import Config

FORM_FIELD_EMPTY = Rule(
    "PG145", "warning", "表样打印的表头字段没有填写", "a header field the form prints is not filled in",
    configurable=True,
    messages=(
        Message("PG145", "表样 {forms} 打印 {field}，但项目没有填写它", "the form {forms} prints {field}, which the "
                "project does not give",
                "在目标文件（或 _defaults.yaml）中填写 {field}；不需要时可在 perfgen.yaml 中关闭 PG145",
                "give {field} in the goals file (or _defaults.yaml); turn PG145 off in perfgen.yaml if it is "
                "not needed"),
    ))

RULES = (FORM_FIELD_EMPTY,)


def check_form_fields(p: Project, cfg: Config) -> Iterator[Finding]:
    forms: dict[str, list[str]] = {}
    for form_id, name in cfg.printed:
        if is_printed_empty(p, name):
            forms.setdefault(name, []).append(form_id)
    for name, ids in forms.items():
        yield FORM_FIELD_EMPTY.at(p.pos(name), forms="、".join(ids), field=name)
