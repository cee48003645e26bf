"""What changed between two sets of projects, in terms of the form, and how to print it.

Both sides are resolved models (``_defaults.yaml`` already applied), so a change in a defaults file shows on
every project it reaches. Identity: a project is its file path; an indicator is (一级, 二级, name), falling
back to the name alone when it moved to another group — the seed has the same name under two 二级 groups,
so the name alone is not enough. Values are strings formatted as the form prints them.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from perfgen.diagnostics import i18n
from perfgen.diagnostics.report import printable
from perfgen.model import Indicator, Project, format_money, format_number, format_sum

ProjectStatus = Literal["added", "removed", "changed", "renamed"]
IndicatorStatus = Literal["added", "removed", "changed"]

HEADER_FIELDS = ("year", "unit", "name", "leader", "code")
FUNDS_FIELDS = ("funds.total", "funds.fiscal", "funds.other")
INDICATOR_FIELDS = ("group", "target", "basis", "last_year", "weight", "scoring", "evidence", "note")
TOTAL = "total"  # the key of the whole project's weight total among the per-一级 totals

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
}

i18n.add({
    "diff.title": ("绩效目标变更", "Performance target changes", None, None),
    "diff.none": ("没有变化。", "No changes.", None, None),
    "diff.summary": ("{n} 个项目有变化：{parts}。", "{n} project(s) changed: {parts}.", None, None),
    "diff.status.added": ("新增", "added", None, None),
    "diff.status.removed": ("删除", "removed", None, None),
    "diff.status.changed": ("修改", "changed", None, None),
    "diff.status.renamed": ("重命名", "renamed", None, None),
    "diff.facts": ("{count} 项指标，权重合计 {weight}，年度预算总额 {total} 万元",
                   "{count} indicator(s), weights add up to {weight}, annual budget {total} (10k yuan)",
                   None, None),
    "diff.same_content": ("内容未变。", "Content unchanged.", None, None),
    "diff.col.indicator": ("指标", "Indicator", None, None),
    "diff.col.field": ("字段", "Field", None, None),
    "diff.col.old": ("原值", "Old", None, None),
    "diff.col.new": ("新值", "New", None, None),
    "diff.row.header": ("（表头）", "(header)", None, None),
    "diff.row.weights": ("（权重合计）", "(weight totals)", None, None),
    "diff.row.weights_text": ("指标分值权重合计", "weight total", None, None),
    "diff.row.objective": ("目标{n}", "objective {n}", None, None),
    "diff.row.empty": ("（空）", "(empty)", None, None),
})


@dataclass(frozen=True, slots=True)
class Change:
    """One value, old → new. ``None`` means absent (or empty) on that side."""

    field: str
    old: str | None
    new: str | None


@dataclass(slots=True)
class IndicatorDiff:
    status: IndicatorStatus
    level1: str  # where it is now (where it was, when removed)
    level2: str
    name: str
    # changed: the fields that differ ("group" when it moved); added/removed: every non-empty field.
    changes: list[Change] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.level1} / {self.level2} / {self.name}"


@dataclass(slots=True)
class ProjectDiff:
    status: ProjectStatus
    path: str  # the file now (the old file when removed)
    name: str
    old_path: str | None = None  # when renamed
    fields: list[Change] = field(default_factory=list)  # header, funds and objectives (key "objectives[i]")
    indicators: list[IndicatorDiff] = field(default_factory=list)
    weights: list[Change] = field(default_factory=list)  # key TOTAL or a 一级 name
    old: Project | None = field(default=None, repr=False, compare=False)
    new: Project | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class DiffResult:
    projects: list[ProjectDiff] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.projects)

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0, "renamed": 0}
        for p in self.projects:
            out[p.status] += 1
        return out


# ---- comparing ---------------------------------------------------------------------------------------

def _opt(text: str) -> str | None:
    return text if text != "" else None


def _num(old: float, new: float, fmt: Callable[[float], str]) -> tuple[str, str]:
    """Format two numbers as the form does, with more decimals when the form's rounding hides a change."""
    a, b = fmt(old), fmt(new)
    if a == b and abs(old - new) > 1e-9:
        return format_number(old), format_number(new)
    return a, b


def _changes(pairs: Iterable[tuple[str, str | None, str | None]]) -> list[Change]:
    return [Change(k, a, b) for k, a, b in pairs if a != b]


def _header(p: Project) -> dict[str, str | None]:
    return {"year": str(p.year), "unit": _opt(p.unit), "name": _opt(p.name), "leader": _opt(p.leader),
            "code": _opt(p.code)}


def _funds_changes(old: Project, new: Project) -> list[Change]:
    out = []
    for key in FUNDS_FIELDS:
        a, b = getattr(old.funds, key[6:]), getattr(new.funds, key[6:])
        if abs(a - b) > 1e-9:
            out.append(Change(key, *_num(a, b, format_money)))
    return out


def _objective_changes(old: list[str], new: list[str]) -> list[Change]:
    out = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a != b:
            out.append(Change(f"objectives[{i}]", a, b))
    return out


