"""The printer of ``perfgen fmt``: an intermediate tree of entries, each with its comments, printed in the one
canonical layout — keys in the goals format's order (top level, ``funds``, each indicator; 一级/二级 and lists
keep their written order), block style, two spaces per level with list items indented under their key.

``perfgen import`` prints the projects it reads through the same tree (:func:`dump_project`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from perfgen.fmt.scalars import ScalarText, key_text, normalize_target, number_text, scalar_text
from perfgen.model import FUNDS_KEYS, HEADER_TEXTS, INDICATOR_KEYS, TOP_KEYS, Execution, Funds, Project

SCHEMA_COMMENT = "# yaml-language-server:"


@dataclass
class Collection:
    is_map: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Entry:
    key: str | None  # None for a list item
    value: ScalarText | Collection
    before: list[str] = field(default_factory=list)  # full-line comments and "" (one blank line)
    eol: str = ""
    # where it was written (0-based line, col) — for attaching comments
    start: tuple[int, int] = (0, 0)
    end: tuple[int, int] = (0, 0)
    ends_on_line: bool = False  # a scalar or flow value: something ends on the line of `end`


def emit(coll: Collection, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for e in coll.entries:
        head = pad + (f"{key_text(e.key)}:" if e.key is not None else "-")
        _lift(e)
        value, eol = e.value, e.eol
        out.extend(pad + b if b else "" for b in collapse(e.before))
        tail = f"  {eol}" if eol else ""
        if isinstance(value, ScalarText):
            out.append(head + (" " + value.token if value.token else "") + tail)
            if value.block is not None:
                out.extend(" " * (indent + 2) + ln if ln else "" for ln in value.block)
        elif not value.entries:
            out.append(head + (" {}" if value.is_map else " []") + tail)
        elif e.key is None:
            sub: list[str] = []
            emit(value, indent + 2, sub)
            out.append(head + " " + sub[0][indent + 2:] + tail)
            out.extend(sub[1:])
        else:
            out.append(head + tail)
            emit(value, indent + 2, out)



def _lift(e: Entry) -> None:
    """``- name: x`` prints several entries on one line: their comments go above it and at its end."""
    chain, cur = [e], e
    while cur.key is None and isinstance(cur.value, Collection) and cur.value.entries:
        cur = cur.value.entries[0]
        chain.append(cur)
    if len(chain) > 1:
        e.before = [b for c in chain for b in c.before]
        e.eol = "  ".join(c.eol for c in chain if c.eol)
        for c in chain[1:]:
            c.before, c.eol = [], ""


def collapse(lines: list[str]) -> list[str]:
    """Runs of blank lines become one."""
    return [ln for i, ln in enumerate(lines) if ln or i == 0 or lines[i - 1]]


def render_tree(root: Collection, header: list[str], trailer: list[str]) -> str:
    body: list[str] = []
    emit(root, 0, body)
    while body and not body[0]:
        body.pop(0)
    trailer = collapse(trailer)
    while trailer and not trailer[-1]:
        trailer.pop()
    return "\n".join(header + body + trailer) + "\n"


def order_entries(coll: Collection, order: Iterable[str]) -> None:
    rank = {k: i for i, k in enumerate(order)}
    coll.entries.sort(key=lambda e: rank.get(e.key or "", len(rank)))  # stable: unknown keys keep order


def key_order(path: tuple[Any, ...]) -> tuple[str, ...] | None:
    if path == ():
        return TOP_KEYS
    if path == ("funds",):
        return FUNDS_KEYS
    if len(path) == 4 and path[0] == "indicators" and isinstance(path[3], int):
        return INDICATOR_KEYS
    return None



def dump_project(project: Project, omit: Iterable[str] = frozenset(), *, schema: str | None = None,
                 keep_empty: Iterable[str] = frozenset()) -> str:
    """Canonical YAML for a model project (what ``perfgen import`` writes). ``omit``: top-level keys a
    _defaults.yaml provides; ``keep_empty``: optional keys to write even when empty (to override a default);
    ``schema``: the path for the ``# yaml-language-server: $schema=`` line."""
    omit, keep = set(omit), set(keep_empty)
    values: dict[str, Any] = {"year": project.year, "unit": project.unit, "name": project.name,
                              **{k: getattr(project, k) for k in HEADER_TEXTS}}
    collections = {"funds": _funds_collection(project.funds),
                   **({"execution": _execution_collection(project.execution)} if project.execution else {}),
                   "objectives": _texts_collection(project.objectives),
                   "long_term_objectives": _texts_collection(project.long_term_objectives),
                   "indicators": _indicators_collection(project)}
    root = Collection(True)
    for key in TOP_KEYS:
        if key in omit:
            continue
        if key == "year":
            root.entries.append(Entry(key, ScalarText(str(project.year))))
        elif key in values:
            if values[key] or key in keep or key in ("unit", "name"):
                root.entries.append(Entry(key, scalar_text(values[key])))
        elif key not in collections:
            continue  # year-end and mid-year data: not written by import (a target table has none)
        elif collections[key].entries or key != "long_term_objectives":  # optional lists only when given
            root.entries.append(Entry(key, collections[key]))
    return render_tree(root, [f"{SCHEMA_COMMENT} $schema={schema}"] if schema else [], [])


