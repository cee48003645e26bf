"""The domain rules of DOMAIN.md's data-quality list, one function per concern.

Each check reads the model and yields diagnostics pointing at the value that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from perfgen.check.rules import RULES, check
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.load.config import Config
from perfgen.model import Indicator, Project, format_sum
from perfgen.targets import OPERATOR_PREFIXES, Target, parse_target

EPS = 0.000001
L_OUTPUT, L_COST, L_BENEFIT, L_SAT = "产出指标", "成本指标", "效益指标", "满意度指标"


def emit(code: str, pos: Pos, key: str | None = None, related: Pos | None = None, **args: Any) -> Diagnostic:
    return diag(pos, code, key or code, RULES[code].severity, related=related, **args)


def is_cost(ind: Indicator) -> bool:
    return ind.level1 == L_COST or (ind.level1 == L_OUTPUT and "成本" in ind.level2)


# ---- 1. weights ----------------------------------------------------------------------------------------

@check
def weights(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    total = p.weight_total()
    if abs(total - cfg.weight_total) > EPS:
        parts = " + ".join(format_sum(i.weight) for i in p.indicators)
        yield emit("PG101", p.pos("indicators"), total=format_sum(total), want=format_sum(cfg.weight_total),
                   parts=parts)
        return  # the split is meaningless while the total is wrong
    by_l1: dict[str, float] = {}
    for ind in p.indicators:
        by_l1[ind.level1] = by_l1.get(ind.level1, 0.0) + ind.weight
    diffs = []
    for group, want in cfg.weight_split.items():
        have = sum(by_l1.get(g, 0.0) for g in group)
        if any(g in by_l1 for g in group) and abs(have - want) > EPS:
            diffs.append(f"{'+'.join(group)} {format_sum(have)}≠{format_sum(want)}")
    if diffs:
        convention = "、".join(f"{'+'.join(group)} {format_sum(want)}" for group, want in cfg.weight_split.items())
        yield emit("PG102", p.pos("indicators"), diffs="，".join(diffs), convention=convention)


# ---- 2. funds ------------------------------------------------------------------------------------------

@check
def funds(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    f = p.funds
    where = f.where.get("total") or f.where["_"]
    if f.total == 0 and (f.fiscal > 0 or f.other > 0):
        yield emit("PG103", where, "PG103.blank", fiscal=format_sum(f.fiscal), other=format_sum(f.other),
                   sum=format_sum(f.fiscal + f.other))
    elif abs(f.fiscal + f.other - f.total) > EPS:
        yield emit("PG103", where, fiscal=format_sum(f.fiscal), other=format_sum(f.other),
                   sum=format_sum(f.fiscal + f.other), total=format_sum(f.total))
    for k, raw in f.raw.items():
        if "." in raw and len(raw.split(".", 1)[1].rstrip()) > 6:
            yield emit("PG126", f.where.get(k) or where, value=raw)


# ---- 3. taxonomy ---------------------------------------------------------------------------------------

@check
def taxonomy(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    owner = cfg.level2_owner()
    seen_l1: dict[str, Pos] = {}
    seen_l2: set[tuple[str, str]] = set()
    for ind in p.indicators:
        if ind.level1 not in seen_l1:
            seen_l1[ind.level1] = ind.pos("level1")
            if ind.level1 not in cfg.vocabulary:
                if ind.level1 in owner:
                    yield emit("PG104", ind.pos("level1"), "PG104.as_l1", name=ind.level1, owner=owner[ind.level1])
                else:
                    yield emit("PG105", ind.pos("level1"), name=ind.level1, allowed="、".join(cfg.vocabulary))
        if (ind.level1, ind.level2) in seen_l2 or ind.level1 not in cfg.vocabulary:
            continue
        seen_l2.add((ind.level1, ind.level2))
        if ind.level2 in cfg.vocabulary[ind.level1]:
            continue
        if ind.level2 in owner:
            yield emit("PG104", ind.pos("level2"), name=ind.level2, l1=ind.level1, owner=owner[ind.level2])
        else:
            yield emit("PG106", ind.pos("level2"), name=ind.level2, l1=ind.level1,
                       allowed="、".join(cfg.vocabulary[ind.level1]))
    for must in (L_OUTPUT, L_BENEFIT, L_SAT):
        if must in cfg.vocabulary and must not in seen_l1:
            yield emit("PG107", p.pos("indicators"), name=must)
    if p.year >= 2022 and L_COST in cfg.vocabulary and L_COST not in seen_l1 and \
            not any(is_cost(i) for i in p.indicators):
        yield emit("PG108", p.pos("indicators"), year=p.year)
    for ind in p.indicators:
        if "满意" in ind.name and ind.level1 != L_SAT and L_SAT in cfg.vocabulary:
            yield emit("PG125", ind.pos("name"), name=ind.name, l1=ind.level1)


# ---- 4-6. targets and units ----------------------------------------------------------------------------

_EXCEL_SERIAL = re.compile(r"\d{5}(\.0+)?\Z")
_PURE_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?\Z")


def _number_only(ind: Indicator, key: str, value: str) -> Iterator[Diagnostic]:
    v = value.strip()
    if _EXCEL_SERIAL.match(v) and 36526 <= float(v) <= 73050:  # 2000-01-01 .. 2099-12-31
        yield emit("PG112", ind.pos(key), value=v, date=_excel_date(float(v)))
    elif _PURE_NUMBER.match(v) and key == "target":
        yield emit("PG111", ind.pos(key), value=v, name=ind.name)


def _excel_date(serial: float) -> str:
    import datetime

    return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))).isoformat()


@check
def targets(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    for ind in p.indicators:
        t = parse_target(ind.target)
        if ind.last_year:
            yield from _number_only(ind, "last_year", ind.last_year)
        if not t.quantitative:
            stripped = ind.target.strip()
            has_operator = stripped.startswith(OPERATOR_PREFIXES)
            if has_operator:
                yield emit("PG110", ind.pos("target"), value=ind.target)
            else:
                yield from _number_only(ind, "target", stripped)
            if ind.scoring == "按照正常比例赋分" and not has_operator and not _PURE_NUMBER.match(stripped):
                yield emit("PG121", ind.pos("scoring"), value=ind.target)
            continue
        yield from _target_units(ind, t)


def _target_units(ind: Indicator, t: Target) -> Iterator[Diagnostic]:
    assert t.number is not None
    if not t.unit:
        yield emit("PG111", ind.pos("target"), value=ind.target, name=ind.name)
    if t.unit == "%" and (t.number > 100 or (t.number == 100 and t.op in ("≥", ">"))):
        yield emit("PG113", ind.pos("target"), value=ind.target)
    wants_percent = ind.name.endswith(("率", "度")) or "满意度" in ind.name
    if wants_percent and t.unit != "%" and not is_cost(ind):
        yield emit("PG114", ind.pos("target"), value=ind.target, name=ind.name)
    if "次数" in ind.name and t.unit == "人":
        yield emit("PG116", ind.pos("target"), value=ind.target, name=ind.name)
    if is_cost(ind):
        if "元" not in t.unit:
            yield emit("PG115", ind.pos("target"), value=ind.target)
        if t.number == 0:
            yield emit("PG117", ind.pos("target"), value=ind.target)
        elif t.op in ("=", "≥", ">"):
            yield emit("PG118", ind.pos("target"), value=ind.target, op=t.op)


# ---- 7. cost × quantity --------------------------------------------------------------------------------

_PER_NAME = {"每次": "次", "每月": "月", "每季度": "季度", "每年": "年", "每人": "人"}
_IMPLICIT = {"月": 12.0, "季度": 4.0, "年": 1.0}


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


@check
def cost_times_quantity(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    """≤0.42万元/次 × 12次 ≈ 年度预算总额: a per-unit cost times the counts should match the budget."""
    if p.funds.total <= 0:
        return
    for ind in p.indicators:
        t = parse_target(ind.target)
        if not is_cost(ind) or not t.quantitative or not t.number:
            continue
        money, _, per = t.unit.partition("/")
        scale = {"万元": 1.0, "元": 0.0001}.get(money)
        pers = [x for x in per.split("/") if x] or [u for pre, u in _PER_NAME.items() if ind.name.startswith(pre)]
        if scale is None or not pers:
            continue
        factors = [f"{t.op if t.op != '=' else ''}{t.number_text}{t.unit}"]
        product = t.number * scale
        for u in pers:
            found = _count(p, u) if u in ("次", "人") else None
            if found is None:
                period = u if u in _IMPLICIT else _period_of(ind.name)
                if period is None:
                    break
                found = (_IMPLICIT[period], f"{format_sum(_IMPLICIT[period])}{period}")
            product *= found[0]
            factors.append(found[1])
        else:
            off = abs(product - p.funds.total) / p.funds.total
            if off > cfg.cost_tolerance + 1e-9:  # "exactly 5%" must not fire through float rounding
                yield emit("PG119", ind.pos("target"), calc=" × ".join(factors), product=f"{product:.2f}",
                           total=f"{p.funds.total:.2f}", off=f"{off * 100:.1f}",
                           tol=f"{cfg.cost_tolerance * 100:g}")


# ---- 8. basis and scoring vocabulary -------------------------------------------------------------------

@check
def vocabulary(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    for ind in p.indicators:
        if ind.basis == "预算支出标准" and not is_cost(ind):
            yield emit("PG120", ind.pos("basis"), name=ind.name)
        if ind.basis and ind.basis not in cfg.basis:
            yield emit("PG122", ind.pos("basis"), value=ind.basis, allowed="、".join(cfg.basis))
        if ind.scoring and ind.scoring not in cfg.scoring:
            yield emit("PG123", ind.pos("scoring"), value=ind.scoring, allowed="、".join(cfg.scoring))
        if ind.evidence and ind.evidence not in cfg.evidence:
            yield emit("PG124", ind.pos("evidence"), value=ind.evidence, allowed="、".join(cfg.evidence))


# ---- 9. names and text ---------------------------------------------------------------------------------

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_STRAY_DOT = re.compile(rf"(?<=[{_CJK}])\.|\.(?=[{_CJK}])")
_PAIRS = {"(": ")", "（": "）", "[": "]", "【": "】", "《": "》", "“": "”", "〔": "〕", "{": "}", "「": "」"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def balanced(text: str) -> bool:
    stack: list[str] = []
    for ch in text:
        if ch in _PAIRS:
            stack.append(ch)
        elif ch in _CLOSERS and (not stack or stack.pop() != _CLOSERS[ch]):
            return False
    return not stack


def _texts(p: Project) -> Iterator[tuple[str, Pos]]:
    yield p.name, p.pos("name")
    for i, o in enumerate(p.objectives):
        yield o, p.pos(f"objectives[{i}]")
    for ind in p.indicators:
        yield ind.name, ind.pos("name")
        yield ind.target, ind.pos("target")


@check
def names_and_text(p: Project, cfg: Config) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str, str], Indicator] = {}
    by_name: dict[str, Indicator] = {}
    for ind in p.indicators:
        if not ind.name.strip():
            yield emit("PG134", ind.pos("name"))
            continue
        key = (ind.level1, ind.level2, ind.name.strip())
        if key in first:
            yield emit("PG130", ind.pos("name"), name=ind.name, l2=ind.level2, related=first[key].pos("name"))
        elif ind.name.strip() in by_name:
            other = by_name[ind.name.strip()]
            yield emit("PG131", ind.pos("name"), name=ind.name, l2=ind.level2, other=other.level2,
                       related=other.pos("name"))
        first.setdefault(key, ind)
        by_name.setdefault(ind.name.strip(), ind)
    for i, o in enumerate(p.objectives):
        if not o.strip():
            yield emit("PG134", p.pos(f"objectives[{i}]"), "PG134.objective")
    for text, pos in _texts(p):
        if _STRAY_DOT.search(text):
            yield emit("PG132", pos, text=text)
        if not balanced(text):
            yield emit("PG133", pos, text=text)
