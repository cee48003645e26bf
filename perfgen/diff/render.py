"""How a diff prints: text for a terminal, markdown for a pull-request comment, JSON for programs.

Field labels are the form's own words (zh) or plain English; values are already strings formatted as the
form prints them (:mod:`perfgen.diff.compare`). Names and values come from a goals repository and may hold
control characters: every format shows them escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from perfgen.diagnostics import i18n
from perfgen.diagnostics.report import printable
from perfgen.diff.compare import TOTAL, Change, DiffResult, ProjectDiff
from perfgen.model import Project, format_money, format_sum

# Field labels: the form's own words (zh) or plain English.
LABELS: dict[str, tuple[str, str]] = {
    "year": ("年度", "year"), "unit": ("预算单位", "budget unit"), "name": ("项目名称", "project name"),
    "leader": ("项目负责人", "project leader"), "code": ("项目编码", "project code"),
    "funds.total": ("年度预算总额", "annual budget total"), "funds.fiscal": ("财政拨款", "fiscal funds"),
    "funds.other": ("其他资金", "other funds"),
    "group": ("一级/二级指标", "level 1/2 group"), "target": ("指标值", "target"),
    "basis": ("指标值设置依据", "basis"), "last_year": ("上年完成值", "last year"),
    "weight": ("指标分值权重", "weight"), "scoring": ("指标赋分规则", "scoring rule"),
    "evidence": ("佐证资料", "evidence"), "note": ("备注", "note"), TOTAL: ("全部指标", "all indicators"),
    "actual": ("实际完成值", "actual"), "deviation": ("偏差原因分析及改进措施", "deviation"),
    "score": ("得分", "score"),
    "execution.initial": ("年初预算数", "initial budget"), "execution.adjusted": ("全年预算数", "adjusted budget"),
    "execution.spent": ("全年执行数", "spent"), "execution.rate": ("执行率", "execution rate"),
    "score.total": ("总分", "total score"), "score.grade": ("等级", "grade"),
}

# The diff's own sentences and headings: (zh, en), str.format placeholders.
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("绩效目标变更", "Performance target changes"),
    "none": ("没有变化。", "No changes."),
    "summary": ("{n} 个项目有变化：{parts}。", "{n} project(s) changed: {parts}."),
    "summary.formatting": ("含义没有变化：{n} 个项目仅格式变化（如 perfgen fmt 把 >= 写成 ≥）。",
                           "No change of meaning: {n} project(s) changed only in formatting (e.g. perfgen fmt "
                           "writing >= as ≥)."),
    "status.added": ("新增", "added"),
    "status.removed": ("删除", "removed"),
    "status.changed": ("修改", "changed"),
    "status.renamed": ("重命名", "renamed"),
    "status.formatting": ("仅格式变化", "formatting only"),
    "formatting.note": ("（写法不同，含义相同）", " (spelt otherwise, same meaning)"),
    "facts": ("{count} 项指标，权重合计 {weight}，年度预算总额 {total} 万元",
              "{count} indicator(s), weights add up to {weight}, annual budget {total} (10k yuan)"),
    "same_content": ("内容未变。", "Content unchanged."),
    "col.indicator": ("指标", "Indicator"),
    "col.field": ("字段", "Field"),
    "col.old": ("原值", "Old"),
    "col.new": ("新值", "New"),
    "row.header": ("（表头）", "(header)"),
    "row.weights": ("（权重合计）", "(weight totals)"),
    "row.weights_text": ("指标分值权重合计", "weight total"),
    "row.objective": ("目标{n}", "objective {n}"),
    "row.empty": ("（空）", "(empty)"),
}


def _say(key: str, **args: Any) -> str:
    """The text ``key`` of :data:`TEXTS` in the current language, with ``args`` filled in."""
    return i18n.text(*TEXTS[key], **args)


# ---- labels shared by the renderers ------------------------------------------------------------------

def label(key: str) -> str:
    if key.startswith("objectives["):
        return _say("row.objective", n=int(key[11:-1]) + 1)
    zh, en = LABELS.get(key, (key, key))
    return en if i18n.get_lang() == "en" else zh


def facts(p: Project) -> str:
    return _say("facts", count=len(p.indicators), weight=format_sum(p.weight_total()),
                total=format_money(p.funds.total))


def summary(result: DiffResult) -> str:
    if not result.projects:
        return _say("none")
    if not result.has_changes:
        return _say("summary.formatting", n=len(result.projects))
    counts = [(_status(k), n) for k, n in result.counts().items() if n]
    parts = "，".join(f"{w} {n} 个" for w, n in counts) if _zh() else ", ".join(f"{n} {w}" for w, n in counts)
    return _say("summary", n=len(result.projects), parts=parts)


def _note(change: Change) -> str:
    """After a change that only respells a value: say so."""
    return _say("formatting.note") if change.formatting else ""


def values_line(changes: list[Change], side: Literal["old", "new"]) -> str:
    """An added or removed indicator in one line: ``指标值 =3人；指标分值权重 10；…``."""
    sep = "; " if i18n.get_lang() == "en" else "；"
    return sep.join(f"{label(c.field)} {getattr(c, side)}" for c in changes)


def _zh() -> bool:
    return i18n.get_lang() != "en"


def _status(status: str) -> str:
    return _say(f"status.{status}")


# ---- text --------------------------------------------------------------------------------------------

def _t(value: str | None) -> str:
    return _say("row.empty") if value is None else value.replace("\n", "\\n")


def render_text(result: DiffResult) -> str:
    colon = "：" if _zh() else ": "
    lines: list[str] = []
    for d in result.projects:
        where = f"{d.old_path} → {d.path}" if d.old_path else d.path
        head = f"{_status(d.status)} {where}" + (f"（{d.name}）" if _zh() else f" ({d.name})")
        side = d.new or d.old
        if d.status in ("added", "removed") and side is not None:
            lines += [head + colon + facts(side), ""]
            continue
        lines.append(head)
        lines += [f"  {label(c.field)}{colon}{_t(c.old)} → {_t(c.new)}" for c in d.fields]
        for ind in d.indicators:
            if ind.status == "changed":
                lines.append(f"  ~ {ind.label}")
                lines += [f"      {label(c.field)}{colon}{_t(c.old)} → {_t(c.new)}{_note(c)}" for c in ind.changes]
            else:
                mark = "+" if ind.status == "added" else "-"
                which: Literal["old", "new"] = "new" if ind.status == "added" else "old"
                lines.append(f"  {mark} {ind.label}{colon}{values_line(ind.changes, which)}")
        weights = _say("row.weights_text")
        lines += [f"  {weights}（{label(c.field)}）{colon}{_t(c.old)} → {_t(c.new)}" if _zh() else
                  f"  {weights} ({label(c.field)}){colon}{_t(c.old)} → {_t(c.new)}" for c in d.weights]
        lines.append("")
    lines.append(summary(result))
    return "\n".join(printable(line) for line in lines) + "\n"  # names and values may hold control characters


# ---- markdown (a pull-request comment) ---------------------------------------------------------------

_MD_SPECIAL = set("\\`*_[]<>|~&")


def md_escape(text: str) -> str:
    """Text safe inside a GitHub table cell or heading: markdown punctuation escaped, newlines as <br>,
    control characters shown as escapes."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join("".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in printable(line)) for line in lines)


