"""Put one indicator row back into the nine columns, even when extraction shifted its cells.

Text taken from PDFs loses and gains cells: a row that lost its first (merged, empty) cell, one with an extra
empty cell, one whose last cells fell off, a 二级 name printed in the 一级 or 三级 column. The words of the
form's vocabulary say where the columns really are — 历史标准 is a 指标值设置依据, 直接赋分 an 指标赋分规则,
时效指标 a 二级指标, a weight is a number — so the row is aligned to the columns as a small edit-distance
problem: each cell goes to a column (a word in the wrong kind of column costs), a column may be missing (it
was lost) and an empty cell may be surplus. The cheapest alignment wins; a row no alignment can hold (a
word of one column kind that has nowhere to go, text that would have to be dropped, no weight, or too much
repair in total) is not placed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

from perfgen.importers.grid import number
from perfgen.load.config import Config

FIELDS = ("level1", "level2", "name", "target", "basis", "last_year", "weight", "scoring", "evidence")
INF = float("inf")
# The cost of a column with no cell: 一级/二级 are inherited from the rows above; a weight cannot be guessed.
# Losing the 一级 cell is a little likelier than losing the 二级 one (满意度指标 is a word of both).
LOST = {"level1": 1.0, "level2": 1.1, "name": 3.0, "target": 3.0, "basis": 2.0, "last_year": 1.0,
        "weight": INF, "scoring": 2.0, "evidence": 1.0, "actual": 2.0, "score": 1.0, "deviation": 0.5}
EMPTY = {"name": 2.5, "target": 2.5, "weight": INF}  # an empty cell where a value is expected
EXTRA = 1.0  # an empty cell that belongs to no column
# Beyond this much repair a row is not a shifted indicator but something else (a 合计 line, a page footer).
# The worst real row seen costs 4.5 (seed table 2: extra cell, name lost, 佐证资料 missing).
MAX_COST = 6.0


@dataclass(frozen=True)
class Vocab:
    level1: frozenset[str]
    level2: frozenset[str]
    owner: tuple[tuple[str, str], ...]  # 二级 → the 一级 it belongs to
    allowed: tuple[tuple[str, tuple[str, ...]], ...]  # 一级 → its 二级, in the vocabulary's order
    basis: frozenset[str]
    scoring: frozenset[str]
    evidence: frozenset[str]

    @classmethod
    def from_config(cls, cfg: Config | None = None) -> Vocab:
        cfg = cfg or Config()
        return cls(
            level1=frozenset(cfg.vocabulary),
            level2=frozenset(w for words in cfg.vocabulary.values() for w in words),
            owner=tuple(cfg.level2_owner().items()),
            allowed=tuple((k, tuple(v)) for k, v in cfg.vocabulary.items()),
            basis=frozenset(cfg.basis), scoring=frozenset(cfg.scoring), evidence=frozenset(cfg.evidence))

    def owner_of(self, level2: str) -> str | None:
        return dict(self.owner).get(level2)

    def allows(self, level1: str, level2: str) -> bool:
        return level2 in dict(self.allowed).get(level1, ())

    def vocabulary(self) -> dict[str, tuple[str, ...]]:
        """一级 → its 二级, in order."""
        return dict(self.allowed)

    def with_words(self, words: Mapping[str, Iterable[str]]) -> Vocab:
        """This vocabulary and a form's own 一级 → 二级 names (四川's 项目完成指标, 湖南's
        社会公众或服务对象满意度指标)."""
        if not words:
            return self
        allowed = self.vocabulary()
        owner = dict(self.owner)
        for level1, level2s in words.items():
            allowed[level1] = tuple(dict.fromkeys((*allowed.get(level1, ()), *level2s)))
            for level2 in allowed[level1]:
                owner.setdefault(level2, level1)
        return replace(self, level1=self.level1 | frozenset(allowed),
                       level2=self.level2 | frozenset(w for ws in allowed.values() for w in ws),
                       owner=tuple(owner.items()), allowed=tuple(allowed.items()))


def _cost(text: str, column: str, v: Vocab) -> float:
    if not text:
        return EMPTY.get(column, 0.0)
    levels = v.level1 | v.level2
    is_number = number(text, "分") is not None
    if column == "level1":
        return 0.0 if text in v.level1 else INF if text in v.level2 | v.basis | v.scoring else 2.0
    if column == "level2":
        return 0.0 if text in v.level2 else INF if text in v.basis | v.scoring else 2.0
    if column == "name":
        return 3.0 if text in levels else INF if text in v.basis | v.scoring else 2.0 if is_number else 0.0
    if column in ("target", "last_year", "actual"):
        return INF if text in levels | v.basis | v.scoring else 0.0
    if column == "score":  # a 自评表's 得分: a number, or empty
        return 0.0 if is_number else INF
    if column == "deviation":
        return INF if text in levels else 0.5
    if column == "basis":
        return 0.0 if text in v.basis else INF if text in levels | v.scoring else 3.0 if is_number else 2.0
    if column == "weight":
        return 0.0 if is_number else INF
    if column == "scoring":
        return 0.0 if text in v.scoring else INF if text in levels | v.basis or is_number else 2.0
    # evidence: free text is allowed (with a warning from validate)
    return 0.0 if text in v.evidence else INF if text in levels | v.basis | v.scoring else 3.0 if is_number else 0.5


@dataclass
class Placement:
    values: dict[str, int] = field(default_factory=dict)  # column → index of its cell
    lost: list[str] = field(default_factory=list)  # columns without a cell
    extra: list[int] = field(default_factory=list)  # surplus empty cells inside the row


def place(cells: tuple[str, ...], columns: tuple[str, ...], vocab: Vocab) -> Placement | None:
    """The cheapest alignment of ``cells`` to ``columns``; None when the row cannot be placed."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1  # trailing empty cells are padding
    n, m = end, len(columns)

    @cache
    def best(i: int, j: int) -> tuple[float, str]:
        if i == n and j == m:
            return 0.0, ""
        options: list[tuple[float, str]] = []
        if i < n and j < m:
            options.append((_cost(cells[i], columns[j], vocab) + best(i + 1, j + 1)[0], "match"))
        if j < m:
            options.append((LOST.get(columns[j], 1.0) + best(i, j + 1)[0], "lost"))
        if i < n and not cells[i]:
            options.append((EXTRA + best(i + 1, j)[0], "extra"))
        if not options:
            return INF, ""
        return min(options, key=lambda o: o[0])  # first of equals: match, then lost, then extra

    if best(0, 0)[0] > MAX_COST:
        return None
    out = Placement()
    i = j = 0
    while i < n or j < m:
        step = best(i, j)[1]
        if step == "match":
            out.values[columns[j]] = i
            i, j = i + 1, j + 1
        elif step == "lost":
            out.lost.append(columns[j])
            j += 1
        else:
            out.extra.append(i)
            i += 1
    return out
