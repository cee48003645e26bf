"""A fast yes/no pre-check of a goals document against schema/project.schema.json.

jsonschema costs ~0.6 ms a project and ~60 ms to import; nearly every document is valid. This pass
answers "certainly valid" for the common case and "not sure" for anything else, in which case
jsonschema runs and words the errors. It may be stricter than the schema, never looser: the tests
check that every document it accepts, jsonschema accepts too (tests/test_schemafast.py).
"""

from __future__ import annotations

from typing import Any

from perfgen.model import FUNDS_AMOUNTS, FUNDS_KEYS, FUNDS_SOURCES, HEADER_TEXTS, INDICATOR_KEYS, TOP_KEYS

_TOP = frozenset(TOP_KEYS)
# Required at the top of a goals file once its _defaults.yaml chain is merged in. Not in the schema file itself:
# editors check a project file alone, where these may come from a _defaults.yaml (issue 15).
REQUIRED = ("year", "unit", "name", "funds", "objectives", "indicators")
_FUNDS = frozenset(FUNDS_KEYS)
_INDICATOR = frozenset(INDICATOR_KEYS)
_TEXT_KEYS = ("basis", "scoring", "evidence", "note")
_YEAR_END = frozenset(("actual", "deviation", "score", "midyear"))
_MAX_AMOUNT = 1_000_000_000


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _text(v: Any, nonempty: bool = True) -> bool:
    return isinstance(v, str) and (bool(v) or not nonempty)


def _text_or_number(v: Any) -> bool:
    return _text(v) or _number(v)


def _amount(v: Any) -> bool:
    return _number(v) and 0 <= v <= _MAX_AMOUNT


def _sources(v: Any) -> bool:
    """A breakdown: a non-empty mapping of non-empty labels to amounts."""
    return isinstance(v, dict) and bool(v) and all(_text(k) and _amount(x) for k, x in v.items())


def _funds(v: Any) -> bool:
    if not (isinstance(v, dict) and "total" in v and v.keys() <= _FUNDS):
        return False
    return (all(_amount(v[k]) for k in FUNDS_AMOUNTS if k in v)
            and all(_sources(v[k]) for k in FUNDS_SOURCES if k in v))


def _texts(v: Any) -> bool:
    return isinstance(v, list) and 1 <= len(v) <= 10 and all(_text(o) for o in v)


def _indicator(v: Any) -> bool:
    if not isinstance(v, dict) or not v.keys() <= _INDICATOR or not v.keys().isdisjoint(_YEAR_END):
        return False  # year-end and mid-year values: left to jsonschema (rare, and their rules are many)
    if not (_text(v.get("name")) and _text_or_number(v.get("target"))):
        return False
    w: Any = v.get("weight")
    if "weight" in v and (not _number(w) or not 0 < w <= 100):  # optional: forms without weights
        return False
    if "last_year" in v and not _text_or_number(v["last_year"]):
        return False
    return all(_text(v[k], nonempty=False) for k in _TEXT_KEYS if k in v)


def _indicators(v: Any) -> bool:
    if not isinstance(v, dict) or not v:
        return False
    for l1, groups in v.items():
        if not l1 or not isinstance(groups, dict) or not groups:
            return False
        for l2, items in groups.items():
            if not l2 or not isinstance(items, list) or not items or not all(_indicator(i) for i in items):
                return False
    return True


_CHECKS = {
    "year": lambda v: isinstance(v, int) and not isinstance(v, bool) and 2000 <= v <= 2100,
    "unit": _text,
    "name": _text,
    **{k: (lambda v: _text(v, nonempty=False)) for k in HEADER_TEXTS},
    "funds": _funds,
    "objectives": _texts,
    "long_term_objectives": _texts,
    "indicators": _indicators,
    "execution": lambda v: False,  # not sure: jsonschema decides (a file with year-end data)
    "midyear": lambda v: False,
}


def certainly_valid(doc: Any, partial: bool = False) -> bool:
    """True only if ``doc`` satisfies the schema (``partial``: top-level keys may be missing)."""
    if not isinstance(doc, dict) or not doc.keys() <= _TOP:
        return False
    if not partial and any(k not in doc for k in REQUIRED):
        return False
    return all(_CHECKS[k](v) for k, v in doc.items())