def _cell(value: str | None) -> str:
    return md_escape(value) if value else " "


def _code(path: str) -> str:
    return md_escape(path) if "`" in path or "\n" in path else f"`{path}`"


def _rows(d: ProjectDiff) -> list[tuple[str, str, str | None, str | None]]:
    rows: list[tuple[str, str, str | None, str | None]] = []

    def group(first: str, items: list[tuple[str, str | None, str | None]]) -> None:
        rows.extend((first if n == 0 else "", f, a, b) for n, (f, a, b) in enumerate(items))

    group(_say("row.header"), [(label(c.field), c.old, c.new) for c in d.fields])
    for ind in d.indicators:
        if ind.status == "changed":
            group(ind.label, [(label(c.field) + _note(c), c.old, c.new) for c in ind.changes])
        else:
            which: Literal["old", "new"] = "new" if ind.status == "added" else "old"
            line = values_line(ind.changes, which)
            field_ = f"（{_status(ind.status)}）" if _zh() else f"({_status(ind.status)})"
            old, new = (line, None) if which == "old" else (None, line)
            rows.append((ind.label, field_, old, new))
    group(_say("row.weights"), [(label(c.field), c.old, c.new) for c in d.weights])
    return rows


def render_markdown(result: DiffResult) -> str:
    colon = "：" if _zh() else ": "
    cols = [_say(f"col.{c}") for c in ("indicator", "field", "old", "new")]
    out = [f"## {_say('title')}", "", summary(result)]
    for d in result.projects:
        out += ["", f"### {_status(d.status)}{colon}{md_escape(d.name)}", ""]
        where = f"{_code(d.old_path)} → {_code(d.path)}" if d.old_path else _code(d.path)
        side = d.new or d.old
        if d.status in ("added", "removed") and side is not None:
            out.append(where + colon + facts(side))
            continue
        out.append(where)
        rows = _rows(d)
        if not rows:
            out += ["", _say("same_content")]
            continue
        out += ["", "| " + " | ".join(cols) + " |", "| --- | --- | --- | --- |"]
        out += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} | {_cell(e)} |" for a, b, c, e in rows]
    return "\n".join(out) + "\n"


# ---- json --------------------------------------------------------------------------------------------

def _changes_json(changes: list[Change], key: str = "field") -> list[dict[str, str | bool | None]]:
    return [{key: c.field, "old": c.old, "new": c.new, **({"formatting_only": True} if c.formatting else {})}
            for c in changes]


def render_json(result: DiffResult) -> str:
    projects = []
    for d in result.projects:
        side = d.new or d.old
        totals = None
        if d.status in ("added", "removed") and side is not None:
            totals = {"indicators": len(side.indicators),
                      "weight": format_sum(side.weight_total()),
                      "funds": format_money(side.funds.total)}
        projects.append({
            "status": d.status, "path": d.path, "old_path": d.old_path, "name": d.name,
            "fields": _changes_json(d.fields),
            "indicators": [{"status": i.status, "level1": i.level1, "level2": i.level2, "name": i.name,
                            "changes": _changes_json(i.changes)} for i in d.indicators],
            "weights": _changes_json(d.weights, "group"),
            "totals": totals,
        })
    doc = {"changed": result.has_changes, "summary": result.counts(), "projects": projects}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


RENDERERS: dict[str, Callable[[DiffResult], str]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json}
