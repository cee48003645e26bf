"""The fast pre-check never accepts what the JSON Schema rejects (it may only be stricter)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_data import EXAMPLE_FILES, EXAMPLES_DIR

from perfgen.load.schema import validator
from perfgen.load.schemafast import certainly_valid


def example(name: str = "01-yuanshuili-buchai.yaml") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES_DIR / "_defaults.yaml").read_text(encoding="utf-8"))
    data.update(yaml.safe_load((EXAMPLES_DIR / name).read_text(encoding="utf-8")))
    return data


def schema_valid(doc: Any) -> bool:
    return not any(True for _ in validator().iter_errors(doc))


def test_the_examples_take_the_fast_path() -> None:
    for path in EXAMPLE_FILES:
        doc = example(path.name)
        assert certainly_valid(doc) and schema_valid(doc)


def test_v2_header_fields_take_the_fast_path() -> None:
    doc = example()
    doc.update(department="[173]中国科学院", implementer="实施单位甲", period="2023.07-2024.01", prepared_by="张三",
               phone="0996-1234567", filed_on="2023-02-01", long_term_objectives=["长期目标一。"])
    doc["funds"].update(superior=1.5, fiscal_sources={"一般公共预算": 1}, other_sources={"事业收入": 0})
    assert certainly_valid(doc) and schema_valid(doc)
    assert certainly_valid({"prepared_by": "张三", "phone": "0996-1234567"}, partial=True)  # a _defaults.yaml


@pytest.mark.parametrize("change", [
    lambda d: d["funds"].update(superior=-1),
    lambda d: d["funds"].update(fiscal_sources={}),
    lambda d: d["funds"].update(fiscal_sources={"": 1}),
    lambda d: d["funds"].update(other_sources={"事业收入": True}),
    lambda d: d["funds"].update(other_sources=[1]),
    lambda d: d.update(phone=13800000000),
    lambda d: d.update(long_term_objectives=[]),
    lambda d: d.update(long_term_objectives=["x"] * 11),
])
def test_v2_mistakes_leave_the_fast_path(change: Any) -> None:
    doc = example()
    change(doc)
    assert not certainly_valid(doc) and not schema_valid(doc)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.floats(allow_nan=True),
                    st.text(max_size=3), st.sampled_from(["", "x", "历史标准", "≥98%"]))
KEYS = st.sampled_from(["year", "unit", "name", "leader", "code", "funds", "objectives", "indicators", "total",
                        "fiscal", "other", "target", "weight", "basis", "last_year", "note", "weigth",
                        "department", "implementer", "period", "prepared_by", "phone", "filed_on",
                        "long_term_objectives", "superior", "fiscal_sources", "other_sources"])
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                      max_leaves=6)
# Documents near the format: each field of the right shape or arbitrary, with edge values (empty text,
# weight 0 or 100, year 1999/2000, amounts near the limit) so that both answers of the pre-check are common.
TEXT = st.text(max_size=4)
WEIGHT = st.one_of(st.integers(-1, 101), st.floats(-1, 101, allow_nan=False))
AMOUNT = st.one_of(st.integers(-1, 10), st.floats(-1, 1_000_000_001, allow_nan=False))
INDICATOR = st.fixed_dictionaries({"name": TEXT, "target": st.one_of(TEXT, WEIGHT), "weight": WEIGHT},
                                  optional={"last_year": st.one_of(TEXT, WEIGHT), "basis": TEXT, "note": SCALARS})
SOURCES = st.dictionaries(TEXT, AMOUNT, max_size=3)  # empty labels, empty mappings, negative amounts too
OPTIONAL_TEXTS = ("leader", "code", "department", "implementer", "period", "prepared_by", "phone", "filed_on")
FIELDS = {
    "year": st.integers(1999, 2101), "unit": TEXT, "name": TEXT, **{k: TEXT for k in OPTIONAL_TEXTS},
    "funds": st.fixed_dictionaries({"total": AMOUNT}, optional={"fiscal": AMOUNT, "other": AMOUNT, "superior": AMOUNT,
                                                                "fiscal_sources": SOURCES, "other_sources": SOURCES}),
    "objectives": st.lists(TEXT, min_size=1, max_size=11),
    "long_term_objectives": st.lists(TEXT, max_size=11),
    "indicators": st.dictionaries(TEXT, st.dictionaries(TEXT, st.lists(INDICATOR, min_size=1, max_size=2),
                                                        min_size=1, max_size=2), min_size=1, max_size=2),
}
NEAR = st.one_of(
    st.fixed_dictionaries({}, optional={k: st.one_of(v, v, v, VALUES) for k, v in FIELDS.items()}),
    st.fixed_dictionaries({k: v for k, v in FIELDS.items() if k not in (*OPTIONAL_TEXTS, "long_term_objectives")},
                          optional={k: FIELDS[k] for k in (*OPTIONAL_TEXTS, "long_term_objectives")}))


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@pytest.mark.slow
@settings(deadline=None)  # examples: the hypothesis profile's
@given(st.data())
def test_fast_path_is_never_looser_than_the_schema(data: st.DataObject) -> None:
    doc = example()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            continue
        if action == "replace":
            parent[path[-1]] = data.draw(VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(KEYS)] = data.draw(VALUES)
    if certainly_valid(copy.deepcopy(doc)):
        assert schema_valid(doc), doc


@settings(max_examples=200, deadline=None)
@given(st.one_of(VALUES, NEAR), st.booleans())
def test_arbitrary_documents(doc: Any, partial: bool) -> None:
    if certainly_valid(doc, partial):
        errors = list(validator().iter_errors(doc))
        if partial:  # a _defaults.yaml may leave out any top-level key
            errors = [e for e in errors if not (e.validator == "required" and not e.absolute_path)]
        assert not errors, doc
