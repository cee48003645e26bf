"""Categories (docs/domain.md check 3): every 一级 and 二级 known and in its place, the mandatory 一级 present."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import L_BENEFIT, L_COST, L_OUTPUT, L_SAT, is_cost
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Project

if TYPE_CHECKING:
    from perfgen.load.config import Config

LEVEL2_MISPLACED = Rule(
    "PG104", "error", "二级指标放在了错误的一级指标下，或被写成一级指标",
    "二级 under the wrong 一级, or used as a 一级", configurable=True,
    messages=(
        Message("PG104", "二级指标 “{name}” 不属于一级指标 “{l1}”，应放在 “{owner}” 下",
                "二级 “{name}” does not belong under “{l1}”; it belongs under “{owner}”", "把这一组移到 {owner} 下",
                "move this group under {owner}"),
        Message("PG104.as_l1", "“{name}” 是二级指标，被写成了一级指标",
                "“{name}” is a 二级 category written as a 一级", "把它作为二级指标放到 “{owner}” 下（原表常见的错位）",
                "put it under “{owner}” as a 二级 (a common misalignment in printed tables)"),
    ))

UNKNOWN_LEVEL1 = Rule(
    "PG105", "error", "未知的一级指标", "unknown 一级 category", configurable=True,
    messages=(
        Message("PG105", "未知的一级指标 “{name}”", "unknown 一级 category “{name}”", "可用的一级指标：{allowed}",
                "allowed: {allowed}"),
    ))

UNKNOWN_LEVEL2 = Rule(
    "PG106", "warning", "未知的二级指标", "unknown 二级 category", configurable=True,
    messages=(
        Message("PG106", "一级指标 “{l1}” 下未知的二级指标 “{name}”", "unknown 二级 “{name}” under “{l1}”",
                "常用的二级指标：{allowed}", "usual 二级 categories: {allowed}"),
    ))

LEVEL1_MISSING = Rule(
    "PG107", "error", "缺少必备的一级指标（产出、效益、满意度）", "mandatory 一级 missing (产出, 效益, 满意度)",
    configurable=True,
    messages=(
        Message("PG107", "缺少一级指标 “{name}”", "一级 category “{name}” is missing",
                "每个项目都应有产出、效益和满意度指标",
                "every project needs output, benefit and satisfaction indicators"),
    ))

NO_COST_INDICATORS = Rule(
    "PG108", "warning", "2022 年及以后的表缺少成本指标", "no 成本指标 in a 2022+ table", configurable=True,
    messages=(
        Message("PG108", "{year} 年的表没有成本指标", "the {year} table has no 成本指标",
                "财预〔2021〕101号起成本指标为一级指标", "since 财预〔2021〕101号 cost is a 一级 category"),
    ))

SATISFACTION_MISPLACED = Rule(
    "PG125", "warning", "满意度指标放在了满意度指标以外的一级下", "satisfaction indicator outside 满意度指标",
    configurable=True,
    messages=(
        Message("PG125", "满意度指标 “{name}” 放在了 “{l1}” 下", "satisfaction indicator “{name}” is under “{l1}”",
                "满意度只放在“满意度指标”下", "satisfaction indicators belong under 满意度指标"),
    ))

RULES = (LEVEL2_MISPLACED, UNKNOWN_LEVEL1, UNKNOWN_LEVEL2, LEVEL1_MISSING, NO_COST_INDICATORS, SATISFACTION_MISPLACED)


def check_categories(p: Project, cfg: Config) -> Iterator[Finding]:
    owner = cfg.level2_owner()
    seen_l1: dict[str, Pos] = {}
    seen_l2: set[tuple[str, str]] = set()
    for ind in p.indicators:
        if ind.level1 not in seen_l1:
            seen_l1[ind.level1] = ind.pos("level1")
            if ind.level1 not in cfg.vocabulary:
                if ind.level1 in owner:
                    yield LEVEL2_MISPLACED.at(ind.pos("level1"), "PG104.as_l1", name=ind.level1,
                                              owner=owner[ind.level1])
                else:
                    yield UNKNOWN_LEVEL1.at(ind.pos("level1"), name=ind.level1, allowed="、".join(cfg.vocabulary))
        if (ind.level1, ind.level2) in seen_l2 or ind.level1 not in cfg.vocabulary:
            continue
        seen_l2.add((ind.level1, ind.level2))
        if ind.level2 in cfg.vocabulary[ind.level1]:
            continue
        if ind.level2 in owner:
            yield LEVEL2_MISPLACED.at(ind.pos("level2"), name=ind.level2, l1=ind.level1, owner=owner[ind.level2])
        else:
            yield UNKNOWN_LEVEL2.at(ind.pos("level2"), name=ind.level2, l1=ind.level1,
                                    allowed="、".join(cfg.vocabulary[ind.level1]))
    yield from _mandatory(p, cfg, seen_l1)


def _mandatory(p: Project, cfg: Config, seen_l1: dict[str, Pos]) -> Iterator[Finding]:
    for must in (L_OUTPUT, L_BENEFIT, L_SAT):
        if must in cfg.vocabulary and must not in seen_l1:
            yield LEVEL1_MISSING.at(p.pos("indicators"), name=must)
    if p.year >= 2022 and L_COST in cfg.vocabulary and L_COST not in seen_l1 and \
            not any(is_cost(i) for i in p.indicators):
        yield NO_COST_INDICATORS.at(p.pos("indicators"), year=p.year)
    for ind in p.indicators:
        if "满意" in ind.name and ind.level1 != L_SAT and L_SAT in cfg.vocabulary:
            yield SATISFACTION_MISPLACED.at(ind.pos("name"), name=ind.name, l1=ind.level1)
