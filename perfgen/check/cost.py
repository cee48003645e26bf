"""Cost × quantity (docs/domain.md check 7): a per-unit cost times the counts it names comes near 年度预算总额."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import L_OUTPUT, is_cost
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Indicator, Project, format_sum
from perfgen.targets import Target, parse_target

if TYPE_CHECKING:
    from perfgen.load.config import Config

COST_TIMES_QUANTITY = Rule(
    "PG119", "warning", "单位成本 × 数量与年度预算总额相差过大", "cost × quantity differs from the total budget",
    configurable=True,
    messages=(
        Message("PG119", "{calc} = {product}万元，与年度预算总额 {total}万元 相差 {off}%（容差 {tol}%）",
                "{calc} = {product}万元, {off}% away from the total budget {total}万元 (tolerance {tol}%)",
                "单位成本乘以数量应接近预算总额；检查单价、次数或人数",
                "unit cost times quantity should be close to the total; check the rate and the counts"),
    ))

RULES = (COST_TIMES_QUANTITY,)

_PER_NAME = {"每次": "次", "每月": "月", "每季度": "季度", "每年": "年", "每人": "人"}
_IMPLICIT = {"月": 12.0, "季度": 4.0, "年": 1.0}


def check_cost_times_quantity(p: Project, cfg: Config) -> Iterator[Finding]:
    """≤0.42万元/次 × 12次 ≈ 年度预算总额: a per-unit cost times the counts should match the budget."""
    if p.funds.total <= 0:
        return
    for ind in p.indicators:
        t = parse_target(ind.target)
        if not is_cost(ind) or not t.quantitative or not t.number:
            continue
        calculated = _cost_times_counts(p, ind, t)
        if calculated is None:
            continue
        product, factors = calculated
        off = abs(product - p.funds.total) / p.funds.total
        if off > cfg.cost_tolerance + 1e-9:  # "exactly 5%" must not fire through float rounding
            yield COST_TIMES_QUANTITY.at(ind.pos("target"), calc=" × ".join(factors), product=f"{product:.2f}",
                                         total=f"{p.funds.total:.2f}", off=f"{off * 100:.1f}",
                                         tol=f"{cfg.cost_tolerance * 100:g}")


def _cost_times_counts(p: Project, ind: Indicator, t: Target) -> tuple[float, list[str]] | None:
    """The cost line's amount in 万元 times each count it is per, and the factors as written; None if unknown."""
    assert t.number is not None
    money, _, per = t.unit.partition("/")
    scale = {"万元": 1.0, "元": 0.0001}.get(money)
    pers = [x for x in per.split("/") if x] or [u for pre, u in _PER_NAME.items() if ind.name.startswith(pre)]
    if scale is None or not pers:
        return None
    factors = [f"{t.op if t.op != '=' else ''}{t.number_text}{t.unit}"]
    product = t.number * scale
    for u in pers:
        found = _count(p, u) if u in ("次", "人") else None
        if found is None:
            period = u if u in _IMPLICIT else _period_of(ind.name)
            if period is None:
                return None
            found = (_IMPLICIT[period], f"{format_sum(_IMPLICIT[period])}{period}")
        product *= found[0]
        factors.append(found[1])
    return product, factors


def _count(p: Project, unit: str) -> tuple[float, str] | None:
    """A quantity line's count for ``unit`` (次 or 人): the first 产出 line whose target has that unit."""
    for ind in p.indicators:
        if ind.level1 != L_OUTPUT or is_cost(ind):
            continue
        t = parse_target(ind.target)
        if t.quantitative and t.unit == unit and t.number:
            return t.number, f"{t.number_text}{unit}"
    return None


def _period_of(name: str) -> str | None:
    for prefix, unit in (("每季度", "季度"), ("每月", "月"), ("每年", "年")):
        if name.startswith(prefix):
            return unit
    return None
