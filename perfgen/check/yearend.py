"""Year-end and mid-year data (issue 14): actuals in the target's unit, deviations for missed targets, manual scores
where and only where a person scores, execution figures that add up, the mid-year pace (PG150-PG157).

Only the checks whose data is present run: a spring file (no ``execution``, ``midyear``, ``actual`` or ``score``)
raises none of them. The scores come from :mod:`perfgen.score`, as in the forms and ``perfgen score``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Indicator, Project, format_money, format_number
from perfgen.score import Settings, band_of, dec, percent, score_line
from perfgen.targets import parse_target

if TYPE_CHECKING:
    from perfgen.load.config import Config

ACTUAL_UNIT = Rule(
    "PG150", "error", "实际完成值的单位与指标值不同，或不是数字", "actual not in the target's unit, or not a number",
    configurable=True,
    messages=(
        Message("yearend.unit", "实际完成值 “{actual}” 的单位与指标值 “{target}” 不同（{got} / {want}）：无法计分",
                "the actual “{actual}” is not in the target's unit (“{target}”: {got} / {want}): no score",
                "实际完成值写成与指标值相同单位的数字，如 {example}", "write the actual in the target's unit, e.g. "
                "{example}"),
        Message("yearend.actual_not_number", "定量指标 “{target}” 的实际完成值 “{actual}” 不是数字加单位",
                "the actual “{actual}” of the quantitative target “{target}” is not a number and unit",
                "写成数字和单位，不要运算符，如 {example}", "write a number and unit, no operator, e.g. {example}"),
    ))

NO_DEVIATION = Rule(
    "PG151", "error", "未完成目标却没有写偏差原因", "target missed without a deviation", configurable=True,
    messages=(
        Message("yearend.deviation", "“{name}” 得分 {score}，低于分值 {weight}，却没有写偏差原因（deviation）",
                "“{name}” scores {score}, below its weight {weight}, with no deviation",
                "在 deviation 中写明偏差原因分析及改进措施", "say why in deviation, and what will be done"),
    ))

MANUAL_SCORE = Rule(
    "PG152", "error", "得分不在等级区间内，或给定量指标打了分", "manual score outside its band, or on a computed line",
    configurable=True,
    messages=(
        Message("yearend.band", "“{name}” 的得分 {score} 不在 “{actual}” 的区间 [{low}, {high}{close} 内",
                "the score {score} of “{name}” is outside the band of “{actual}”: [{low}, {high}{close}",
                "达成年度指标 [80%, 100%] × 分值；部分达成 [60%, 80%)；未达成且效果较差 [0, 60%)",
                "达成年度指标 [80%, 100%] of the weight; 部分达成 [60%, 80%); 未达成且效果较差 [0, 60%)"),
        Message("yearend.range", "“{name}” 的得分 {score} 超出 0 到分值 {weight}",
                "the score {score} of “{name}” is outside 0 to its weight {weight}"),
        Message("yearend.computed", "“{name}” 是定量指标，得分由 perfgen 计算，不要填写 score",
                "“{name}” is quantitative: perfgen computes its score, leave score out",
                "删除 score；得分按实际完成值与指标值计算", "remove score; the score follows from actual and target"),
    ))

SCORE_MISSING = Rule(
    "PG153", "error", "定性指标有实际完成值却没有得分", "qualitative line with an actual but no score",
    configurable=True,
    messages=(
        Message("yearend.score_missing", "定性指标 “{name}” 已有实际完成值，但没有得分（score）",
                "the qualitative line “{name}” has an actual but no score",
                "按实际完成值的等级在分值内打分，写在 score 中",
                "score it within its weight by the band of its actual"),
    ))

EXECUTION_SUM = Rule(
    "PG154", "error", "执行情况分项之和与总数不符", "execution lines do not add up to the totals", configurable=True,
    messages=(
        Message("yearend.lines", "执行情况各分项的{what}之和 {sum} ≠ {total}", "the lines' {what} add up to {sum}, "
                "not {total}", "检查各分项和总数", "check the lines and the totals"),
    ))

OVERSPENT = Rule(
    "PG155", "warning", "全年执行数超过全年预算数", "spent more than the adjusted budget", configurable=True,
    messages=(
        Message("yearend.overspent", "全年执行数 {spent} 万元超过全年预算数 {budget} 万元",
                "spent {spent}万元, more than the adjusted budget {budget}万元",
                "核对执行数；超支需说明原因", "check the figure; overspending needs explaining"),
    ))

SLOW_PACE = Rule(
    "PG156", "warning", "年中执行进度偏慢（红灯）", "mid-year spending pace is slow (red light)", configurable=True,
    messages=(
        Message("yearend.pace", "1-{month}月执行 {spent} 万元，占年度预算 {total} 万元的 {rate}，为时间进度的 {pace}"
                "（低于 60% 为红灯）", "spent {spent}万元 by month {month}: {rate} of the budget {total}万元, {pace} "
                "of the time elapsed (below 60% is a red light)", "加快执行，或在运行监控表中说明原因",
                "speed up, or explain it in the monitoring table"),
    ))

RULES = (ACTUAL_UNIT, NO_DEVIATION, MANUAL_SCORE, SCORE_MISSING, EXECUTION_SUM, OVERSPENT, SLOW_PACE)
PACE_RED = Decimal("0.6")


def check_yearend(p: Project, cfg: Config) -> Iterator[Finding]:
    settings = Settings(getattr(cfg, "scoring_rules", {}))
    for ind in p.indicators:
        if not ind.actual and ind.score is None:
            continue
        line = score_line(ind, settings)
        weight = dec(ind.weight or 0)
        if line.rule != "qualitative" and ind.score is not None:
            yield MANUAL_SCORE.at(ind.pos("score"), "yearend.computed", name=ind.name)
        if line.problem in ("yearend.unit", "yearend.actual_not_number"):
            target = parse_target(ind.target)
            unit = line.problem == "yearend.unit"
            got = ind.actual.strip().lstrip("0123456789.+- ") or "（无）"
            units: dict[str, str] = {"got": got, "want": target.unit or "（无）"} if unit else {}
            yield ACTUAL_UNIT.at(ind.pos("actual"), line.problem, actual=ind.actual, target=ind.target,
                                 example=f"{target.number_text}{target.unit}", **units)  # type: ignore[arg-type]
        elif line.problem == "yearend.score_missing":
            yield SCORE_MISSING.at(ind.pos("actual"), name=ind.name)
        if line.rule == "qualitative" and ind.score is not None:
            yield from _band(ind, weight)
        if line.missed and not ind.deviation.strip():
            yield NO_DEVIATION.at(ind.pos("actual") if ind.actual else ind.pos("score"), name=ind.name,
                                  score=f"{line.score:.2f}", weight=format_number(float(weight)))
    yield from _execution(p)
    yield from _midyear(p)


def _band(ind: Indicator, weight: Decimal) -> Iterator[Finding]:
    assert ind.score is not None
    score = dec(ind.score)
    if not Decimal(0) <= score <= weight:
        yield MANUAL_SCORE.at(ind.pos("score"), "yearend.range", name=ind.name, score=format_number(float(score)),
                              weight=format_number(float(weight)))
        return
    band = band_of(ind.actual)
    if band is None:
        return  # other text: any score within the weight
    low, high = band[0] * weight, band[1] * weight
    top = band[1] == 1
    if not (low <= score and (score <= high if top else score < high)):
        yield MANUAL_SCORE.at(ind.pos("score"), "yearend.band", name=ind.name, score=format_number(float(score)),
                              actual=ind.actual, low=format_number(float(low)), high=format_number(float(high)),
                              close="]" if top else ")")


def _execution(p: Project) -> Iterator[Finding]:
    ex = p.execution
    if ex is None:
        return
    initial = ex.initial if ex.initial is not None else p.funds.total
    adjusted = ex.adjusted if ex.adjusted is not None else initial
    if ex.spent is not None and ex.spent > adjusted + 1e-9:
        yield OVERSPENT.at(ex.where.get("spent", p.pos("execution")), spent=format_money(ex.spent),
                           budget=format_money(adjusted))
    if not ex.lines:
        return
    totals = {"年初预算数": (initial, "initial"), "全年预算数": (adjusted, "adjusted"),
              "全年执行数": (ex.spent, "spent")}
    for what, (total, attr) in totals.items():
        parts = [getattr(line, attr) for line in ex.lines.values()]
        if total is None or any(v is None for v in parts):
            continue
        found = sum(dec(v) for v in parts)
        if abs(found - dec(total)) > Decimal("0.000001"):
            yield EXECUTION_SUM.at(ex.where.get("lines", p.pos("execution")), what=what,
                                   sum=format_money(float(found)), total=format_money(total))


def _midyear(p: Project) -> Iterator[Finding]:
    mid = p.midyear
    if mid is None or mid.spent is None or not 1 <= mid.month <= 12 or p.funds.total <= 0:
        return
    rate = dec(mid.spent) / dec(p.funds.total)
    pace = rate / (Decimal(mid.month) / 12)
    if pace < PACE_RED:
        yield SLOW_PACE.at(mid.where.get("spent", p.pos("midyear")), month=mid.month, spent=format_money(mid.spent),
                           total=format_money(p.funds.total), rate=percent(rate), pace=percent(pace))

