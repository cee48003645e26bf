"""schema/project.schema.json on its own: what an editor or any JSON Schema validator sees."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from sample_data import EXAMPLE_FILES, EXAMPLES_DIR, ROOT

from perfgen.load.schemafast import REQUIRED
from perfgen.model import FUNDS_KEYS, INDICATOR_KEYS, TOP_KEYS

SCHEMA = json.loads((ROOT / "schema" / "project.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(objects(value))
    return found


def test_is_a_valid_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_every_object_is_closed_or_maps_names() -> None:
    for obj in objects(SCHEMA):
        assert obj.get("additionalProperties") is False or isinstance(obj.get("additionalProperties"), dict)
    indicator = SCHEMA["properties"]["indicators"]["additionalProperties"]["additionalProperties"]["items"]
    assert indicator["additionalProperties"] is False


def test_keys_match_the_format_in_order() -> None:
    assert tuple(SCHEMA["properties"]) == TOP_KEYS
    assert tuple(SCHEMA["properties"]["funds"]["properties"]) == FUNDS_KEYS
    indicator = SCHEMA["properties"]["indicators"]["additionalProperties"]["additionalProperties"]["items"]
    assert tuple(indicator["properties"]) == INDICATOR_KEYS
    # nothing required at the top of the file: year, unit… may come from _defaults.yaml (checked once merged)
    assert "required" not in SCHEMA
    assert REQUIRED == ("year", "unit", "name", "funds", "objectives", "indicators")
    assert indicator["required"] == ["name", "target"]  # weight: required by a form with weights (PG101)


def _titled(node: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(node, dict):
        if "type" in node:
            out.append(node)
        for v in node.values():
            out.extend(_titled(v))
    return out


def test_titles_and_descriptions_are_chinese() -> None:
    for node in _titled(SCHEMA):
        if node.get("type") == "string" and "title" not in node:
            continue  # propertyNames constraints
        assert re.search(r"[\u4e00-\u9fff]", node.get("title", "")), node
        assert re.search(r"[\u4e00-\u9fff]", node.get("description", "")), node


def merged_example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load((path.parent / "_defaults.yaml").read_text(encoding="utf-8"))
    data.update(yaml.safe_load(path.read_text(encoding="utf-8")))
    return data


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_examples_are_valid_for_any_validator(path: Path) -> None:
    assert not list(VALIDATOR.iter_errors(merged_example(path)))
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schema/project.schema.json\n")


def test_top_level_keys_are_required_once_defaults_are_merged() -> None:
    """An editor checks a file alone (year, unit… may come from _defaults.yaml): the file schema accepts a project
    file without them; perfgen's own check of the merged document requires them."""
    from perfgen.load.schema import validator

    file_only = yaml.safe_load((EXAMPLES_DIR / "01-yuanshuili-buchai.yaml").read_text(encoding="utf-8"))
    assert "year" not in file_only and not list(VALIDATOR.iter_errors(file_only))
    assert "required" in {e.validator for e in validator().iter_errors(file_only)}
    merged = merged_example(EXAMPLES_DIR / "01-yuanshuili-buchai.yaml")
    assert not list(validator().iter_errors(merged))
    merged.pop("name")
    assert "required" in {e.validator for e in validator().iter_errors(merged)}


@pytest.mark.parametrize(("change", "validator"), [
    (lambda d: d.update(weigth=1), "additionalProperties"),
    (lambda d: d.update(year=1999), "minimum"),
    (lambda d: d.update(objectives=[]), "minItems"),
    (lambda d: d["funds"].update(total=-1), "minimum"),
    (lambda d: d["indicators"]["产出指标"]["数量指标"][0].update(weight=0), "exclusiveMinimum"),
    (lambda d: d["indicators"]["产出指标"].update(数量指标=[]), "minItems"),
    (lambda d: d.update(unit=""), "minLength"),
    (lambda d: d.update(year="2023"), "type"),
    (lambda d: d["funds"].update(superior=-1), "minimum"),
    (lambda d: d["funds"].update(fiscal_sources={"一般公共预算": -1}), "minimum"),
    (lambda d: d["funds"].update(other_sources={}), "minProperties"),
    (lambda d: d["funds"].update(other_sources={"事业收入": "无"}), "type"),
    (lambda d: d["funds"].update(fiscal_sources=5), "type"),
    (lambda d: d["funds"].update(fiscal_source={"一般公共预算": 5}), "additionalProperties"),
    (lambda d: d.update(phone=13800000000), "type"),
    (lambda d: d.update(long_term_objectives="一句话"), "type"),
    (lambda d: d.update(long_term_objectives=[]), "minItems"),
    (lambda d: d.update(long_term_objectives=[""]), "minLength"),
])
def test_mistakes_are_rejected(change: Any, validator: str) -> None:
    data = merged_example(EXAMPLES_DIR / "01-yuanshuili-buchai.yaml")
    change(data)
    assert validator in {e.validator for e in VALIDATOR.iter_errors(data)}


V2_HEADER = {"department": "[173]中国科学院", "implementer": "实施单位甲", "period": "2023.07-2024.01",
             "long_term_objectives": ["长期目标一。", "长期目标二。"], "prepared_by": "张三", "phone": "0996-1234567",
             "filed_on": "2023-02-01"}
V2_FUNDS = {"superior": 1.5, "fiscal_sources": {"一般公共预算": 1, "政府性基金": 0.5},
            "other_sources": {"事业收入": 0.25, "其他收入": 0.25}}


def test_v2_header_fields_are_optional_and_valid() -> None:
    """FORMAT.md "v2 additions": every v2 key is optional (a v1 file stays valid) and a file may give them all."""
    assert set(V2_HEADER) <= set(SCHEMA["properties"]) and not set(V2_HEADER) & set(REQUIRED)
    assert set(V2_FUNDS) <= set(SCHEMA["properties"]["funds"]["properties"])
    assert SCHEMA["properties"]["funds"]["required"] == ["total"]
    data = merged_example(EXAMPLES_DIR / "01-yuanshuili-buchai.yaml")
    data.update(V2_HEADER)
    data["funds"].update(V2_FUNDS)
    assert not list(VALIDATOR.iter_errors(data))


def test_v2_keys_follow_the_v1_keys_they_belong_with() -> None:
    """fmt's order: the v1 keys keep theirs; each v2 key after the v1 key it belongs with."""
    v1 = ("year", "unit", "name", "leader", "code", "funds", "objectives", "indicators")
    assert [k for k in TOP_KEYS if k in v1] == list(v1)
    assert TOP_KEYS.index("long_term_objectives") == TOP_KEYS.index("objectives") + 1
    assert [k for k in FUNDS_KEYS if k in ("total", "fiscal", "other")] == ["total", "fiscal", "other"]
    assert FUNDS_KEYS.index("fiscal_sources") == FUNDS_KEYS.index("fiscal") + 1
    assert FUNDS_KEYS.index("other_sources") == FUNDS_KEYS.index("other") + 1
