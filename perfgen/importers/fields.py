"""A table's header values, as read (field → text and where), made into the model's values.

Amounts are numbers of 万元 (``250万`` and ``250万元`` too); a breakdown line (``1、一般公共预算``) is one entry of
``funds.fiscal_sources`` or ``funds.other_sources`` (lines of 0 are left out: a form prints 0.00 for a missing
one). What a form does not print is derived so that the goals are valid and rebuild the same table:

- a subtotal (财政拨款, 其他资金) missing but its lines given: their sum (四川 prints no 其他资金, only its lines);
- no 年度预算总额 / 年度资金总额 (四川's example prints none): total = fiscal + other;
- no 财政拨款 and no 其他资金 (湖南): fiscal = total, other = 0; one of them missing: total less the other;
- no 预算单位 (财政部's form prints 实施单位 only): the unit is the 实施单位.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.importers.grid import number
from perfgen.model import Funds, Project

TEXTS = ("leader", "code", "department", "implementer", "period", "prepared_by", "phone", "filed_on")
LISTS = ("objectives", "long_term_objectives")
SOURCES = ("fiscal_sources", "other_sources")
_GOAL = re.compile(r"(?:^|(?<=[\s。；;！!？?]))目标\s*[0-9一二三四五六七八九十]+\s*[、:：.．,，)）]\s*")
_NUMBERED = re.compile(r"^\s*\d+\s*[、.．:：)）]\s*")


def split_objectives(text: str) -> list[str]:
    """``目标1、…。 目标2：…`` → the goals without their prefixes; otherwise one goal per line (``1. …`` too)."""
    parts = _GOAL.split(text) if _GOAL.search(text) else [_NUMBERED.sub("", ln) for ln in text.split("\n")]
    return [p.strip() for p in parts if p.strip()]


def amount(text: str) -> float | None:
    """``1,012.50`` ``250万`` ``250万元`` → a number of 万元; None when it is not one."""
    value = number(text, "万元")
    return value if value is not None else number(text, "万")


def model_fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def _derived(total: float | None, fiscal: float | None, other: float | None
             ) -> tuple[float, float, float] | None:
    """年度预算总额, 财政拨款 and 其他资金 where a table gives some of them; None when it gives none."""
    if total is None:
        if fiscal is None and other is None:
            return None
        total = round((fiscal or 0.0) + (other or 0.0), 6)
    if fiscal is None and other is None:
        return total, total, 0.0
    if other is None:
        return total, fiscal or 0.0, max(round(total - (fiscal or 0.0), 6), 0.0)
    if fiscal is None:
        return total, max(round(total - other, 6), 0.0), other
    return total, fiscal, other


@dataclass
class Header:
    """The values of one table's header: ``values`` field → (text, where); ``names`` field → its label."""

    values: dict[str, tuple[str, Pos]]
    start: Pos
    names: dict[str, str]
    errors: list[Diagnostic] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (line, column) -> formula with no result

    def text(self, key: str, required: bool = False) -> str:
        text, pos = self.values.get(key, ("", self.start))
        if required and not text and not self._formula(key, pos):
            self.errors.append(diag(pos, "PG060", "import.header_missing", label=self.label(key)))
        return text

    def _formula(self, key: str, pos: Pos) -> bool:
        """The value of ``key`` is an Excel formula saved without its result: say that (an error), not "missing"."""
        if key not in self.values:
            return False
        for col in (pos.col, pos.col + 1):  # the value's cell, or (read as empty) the cell after its label
            formula = self.formulas.get((pos.line, col))
            if formula is not None:
                at = Pos(pos.file, pos.line, col)
                self.errors.append(diag(at, "PG060", "import.formula_value", label=self.label(key), formula=formula))
                return True
        return False

    def label(self, key: str) -> str:
        return self.names.get(key) or key

    def amount(self, key: str) -> float | None:
        """The amount of ``key``; None when the table does not give it (an error if it is not a number)."""
        text, pos = self.values.get(key, ("", self.start))
        if not text:
            self._formula(key, pos)
            return None
        value = amount(text)
        if value is None:
            self.errors.append(diag(pos, "PG060", "import.bad_number", label=self.label(key), value=text))
        return value

    def funds(self) -> Funds | None:
        """The funds, derived where the form does not print them; None when there is no total to be had."""
        sources: dict[str, dict[str, float]] = {kind: {} for kind in SOURCES}
        for key in self.values:
            kind, _, label = key.removeprefix("funds.").partition(".")
            if kind in SOURCES and "+" not in key and (value := self.amount(key)):
                sources[kind][label] = value
        fiscal, other = self.amount("funds.fiscal"), self.amount("funds.other")
        if fiscal is None and sources["fiscal_sources"]:
            fiscal = round(sum(sources["fiscal_sources"].values()), 6)
        if other is None and sources["other_sources"]:
            other = round(sum(sources["other_sources"].values()), 6)
        amounts = _derived(self.amount("funds.total"), fiscal, other)
        if amounts is None:
            return None
        where = {k.removeprefix("funds."): pos for k, (_, pos) in self.values.items()
                 if k.startswith("funds.") and "+" not in k}
        extra: dict[str, Any] = {k: v for k, v in sources.items() if v}
        if superior := self.amount("funds.superior"):
            extra["superior"] = superior
        known = model_fields(Funds)
        return Funds(total=amounts[0], fiscal=amounts[1], other=amounts[2], where=where,
                     **{k: v for k, v in extra.items() if k in known})

    def parts(self) -> dict[str, Any] | None:
        """The project's fields read from the header (all but source, rel, year, indicators and where), or None
        (and :attr:`errors`) when the table lacks what every goals file needs."""
        texts = {k: self.text(k) for k in TEXTS if self.text(k)}
        unit = self.text("unit") or texts.pop("implementer", "")  # 财政部's form prints 实施单位 only
        if not unit:
            self.text("unit", required=True)
        name = self.text("name", required=True)
        if not any(k.startswith("funds.") and k != "funds.superior" and t for k, (t, _) in self.values.items()):
            self.text("funds.total", required=True)
        lists = {k: split_objectives(self.text(k, required=k == "objectives")) for k in LISTS}
        funds = self.funds()
        if self.errors or funds is None:
            return None
        known = model_fields(Project)
        extra = {k: v for k, v in (texts | lists).items() if k in known and v}
        return {"unit": unit, "name": name, "funds": funds, **extra, "objectives": lists["objectives"]}

    def where(self, objectives: int) -> dict[str, Pos]:
        """Where each value was read."""
        where = {k: pos for k, (_, pos) in self.values.items() if not k.startswith("funds.")}
        where.update({f"objectives[{i}]": self.values["objectives"][1] for i in range(objectives)})
        return where
