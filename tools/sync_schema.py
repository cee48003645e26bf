"""Bring schema/project.schema.json's editor help up to date, and derive schema/defaults.schema.json from it.

What editors (yaml-language-server: VS Code's YAML extension and others) need beyond validation lives in the
schema, generated here from perfgen's own lists so that it cannot drift from them (tests/test_editor.py runs
this in check mode):

- the default form's vocabulary as completions: ``examples`` of ``basis``, ``scoring`` and ``evidence``
  (examples, not an ``enum``: other words are only warned about by perfgen, PG122-PG124, so they must not be
  schema errors), and the 一级 and 二级 names as ``properties`` of ``indicators`` (other names stay allowed);
- Chinese messages where yaml-language-server honours ``errorMessage`` (a string replacing the message of any
  error at that node), and Chinese hover text (``markdownDescription``);
- nothing required at the top of a file: year, unit… may come from ``_defaults.yaml`` (perfgen requires them
  once the defaults are merged, ``perfgen.load.schemafast.REQUIRED``).

Usage: ``python tools/sync_schema.py`` (writes) or ``python tools/sync_schema.py --check`` (exit 1 if stale).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfgen.load.config import BASIS, EVIDENCE, SCORING, VOCABULARY  # noqa: E402
from perfgen.scaffold import defaults_schema  # noqa: E402

PROJECT = ROOT / "schema" / "project.schema.json"
DEFAULTS = ROOT / "schema" / "defaults.schema.json"
LEVEL2_MAP = "#/properties/indicators/additionalProperties"
INDICATOR_LIST = LEVEL2_MAP + "/additionalProperties"

DESCRIPTION = (
    "perfgen 目标文件（格式 v1，含 v2 新增的可选表头字段）：一个 YAML 文件描述一个项目的绩效目标。"
    "year、unit、name、funds、objectives、indicators 须在本文件或同目录（及上级目录）的 _defaults.yaml 中给出，"
    "由 perfgen validate 合并后检查，因此本 Schema 不要求文件自己写出它们。"
)
AMOUNT_MESSAGE = "金额应为不小于 0 的数字（单位万元），如 5 或 1780.91"
INDICATOR_KEYS_MESSAGE = ("三级指标可用的键：name（三级指标，必填）、target（指标值，必填）、basis、last_year、weight、"
                          "scoring、evidence、note，年终与年中还有 actual、deviation、score、midyear；"
                          "检查拼写，如 weight 而不是 weigth")


def _vocabulary(prop: dict[str, Any], words: list[str], what: str) -> None:
    prop["examples"] = list(words)
    prop["markdownDescription"] = (f"**{prop['title']}**\n\n常用{what}：" + "、".join(words)
                                   + "。\n\n也可写其他文字（perfgen 会给出警告，可在 perfgen.yaml 中修改词表）。")


def synced(schema: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    out.pop("required", None)
    out["description"] = DESCRIPTION
    props = out["properties"]
    props["year"]["errorMessage"] = "年度应为 2000 到 2100 之间的整数，如 2023（不加引号）"
    for name in ("total", "fiscal", "other", "superior"):
        if name in props["funds"]["properties"]:
            props["funds"]["properties"][name]["errorMessage"] = AMOUNT_MESSAGE
    indicators = props["indicators"]
    item = indicators["additionalProperties"]["additionalProperties"]["items"]
    item["errorMessage"] = INDICATOR_KEYS_MESSAGE
    item["properties"]["weight"]["errorMessage"] = "分值权重应为大于 0、不超过 100 的数字，如 10"
    _vocabulary(item["properties"]["basis"], BASIS, "设置依据")
    _vocabulary(item["properties"]["scoring"], SCORING, "赋分规则")
    _vocabulary(item["properties"]["evidence"], EVIDENCE, "佐证资料")
    level2_map = indicators["additionalProperties"]
    indicators["properties"] = {
        level1: {
            **{k: v for k, v in level2_map.items() if k not in ("additionalProperties", "title", "description")},
            "title": level1,
            "description": f"{level1}下的二级指标，如 " + "、".join(level2s) + "。",
            "properties": {level2: {"$ref": INDICATOR_LIST, "title": level2} for level2 in level2s},
            "additionalProperties": {"$ref": INDICATOR_LIST},
        }
        for level1, level2s in VOCABULARY.items()
    }
    return out


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    current = json.loads(PROJECT.read_text(encoding="utf-8"))
    project = _text(synced(current))
    defaults = _text(defaults_schema(json.loads(project)))
    stale = [p.name for p, text in ((PROJECT, project), (DEFAULTS, defaults))
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        if stale:
            print(f"stale: {', '.join(stale)} (run python tools/sync_schema.py)", file=sys.stderr)
            return 1
        return 0
    PROJECT.write_text(project, encoding="utf-8")
    DEFAULTS.write_text(defaults, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
