"""Rows of cells as every reader delivers them: the text extracted from a PDF, a Word table, an Excel sheet.

All three arrive in one shape, the seed's: one row per table row, one cell per grid column, merged cells
empty. A cell that continues a horizontal merge (Word ``gridSpan``, an Excel merged range) is known to be
one and listed in ``spans``; text from a PDF cannot tell, so its rows have none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from perfgen.diagnostics.pos import Pos


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    pos: Pos  # the row: file (or file#table / file#sheet) and line; col 1
    cols: tuple[int, ...] = ()  # 1-based source column of each cell
    spans: frozenset[int] = field(default_factory=frozenset)
    prose: bool = False  # a paragraph outside any table (Word): ends an indicator table

    def at(self, i: int) -> Pos:
        col = self.cols[i] if i < len(self.cols) else 1
        return Pos(self.pos.file, self.pos.line, col)

    @property
    def filled(self) -> list[str]:
        return [c for c in self.cells if c]


@dataclass
class Section:
    """One stream of rows that may hold tables: a text file, a Word body, an Excel sheet."""

    name: str
    rows: list[Row] = field(default_factory=list)
    # (line, column) -> formula of each cell that holds a formula saved without its result (Excel; read as empty)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def clean(text: str) -> str:
    """Cell text as the form means it: no surrounding blanks (including full-width ones), \\n line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def squash(text: str) -> str:
    """For comparing labels: full-width forms folded (NFKC) and every blank removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def number(text: str, suffix: str = "") -> float | None:
    """``52.00`` ``1,012`` ``１０`` (and ``10分`` with suffix 分) → a float; None when not one number."""
    s = squash(text).replace(",", "")
    if suffix:
        s = s.removesuffix(suffix)
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", s):
        return None
    return float(s)
