"""Weights (docs/domain.md check 1): the 指标分值权重 add up to the form's total, split by 一级 as the convention
says; a form without weights has no weight rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import EPS
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Project, format_sum

if TYPE_CHECKING:
    from perfgen.load.config import Config

WEIGHT_TOTAL = Rule(
    "PG101", "error", "指标分值权重合计不等于表格总分（默认 90）",
    "weights do not add up to the form's total (90 by default)", configurable=True,
    messages=(
        Message("PG101", "指标分值权重合计为 {total}，应为 {want}（{parts}）",
                "weights add up to {total}, not {want} ({parts})",
                "各指标权重之和须等于表格总分 {want}（90 分的表中，另 10 分属于预算执行率）；总分在 perfgen.yaml 的 "
                "weight_total 中设置",
                "weights must add up to the form's total, {want} (on a 90-point form the other 10 points belong to "
                "the budget execution rate); the total is weight_total in perfgen.yaml"),
        Message("PG101.missing", "这个指标没有分值权重（表样的权重合计为 {want}）",
                "this indicator has no weight (the form's weights add up to {want})",
                "给每个指标写上 weight；表样没有权重时，在 perfgen.yaml 中选择该表样（form: …）",
                "give every indicator a weight; for a form without weights, choose it in perfgen.yaml (form: …)"),
    ))

WEIGHT_SPLIT = Rule(
    "PG102", "warning", "各一级指标分值与惯例（产出+成本 50、效益 30、满意度 10）不同",
    "per-一级 split differs from the convention (output+cost 50, benefit 30, satisfaction 10)", configurable=True,
    messages=(
        Message("PG102", "各一级指标分值与惯例不同：{diffs}", "per-一级 weights differ from the convention: {diffs}",
                "惯例为 {convention}；这是惯例而非硬性规定，可在 perfgen.yaml 的 weight_split 中修改",
                "the convention is {convention}; a convention, not a rule: change it with weight_split in "
                "perfgen.yaml"),
    ))

RULES = (WEIGHT_TOTAL, WEIGHT_SPLIT)


def check_weights(p: Project, cfg: Config) -> Iterator[Finding]:
    if cfg.weight_total is None:
        return  # the form prints no weights
    missing = [ind for ind in p.indicators if ind.weight is None]
    for ind in missing:
        yield WEIGHT_TOTAL.at(ind.pos(), "PG101.missing", want=format_sum(cfg.weight_total))
    if missing:
        return
    total = p.weight_total()
    if abs(total - cfg.weight_total) > EPS:
        parts = " + ".join(format_sum(i.weight or 0.0) for i in p.indicators)
        yield WEIGHT_TOTAL.at(p.pos("indicators"), total=format_sum(total), want=format_sum(cfg.weight_total),
                              parts=parts)
        return  # the split is meaningless while the total is wrong
    by_l1: dict[str, float] = {}
    for ind in p.indicators:
        by_l1[ind.level1] = by_l1.get(ind.level1, 0.0) + (ind.weight or 0.0)
    diffs = []
    for group, want in cfg.weight_split.items():
        have = sum(by_l1.get(g, 0.0) for g in group)
        if any(g in by_l1 for g in group) and abs(have - want) > EPS:
            diffs.append(f"{'+'.join(group)} {format_sum(have)}≠{format_sum(want)}")
    if diffs:
        convention = "、".join(f"{'+'.join(group)} {format_sum(want)}" for group, want in cfg.weight_split.items())
        yield WEIGHT_SPLIT.at(p.pos("indicators"), diffs="，".join(diffs), convention=convention)
