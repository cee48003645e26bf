"""What changed between two sets of projects, in terms of the form (:mod:`perfgen.diff.render` prints it).

Both sides are resolved models (``_defaults.yaml`` already applied), so a change in a defaults file shows on
every project it reaches. Identity: a project is its file path; an indicator is (一级, 二级, name), falling
back to the name alone when it moved to another group — the seed has the same name under two 二级 groups,
so the name alone is not enough. Values are strings formatted as the form prints them.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from perfgen.fmt.scalars import normalize_target
from perfgen.model import Indicator, Project, format_money, format_number
from perfgen.score import current_settings, percent, score_line, score_project

# "formatting": the project changed only in how its values are spelt (perfgen fmt's ≥ for >=), not what they mean
ProjectStatus = Literal["added", "removed", "changed", "renamed", "formatting"]
IndicatorStatus = Literal["added", "removed", "changed"]

HEADER_FIELDS = ("year", "unit", "name", "leader", "code")
FUNDS_FIELDS = ("funds.total", "funds.fiscal", "funds.other")
INDICATOR_FIELDS = ("group", "target", "basis", "last_year", "weight", "scoring", "evidence", "note", "actual",
                    "deviation", "score")
# Year end (issue 14): the execution figures, and the scores perfgen computes from them and from the actuals
YEAR_END_FIELDS = ("execution.initial", "execution.adjusted", "execution.spent", "execution.rate", "score.total",
                   "score.grade")
TOTAL = "total"  # the key of the whole project's weight total among the per-一级 totals

@dataclass(frozen=True, slots=True)
class Change:
    """One value, old → new. ``None`` means absent (or empty) on that side."""

    field: str
    old: str | None
    new: str | None
    formatting: bool = False  # the same meaning spelt otherwise (a target's >= become ≥)


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
        """A change of meaning (formatting alone is not one: ``perfgen diff --exit-code`` gives 0)."""
        return any(p.status != "formatting" for p in self.projects)

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0, "renamed": 0, "formatting": 0}
        for p in self.projects:
            out[p.status] += 1
        return out


# ---- comparing ---------------------------------------------------------------------------------------

def _opt(text: str) -> str | None:
    return text if text != "" else None


def _num(old: float, new: float, as_text: Callable[[float], str]) -> tuple[str, str]:
    """Format two numbers as the form does, with more decimals when the form's rounding hides a change."""
    a, b = as_text(old), as_text(new)
    if a == b and abs(old - new) > 1e-9:
        return format_number(old), format_number(new)
    return a, b


def _changes(pairs: Iterable[tuple[str, str | None, str | None]]) -> list[Change]:
    return [Change(k, a, b, k == "target" and _meaning(a) == _meaning(b)) for k, a, b in pairs if a != b]


def _meaning(target: str | None) -> str | None:
    """A target as it is meant: operator, number and unit, whatever the operator's spelling (>= or ≥)."""
    return None if target is None else normalize_target(target.strip())


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
            "last_year": _opt(ind.last_year),
            "weight": None if ind.weight is None else format_number(ind.weight),
            "scoring": _opt(ind.scoring), "evidence": _opt(ind.evidence), "note": _opt(ind.note),
            "actual": _opt(ind.actual), "deviation": _opt(ind.deviation), "score": _line_score(ind)}


def _line_score(ind: Indicator) -> str | None:
    """The line's score as perfgen computes it (a person's, for a qualitative line); None before year end."""
    if not ind.actual and ind.score is None:
        return None
    found = score_line(ind, current_settings()).score
    return None if found is None else f"{found:.2f}"


def _year_end(p: Project) -> dict[str, str | None]:
    scored = score_project(p, current_settings())
    ex = p.execution
    execution = scored.execution if scored is not None else None

    def amount(value: float | None) -> str | None:
        return None if value is None else format_money(value)

    return {"execution.initial": amount(ex.initial) if ex else None,
            "execution.adjusted": amount(ex.adjusted) if ex else None,
            "execution.spent": amount(ex.spent) if ex else None,
            "execution.rate": percent(execution.rate) or None if execution else None,
            "score.total": f"{scored.total:.2f}" if scored is not None and scored.complete else None,
            "score.grade": scored.grade if scored is not None and scored.complete else None}


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
        weight = ind.weight or 0.0
        out[TOTAL] += weight
        out[ind.level1] = out.get(ind.level1, 0.0) + weight
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
    fields += _changes((k, _year_end(old)[k], _year_end(new)[k]) for k in YEAR_END_FIELDS)
    indicators = _indicator_changes(old.indicators, new.indicators)
    weights = _weight_changes(old, new)
    renamed = old.source != new.source
    if not (fields or indicators or weights or renamed):
        return None
    spelling = (not renamed and not fields and not weights
                and all(i.status == "changed" and all(c.formatting for c in i.changes) for i in indicators))
    status: ProjectStatus = "renamed" if renamed else "formatting" if spelling else "changed"
    return ProjectDiff(status, new.source, new.name, old.source if renamed else None, fields, indicators, weights,
                       old, new)


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
