"""What several domain rules share: the 一级 names they refer to, and which indicators are cost lines."""

from __future__ import annotations

from perfgen.model import Indicator

EPS = 0.000001  # amounts and weights closer than this are equal
L_OUTPUT, L_COST, L_BENEFIT, L_SAT = "产出指标", "成本指标", "效益指标", "满意度指标"


def is_cost(ind: Indicator) -> bool:
    """A 成本指标 line, or (before 2021, when cost sat under 产出) a 产出 line with 成本 in its 二级."""
    return ind.level1 == L_COST or (ind.level1 == L_OUTPUT and "成本" in ind.level2)