def _execution_collection(ex: Execution) -> Collection:
    """``execution`` as read from a filled 自评表 (perfgen import)."""
    coll = Collection(True)
    for key in ("initial", "adjusted", "spent"):
        if (value := getattr(ex, key)) is not None:
            coll.entries.append(Entry(key, ScalarText(number_text(value))))
    if ex.lines:
        lines = Collection(True)
        for label, line in ex.lines.items():
            amounts = Collection(True, [Entry(k, ScalarText(number_text(v))) for k in ("initial", "adjusted", "spent")
                                        if (v := getattr(line, k)) is not None])
            lines.entries.append(Entry(key_text(label), amounts))
        coll.entries.append(Entry("lines", lines))
    if ex.achieved:
        coll.entries.append(Entry("achieved", _texts_collection(ex.achieved)))
    return coll


def _funds_collection(f: Funds) -> Collection:
    """total, fiscal and other always; superior and the breakdowns (docs/goals-format.md v2) when given."""
    funds = Collection(True)
    for k in FUNDS_KEYS:
        value = getattr(f, k)
        if isinstance(value, dict):
            if value:
                funds.entries.append(Entry(k, Collection(True, [
                    Entry(label, ScalarText(_funds_text(f.raw.get(f"{k}.{label}"), amount)))
                    for label, amount in value.items()])))
        elif k != "superior" or value or k in f.raw:
            funds.entries.append(Entry(k, ScalarText(_funds_text(f.raw.get(k), value))))
    return funds


def _texts_collection(texts: list[str]) -> Collection:
    return Collection(False, [Entry(None, scalar_text(t)) for t in texts])


def _indicators_collection(project: Project) -> Collection:
    indicators = Collection(True)
    groups: dict[str, dict[str, Collection]] = {}
    for ind in project.indicators:  # grouped by first appearance: YAML keys are unique
        level2 = groups.setdefault(ind.level1, {})
        if not level2:
            indicators.entries.append(Entry(ind.level1, Collection(True)))
        if ind.level2 not in level2:
            level2[ind.level2] = Collection(False)
            parent = next(e.value for e in indicators.entries if e.key == ind.level1)
            assert isinstance(parent, Collection)
            parent.entries.append(Entry(ind.level2, level2[ind.level2]))
        item = Collection(True)
        for key in INDICATOR_KEYS:
            value = getattr(ind, key)
            if key == "weight":
                if value is not None:  # a form without weights gives none
                    item.entries.append(Entry(key, ScalarText(number_text(value))))
            elif key == "target":
                item.entries.append(Entry(key, scalar_text(normalize_target(value))))
            elif key == "score":
                if value is not None:
                    item.entries.append(Entry(key, ScalarText(number_text(value))))
            elif key == "midyear":
                continue  # mid-year data is not read from tables
            elif value:
                item.entries.append(Entry(key, scalar_text(value)))
        level2[ind.level2].entries.append(Entry(None, item))
    return indicators


def _funds_text(raw: str | None, value: float) -> str:
    try:
        if raw is not None and float(raw) == value and _FLOAT_RAW.match(raw):
            return raw
    except ValueError:
        pass
    return number_text(value)


_FLOAT_RAW = re.compile(r"[0-9]+(\.[0-9]+)?\Z")


def dump_defaults(values: dict[str, Any]) -> str:
    """Canonical YAML for a ``_defaults.yaml`` holding ``values`` (year, unit, leader, ...)."""
    root = Collection(True)
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError(f"unsupported default value for {key}: {type(value).__name__}")
        token = scalar_text(value) if isinstance(value, str) else ScalarText(number_text(value) if isinstance(
            value, float) else str(value))
        root.entries.append(Entry(key, token))
    order_entries(root, TOP_KEYS)
    return render_tree(root, [], [])

