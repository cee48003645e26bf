"""Names and text (docs/domain.md check 9): no duplicate or blank names, no stray '.', brackets and quotes in pairs."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import fields
from typing import TYPE_CHECKING

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.rule import Finding, Message, Rule
from perfgen.model import Indicator, Project

if TYPE_CHECKING:
    from perfgen.load.config import Config

DUPLICATE_NAME = Rule(
    "PG130", "error", "同一二级指标下三级指标重名", "duplicate indicator name within one 二级", configurable=True,
    messages=(
        Message("PG130", "三级指标 “{name}” 在 “{l2}” 下重复", "indicator “{name}” appears twice under “{l2}”",
                "删除或改名其中一个", "remove or rename one of them"),
    ))

NAME_IN_TWO_GROUPS = Rule(
    "PG131", "warning", "不同二级指标下三级指标重名", "same indicator name in two 二级 groups", configurable=True,
    messages=(
        Message("PG131", "三级指标 “{name}” 同时出现在 “{other}” 和 “{l2}” 下",
                "indicator “{name}” appears under both “{other}” and “{l2}”",
                "同名指标会让审阅和自评对不上号；若原表如此可保留",
                "same names confuse review and self-evaluation; keep them if the original table has them"),
    ))

STRAY_DOT = Rule(
    "PG132", "warning", "中文中夹有半角句点“.”", "stray half-width '.' inside Chinese text", configurable=True,
    messages=(
        Message("PG132", "中文中夹有半角句点 “.”：{text}", "stray half-width '.' in Chinese text: {text}",
                "中文句末用 “。”；顿号用 “、”", "Chinese sentences end with 。; lists use 、"),
    ))

UNBALANCED_BRACKETS = Rule(
    "PG133", "warning", "括号或引号不配对", "unbalanced brackets or quotes", configurable=True,
    messages=(
        Message("PG133", "括号或引号不配对：{text}", "unbalanced brackets or quotes: {text}",
                "原表被截断时常见；检查是否漏了一半括号",
                "common when the original was truncated; check for a missing half"),
    ))

BLANK_TEXT = Rule(
    "PG134", "error", "名称或目标只有空白", "name or objective is blank", configurable=True,
    messages=(
        Message("PG134", "三级指标名称只有空白", "the indicator's name is blank", "填写名称或删除这一项",
                "fill in the name or remove the indicator"),
        Message("PG134.objective", "这条项目总体目标只有空白", "this objective is blank", "填写内容或删除这一条",
                "fill it in or remove it"),
    ))

CELL_LIMIT = 32767  # characters one cell of an Excel sheet holds

TOO_LONG_FOR_A_CELL = Rule(
    "PG146", "error", "文字超过 Excel 单元格上限（32767 个字符）",
    "text longer than an Excel cell holds (32,767 characters)", configurable=True,
    messages=(
        Message("PG146", "{field} 有 {length} 个字符，超过 Excel 单元格的上限 32767：表格里放不下",
                "{field} has {length} characters, more than the 32,767 an Excel cell holds: no table can print it",
                "精简这段文字，或把详细说明放到附件里", "shorten the text, or move the details to an attachment"),
    ))

RULES = (DUPLICATE_NAME, NAME_IN_TWO_GROUPS, STRAY_DOT, UNBALANCED_BRACKETS, BLANK_TEXT, TOO_LONG_FOR_A_CELL)

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_PAIRS = {"(": ")", "（": "）", "[": "]", "【": "】", "《": "》", "“": "”", "〔": "〕", "{": "}", "「": "」"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


@functools.cache
def _stray_dot() -> re.Pattern[str]:
    """A '.' next to a Chinese character (compiled when first needed: its classes take a millisecond)."""
    return re.compile(rf"(?<=[{_CJK}])\.|\.(?=[{_CJK}])")


def balanced(text: str) -> bool:
    stack: list[str] = []
    for ch in text:
        if ch in _PAIRS:
            stack.append(ch)
        elif ch in _CLOSERS and (not stack or stack.pop() != _CLOSERS[ch]):
            return False
    return not stack


def check_names_and_text(p: Project, cfg: Config) -> Iterator[Finding]:
    first: dict[tuple[str, str, str], Indicator] = {}
    by_name: dict[str, Indicator] = {}
    for ind in p.indicators:
        if not ind.name.strip():
            yield BLANK_TEXT.at(ind.pos("name"))
            continue
        key = (ind.level1, ind.level2, ind.name.strip())
        if key in first:
            yield DUPLICATE_NAME.at(ind.pos("name"), name=ind.name, l2=ind.level2, related=first[key].pos("name"))
        elif ind.name.strip() in by_name:
            other = by_name[ind.name.strip()]
            yield NAME_IN_TWO_GROUPS.at(ind.pos("name"), name=ind.name, l2=ind.level2, other=other.level2,
                                        related=other.pos("name"))
        first.setdefault(key, ind)
        by_name.setdefault(ind.name.strip(), ind)
    for i, o in enumerate(p.objectives):
        if not o.strip():
            yield BLANK_TEXT.at(p.pos(f"objectives[{i}]"), "PG134.objective")
    for text, pos in _texts(p):
        if _stray_dot().search(text):
            yield STRAY_DOT.at(pos, text=text)
        if not balanced(text):
            yield UNBALANCED_BRACKETS.at(pos, text=text)
    for field_name, long_text, pos in _long_texts(p):
        yield TOO_LONG_FOR_A_CELL.at(pos, field=field_name, length=len(long_text))


def _long_texts(p: Project) -> Iterator[tuple[str, str, Pos]]:
    """Every text value of the project (header and indicators) longer than a cell holds, with its key."""
    for owner, where in ((p, p.pos), *((ind, ind.pos) for ind in p.indicators)):
        for f in fields(owner):  # type: ignore[arg-type]
            value = getattr(owner, f.name)
            if isinstance(value, str) and len(value) > CELL_LIMIT:
                yield f.name, value, where(f.name)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str) and len(item) > CELL_LIMIT:
                        yield f"{f.name}[{i}]", item, where(f"{f.name}[{i}]")


def _texts(p: Project) -> Iterator[tuple[str, Pos]]:
    yield p.name, p.pos("name")
    for i, o in enumerate(p.objectives):
        yield o, p.pos(f"objectives[{i}]")
    for ind in p.indicators:
        yield ind.name, ind.pos("name")
        yield ind.target, ind.pos("target")
