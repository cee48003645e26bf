"""指标值: an operator, a number and a unit — or qualitative text (docs/goals-format.md, "Targets")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Every spelling of the five operators, longest first, mapped to the canonical symbol.
OPERATORS: dict[str, str] = {
    ">=": "≥", "<=": "≤", "＞＝": "≥", "＜＝": "≤", "≥": "≥", "≤": "≤", "≧": "≥", "≦": "≤",
    "=": "=", "＝": "=", "==": "=", ">": ">", "＞": ">", "<": "<", "＜": "<",
}
_OPS = sorted(OPERATORS, key=len, reverse=True)
OPERATOR_PREFIXES = tuple(OPERATORS)  # for str.startswith
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*")


@dataclass(frozen=True, slots=True)
class Target:
    text: str  # as written
    op: str | None = None  # canonical operator, None when qualitative
    number: float | None = None
    number_text: str = ""
    unit: str = ""
    op_written: str = ""  # the operator as written (for fmt's normalisation)

    @property
    def quantitative(self) -> bool:
        return self.number is not None


@lru_cache(maxsize=4096)
def parse_target(text: str) -> Target:
    """The operator, number and unit of a 指标值 (a frozen result, cached: the checks ask several times)."""
    s = text.strip()
    op_written = ""
    for op in _OPS:
        if s.startswith(op):
            op_written = op
            s = s[len(op):]
            break
    m = _NUMBER.match(s)
    if not m:
        return Target(text)
    unit = s[m.end():].strip()
    if _DIGIT.search(unit) or (not op_written and not unit):
        # "2021年1月-12月", a bare "2023", "=3人/2次": text, not one quantity with a unit
        return Target(text)
    number_text = m.group(1).replace(",", "")
    return Target(text, OPERATORS[op_written] if op_written else "=", float(number_text), number_text, unit,
                  op_written)
