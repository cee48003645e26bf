"""The year-end scores of the 项目支出绩效自评表, as data: each rule a named formula (docs/scoring.md).

:func:`score_project` scores a project that has its year-end data (``execution``, each indicator's ``actual``):
the execution line (10 points) and every indicator line, each rounded half up to 2 decimals, the total as the
sum of the rounded lines, and the grade of the rounded total. Which rule scores a line:

- a text target (qualitative): the ``score`` a person gave, which must fall in the band its ``actual`` names;
- a line under 成本指标: lower is better, whatever its operator;
- 直接赋分: the weight when the target is met (by its operator), else 0;
- otherwise the operator: ≥ and > higher is better, ≤ and < lower is better, = equal.

Every rule has a default formula (FORMS.md "Scoring") and alternatives a ``perfgen.yaml`` may choose
(``scoring_rules:``), e.g. lower-is-better as ``w × t ÷ a``, an uncapped execution score, or execution against the
年初预算数. Numbers are Decimals: a score is exact to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from perfgen.model import Indicator, Project
from perfgen.targets import parse_target

CENT = Decimal("0.01")
ZERO, ONE, TWO, TEN = Decimal(0), Decimal(1), Decimal(2), Decimal(10)
EXECUTION_POINTS = TEN
BANDS = (("达成年度指标", Decimal("0.8"), ONE), ("部分达成年度指标并具有一定效果", Decimal("0.6"), Decimal("0.8")),
         ("未达成年度指标且效果较差", ZERO, Decimal("0.6")))
GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (ZERO, "差"))
COST = "成本指标"

Formula = Callable[[Decimal, Decimal, Decimal], Decimal]  # (weight, target, actual) -> unrounded score


def round2(value: Decimal) -> Decimal:
    """Half up to the cent (2.675 -> 2.68), as the finance bureaus' tables do — not Python's half-even."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _higher_ratio(w: Decimal, t: Decimal, a: Decimal) -> Decimal:
    return w if a >= t else (w * a / t if t > 0 else ZERO)


def _lower_linear(w: Decimal, t: Decimal, a: Decimal) -> Decimal:
    if a <= t:
        return w
    if t <= 0 or a >= TWO * t:
        return ZERO
    return w * (ONE - (a - t) / t)


def _lower_ratio(w: Decimal, t: Decimal, a: Decimal) -> Decimal:
    return w if a <= t else w * t / a


def _equal(w: Decimal, t: Decimal, a: Decimal) -> Decimal:
    if t == 0:
        return w if a <= 0 else ZERO
    return w if a >= t else w * a / t


def _equal_exact(w: Decimal, t: Decimal, a: Decimal) -> Decimal:
    return w if a == t else ZERO


# rule -> formula name -> formula; the first of each is the default (FORMS.md "Scoring")
FORMULAS: dict[str, dict[str, Formula]] = {
    "higher": {"ratio": _higher_ratio},
    "lower": {"linear": _lower_linear, "ratio": _lower_ratio},
    "equal": {"ratio": _equal, "exact": _equal_exact},
}
EXECUTION = {"capped": True, "uncapped": False}  # 10 × min(rate, 1), or 10 × rate
EXECUTION_BASE = ("adjusted", "initial")  # the rate's denominator: 全年预算数, or 年初预算数
RULES = ("execution", "execution_base", "higher", "lower", "equal")


@dataclass(frozen=True)
class Settings:
    """Which formula each rule uses (perfgen.yaml ``scoring_rules:``; the defaults otherwise)."""

    choice: Mapping[str, str] = field(default_factory=dict)

    def formula(self, rule: str) -> Formula:
        options = FORMULAS[rule]
        return options.get(self.choice.get(rule, ""), next(iter(options.values())))

    @property
    def capped(self) -> bool:
        return EXECUTION.get(self.choice.get("execution", "capped"), True)

    @property
    def base(self) -> str:
        return self.choice.get("execution_base", "adjusted")


_CURRENT: ContextVar[Settings | None] = ContextVar("perfgen_scoring_settings", default=None)


def use_settings(settings: Settings) -> None:
    """The rules the forms score with in this process (a build sets perfgen.yaml's once, before rendering)."""
    _CURRENT.set(settings)


def current_settings() -> Settings:
    return _CURRENT.get() or Settings()


def options() -> dict[str, tuple[str, ...]]:
    """Every rule's formula names (the first the default), for perfgen.yaml's checking and the docs."""
    return {"execution": tuple(EXECUTION), "execution_base": EXECUTION_BASE,
            **{rule: tuple(found) for rule, found in FORMULAS.items()}}


