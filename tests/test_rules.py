"""The rule catalogue: every rule one record, its messages in both languages, raised under its own code,
listed by `perfgen rules` and in README's table."""

from __future__ import annotations

import ast
import itertools
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import invoke
from sample_data import ROOT

from perfgen.check import domain
from perfgen.check.runner import check_paths
from perfgen.cli import command_rules
from perfgen.diagnostics import catalogue, i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, PerfgenError, printable
from perfgen.diagnostics.rule import Message, Rule, by_code
from perfgen.forms.choice import settle_forms
from perfgen.load.config import load_config
from perfgen.targets import parse_target

CASES = ROOT / "tests" / "cases" / "validate"


def all_messages() -> list[tuple[Rule, Message]]:
    return [(rule, m) for rule in catalogue.RULES.values() for m in rule.messages]


# ---- the records -------------------------------------------------------------------------------------

def test_the_catalogue_holds_every_rule_in_code_order() -> None:
    codes = list(catalogue.RULES)
    assert codes == sorted(codes) and len(codes) > 80
    assert {code for code, rule in catalogue.RULES.items() if rule.configurable} == set(domain.RULES)
    assert all(int(code[2:]) >= 100 for code in domain.RULES)


def test_every_rule_has_its_messages() -> None:
    without = sorted(code for code, rule in catalogue.RULES.items() if not rule.messages)
    assert without == [], "a rule needs at least one message"


def placeholders(template: str | None) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template or "") if name is not None}