def _ind_values(ind: Indicator) -> dict[str, str | None]:
    return {"group": f"{ind.level1} / {ind.level2}", "target": _opt(ind.target), "basis": _opt(ind.basis),
            "last_year": _opt(ind.last_year), "weight": format_number(ind.weight),
            "scoring": _opt(ind.scoring), "evidence": _opt(ind.evidence), "note": _opt(ind.note)}


def _match(old: list[Indicator], new: list[Indicator]) -> dict[int, int]:
    """new index -> old index: first by (一级, 二级, name, nth occurrence), then by name in written order."""
    def keys(inds: list[Indicator]) -> list[tuple[str, str, str, int]]:
        seen: dict[tuple[str, str, str], int] = defaultdict(int)
        out = []
        for i in inds:
            k = (i.level1, i.level2, i.name)
            out.append((*k, seen[k]))
            seen[k] += 1
        return out

    old_at = {k: n for n, k in enumerate(keys(old))}
    pairs = {n: old_at[k] for n, k in enumerate(keys(new)) if k in old_at}
    taken = set(pairs.values())
    by_name: dict[str, deque[int]] = defaultdict(deque)
    for n, ind in enumerate(old):
        if n not in taken:
            by_name[ind.name].append(n)
    for n, ind in enumerate(new):
        if n not in pairs and by_name[ind.name]:
            pairs[n] = by_name[ind.name].popleft()
    return pairs


def _indicator_changes(old: list[Indicator], new: list[Indicator]) -> list[IndicatorDiff]:
    pairs = _match(old, new)
    matched_old = {o: n for n, o in pairs.items()}
    entries: list[tuple[tuple[int, int], IndicatorDiff]] = []
    for n, ind in enumerate(new):
        now = _ind_values(ind)
        if n in pairs:
            changes = _changes((k, _ind_values(old[pairs[n]])[k], now[k]) for k in INDICATOR_FIELDS)
            if changes:
                entries.append(((n, 0), IndicatorDiff("changed", ind.level1, ind.level2, ind.name, changes)))
        else:
            changes = [Change(k, None, v) for k, v in now.items() if v is not None and k != "group"]
            entries.append(((n, 0), IndicatorDiff("added", ind.level1, ind.level2, ind.name, changes)))
    for o, ind in enumerate(old):
        if o in matched_old:
            continue
        # A removed indicator is listed after the nearest earlier indicator that still exists.
        after = max((matched_old[j] for j in range(o) if j in matched_old), default=-1)
        was = _ind_values(ind)
        changes = [Change(k, v, None) for k, v in was.items() if v is not None and k != "group"]
        entries.append(((after, 1 + o), IndicatorDiff("removed", ind.level1, ind.level2, ind.name, changes)))
    return [e for _, e in sorted(entries, key=lambda x: x[0])]


def _weight_totals(p: Project) -> dict[str, float]:
    out: dict[str, float] = {TOTAL: 0.0}
    for ind in p.indicators:
        out[TOTAL] += ind.weight
        out[ind.level1] = out.get(ind.level1, 0.0) + ind.weight
    return {k: round(v, 6) for k, v in out.items()}


def _weight_changes(old: Project, new: Project) -> list[Change]:
    a, b = _weight_totals(old), _weight_totals(new)
    out = []
    for key in dict.fromkeys([*b, *a]):
        if key not in a or key not in b:
            out.append(Change(key, format_number(a[key]) if key in a else None,
                              format_number(b[key]) if key in b else None))
        elif abs(a[key] - b[key]) > 1e-9:
            out.append(Change(key, format_number(a[key]), format_number(b[key])))
    return out


def diff_project(old: Project, new: Project) -> ProjectDiff | None:
    """The differences between two versions of one project; None when the form would print the same."""
    fields = _changes((k, _header(old)[k], _header(new)[k]) for k in HEADER_FIELDS)
    fields += _funds_changes(old, new) + _objective_changes(old.objectives, new.objectives)
    indicators = _indicator_changes(old.indicators, new.indicators)
    weights = _weight_changes(old, new)
    renamed = old.source != new.source
    if not (fields or indicators or weights or renamed):
        return None
    return ProjectDiff("renamed" if renamed else "changed", new.source, new.name,
                       old.source if renamed else None, fields, indicators, weights, old, new)


def _content(p: Project) -> tuple[object, ...]:
    inds = tuple((i.level1, i.level2, i.name, tuple(_ind_values(i).values())) for i in p.indicators)
    return (*_header(p).values(), p.funds.total, p.funds.fiscal, p.funds.other, tuple(p.objectives), inds)


def _pair_renames(removed: list[Project], added: list[Project],
                  key: Callable[[Project], object]) -> list[tuple[Project, Project]]:
    """Pairs (old, new) whose ``key`` is equal and unique on both sides."""
    olds: dict[object, list[Project]] = defaultdict(list)
    news: dict[object, list[Project]] = defaultdict(list)
    for p in removed:
        olds[key(p)].append(p)
    for p in added:
        news[key(p)].append(p)
    return [(olds[k][0], news[k][0]) for k in olds if len(olds[k]) == 1 and len(news.get(k, ())) == 1]


