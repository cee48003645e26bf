"""Find 项目支出绩效目标表 tables in rows of cells and turn each into a :class:`~perfgen.model.Project`.

The header block is found by its labels — those of every built-in form (:mod:`.layouts`: 预算单位,
项目名称, 项目资金 …; 湖南's 项目支出名称, 年度本级预算金额 …; 四川's (一)财政拨款小计, 1、一般公共预算 …;
财政部's 主管部门及代码 …) — written full- or half-width, with or without colons, in any cell of any row,
never by position; a label whose value the form prints in the next row (四川's 年度目标) takes that row.
The indicator table starts at the row of column titles (一级指标 …) and its columns are taken from those
titles, a merged label column before them (绩效指标) set aside; each row after it is placed by
:func:`.rows.place`, every repair reported as a warning at the row's source line.

The table is taken to be of the form whose labels and titles it shares most (:func:`.layouts.detect`), and
that form's category mapping is reversed (湖南's 成本指标 under 产出指标 is the model's 一级 成本指标). In a
table without weights (the other forms) a row that starts to the right is a merged continuation, not a
repair, and a row of 一级/二级 names alone is skipped (湖南 lists every standard 二级, empty ones too). A
footer row (财政部门审核意见) ends the indicators; the line under the table (填表人：… 联系电话：…) is read for
its fields. A new table starts at the title line or at a header label seen again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.importers.fields import Header, split_objectives
from perfgen.importers.grid import Row, Section, number, squash
from perfgen.importers.layouts import ALIASES, GROUP, IGNORED, Known, Labels, detect, known_forms, label_key
from perfgen.importers.rows import FIELDS, Placement, Vocab, place
from perfgen.model import COLUMN_TITLES, Indicator, Project

# A weight written in words (十, 五分, 十二点五): said as such instead of "cannot place this row"
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百点.0-9]+分?")

__all__ = ["TITLES", "TableReader", "column_of", "is_title", "split_label", "split_objectives"]

TITLES = dict(zip(FIELDS, COLUMN_TITLES, strict=True))  # column → the form's title
_YEAR = re.compile(r"[(（]?\s*(\d{4})\s*年度?\s*[)）]?")
Labeled = list[tuple[int, tuple[str, str, str] | None]]  # each filled cell: its index, and its label if it is one


@cache
def builtin_labels() -> Labels:
    return Labels.of(known_forms())


def split_label(text: str) -> tuple[str, str] | None:
    """``项目资金（万元）`` → ("funds", ""), ``年度预算总额:5`` → ("total", "5"); None when no label."""
    found = builtin_labels().split(text)
    if found is None:
        return None
    return found[0].removeprefix("funds.") if found[0] != GROUP else GROUP, found[1]


def is_title(text: str) -> bool:
    """One line naming the form (项目支出绩效目标表): what ``.*绩效目标.*表\\s*`` matches, in linear time.

    The regular expression backtracks once per 绩效目标 in the cell: a line of them took minutes.
    """
    body = text.rstrip()
    return body.endswith("表") and "\n" not in body and "绩效目标" in body[:-1]


def column_of(title: str, titles: dict[str, str] | None = None) -> str | None:
    """The indicator field a column title names: a built-in form's title (绩效标准), else by its words."""
    if (found := (titles or builtin_labels().titles).get(label_key(title))) is not None:
        return found
    k = squash(title)
    for needle, column in (("一级", "level1"), ("二级", "level2"), ("三级", "name"), ("依据", "basis"),
                           ("上年", "last_year"), ("权重", "weight"), ("分值", "weight"), ("赋分", "scoring"),
                           ("评分", "scoring"), ("佐证", "evidence"), ("指标值", "target")):
        if needle in k:
            return column
    return None