@pytest.mark.parametrize(("rule", "message"), all_messages(), ids=lambda x: getattr(x, "key", ""))
def test_messages_are_chinese_and_english(rule: Rule, message: Message) -> None:
    assert catalogue.message(message.key) is message and catalogue.rule_of(message.key) is rule
    assert placeholders(message.zh) == placeholders(message.en)
    assert placeholders(message.hint_zh) == placeholders(message.hint_en)
    if re.search(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", "", message.en)):  # has words, not only placeholders
        assert re.search(r"[\u4e00-\u9fff]", message.zh), "the Chinese message must be Chinese"


def _one_rule(*messages: Message, code: str = "PG999") -> dict[str, Rule]:
    return by_code([Rule(code, "warning", "规则", "rule", messages=messages)])


def test_records_refuse_what_would_print_wrong() -> None:
    with pytest.raises(ValueError, match="both languages"):
        _one_rule(Message("x", "不对", "wrong", "提示", None))
    with pytest.raises(ValueError, match="same key"):
        _one_rule(Message("x", "甲", "a"), Message("x", "乙", "b"))
    with pytest.raises(ValueError, match="PG###"):
        _one_rule(code="PG9")
    with pytest.raises(ValueError, match="twice"):
        by_code([*catalogue.RULES.values(), catalogue.RULES["PG101"]])
    with pytest.raises(KeyError, match="PG101"):
        catalogue.RULES["PG101"].at(Pos("a.yaml", 1, 1), "PG102")  # another rule's message


def test_texts_print_unchanged() -> None:
    """:func:`printable` escapes a whole message: the texts must hold nothing it would escape."""
    texts = [*catalogue.texts(), *(t for entry in i18n.MESSAGES.values() for t in entry if t),
             *(w for pair in i18n.WORDS.values() for w in pair)]
    assert len(texts) > 400
    assert [t for t in texts if printable(t) != t] == []


# ---- diagnostics name a rule's message under the rule's code --------------------------------------------

def case_diagnostics(folder: Path) -> list[Diagnostic]:
    """What ``perfgen validate`` finds in a case folder (before any command-line option)."""
    try:
        config = load_config(folder)
        settle_forms(folder, config)  # as the commands do: the forms perfgen.yaml chooses shape the checks
    except PerfgenError as exc:
        return exc.diagnostics
    return check_paths(folder, None, config).report.diagnostics


def test_the_validate_cases_raise_every_domain_message_under_its_code() -> None:
    seen: set[str] = set()
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for d in case_diagnostics(folder):
            rule = catalogue.rule_of(d.key)
            assert rule is not None and rule.code == d.code, f"{folder.name}: {d.code} {d.key}"
            seen.add(d.key)
    domain_keys = {m.key for rule in domain.RULES.values() for m in rule.messages}
    assert domain_keys - seen == set(), "a domain message no case in tests/cases/validate raises"
    assert len(seen - domain_keys) > 20  # reading, YAML, schema and settings messages too


RECORDS = {"Rule", "Message"}  # a record names its code and severity, a domain message's key is its code


def literal_code_and_key_calls() -> Iterator[tuple[str, int, str, str]]:
    """(file, line, code, key) of each call in perfgen with a literal code and key side by side:
    ``diag(pos, "PG001", "yaml.tab")``, ``GitError("PG070", "diff.git.missing")``. The Python parser reads the
    calls; keys chosen at run time are the case folders' part."""
    for path in sorted((ROOT / "perfgen").rglob("*.py")):
        rel = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or (isinstance(node.func, ast.Name) and node.func.id in RECORDS):
                continue
            for code, key in itertools.pairwise(node.args):
                if isinstance(code, ast.Constant) and isinstance(code.value, str) and \
                        re.fullmatch(r"PG\d{3}", code.value) and isinstance(key, ast.Constant) and \
                        isinstance(key.value, str):
                    yield rel.as_posix(), node.lineno, code.value, key.value


def test_every_diag_call_names_a_message_of_its_rule() -> None:
    calls = list(literal_code_and_key_calls())
    assert len(calls) > 60
    wrong = []
    for file, line, code, key in calls:
        rule = catalogue.rule_of(key)
        if rule is None or rule.code != code:
            wrong.append(f"{file}:{line}: {code} {key} (the catalogue says {rule and rule.code})")
    assert wrong == []


COMMAND_KEY = re.compile(r"(fmt|import|diff|init)(\.[a-z0-9_]+)+")


def test_the_commands_name_each_of_their_messages() -> None:
    """import, diff and init choose some keys at run time (a refusal's, a row's missing cell): every message of
    their rules is named in the code that raises it, and every name of that shape is a message of the catalogue."""
    named: dict[str, str] = {}
    for path in sorted((ROOT / "perfgen").rglob("*.py")):
        if path.name == "command_rules.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and COMMAND_KEY.fullmatch(node.value):
                named.setdefault(node.value, path.relative_to(ROOT).as_posix())
    assert {key: file for key, file in named.items() if catalogue.message(key) is None} == {}
    assert {m.key for rule in command_rules.RULES for m in rule.messages} - set(named) == set()


def test_only_the_internal_error_is_keyed_outside_the_catalogue() -> None:
    assert list(i18n.MESSAGES) == ["internal.error"]


# ---- perfgen rules and README -------------------------------------------------------------------------

def _rules_output(tmp_path: Path, *args: str) -> str:
    result = invoke(tmp_path, "rules", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_rules_lists_every_code(tmp_path: Path) -> None:
    out = _rules_output(tmp_path)
    assert [line.split()[0] for line in out.splitlines()] == list(catalogue.RULES)
    assert "PG101  错误" in out and "PG102  警告" in out
    assert "PG101  错误    指标分值权重合计不等于表格总分（默认 90）\n" in out


def test_rules_in_english_and_with_overrides(tmp_path: Path) -> None:
    (tmp_path / "perfgen.yaml").write_text("rules:\n  PG102: off\n  PG118: error\n", encoding="utf-8")
    out = _rules_output(tmp_path, "--lang", "en")
    assert re.search(r"PG102\s+off", out)
    assert re.search(r"PG118\s+error", out)
    assert "weights do not add up" in out


def readme_rule_rows() -> list[tuple[str, str]]:
    """(codes, levels) of each row of README's table under ``## 检查规则``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## 检查规则\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| PG")]
    return [(codes.strip(), levels.strip()) for codes, levels in rows]


def readme_codes(cell: str) -> list[str]:
    """``PG110–PG113`` (the catalogue's codes in that range), ``PG105 / PG106``, ``PG018``."""
    codes: list[str] = []
    for part in cell.split(" / "):
        first, _, last = part.partition("–")
        codes += [c for c in catalogue.RULES if first <= c <= (last or first)]
    return codes


def test_the_readme_table_lists_every_rule_at_its_level() -> None:
    listed: list[str] = []
    for cell, levels in readme_rule_rows():
        codes = readme_codes(cell)
        assert codes, f"README lists {cell}: no such rule"
        words = [i18n.WORDS[catalogue.RULES[c].severity][0] for c in codes]
        assert levels == " / ".join(dict.fromkeys(words)), f"README: {cell} is {' / '.join(dict.fromkeys(words))}"
        listed += codes
    assert sorted(listed) == list(catalogue.RULES), "README's table lists each rule once"


# ---- targets ------------------------------------------------------------------------------------------

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


# Where a space between two Chinese characters is meant: a command line, a YAML line, a table row as printed.
_SPACED_ON_PURPOSE = ("perfgen diff 旧目录 新目录", "每行写成 键: 值", "--out 目录 所写",
                      "“一级指标 二级指标 三级指标 …”", "年度预算总额 {total}万元 相差")


def test_no_stray_spaces_in_chinese_messages() -> None:
    """`文件顶层 缺少必填键`, `定性指标一般 按评判等级赋分`: a space between two Chinese words is a slip (issue 15)."""
    stray = []
    for text in catalogue.texts():
        cleaned = text
        for allowed in _SPACED_ON_PURPOSE:
            cleaned = cleaned.replace(allowed, "")
        if re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", cleaned):
            stray.append(text)
    assert stray == []
