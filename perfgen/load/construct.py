"""The model built from a goals document already merged with its ``_defaults.yaml`` and schema-valid.

Every value keeps where it was written (``where`` maps); optional keys that are absent take the model's
defaults ("" / 0 / empty), so a v1 file makes the same model as before the v2 header fields.
"""

from __future__ import annotations

from perfgen.diagnostics.pos import Pos
from perfgen.load.yamlnodes import Map, Node, Scalar, Seq
from perfgen.model import (
    FUNDS_AMOUNTS,
    FUNDS_SOURCES,
    HEADER_TEXTS,
    Execution,
    ExecutionLine,
    Funds,
    Indicator,
    IndicatorMidyear,
    Midyear,
    Project,
)


def _text(node: Node | None) -> str:
    if node is None or not isinstance(node, Scalar) or node.value is None:
        return ""
    # Numbers keep the text they were written as: `last_year: 1.10` prints 1.10.
    return node.raw if not isinstance(node.value, str) else node.value


def _num(node: Node | None, default: float = 0.0) -> float:
    if isinstance(node, Scalar) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    return default


def _funds(node: Map) -> Funds:
    """``funds``: its amounts and the two breakdowns (label → amount), each value's text and position."""
    # An amount is pointed at by its value; a breakdown by its key (its amounts as "fiscal_sources.<label>").
    where = {k: (v.pos if isinstance(v, Scalar) else kpos) for k, (kpos, v) in node.items.items()}
    raw = {k: _text(node.get(k)) for k in FUNDS_AMOUNTS if node.get(k) is not None}
    sources: dict[str, dict[str, float]] = {}
    for kind in FUNDS_SOURCES:
        sub = node.get(kind)
        sources[kind] = {}
        if isinstance(sub, Map):
            for label, (_, value) in sub.items.items():
                sources[kind][label] = _num(value)
                raw[f"{kind}.{label}"] = _text(value)
                where[f"{kind}.{label}"] = value.pos
    return Funds(
        total=_num(node.get("total")),
        fiscal=_num(node.get("fiscal")),
        other=_num(node.get("other")),
        superior=_num(node.get("superior")),
        fiscal_sources=sources["fiscal_sources"],
        other_sources=sources["other_sources"],
        raw=raw,
        where=where | {"_": node.pos},
    )


def _amount(node: Node | None) -> float | None:
    return _num(node) if isinstance(node, Scalar) and node.value is not None else None


def _where(node: Map) -> dict[str, Pos]:
    return {k: (v.pos if isinstance(v, Scalar) else kpos) for k, (kpos, v) in node.items.items()} | {"_": node.pos}


def _execution(node: Node | None) -> Execution | None:
    """``execution`` (year end), or None when the file gives none."""
    if not isinstance(node, Map):
        return None
    where = _where(node)
    lines: dict[str, ExecutionLine] = {}
    sub = node.get("lines")
    if isinstance(sub, Map):
        for label, (kpos, line) in sub.items.items():
            where[f"lines.{label}"] = kpos
            if isinstance(line, Map):
                lines[label] = ExecutionLine(*(_amount(line.get(k)) for k in ("initial", "adjusted", "spent")))
    return Execution(_amount(node.get("initial")), _amount(node.get("adjusted")), _amount(node.get("spent")), lines,
                     _texts(node, "achieved", where), where)


def _midyear(node: Node | None) -> Midyear | None:
    if not isinstance(node, Map):
        return None
    where = _where(node)
    return Midyear(int(_num(node.get("month"))), _amount(node.get("spent")), _amount(node.get("forecast_spent")),
                   _texts(node, "progress", where), where)


def _indicator_midyear(node: Node | None) -> IndicatorMidyear | None:
    if not isinstance(node, Map):
        return None
    where = _where(node)
    causes = node.get("causes")
    listed = [_text(n) for n in causes.items] if isinstance(causes, Seq) else []
    return IndicatorMidyear(_text(node.get("value")), _text(node.get("forecast")), _text(node.get("likelihood")),
                            listed, _text(node.get("note")), where)


def _texts(root: Map, key: str, where: dict[str, Pos]) -> list[str]:
    """A list of texts (``objectives``, ``long_term_objectives``), each item's position in ``where``."""
    node = root.get(key)
    if not isinstance(node, Seq):
        return []
    for i, n in enumerate(node.items):
        where[f"{key}[{i}]"] = n.pos
    return [_text(n) for n in node.items]


def _indicators(root: Map) -> list[Indicator]:
    indicators: list[Indicator] = []
    ind_root = root.get("indicators")
    assert isinstance(ind_root, Map)
    for l1, (l1pos, l1node) in ind_root.items.items():
        assert isinstance(l1node, Map)
        for l2, (l2pos, l2node) in l1node.items.items():
            assert isinstance(l2node, Seq)
            for item in l2node.items:
                assert isinstance(item, Map)
                iw = {k: v[1].pos for k, v in item.items.items()}
                iw.update({"_": item.pos, "level1": l1pos, "level2": l2pos})
                indicators.append(Indicator(
                    level1=l1, level2=l2,
                    name=_text(item.get("name")),
                    target=_text(item.get("target")),
                    weight=_num(item.get("weight")) if item.get("weight") is not None else None,
                    basis=_text(item.get("basis")),
                    last_year=_text(item.get("last_year")),
                    scoring=_text(item.get("scoring")),
                    evidence=_text(item.get("evidence")),
                    note=_text(item.get("note")),
                    actual=_text(item.get("actual")),
                    deviation=_text(item.get("deviation")),
                    score=_amount(item.get("score")),
                    midyear=_indicator_midyear(item.get("midyear")),
                    where=iw,
                ))
    return indicators


def build_project(root: Map, rel: str, output_stem: str) -> Project:
    """The project of goals file ``rel`` (its outputs under ``output_stem``) from its merged document."""
    # A scalar is pointed at by its value; a mapping or list (funds, indicators) by its key.
    where = {k: (v.pos if isinstance(v, Scalar) else kpos) for k, (kpos, v) in root.items.items()}
    funds_node = root.get("funds")
    assert isinstance(funds_node, Map) and isinstance(root.get("objectives"), Seq)
    return Project(
        source=rel,
        output_stem=output_stem,
        year=int(_num(root.get("year"))),
        unit=_text(root.get("unit")),
        name=_text(root.get("name")),
        funds=_funds(funds_node),
        objectives=_texts(root, "objectives", where),
        indicators=_indicators(root),
        **{key: _text(root.get(key)) for key in HEADER_TEXTS},
        long_term_objectives=_texts(root, "long_term_objectives", where),
        execution=_execution(root.get("execution")),
        midyear=_midyear(root.get("midyear")),
        where=where,
    )
