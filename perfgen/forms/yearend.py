"""The names the year-end and mid-year forms print (self-evaluation, monitoring): the goals' own values and those
the scoring engine computes from them — 执行率, 得分, 总分, 等级, the 1-M月 label, the √ ticks. Nothing here is
typed in a goals file: a form only names it (issue 14).

Header fields: ``execution.initial|adjusted|spent|rate|score``, ``execution.lines.<label>.initial|adjusted|spent|rate``,
``execution.achieved``, ``score.total``, ``score.grade``, ``midyear.label|spent|forecast_spent|rate|progress``.
Indicator columns: ``actual``, ``deviation``, ``score``, ``midyear.value|forecast|note``, ``likelihood.<word>``
(√ where the likelihood is that word) and ``cause.<category>`` (√ where it is one of the causes).
"""

from __future__ import annotations

from collections.abc import Callable

from perfgen.forms.printed import Printed
from perfgen.model import CAUSES, LIKELIHOOD, Indicator, Project, format_money
from perfgen.score import current_settings, dec, percent, score_execution, score_line, score_project

TICK = "√"
LINES = "execution.lines."  # execution.lines.<label>.<initial|adjusted|spent|rate>


def _money(value: float | None) -> Printed:
    return Printed(("",)) if value is None else Printed((format_money(value),), "money", value)


def _text(value: str) -> Printed:
    return Printed((value,))


def _execution_amount(name: str) -> Callable[[Project], Printed]:
    def get(p: Project) -> Printed:
        ex = p.execution
        if ex is None:
            return Printed(("",))
        initial = ex.initial if ex.initial is not None else p.funds.total
        adjusted = ex.adjusted if ex.adjusted is not None else initial
        return _money({"initial": initial, "adjusted": adjusted, "spent": ex.spent}[name])
    return get


def _execution_rate(p: Project) -> Printed:
    found = score_execution(p, current_settings())
    return _text(percent(found.rate) if found is not None else "")


def _execution_score(p: Project) -> Printed:
    found = score_execution(p, current_settings())
    return _text(f"{found.score:.2f}" if found is not None else "")


def _total(p: Project) -> Printed:
    scored = score_project(p, current_settings())
    return _text(f"{scored.total:.2f}" if scored is not None and scored.complete else "")


def _grade(p: Project) -> Printed:
    scored = score_project(p, current_settings())
    return _text(scored.grade if scored is not None and scored.complete else "")


def _midyear_label(p: Project) -> Printed:
    return _text(f"1-{p.midyear.month}月" if p.midyear is not None else "1-M月")


def _midyear_rate(p: Project) -> Printed:
    mid = p.midyear
    if mid is None or mid.spent is None or p.funds.total <= 0:
        return _text("")
    return _text(percent(dec(mid.spent) / dec(p.funds.total)))


HEADER: dict[str, Callable[[Project], Printed]] = {
    **{f"execution.{name}": _execution_amount(name) for name in ("initial", "adjusted", "spent")},
    "execution.rate": _execution_rate,
    "execution.score": _execution_score,
    "execution.achieved": lambda p: Printed(tuple(p.execution.achieved) if p.execution else (), "list"),
    "score.total": _total,
    "score.grade": _grade,
    "midyear.label": _midyear_label,
    "midyear.month": lambda p: _text(str(p.midyear.month) if p.midyear is not None else "M"),
    "midyear.spent": lambda p: _money(p.midyear.spent if p.midyear else None),
    "midyear.forecast_spent": lambda p: _money(p.midyear.forecast_spent if p.midyear else None),
    "midyear.rate": _midyear_rate,
    "midyear.progress": lambda p: Printed(tuple(p.midyear.progress) if p.midyear else (), "list"),
}


def line_value(p: Project, name: str) -> Printed | None:
    """``execution.lines.<label>.<field>``: one row under 年度资金总额 (blank when the project does not give it)."""
    if not name.startswith(LINES) or "." not in name[len(LINES):]:
        return None
    label, _, field = name[len(LINES):].rpartition(".")
    line = p.execution.lines.get(label) if p.execution is not None else None
    if field == "rate":
        if line is None or not line.spent or not (line.adjusted or line.initial):
            return _text("")
        budget = line.adjusted if line.adjusted else line.initial
        return _text(percent(dec(line.spent) / dec(budget or 0)) if budget else "")
    return _money(getattr(line, field, None) if line is not None else None)


def is_line_name(name: str) -> bool:
    label, _, field = name[len(LINES):].rpartition(".")
    return name.startswith(LINES) and bool(label) and field in ("initial", "adjusted", "spent", "rate")


def _score(ind: Indicator) -> Printed:
    if not ind.actual and ind.score is None:
        return _text("")
    found = score_line(ind, current_settings()).score
    return _text("" if found is None else f"{found:.2f}")


INDICATOR: dict[str, Callable[[Indicator], Printed]] = {
    "actual": lambda i: _text(i.actual),
    "deviation": lambda i: _text(i.deviation),
    "score": _score,
    "midyear.value": lambda i: _text(i.midyear.value if i.midyear else ""),
    "midyear.forecast": lambda i: _text(i.midyear.forecast if i.midyear else ""),
    "midyear.note": lambda i: _text(i.midyear.note if i.midyear else ""),
    **{f"likelihood.{word}": (lambda w: lambda i: _text(TICK if i.midyear and i.midyear.likelihood == w else ""))(word)
       for word in LIKELIHOOD},
    **{f"cause.{cause}": (lambda c: lambda i: _text(TICK if i.midyear and c in i.midyear.causes else ""))(cause)
       for cause in CAUSES},
}
