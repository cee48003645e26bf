"""The layouts import recognises, read off the form definitions (``templates/forms/*.yaml``).

Each built-in form says which label stands before which field (``项目支出名称`` → ``name``, ``1、一般公共预算`` →
``funds.fiscal_sources.一般公共预算``), which field sits under a label in the next row (四川's ``年度目标``), the
titles of its indicator columns (``绩效标准`` → ``basis``), the footer rows and lines that end its table
(``财政部门审核意见``; ``填表人：{prepared_by}　　联系电话：{phone}…``) and how it renames the model's categories.
:class:`Known` is one form seen that way; :func:`known_forms` the built-ins, the default form first.

Labels are compared by :func:`label_key`: full-width forms folded, blanks removed, and what varies between
tables dropped — a leading ``其中：``, an enumerator (``(一)``, ``1、``), a trailing ``(万元)`` and colon. A table
is taken to be of the form whose labels and column titles it shares most (:func:`detect`); only that form's
category mapping is reversed (:meth:`Known.to_model`).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from perfgen.forms.definition import CellDef, FormDef
from perfgen.forms.registry import DEFAULT_FORM, form_files, read_form
from perfgen.importers.grid import squash

GROUP = "funds"  # a label over other labels (项目资金（万元）): no value of its own
IGNORED = ""  # a label whose cell says nothing about the project (金额(万元), 财政部门审核意见)
MAX_LINE = 1000  # a footer line longer than this is not one (and is not matched: its pattern backtracks)

# Labels of published tables that no built-in form prints that way (older spellings, column titles).
ALIASES = {"预算单位": "unit", "项目名称": "name", "项目负责人": "leader", "项目编码": "code", "项目资金": GROUP,
           "年度预算总额": "funds.total", "财政拨款": "funds.fiscal", "其他资金": "funds.other",
           "项目总体目标": "objectives", "总体目标": "objectives", "金额": IGNORED}

_PREFIX = re.compile(r"^(?:其中[:：]?)?(?:[(（][一二三四五六七八九十]+[)）]|\d+[、.．])?")
_SUFFIX = re.compile(r"(?:[(（]万?元[)）])?[:：]*$")
_OF_WHICH = re.compile(r"\s*其\s*中\s*[:：]")
_COLON = re.compile(r"[:：﹕]")


def label_key(text: str) -> str:
    """How a label is compared: ``其中：财政拨款`` → 财政拨款, ``(一)财政拨款小计`` → 财政拨款小计,
    ``项目资金（万元）`` → 项目资金, ``年度本级 预算金额：`` → 年度本级预算金额."""
    return _SUFFIX.sub("", _PREFIX.sub("", squash(text)))


def _pattern(line: str) -> re.Pattern[str] | None:
    """A definition's line with ``{fields}`` as a pattern for the printed line: one group per field, blanks
    optional, colons of either width. None for a line that names no field."""
    parts = list(string.Formatter().parse(unicodedata.normalize("NFKC", line)))
    if not any(name for _, name, _, _ in parts):
        return None
    out = []
    for literal, name, _, _ in parts:
        chars = [re.escape(c) for c in literal if not c.isspace()]
        out.append(r"\s*" + r"\s*".join(chars) + r"\s*" if chars else r"\s*")
        if name:
            out.append(f"(?P<{name}>.*?)")
    return re.compile("".join(out) + ".*", re.S)


def _fields(line: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(line) if name]


@dataclass(frozen=True)
class Known:
    """One form as import reads it."""

    form: FormDef
    labels: dict[str, str]  # label_key → the field in the cell after it (GROUP, IGNORED)
    below: dict[str, str]  # label_key → the field in the cell under it, in the next row
    footers: frozenset[str]  # label_key of the rows after the indicators (财政部门审核意见)
    lines: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]  # lines with fields above or below the table
    titles: dict[str, str]  # label_key(column title) → indicator field

    @property
    def words(self) -> frozenset[str]:
        """Everything that tells this form's tables apart: label keys and column titles."""
        label = {label_key(self.form.label)} if self.form.label else set()
        return frozenset({*self.labels, *self.below, *self.footers, *self.titles, *label})

    def to_model(self, level1: str, level2: str, vocabulary: dict[str, tuple[str, ...]]) -> tuple[str, str]:
        """The model's 一级 and 二级 for a row printed under ``level1`` / ``level2`` on this form.

        A 二级 the form made of a whole model 一级 (湖南's 成本指标 under 产出指标) gives that 一级 and the model
        二级 its label names (社会公众或服务对象满意度指标 → 服务对象满意度指标, the longest contained), else the
        first of the vocabulary (成本指标 → 经济成本指标): the model's own 二级 is not printed.
        """
        rules = sorted(self.form.categories, key=lambda r: -len(r.target))
        for rule in rules:
            if len(rule.target) == 2 and rule.target == (level1, level2):
                return rule.source[0], rule.source[1] if len(rule.source) == 2 else _level2(
                    rule.source[0], level2, vocabulary)
            if len(rule.target) == 1 and len(rule.source) == 1 and rule.target[0] == level1:
                return rule.source[0], level2
        return level1, level2

    def level_words(self, vocabulary: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """The form's own 一级 → 二级 names (四川's 项目完成指标 holds the 二级 of 产出指标 and 成本指标), for placing
        rows; ``vocabulary``: the model's."""
        words: dict[str, tuple[str, ...]] = {}
        for rule in self.form.categories:
            more = rule.target[1:] or (vocabulary.get(rule.source[0], ()) if len(rule.source) == 1 else rule.source[1:])
            words[rule.target[0]] = (*words.get(rule.target[0], ()), *more)
        for level1, level2s in self.form.order.items():
            words[level1] = (*words.get(level1, ()), *level2s)
        return words


def _level2(level1: str, printed: str, vocabulary: dict[str, tuple[str, ...]]) -> str:
    choices = vocabulary.get(level1, ())
    named = [w for w in choices if w in printed]
    if named:
        return max(named, key=len)
    return choices[0] if choices else printed


def _placed(rows: tuple[tuple[CellDef, ...], ...]) -> list[list[tuple[int, CellDef]]]:
    """Each row's cells with their first grid column (columns a cell above covers are skipped)."""
    covered: dict[tuple[int, int], int] = {}
    out: list[list[tuple[int, CellDef]]] = []
    for r, row in enumerate(rows):
        col, cells = 0, []
        for cell in row:
            while (r, col) in covered:
                col += covered[(r, col)]
            for below in range(r + 1, r + cell.rows):
                covered[(below, col)] = cell.span
            cells.append((col, cell))
            col += cell.span
        out.append(cells)
    return out


def _header(form: FormDef) -> tuple[dict[str, str], dict[str, str], set[str]]:
    labels: dict[str, str] = {}
    below: dict[str, str] = {}
    footers: set[str] = set()
    for section, rows in (("header", form.header), ("footer", form.footer)):
        grid = _placed(rows)
        for r, cells in enumerate(grid):
            for i, (col, cell) in enumerate(cells):
                if cell.kind not in ("label", "text") or _fields(cell.content):
                    continue
                key = label_key(cell.content)
                after = cells[i + 1][1] if i + 1 < len(cells) else None
                under = next((c for c0, c in grid[r + 1] if c0 == col), None) if r + 1 < len(grid) else None
                if after is not None and after.kind == "value":
                    labels[key] = after.content
                elif after is None and under is not None and under.kind == "value":
                    below[key] = under.content
                elif section == "footer":
                    footers.add(key)
                else:
                    labels[key] = GROUP if after is not None and after.kind in ("label", "text") else IGNORED
    return labels, below, footers


def known(form: FormDef) -> Known:
    labels, below, footers = _header(form)
    lines = tuple((p, tuple(_fields(line))) for line in (*form.above, *form.below) if (p := _pattern(line)))
    titles = {label_key(c.title): c.value for c in form.columns if c.value is not None}
    return Known(form, labels, below, frozenset(footers), lines, titles)


@cache
def known_forms() -> tuple[Known, ...]:
    """The built-in target-table forms, the default one first (a year-end form, which needs data a target table
    does not have, is not read back: importing a filled 自评表 is not supported yet)."""
    found = []
    for file in form_files(None).values():
        form, _ = read_form(file)
        if form is not None and form.needs is None:
            found.append(known(form))
    return tuple(sorted(found, key=lambda k: k.form.id != DEFAULT_FORM))


@dataclass(frozen=True)
class Labels:
    """What every recognised form's labels stand for, together (a table's labels are read before its form is
    known)."""

    labels: dict[str, str]
    below: dict[str, str]
    footers: frozenset[str]
    titles: dict[str, str]
    lines: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]

    @classmethod
    def of(cls, forms: Iterable[Known]) -> Labels:
        forms = list(forms)
        labels = dict(ALIASES)
        for k in forms:
            labels.update({key: f for key, f in k.labels.items() if key not in ALIASES})
        below = {key: f for k in forms for key, f in k.below.items()}
        titles = {key: f for k in forms for key, f in k.titles.items()}
        lines = tuple(line for k in forms for line in k.lines)
        return cls(labels, below, frozenset(key for k in forms for key in k.footers), titles, lines)

    def split(self, text: str) -> tuple[str, str, str] | None:
        """A header cell as (field, its value written in the cell, label key); None when it is no label.

        ``年度预算总额:5`` → ("funds.total", "5", "年度预算总额"); ``年度目标`` → ("objectives", "", "年度目标")."""
        for head, value in _splits(text):
            key = label_key(head)
            if key in self.labels:
                return self.labels[key], value, key
            if key in self.below and not value:
                return self.below[key], "", key
        return None

    def line(self, text: str) -> dict[str, str] | None:
        """The fields of a line above or below the table (湖南's 填表人 …), None when it is not one."""
        if len(text) > MAX_LINE:
            return None
        flat = unicodedata.normalize("NFKC", text)
        for pattern, _ in self.lines:
            if m := pattern.fullmatch(flat):
                return {k: v.strip() for k, v in m.groupdict().items()}
        return None


def _splits(text: str) -> Iterable[tuple[str, str]]:
    """The cell as a label alone, then as ``label：value`` split at its first colon after any ``其中：``."""
    yield text, ""
    start = m.end() if (m := _OF_WHICH.match(text)) else 0
    if colon := _COLON.search(text, start):
        yield text[:colon.start()], text[colon.end():].strip()


def detect(seen: Iterable[str], forms: Iterable[Known] | None = None) -> Known | None:
    """The form whose labels and titles a table shares most (the first, the default form, on a tie)."""
    keys = set(seen)
    best: Known | None = None
    score = 0
    for k in known_forms() if forms is None else forms:
        shared = len(keys & k.words)
        if shared > score:
            best, score = k, shared
    return best
