"""Targets and units (docs/domain.md checks 4-6): a 指标值 is operator + number + unit, and the unit fits the name."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import is_cost
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Indicator, Project
from perfgen.targets import OPERATOR_PREFIXES, Target, parse_target

if TYPE_CHECKING:
    from perfgen.load.config import Config

OPERATOR_WITHOUT_NUMBER = Rule(
    "PG110", "error", "指标值有运算符但没有数字", "target has an operator but no number", configurable=True,
    messages=(
        Message("PG110", "指标值 “{value}” 有运算符但没有数字", "target “{value}” has an operator but no number",
                "写成“运算符 + 数字 + 单位”，如 ≥98%", "write operator + number + unit, e.g. ≥98%"),
    ))

NUMBER_WITHOUT_UNIT = Rule(
    "PG111", "warning", "指标值是数字但没有单位", "number without a unit", configurable=True,
    messages=(
        Message("PG111", "指标值 “{value}” 没有单位", "target “{value}” has no unit", "补上单位，如 =8次、≥95%",
                "add the unit, e.g. =8次, ≥95%"),
    ))

EXCEL_DATE_SERIAL = Rule(
    "PG112", "warning", "指标值像 Excel 日期序号", "target looks like an Excel date serial", configurable=True,
    messages=(
        Message("PG112", "“{value}” 像是 Excel 日期序号（{date}）",
                "“{value}” looks like an Excel date serial ({date})",
                "从 Excel 复制时日期变成了数字；请直接写日期文字",
                "a date became a number when copied from Excel; write the date as text"),
    ))

PERCENT_OVER_100 = Rule(
    "PG113", "warning", "百分比超过 100% 或写成 ≥100%", "percentage above 100%, or ≥100%", configurable=True,
    messages=(
        Message("PG113", "指标值 “{value}” 的百分比超过 100% 或写成了 ≥100%",
                "target “{value}” is above 100% or ≥100%", "百分比不会超过 100%；要求全部达成时写 =100%",
                "a percentage cannot exceed 100%; write =100% for all"),
    ))

RATE_WITHOUT_PERCENT = Rule(
    "PG114", "warning", "名称以“率”“度”结尾或为满意度，单位却不是 %",
    "name is a rate/degree/satisfaction but unit is not %", configurable=True,
    messages=(
        Message("PG114", "“{name}” 是比率或程度，指标值 “{value}” 的单位却不是 %",
                "“{name}” is a rate or degree but “{value}” is not in %",
                "名称以“率”“度”结尾或为满意度时，指标值一般写成百分比，如 ≥95%",
                "names ending in 率/度 and satisfaction take a percentage, e.g. ≥95%"),
    ))

COST_UNIT = Rule(
    "PG115", "warning", "成本指标的单位不是元或万元", "cost line's unit is not 元 or 万元", configurable=True,
    messages=(
        Message("PG115", "成本指标的指标值 “{value}” 单位不是元或万元", "cost target “{value}” is not in 元 or 万元",
                "成本指标写金额，如 ≤0.42万元/次", "cost lines state an amount, e.g. ≤0.42万元/次"),
    ))

TIMES_COUNTED_IN_PEOPLE = Rule(
    "PG116", "warning", "名称讲次数，单位却是人", "name counts times (次数) but unit is people (人)",
    configurable=True,
    messages=(
        Message("PG116", "“{name}” 讲的是次数，指标值 “{value}” 的单位却是人",
                "“{name}” counts times but “{value}” counts people", "检查名称与单位是否对应（人 / 次）",
                "check that the name and the unit agree (人 / 次)"),
    ))

COST_ZERO = Rule(
    "PG117", "error", "成本指标值为 0", "cost target of 0", configurable=True,
    messages=(
        Message("PG117", "成本指标值为 0（“{value}”）", "cost target is 0 (“{value}”)",
                "金额过小时换用元为单位，不要四舍五入成 0 万元",
                "use 元 instead of rounding a small amount to 0 万元"),
    ))

COST_NOT_A_CEILING = Rule(
    "PG118", "warning", "成本指标用了 = 或 ≥（通常应为 ≤）", "cost line uses = or ≥ where ≤ is meant",
    configurable=True,
    messages=(
        Message("PG118", "成本指标用了 “{op}”（“{value}”），成本一般应为上限 ≤",
                "cost line uses “{op}” (“{value}”); costs are normally a ceiling ≤",
                "成本越低越好，写成 ≤，如 ≤0.42万元/次", "lower is better for cost: write ≤, e.g. ≤0.42万元/次"),
    ))

QUALITATIVE_SCORED_PROPORTIONALLY = Rule(
    "PG121", "warning", "定性指标值按照正常比例赋分", "qualitative target scored proportionally", configurable=True,
    messages=(
        Message("PG121", "定性指标值 “{value}” 按照正常比例赋分",
                "qualitative target “{value}” is scored proportionally",
                "定性指标一般用“按评判等级赋分”；比例赋分需要数字目标",
                "qualitative targets are scored 按评判等级赋分; proportional scoring needs a number"),
    ))

RULES = (OPERATOR_WITHOUT_NUMBER, NUMBER_WITHOUT_UNIT, EXCEL_DATE_SERIAL, PERCENT_OVER_100, RATE_WITHOUT_PERCENT,
         COST_UNIT, TIMES_COUNTED_IN_PEOPLE, COST_ZERO, COST_NOT_A_CEILING, QUALITATIVE_SCORED_PROPORTIONALLY)

_EXCEL_SERIAL = re.compile(r"\d{5}(\.0+)?\Z")
_PURE_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?\Z")


def check_targets(p: Project, cfg: Config) -> Iterator[Finding]:
    for ind in p.indicators:
        t = parse_target(ind.target)
        if ind.last_year:
            yield from _number_only(ind, "last_year", ind.last_year)
        if not t.quantitative:
            stripped = ind.target.strip()
            has_operator = stripped.startswith(OPERATOR_PREFIXES)
            if has_operator:
                yield OPERATOR_WITHOUT_NUMBER.at(ind.pos("target"), value=ind.target)
            else:
                yield from _number_only(ind, "target", stripped)
            if ind.scoring == "按照正常比例赋分" and not has_operator and not _PURE_NUMBER.match(stripped):
                yield QUALITATIVE_SCORED_PROPORTIONALLY.at(ind.pos("scoring"), value=ind.target)
            continue
        yield from _target_units(ind, t)


def _number_only(ind: Indicator, key: str, value: str) -> Iterator[Finding]:
    v = value.strip()
    if _EXCEL_SERIAL.match(v) and 36526 <= float(v) <= 73050:  # 2000-01-01 .. 2099-12-31
        yield EXCEL_DATE_SERIAL.at(ind.pos(key), value=v, date=_excel_date(float(v)))
    elif _PURE_NUMBER.match(v) and key == "target":
        yield NUMBER_WITHOUT_UNIT.at(ind.pos(key), value=v, name=ind.name)


def _excel_date(serial: float) -> str:
    return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))).isoformat()


def _target_units(ind: Indicator, t: Target) -> Iterator[Finding]:
    assert t.number is not None
    if not t.unit:
        yield NUMBER_WITHOUT_UNIT.at(ind.pos("target"), value=ind.target, name=ind.name)
    if t.unit == "%" and (t.number > 100 or (t.number == 100 and t.op in ("≥", ">"))):
        yield PERCENT_OVER_100.at(ind.pos("target"), value=ind.target)
    wants_percent = ind.name.endswith(("率", "度")) or "满意度" in ind.name
    if wants_percent and t.unit != "%" and not is_cost(ind):
        yield RATE_WITHOUT_PERCENT.at(ind.pos("target"), value=ind.target, name=ind.name)
    if "次数" in ind.name and t.unit == "人":
        yield TIMES_COUNTED_IN_PEOPLE.at(ind.pos("target"), value=ind.target, name=ind.name)
    if is_cost(ind):
        if "元" not in t.unit:
            yield COST_UNIT.at(ind.pos("target"), value=ind.target)
        if t.number == 0:
            yield COST_ZERO.at(ind.pos("target"), value=ind.target)
        elif t.op in ("=", "≥", ">"):
            yield COST_NOT_A_CEILING.at(ind.pos("target"), value=ind.target, op=t.op)