@dataclass(frozen=True)
class Line:
    """One indicator's score, or why it has none (``problem``: a message key of perfgen.check.yearend)."""

    indicator: Indicator
    rule: str  # "higher", "lower", "equal", "direct", "qualitative"
    weight: Decimal
    score: Decimal | None
    problem: str | None = None

    @property
    def missed(self) -> bool:
        return self.score is not None and self.score < self.weight


@dataclass(frozen=True)
class Execution:
    budget: Decimal  # the rate's denominator
    spent: Decimal
    rate: Decimal | None  # None: no budget to divide by
    score: Decimal


@dataclass(frozen=True)
class ProjectScore:
    project: Project
    execution: Execution | None
    lines: tuple[Line, ...]

    @property
    def complete(self) -> bool:
        return self.execution is not None and all(line.score is not None for line in self.lines)

    @property
    def total(self) -> Decimal:
        parts = [self.execution.score] if self.execution is not None else []
        return sum((*parts, *(line.score for line in self.lines if line.score is not None)), ZERO)

    @property
    def grade(self) -> str:
        return grade(self.total)


def grade(total: Decimal) -> str:
    return next(name for floor, name in GRADES if total >= floor)


def dec(value: float | int) -> Decimal:
    return Decimal(repr(float(value)))


_BARE = re.compile(r"\s*[-+]?\d+(\.\d+)?\s*")


def actual_value(ind: Indicator) -> tuple[Decimal, str] | None:
    """The actual as (number, unit); None when it is text (or not given)."""
    text = ind.actual.strip()
    if not text:
        return None
    if _BARE.fullmatch(text):
        return Decimal(text.strip()), ""
    parsed = parse_target(text)
    if parsed.number is None or parsed.op not in ("=", None):
        return None
    return Decimal(parsed.number_text), parsed.unit


def rule_of(ind: Indicator) -> str:
    target = parse_target(ind.target)
    if target.number is None:
        return "qualitative"
    if ind.level1 == COST:
        return "lower"
    if ind.scoring == "直接赋分":
        return "direct"
    return {"≥": "higher", ">": "higher", "≤": "lower", "<": "lower"}.get(target.op or "=", "equal")


def band_of(actual: str) -> tuple[Decimal, Decimal] | None:
    """The share of the weight a qualitative actual allows: (low, high) — high included only for the top band."""
    for words, low, high in BANDS:
        if actual.strip() == words:
            return low, high
    return None


def score_line(ind: Indicator, settings: Settings) -> Line:
    weight = dec(ind.weight or 0)
    rule = rule_of(ind)
    if rule == "qualitative":
        if ind.score is None:
            return Line(ind, rule, weight, None, "yearend.score_missing" if ind.actual else "yearend.no_actual")
        return Line(ind, rule, weight, round2(dec(ind.score)))
    actual = actual_value(ind)
    if actual is None:
        return Line(ind, rule, weight, None, "yearend.actual_not_number" if ind.actual else "yearend.no_actual")
    target = parse_target(ind.target)
    t, (a, unit) = Decimal(target.number_text), actual
    if unit != target.unit:
        return Line(ind, rule, weight, None, "yearend.unit")
    if rule == "direct":
        met = {"≥": a >= t, ">": a > t, "≤": a <= t, "<": a < t}.get(target.op or "=", a == t)
        return Line(ind, rule, weight, weight if met else ZERO)
    return Line(ind, rule, weight, round2(settings.formula(rule)(weight, t, a)))


def score_execution(project: Project, settings: Settings) -> Execution | None:
    ex = project.execution
    if ex is None or ex.spent is None:
        return None
    initial = dec(ex.initial if ex.initial is not None else project.funds.total)
    adjusted = dec(ex.adjusted) if ex.adjusted is not None else initial
    budget = initial if settings.base == "initial" else adjusted
    spent = dec(ex.spent)
    if budget <= 0:
        return Execution(budget, spent, None, ZERO)
    rate = spent / budget
    points = EXECUTION_POINTS * (min(rate, ONE) if settings.capped else rate)
    return Execution(budget, spent, rate, round2(points))


def score_project(project: Project, settings: Settings | None = None) -> ProjectScore | None:
    """The project's scores, or None when it has no year-end data (no execution and no actual anywhere)."""
    settings = settings or Settings()
    if project.execution is None and not any(i.actual or i.score is not None for i in project.indicators):
        return None
    return ProjectScore(project, score_execution(project, settings),
                        tuple(score_line(i, settings) for i in project.indicators))


def percent(rate: Decimal | None) -> str:
    """An execution rate as the table prints it: 56.20%."""
    return "" if rate is None else f"{round2(rate * 100):.2f}%"