@dataclass
class _Draft:
    start: Pos
    year: tuple[int, Pos] | None = None
    values: dict[str, tuple[str, Pos]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # label keys and column titles: which form it is
    below: str = ""  # a field whose value is in the next row
    columns: tuple[str, ...] | None = None
    lead: tuple[str, int] = ("", 0)  # the merged label column before the column titles: its label key, width
    known: Known | None = None
    vocab: Vocab | None = None
    weighted: bool = True
    ended: bool = False  # a footer row was seen: no more indicators
    indicators: list[Indicator] = field(default_factory=list)
    level1: str = ""
    level2: str = ""
    failed: bool = False  # a row could not be placed: no project from this table

    @property
    def empty(self) -> bool:
        return not self.values and not self.indicators and self.columns is None

    @property
    def in_indicators(self) -> bool:
        return self.columns is not None and not self.ended


def _trailing(placed: Placement, cells: int, columns: tuple[str, ...]) -> None:
    """Columns after the last cell placed that the row has empty cells for are empty, not lost (a Word row
    always has its last cells; :func:`.rows.place` sets trailing empty cells aside as padding)."""
    used = max((*placed.values.values(), *placed.extra), default=-1)
    last = max((columns.index(c) for c in placed.values), default=-1)
    for col in columns[last + 1:]:
        if used + 1 >= cells or col not in placed.lost:
            break
        used += 1
        placed.lost.remove(col)
        placed.values[col] = used


class TableReader:
    def __init__(self, vocab: Vocab, forms: tuple[Known, ...] | None = None):
        self.vocab = vocab
        self.forms = known_forms() if forms is None else forms
        self.labels = builtin_labels() if forms is None else Labels.of(forms)
        self.projects: list[Project] = []
        self.diags: list[Diagnostic] = []
        self.source = ""
        self.formulas: dict[tuple[int, int], str] = {}  # of the section being read (Section.formulas)
        self.tables = 0  # tables seen, placed or not
        self.current: _Draft | None = None
        self.year: tuple[int, Pos] | None = None

    def read(self, section: Section, source: str) -> None:
        self.source = source
        self.formulas = section.formulas
        self.current, self.year = None, None
        for row in section.rows:
            if row.filled:
                self._row(row)
        self.close(self.current)
        self.current = None

    def _new(self, pos: Pos) -> _Draft:
        self.close(self.current)
        self.current = _Draft(pos, self.year)
        return self.current

    def _row(self, row: Row) -> None:
        filled, current = row.filled, self.current
        labels = [(i, self.labels.split(c)) for i, c in enumerate(row.cells) if c]
        if current is not None and current.below and not row.prose and not any(lab for _, lab in labels):
            current.values[current.below] = ("\n".join(filled), row.at(row.cells.index(filled[0])))
            current.below = ""
            return
        if len(filled) == 1 and (is_title(filled[0]) or _YEAR.fullmatch(filled[0])):
            self._title(row, filled[0])
        elif current is not None and self._footer(current, row, filled):
            return
        elif row.prose:
            if current is not None and current.indicators:
                self.close(current)
                self.current = None
        elif any(lab for _, lab in labels) and not (current is not None and current.in_indicators
                                                    and labels[0][1] is None):
            fields = {lab[0] for _, lab in labels if lab} - {GROUP, IGNORED}
            if current is None or current.indicators or fields & set(current.values):
                current = self._new(row.pos)
            self.header(current, row, labels)
        elif not self._titles(row):
            if current is not None and current.in_indicators:
                self.indicator(current, row)
            elif current is not None or len(filled) > 1:
                self.diags.append(diag(row.pos, "PG062", "import.ignored_row", "warning", cells=" | ".join(filled)))

    def _title(self, row: Row, text: str) -> None:
        if is_title(text):
            self.close(self.current)
            self.current, self.year = None, None
        if m := re.search(r"(\d{4})\s*年", text):
            self.year = (int(m.group(1)), row.at(row.cells.index(text)))
            current = self.current
            if current is not None and not current.values and not current.indicators:
                current.year = self.year

    def _footer(self, d: _Draft, row: Row, filled: list[str]) -> bool:
        """A line of fields under the table (填表人 …), or a footer row (财政部门审核意见) ending the indicators."""
        if len(filled) == 1 and (found := self.labels.line(filled[0])) is not None:
            at = row.at(row.cells.index(filled[0]))
            d.values.update({k: (v, at) for k, v in found.items() if v})
            d.ended = d.columns is not None
            return True
        if d.columns is not None and label_key(filled[0]) in self.labels.footers:
            d.ended = True
            return True
        return False

    def header(self, d: _Draft, row: Row, labels: Labeled) -> None:
        for k, (i, lab) in enumerate(labels):
            if lab is None:
                continue
            key, inline, label = lab
            d.seen.add(label)
            if key in (GROUP, IGNORED):
                continue
            if inline:
                d.values[key] = (inline, row.at(i))
                continue
            value = ("", row.at(i))
            for j, other in labels[k + 1:]:
                if other is None:
                    value = (row.cells[j], row.at(j))
                break
            if value[0] or key not in d.values:
                d.values[key] = value
            if not value[0] and label in self.labels.below:
                d.below = key

    def _titles(self, row: Row) -> bool:
        """A row of column titles starts the indicator table."""
        keep = [i for i in range(len(row.cells)) if i not in row.spans]
        found = [(n, column_of(row.cells[i], self.labels.titles)) for n, i in enumerate(keep) if row.cells[i]]
        columns = tuple(dict.fromkeys(c for _, c in found if c))
        if not ({"level1", "name", "target"} <= set(columns) and len(columns) >= 4):
            return False
        current = self.current
        if current is None or current.indicators:
            current = self._new(row.pos)
        lead = next(n for n, c in found if c)
        current.columns, current.weighted = columns, "weight" in columns
        current.lead = (label_key("".join(row.cells[i] for i in keep[:lead])), lead)
        current.seen.update(label_key(c) for c in row.filled)
        current.known = detect(current.seen, self.forms)
        words = current.known.level_words(self.vocab.vocabulary()) if current.known else {}
        current.vocab = self.vocab.with_words(words)
        return True

    def _kept(self, d: _Draft, row: Row) -> list[int]:
        """The row's cells that are columns: not the continuation of a span, not the label column."""
        keep = [i for i in range(len(row.cells)) if i not in row.spans]
        label, width = d.lead
        n = 0
        while n < min(width, len(keep)) and (not row.cells[keep[n]] or label_key(row.cells[keep[n]]) == label):
            n += 1
        return keep[n:]

    def _levels_only(self, d: _Draft, cells: tuple[str, ...], vocab: Vocab) -> bool:
        """A row of nothing but a 一级 and/or 二级 name (an empty group the form lists): skipped, the names kept."""
        filled = [c for c in cells if c]
        if not 1 <= len(filled) <= 2 or not all(c in vocab.level1 | vocab.level2 for c in filled):
            return False
        if len(filled) == 2:
            d.level1, d.level2 = filled
        elif filled[0] in vocab.level2 and (vocab.allows(d.level1, filled[0]) or filled[0] not in vocab.level1):
            d.level2 = filled[0]
        else:
            d.level1, d.level2 = filled[0], ""
        return True

    def indicator(self, d: _Draft, row: Row) -> None:
        keep = self._kept(d, row)
        cells = tuple(row.cells[i] for i in keep)
        vocab = d.vocab or self.vocab
        if not d.weighted and self._levels_only(d, cells, vocab):
            return
        assert d.columns is not None
        placed = place(cells, d.columns, vocab)
        if placed is None:
            self.diags.append(self._unplaced(d, row, keep, cells))
            d.failed = True
            return
        _trailing(placed, len(cells), d.columns)
        value = {col: cells[i] for col, i in placed.values.items()}
        where = {col: row.at(keep[i]) for col, i in placed.values.items()}
        warn = self._levels(d, row, keep, placed, value, vocab)
        name = value.get("name", "")
        if not name and value.get("level2"):
            name = value["level2"]
            warn.append(diag(row.pos, "PG058", "import.name_lost", "warning", level2=name))
        weight = number(value.get("weight", ""), "分")
        missing_key = ("import.no_level1" if not d.level1 else "import.no_level2" if not d.level2 else
                       "import.no_name" if not name else "import.unplaced" if weight is None and d.weighted else "")
        if missing_key:
            self.diags.append(diag(row.pos, "PG059", missing_key, cells=" | ".join(row.filled)))
            d.failed = True
            return
        if not value.get("target", "").strip():
            warn.append(diag(where.get("target", row.pos), "PG068", "import.empty_target", "warning", name=name))
        self.diags.extend(warn)
        where.update({"_": row.pos, "level1": where.get("level1", row.pos), "level2": where.get("level2", row.pos)})
        level1, level2 = (d.known.to_model(d.level1, d.level2, self.vocab.vocabulary()) if d.known else
                          (d.level1, d.level2))
        d.indicators.append(Indicator(
            level1=level1, level2=level2, name=name, target=value.get("target", ""),
            weight=weight,  # None: the form has no weights
            basis=value.get("basis", ""), last_year=value.get("last_year", ""), scoring=value.get("scoring", ""),
            evidence=value.get("evidence", ""), where=where))

    @staticmethod
    def _unplaced(d: _Draft, row: Row, keep: list[int], cells: tuple[str, ...]) -> Diagnostic:
        """Why a row fits no column arrangement: a weight that is not a number, said at its cell; else the row."""
        columns = d.columns or ()
        if len(cells) == len(columns) and "weight" in columns:
            i = columns.index("weight")
            if cells[i] and number(cells[i], "分") is None and _NUMERAL.fullmatch(cells[i]):
                return diag(row.at(keep[i]), "PG060", "import.weight_text", value=cells[i])
        return diag(row.pos, "PG059", "import.unplaced", cells=" | ".join(row.filled))

    def _levels(self, d: _Draft, row: Row, keep: list[int], placed: Placement, value: dict[str, str],
                vocab: Vocab) -> list[Diagnostic]:
        """The row's 一级 and 二级 (inherited from the rows above when empty), and the repairs that took."""
        warn: list[Diagnostic] = []
        level1, level2 = value.get("level1", ""), value.get("level2", "")
        lost1 = "level1" in placed.lost
        if level1:
            d.level1, d.level2 = level1, ""
        elif level2 and (not d.level1 or (lost1 and not vocab.allows(d.level1, level2))):
            # a row that lost its 一级 cell may start another 一级: the vocabulary says which
            d.level1 = vocab.owner_of(level2) or d.level1
        if level2:
            d.level2 = level2
        if not d.weighted:
            pass  # a row starting to the right: its first cells are merged continuations (how these forms print)
        elif lost1 and level2 and placed.values.get("level2") == 0:
            warn.append(diag(row.at(keep[0]), "PG057", "import.level2_in_level1", "warning", level1=d.level1,
                             level2=level2))
        elif lost1 or "level2" in placed.lost:
            warn.append(diag(row.pos, "PG054", "import.shift_left", "warning"))
        if placed.extra:
            warn.append(diag(row.pos, "PG055", "import.extra_cell", "warning", count=len(placed.extra)))
        missing = [c for c in placed.lost if c not in ("level1", "level2", "name")]
        if missing:
            titles = "、".join(TITLES[c] for c in missing)
            warn.append(diag(row.pos, "PG056", "import.missing_cells", "warning", fields=titles))
        return warn

    def _names(self, d: _Draft) -> dict[str, str]:
        """Each field's label, for messages: as the table's form prints it, else as the default form does."""
        known = d.known or detect(d.seen, self.forms)
        names: dict[str, str] = {}
        for key, name in (*(known.labels.items() if known else ()), *(known.below.items() if known else ()),
                          *ALIASES.items()):
            names.setdefault(name, key)
        return names

    def close(self, d: _Draft | None) -> None:
        if d is None or d.empty:
            return
        self.tables += 1
        header = Header(d.values, d.start, self._names(d), formulas=self.formulas)
        parts = header.parts()
        errors = header.errors
        if d.year is None:
            errors.append(diag(d.start, "PG060", "import.header_missing", label="(年度)"))
        if d.columns is None or not d.indicators:
            errors.append(diag(d.start, "PG060", "import.header_missing", label="一级指标 | 二级指标 | 三级指标 …"))
        self.diags.extend(errors)
        if errors or d.failed or d.year is None or parts is None:
            return
        where = header.where(len(parts["objectives"])) | {"year": d.year[1], "_": d.start}
        self.projects.append(Project(source=self.source, output_stem="", year=d.year[0], indicators=self._grouped(d),
                                     where=where, **parts))

    def _grouped(self, d: _Draft) -> list[Indicator]:
        """Rows of one 一级 (and 二级) kept together, as YAML groups them, in order of first appearance."""
        first1: dict[str, int] = {}
        first2: dict[tuple[str, str], int] = {}
        for i, ind in enumerate(d.indicators):
            first1.setdefault(ind.level1, i)
            first2.setdefault((ind.level1, ind.level2), i)
        out = sorted(d.indicators, key=lambda x: (first1[x.level1], first2[(x.level1, x.level2)]))
        if out != d.indicators:
            moved = next(a for a, b in zip(out, d.indicators, strict=True) if a is not b)
            self.diags.append(diag(moved.where["_"], "PG064", "import.regrouped", "warning", level1=moved.level1))
        return out
