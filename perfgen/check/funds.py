"""Funds (docs/domain.md check 2): 财政拨款 + 其他资金 = 年度预算总额, each breakdown by source
(docs/goals-format.md, 其他表样的表头字段: ``fiscal_sources``, ``other_sources``) adds up to its subtotal,
amounts to at most 6 decimals of 万元."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import EPS
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Funds, Project, format_sum

if TYPE_CHECKING:
    from perfgen.load.config import Config

FUNDS_SUM = Rule(
    "PG103", "error", "财政拨款 + 其他资金 ≠ 年度预算总额", "fiscal + other ≠ total budget", configurable=True,
    messages=(
        Message("PG103", "财政拨款 {fiscal} + 其他资金 {other} = {sum}，不等于年度预算总额 {total}",
                "fiscal {fiscal} + other {other} = {sum}, not the total {total}",
                "年度预算总额 = 其中：财政拨款 + 其他资金", "total = fiscal + other"),
        Message("PG103.blank", "年度预算总额为 0，但财政拨款 {fiscal}、其他资金 {other} 已填写",
                "total is 0 although fiscal {fiscal} and other {other} are filled in", "把 total 写成 {sum}",
                "set total to {sum}"),
    ))

AMOUNT_DECIMALS = Rule(
    "PG126", "error", "金额小数位超过 6 位", "amount with more than 6 decimals", configurable=True,
    messages=(
        Message("PG126", "金额 {value} 的小数超过 6 位", "amount {value} has more than 6 decimals",
                "金额单位为万元，最多 6 位小数（即精确到分）", "amounts are in 万元, at most 6 decimals (one fen)"),
    ))

FISCAL_SOURCES_SUM = Rule(
    "PG127", "error", "财政拨款分项之和 ≠ 财政拨款", "fiscal_sources do not add up to fiscal", configurable=True,
    messages=(
        Message("PG127", "财政拨款分项之和为 {sum}（{parts}），不等于财政拨款 {subtotal}",
                "fiscal_sources add up to {sum} ({parts}), not fiscal {subtotal}",
                "funds.fiscal_sources 各项（一般公共预算、政府性基金……）之和须等于 funds.fiscal（其中：财政拨款）",
                "the amounts of funds.fiscal_sources must add up to funds.fiscal"),
        Message("PG127.missing", "财政拨款分项之和为 {sum}（{parts}），但没有填写财政拨款 fiscal（按 0 计）",
                "fiscal_sources add up to {sum} ({parts}), but fiscal is not given (counted as 0)",
                "在 funds 下写上 fiscal: {sum}", "add fiscal: {sum} under funds"),
    ))

OTHER_SOURCES_SUM = Rule(
    "PG128", "error", "其他资金分项之和 ≠ 其他资金", "other_sources do not add up to other", configurable=True,
    messages=(
        Message("PG128", "其他资金分项之和为 {sum}（{parts}），不等于其他资金 {subtotal}",
                "other_sources add up to {sum} ({parts}), not other {subtotal}",
                "funds.other_sources 各项（事业收入、经营性收入、其他收入……）之和须等于 funds.other（其他资金）",
                "the amounts of funds.other_sources must add up to funds.other"),
        Message("PG128.missing", "其他资金分项之和为 {sum}（{parts}），但没有填写其他资金 other（按 0 计）",
                "other_sources add up to {sum} ({parts}), but other is not given (counted as 0)",
                "在 funds 下写上 other: {sum}", "add other: {sum} under funds"),
    ))

RULES = (FUNDS_SUM, AMOUNT_DECIMALS, FISCAL_SOURCES_SUM, OTHER_SOURCES_SUM)
# each breakdown, the subtotal it adds up to and its rule
_BREAKDOWNS = (("fiscal_sources", "fiscal", FISCAL_SOURCES_SUM), ("other_sources", "other", OTHER_SOURCES_SUM))


def check_funds(p: Project, cfg: Config) -> Iterator[Finding]:
    f = p.funds
    where = f.where.get("total") or f.where["_"]
    if f.total == 0 and (f.fiscal > 0 or f.other > 0):
        yield FUNDS_SUM.at(where, "PG103.blank", fiscal=format_sum(f.fiscal), other=format_sum(f.other),
                           sum=format_sum(f.fiscal + f.other))
    elif abs(f.fiscal + f.other - f.total) > EPS:
        yield FUNDS_SUM.at(where, fiscal=format_sum(f.fiscal), other=format_sum(f.other),
                           sum=format_sum(f.fiscal + f.other), total=format_sum(f.total))
    yield from _breakdowns(f)
    for k, raw in f.raw.items():
        if "." in raw and len(raw.split(".", 1)[1].rstrip()) > 6:
            yield AMOUNT_DECIMALS.at(f.where.get(k) or where, value=raw)


def _breakdowns(f: Funds) -> Iterator[Finding]:
    """A breakdown given (``fiscal_sources``, ``other_sources``) adds up to its subtotal."""
    for kind, subtotal_key, rule in _BREAKDOWNS:
        sources: dict[str, float] = getattr(f, kind)
        if not sources:
            continue
        total, subtotal = sum(sources.values()), getattr(f, subtotal_key)
        if abs(total - subtotal) <= EPS:
            continue
        parts = " + ".join(f"{label} {format_sum(amount)}" for label, amount in sources.items())
        where = f.where.get(kind) or f.where["_"]
        if subtotal_key not in f.raw:
            yield rule.at(where, f"{rule.code}.missing", sum=format_sum(total), parts=parts)
        else:
            yield rule.at(where, related=f.where.get(subtotal_key), sum=format_sum(total), parts=parts,
                          subtotal=format_sum(subtotal))
