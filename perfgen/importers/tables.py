"""Find 项目支出绩效目标表 tables in rows of cells and turn each into a :class:`~perfgen.model.Project`.

The header block is found by its labels (预算单位, 项目名称, 项目负责人, 项目资金, 年度预算总额, 财政拨款,
其他资金, 项目总体目标), written full- or half-width, with or without colons, in any cell of any row — never by
position. The indicator table starts at the row of column titles (一级指标 …) and its columns are taken from
those titles; each row after it is placed by :func:`.rows.place`, every repair reported as a warning at
the row's source line. A new table starts at the title line or at a header label seen again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.importers.grid import Row, Section, number, squash
from perfgen.importers.rows import FIELDS, Vocab, place
from perfgen.model import COLUMN_TITLES, Funds, Indicator, Project

_LABELS = {"预算单位": "unit", "项目名称": "name", "项目负责人": "leader", "项目编码": "code", "项目资金": "funds",
           "年度预算总额": "total", "财政拨款": "fiscal", "其他资金": "other", "项目总体目标": "objectives",
           "总体目标": "objectives"}
_LABEL_NAMES = {v: k for k, v in reversed(list(_LABELS.items()))}
TITLES = dict(zip(FIELDS, COLUMN_TITLES, strict=True))  # column → the form's title


def _label_pattern() -> re.Pattern[str]:
    # Possessive blanks (\s*+): each run of blanks is followed by a non-blank, so giving some back never
    # helps; allowed to, a cell of a label and a million blanks backtracked for hours.
    spaced = "|".join(r"\s*+".join(map(re.escape, word)) for word in sorted(_LABELS, key=len, reverse=True))
    return re.compile(rf"\s*+(?:其\s*+中\s*+[:：]?\s*+)?({spaced})\s*+(?:[(（]\s*+万?\s*+元\s*+[)）])?\s*+"
                      rf"(?:[:：]\s*(.*))?", re.S)


_LABEL = _label_pattern()


def is_title(text: str) -> bool:
    """One line naming the form (项目支出绩效目标表): what ``.*绩效目标.*表\\s*`` matches, in linear time.

    The regular expression backtracks once per 绩效目标 in the cell: a line of them took minutes.
    """
    body = text.rstrip()
    return body.endswith("表") and "\n" not in body and "绩效目标" in body[:-1]
_YEAR = re.compile(r"[(（]?\s*(\d{4})\s*年度?\s*[)）]?")
_GOAL = re.compile(r"(?:^|(?<=[\s。；;！!？?]))目标\s*[0-9一二三四五六七八九十]+\s*[、:：.．,，)）]\s*")
_NUMBERED = re.compile(r"^\s*\d+\s*[、.．:：)）]\s*")


def split_label(text: str) -> tuple[str, str] | None:
    """``项目资金（万元）`` → ("funds", ""), ``年度预算总额:5`` → ("total", "5"); None when no label."""
    m = _LABEL.fullmatch(text)
    if not m:
        return None
    return _LABELS[squash(m.group(1))], (m.group(2) or "").strip()


def column_of(title: str) -> str | None:
    k = squash(title)
    for needle, column in (("一级", "level1"), ("二级", "level2"), ("三级", "name"), ("依据", "basis"),
                           ("上年", "last_year"), ("权重", "weight"), ("分值", "weight"), ("赋分", "scoring"),
                           ("评分", "scoring"), ("佐证", "evidence"), ("指标值", "target")):
        if needle in k:
            return column
    return None


def split_objectives(text: str) -> list[str]:
    """``目标1、…。 目标2：…`` → the goals without their prefixes; otherwise one goal per line."""
    parts = _GOAL.split(text) if _GOAL.search(text) else [_NUMBERED.sub("", ln) for ln in text.split("\n")]
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Draft:
    start: Pos
    year: tuple[int, Pos] | None = None
    values: dict[str, tuple[str, Pos]] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None
    indicators: list[Indicator] = field(default_factory=list)
    level1: str = ""
    level2: str = ""
    failed: bool = False  # a row could not be placed: no project from this table

    @property
    def empty(self) -> bool:
        return not self.values and not self.indicators and self.columns is None


class TableReader:
    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.projects: list[Project] = []
        self.diags: list[Diagnostic] = []
        self.source = ""
        self.tables = 0  # tables seen, placed or not

    def read(self, section: Section, source: str) -> None:
        self.source = source
        current: _Draft | None = None
        year: tuple[int, Pos] | None = None
        for row in section.rows:
            filled = row.filled
            if not filled:
                continue
            if len(filled) == 1 and (is_title(filled[0]) or _YEAR.fullmatch(filled[0])):
                if is_title(filled[0]):
                    self.close(current)
                    current, year = None, None
                if m := re.search(r"(\d{4})\s*年", filled[0]):
                    year = (int(m.group(1)), row.at(row.cells.index(filled[0])))
                    if current is not None and not current.values and not current.indicators:
                        current.year = year
                continue
            if row.prose:
                if current is not None and current.indicators:
                    self.close(current)
                    current = None
                continue
            labels = [(i, split_label(c)) for i, c in enumerate(row.cells) if c]
            if any(lab for _, lab in labels):
                fields = {lab[0] for _, lab in labels if lab}
                if current is None or current.indicators or fields & set(current.values) - {"funds"}:
                    self.close(current)
                    current = _Draft(row.pos, year)
                self.header(current, row, labels)
                continue
            columns = tuple(dict.fromkeys(c for c in (column_of(x) for x in filled) if c))
            if {"level1", "name", "target"} <= set(columns) and len(columns) >= 4:
                if current is None or current.indicators:
                    self.close(current)
                    current = _Draft(row.pos, year)
                current.columns = columns
            elif current is not None and current.columns is not None:
                self.indicator(current, row)
            elif current is not None or len(filled) > 1:
                self.diags.append(diag(row.pos, "PG062", "import.ignored_row", "warning",
                                       cells=" | ".join(filled)))
        self.close(current)

    def header(self, d: _Draft, row: Row, labels: list[tuple[int, tuple[str, str] | None]]) -> None:
        for k, (i, lab) in enumerate(labels):
            if lab is None or lab[0] == "funds":
                continue
            key, inline = lab
            if inline:
                d.values[key] = (inline, row.at(i))
                continue
            value = ("", row.at(i))
            for j, other in labels[k + 1:]:
                if other is None:
                    value = (row.cells[j], row.at(j))
                break
            d.values[key] = value

    def indicator(self, d: _Draft, row: Row) -> None:
        keep = [i for i in range(len(row.cells)) if i not in row.spans]
        cells = tuple(row.cells[i] for i in keep)
        assert d.columns is not None
        placed = place(cells, d.columns, self.vocab)
        if placed is None:
            self.diags.append(diag(row.pos, "PG059", "import.unplaced", cells=" | ".join(row.filled)))
            d.failed = True
            return
        value = {col: cells[i] for col, i in placed.values.items()}
        where = {col: row.at(keep[i]) for col, i in placed.values.items()}
        warn: list[Diagnostic] = []
        level1, level2 = value.get("level1", ""), value.get("level2", "")
        lost1 = "level1" in placed.lost
        if level1:
            d.level1, d.level2 = level1, ""
        elif level2 and (not d.level1 or (lost1 and not self.vocab.allows(d.level1, level2))):
            # a row that lost its 一级 cell may start another 一级: the vocabulary says which
            d.level1 = self.vocab.owner_of(level2) or d.level1
        if level2:
            d.level2 = level2
        if lost1 and level2 and placed.values.get("level2") == 0:
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
        name = value.get("name", "")
        if not name and level2:
            name = level2
            warn.append(diag(row.pos, "PG058", "import.name_lost", "warning", level2=level2))
        weight = number(value.get("weight", ""), "分")
        missing_key = ("import.no_level1" if not d.level1 else "import.no_level2" if not d.level2 else
                       "import.no_name" if not name else "import.unplaced" if weight is None else "")
        if missing_key or weight is None:
            self.diags.append(diag(row.pos, "PG059", missing_key, cells=" | ".join(row.filled)))
            d.failed = True
            return
        self.diags.extend(warn)
        where.update({"_": row.pos, "level1": where.get("level1", row.pos), "level2": where.get("level2", row.pos)})
        d.indicators.append(Indicator(
            level1=d.level1, level2=d.level2, name=name, target=value.get("target", ""), weight=weight,
            basis=value.get("basis", ""), last_year=value.get("last_year", ""), scoring=value.get("scoring", ""),
            evidence=value.get("evidence", ""), where=where))

    def close(self, d: _Draft | None) -> None:
        if d is None or d.empty:
            return
        self.tables += 1
        errors: list[Diagnostic] = []

        def need(key: str) -> tuple[str, Pos]:
            text, pos = d.values.get(key, ("", d.start))
            if not text:
                errors.append(diag(pos, "PG060", "import.header_missing", label=_LABEL_NAMES[key]))
            return text, pos

        def amount(key: str) -> float:
            text, pos = d.values.get(key, ("", d.start))
            value = number(text, "万元") if text else 0.0
            if value is None:
                errors.append(diag(pos, "PG060", "import.bad_number", label=_LABEL_NAMES[key], value=text))
            return value or 0.0

        unit, name, total_text = need("unit"), need("name"), need("total")
        goals_text, goals_pos = need("objectives")
        funds = Funds(total=amount("total"), fiscal=amount("fiscal"), other=amount("other"),
                      where={k: d.values[k][1] for k in ("total", "fiscal", "other") if k in d.values})
        if d.year is None:
            errors.append(diag(d.start, "PG060", "import.header_missing", label="(年度)"))
        if d.columns is None or not d.indicators:
            errors.append(diag(d.start, "PG060", "import.header_missing", label="一级指标 | 二级指标 | 三级指标 …"))
        self.diags.extend(errors)
        if errors or d.failed or d.year is None or not total_text[0]:
            return
        where = {k: pos for k, (_, pos) in d.values.items()} | {"year": d.year[1], "_": d.start}
        objectives = split_objectives(goals_text)
        where.update({f"objectives[{i}]": goals_pos for i in range(len(objectives))})
        self.projects.append(Project(
            source=self.source, rel="", year=d.year[0], unit=unit[0], name=name[0], funds=funds,
            objectives=objectives, indicators=self._grouped(d), leader=d.values.get("leader", ("", d.start))[0],
            code=d.values.get("code", ("", d.start))[0], where=where))

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
