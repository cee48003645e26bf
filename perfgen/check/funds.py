"""Funds (DOMAIN.md check 2): 财政拨款 + 其他资金 = 年度预算总额, amounts to at most 6 decimals of 万元."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfgen.check.levels import EPS
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Project, format_sum

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

RULES = (FUNDS_SUM, AMOUNT_DECIMALS)


def check_funds(p: Project, cfg: Config) -> Iterator[Finding]:
    f = p.funds
    where = f.where.get("total") or f.where["_"]
    if f.total == 0 and (f.fiscal > 0 or f.other > 0):
        yield FUNDS_SUM.at(where, "PG103.blank", fiscal=format_sum(f.fiscal), other=format_sum(f.other),
                           sum=format_sum(f.fiscal + f.other))
    elif abs(f.fiscal + f.other - f.total) > EPS:
        yield FUNDS_SUM.at(where, fiscal=format_sum(f.fiscal), other=format_sum(f.other),
                           sum=format_sum(f.fiscal + f.other), total=format_sum(f.total))
    for k, raw in f.raw.items():
        if "." in raw and len(raw.split(".", 1)[1].rstrip()) > 6:
            yield AMOUNT_DECIMALS.at(f.where.get(k) or where, value=raw)
