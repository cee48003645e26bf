"""The rule registry: every rule documented in both languages, listed by `perfgen rules`, configurable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from clitools import invoke

from perfgen.check.rules import RULES
from perfgen.diagnostics import i18n
from perfgen.targets import parse_target

ROOT = Path(__file__).resolve().parent.parent


def _import_every_module() -> None:
    """Messages are registered by the modules that use them: import them all, whatever ran before."""
    import importlib
    import pkgutil

    import perfgen

    for info in pkgutil.walk_packages(perfgen.__path__, "perfgen."):
        if info.name != "perfgen.__main__":
            importlib.import_module(info.name)


def test_every_message_key_used_in_code_exists() -> None:
    _import_every_module()

    used: set[str] = set()
    for path in (ROOT / "perfgen").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'emit\("(PG\d{3})"', text))
        used |= set(re.findall(r'emit\("PG\d{3}", [^,]+, "([A-Za-z0-9_.]+)"', text))
        used |= set(re.findall(r'diag\([^,]+, "PG\d{3}", "([A-Za-z0-9_.]+)"', text))
    missing = sorted(k for k in used if k not in i18n.MESSAGES)
    assert not missing
    assert len(used) > 40


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_messages_have_both_languages(key: str) -> None:
    zh, en, zh_hint, en_hint = i18n.MESSAGES[key]
    assert zh and en
    if re.search(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", "", en)):  # has words, not only placeholders
        assert re.search(r"[\u4e00-\u9fff]", zh), "the Chinese message must be Chinese"
    assert (zh_hint is None) == (en_hint is None)


def test_every_domain_rule_has_a_message() -> None:
    import perfgen.check.domain  # noqa: F401

    for code, rule in RULES.items():
        if rule.configurable:
            assert code in i18n.MESSAGES, code


def _rules_output(tmp_path: Path, *args: str) -> str:
    result = invoke(tmp_path, "rules", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_rules_lists_every_code(tmp_path: Path) -> None:
    out = _rules_output(tmp_path)
    for code in RULES:
        assert code in out
    assert "PG101  错误" in out and "PG102  警告" in out


def test_rules_in_english_and_with_overrides(tmp_path: Path) -> None:
    (tmp_path / "perfgen.yaml").write_text("rules:\n  PG102: off\n  PG118: error\n", encoding="utf-8")
    out = _rules_output(tmp_path, "--lang", "en")
    assert re.search(r"PG102\s+off", out)
    assert re.search(r"PG118\s+error", out)
    assert "weights do not add up" in out


@pytest.mark.parametrize(("text", "op", "number", "unit"), [
    ("≥98%", "≥", 98, "%"), (">=98%", "≥", 98, "%"), ("＞＝98%", "≥", 98, "%"),
    ("≤0.42万元/次", "≤", 0.42, "万元/次"), ("<=0.42万元/次", "≤", 0.42, "万元/次"),
    ("=3人", "=", 3, "人"), ("＝3人", "=", 3, "人"), ("63人", "=", 63, "人"),
    ("＞5次", ">", 5, "次"), ("＜5次", "<", 5, "次"), ("> 5 次", ">", 5, "次"),
    ("=120元/人/月", "=", 120, "元/人/月"), ("≥57,560人", "≥", 57560, "人"), ("=8", "=", 8, ""),
])
def test_targets_parse_every_operator_spelling(text: str, op: str, number: float, unit: str) -> None:
    t = parse_target(text)
    assert (t.op, t.number, t.unit) == (op, number, unit)


@pytest.mark.parametrize("text", ["有效提高", "2021年1月-12月", "长期", "优良", "≥", "2023"])
def test_qualitative_targets(text: str) -> None:
    assert not parse_target(text).quantitative
