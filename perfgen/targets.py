"""指标值: an operator, a number and a unit — or qualitative text (FORMAT.md, "Targets")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every spelling of the five operators, longest first, mapped to the canonical symbol.
OPERATORS: dict[str, str] = {
    ">=": "≥", "<=": "≤", "＞＝": "≥", "＜＝": "≤", "≥": "≥", "≤": "≤", "≧": "≥", "≦": "≤",
    "=": "=", "＝": "=", "==": "=", ">": ">", "＞": ">", "<": "<", "＜": "<",
}
_OPS = sorted(OPERATORS, key=len, reverse=True)
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



def parse_target(text: str) -> Target:
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
    if not op_written and (not unit or re.search(r"\d", unit)):
        # "2021年1月-12月", a bare "2023": text, not a quantity with a unit
        return Target(text)
    if re.search(r"\d", unit):
        return Target(text)
    number_text = m.group(1).replace(",", "")
    return Target(text, OPERATORS[op_written] if op_written else "=", float(number_text), number_text, unit,
                  op_written)
