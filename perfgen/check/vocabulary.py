"""Basis, scoring and evidence (docs/domain.md check 8): the words the form allows in those columns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import is_cost
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Project

if TYPE_CHECKING:
    from perfgen.load.config import Config

BUDGET_STANDARD_OUTSIDE_COST = Rule(
    "PG120", "warning", "非成本指标以“预算支出标准”为依据", "预算支出标准 as the basis of a non-cost line",
    configurable=True,
    messages=(
        Message("PG120", "“{name}” 不是成本指标，却以“预算支出标准”为依据",
                "“{name}” is not a cost line but its basis is 预算支出标准",
                "预算支出标准只用于成本指标；其他指标常用“历史标准”“行业或国家标准”“计划标准”",
                "预算支出标准 is for cost lines; others use 历史标准, 行业或国家标准, 计划标准"),
    ))

UNUSUAL_BASIS = Rule(
    "PG122", "warning", "指标值设置依据不在常用词表中", "basis not in the form's vocabulary", configurable=True,
    messages=(
        Message("PG122", "指标值设置依据 “{value}” 不在常用词表中", "basis “{value}” is not in the form's vocabulary",
                "常用：{allowed}", "usual: {allowed}"),
    ))

UNUSUAL_SCORING = Rule(
    "PG123", "warning", "指标赋分规则不在常用词表中", "scoring rule not in the form's vocabulary", configurable=True,
    messages=(
        Message("PG123", "指标赋分规则 “{value}” 不在常用词表中",
                "scoring rule “{value}” is not in the form's vocabulary", "常用：{allowed}", "usual: {allowed}"),
    ))

UNUSUAL_EVIDENCE = Rule(
    "PG124", "warning", "佐证资料不在常用词表中", "evidence not in the form's vocabulary", configurable=True,
    messages=(
        Message("PG124", "佐证资料 “{value}” 不在常用词表中", "evidence “{value}” is not in the form's vocabulary",
                "常用：{allowed}", "usual: {allowed}"),
    ))

RULES = (BUDGET_STANDARD_OUTSIDE_COST, UNUSUAL_BASIS, UNUSUAL_SCORING, UNUSUAL_EVIDENCE)


def check_vocabulary(p: Project, cfg: Config) -> Iterator[Finding]:
    for ind in p.indicators:
        if ind.basis == "预算支出标准" and not is_cost(ind):
            yield BUDGET_STANDARD_OUTSIDE_COST.at(ind.pos("basis"), name=ind.name)
        if ind.basis and ind.basis not in cfg.basis:
            yield UNUSUAL_BASIS.at(ind.pos("basis"), value=ind.basis, allowed="、".join(cfg.basis))
        if ind.scoring and ind.scoring not in cfg.scoring:
            yield UNUSUAL_SCORING.at(ind.pos("scoring"), value=ind.scoring, allowed="、".join(cfg.scoring))
        if ind.evidence and ind.evidence not in cfg.evidence:
            yield UNUSUAL_EVIDENCE.at(ind.pos("evidence"), value=ind.evidence, allowed="、".join(cfg.evidence))