def diff_projects(old: list[Project], new: list[Project]) -> DiffResult:
    """Compare two sets of projects, identified by file path; a moved file is found as a rename when its
    content is identical, or when its (year, unit, name) is unique on both sides."""
    olds = {p.source: p for p in old}
    news = {p.source: p for p in new}
    pairs = [(olds[k], news[k]) for k in olds.keys() & news.keys()]
    removed = [olds[k] for k in sorted(olds.keys() - news.keys())]
    added = [news[k] for k in sorted(news.keys() - olds.keys())]
    for key in (_content, lambda p: (p.year, p.unit, p.name)):
        found = _pair_renames(removed, added, key)
        pairs += found
        removed = [p for p in removed if all(p is not o for o, _ in found)]
        added = [p for p in added if all(p is not n for _, n in found)]
    result = [d for o, n in pairs if (d := diff_project(o, n)) is not None]
    result += [ProjectDiff("removed", p.source, p.name, old=p) for p in removed]
    result += [ProjectDiff("added", p.source, p.name, new=p) for p in added]
    result.sort(key=lambda d: (d.path, d.old_path or ""))
    return DiffResult(result)


# ---- labels shared by the renderers ------------------------------------------------------------------

def label(key: str) -> str:
    if key.startswith("objectives["):
        return i18n.message("diff.row.objective", {"n": int(key[11:-1]) + 1})
    zh, en = LABELS.get(key, (key, key))
    return en if i18n.get_lang() == "en" else zh


def facts(p: Project) -> str:
    return i18n.message("diff.facts", {"count": len(p.indicators), "weight": format_sum(p.weight_total()),
                                           "total": format_money(p.funds.total)})


def summary(result: DiffResult) -> str:
    if not result.has_changes:
        return i18n.message("diff.none", {})
    counts = [(_status(k), n) for k, n in result.counts().items() if n]
    parts = "，".join(f"{w} {n} 个" for w, n in counts) if _zh() else ", ".join(f"{n} {w}" for w, n in counts)
    return i18n.message("diff.summary", {"n": len(result.projects), "parts": parts})


def values_line(changes: list[Change], side: Literal["old", "new"]) -> str:
    """An added or removed indicator in one line: ``指标值 =3人；指标分值权重 10；…``."""
    sep = "; " if i18n.get_lang() == "en" else "；"
    return sep.join(f"{label(c.field)} {getattr(c, side)}" for c in changes)


def _zh() -> bool:
    return i18n.get_lang() != "en"


def _status(status: str) -> str:
    return i18n.message(f"diff.status.{status}", {})


# ---- text --------------------------------------------------------------------------------------------

def _t(value: str | None) -> str:
    return i18n.message("diff.row.empty", {}) if value is None else value.replace("\n", "\\n")


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
                lines += [f"      {label(c.field)}{colon}{_t(c.old)} → {_t(c.new)}" for c in ind.changes]
            else:
                mark = "+" if ind.status == "added" else "-"
                which: Literal["old", "new"] = "new" if ind.status == "added" else "old"
                lines.append(f"  {mark} {ind.label}{colon}{values_line(ind.changes, which)}")
        weights = i18n.message("diff.row.weights_text", {})
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

    group(i18n.message("diff.row.header", {}), [(label(c.field), c.old, c.new) for c in d.fields])
    for ind in d.indicators:
        if ind.status == "changed":
            group(ind.label, [(label(c.field), c.old, c.new) for c in ind.changes])
        else:
            which: Literal["old", "new"] = "new" if ind.status == "added" else "old"
            line = values_line(ind.changes, which)
            field_ = f"（{_status(ind.status)}）" if _zh() else f"({_status(ind.status)})"
            old, new = (line, None) if which == "old" else (None, line)
            rows.append((ind.label, field_, old, new))
    group(i18n.message("diff.row.weights", {}), [(label(c.field), c.old, c.new) for c in d.weights])
    return rows


def render_markdown(result: DiffResult) -> str:
    colon = "：" if _zh() else ": "
    cols = [i18n.message(f"diff.col.{c}", {}) for c in ("indicator", "field", "old", "new")]
    out = [f"## {i18n.message('diff.title', {})}", "", summary(result)]
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
            out += ["", i18n.message("diff.same_content", {})]
            continue
        out += ["", "| " + " | ".join(cols) + " |", "| --- | --- | --- | --- |"]
        out += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} | {_cell(e)} |" for a, b, c, e in rows]
    return "\n".join(out) + "\n"


# ---- json --------------------------------------------------------------------------------------------

def _changes_json(changes: list[Change], key: str = "field") -> list[dict[str, str | None]]:
    return [{key: c.field, "old": c.old, "new": c.new} for c in changes]


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
