"""`perfgen validate` against case folders: every rule and every kind of broken input, output pinned exactly.

Each folder ``tests/cases/validate/<case>/`` is a tiny goals repo, run as ``perfgen validate`` in that folder:

    goals/**/*.yaml     the input; optionally goals/**/_defaults.yaml, and perfgen.yaml beside goals/
    args.txt            optional: more arguments after ``validate`` (shell words); none means Chinese messages
    expected.txt        ``exit: N`` on the first line, then exactly what the user sees (stdout and stderr)

A new case needs no Python: add a folder. To write expected.txt from what perfgen prints now, run

    PERFGEN_BLESS=1 pytest tests/test_validate_cases.py

and then READ every changed expected.txt (``git diff tests/cases/validate``): it must show the diagnostic the
case is named after, at the right line:col, with a sensible message. Blessing never makes a case pass on its
own: ``test_case_names_say_what_they_expect`` checks each expected file against the case's name.

Tests below the case runner generate their input (a 2 MB file, 100000-deep nesting, alias bombs).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from perfgen import i18n
from perfgen.cli import main

CASES_DIR = Path(__file__).parent / "cases" / "validate"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
BLESS = os.environ.get("PERFGEN_BLESS") == "1"
BASE = (CASES_DIR / "ok-clean" / "goals" / "2023" / "a.yaml").read_text(encoding="utf-8")


def run_validate(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    """``perfgen validate *args`` with ``folder`` as the working directory; never a traceback."""
    i18n.set_lang("zh")  # the language is process-wide: a previous --lang en must not leak into this run
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["validate", *args], prog_name="perfgen")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def case_args(folder: Path) -> list[str]:
    args_file = folder / "args.txt"
    return shlex.split(args_file.read_text(encoding="utf-8")) if args_file.exists() else []


def outcome(result: Result) -> str:
    return f"exit: {result.exit_code}\n{result.output}"


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = CASES_DIR / name
    actual = outcome(run_validate(folder, case_args(folder), monkeypatch))
    expected_file = folder / "expected.txt"
    if BLESS:
        expected_file.write_text(actual, encoding="utf-8", newline="\n")
    assert actual == expected_file.read_text(encoding="utf-8")


# ---- the case folders themselves ----------------------------------------------------------------------

POSITIONED = re.compile(r"^\S+:\d+:\d+: (error|错误)\[PG\d{3}\]: ", re.M)
ERROR_LINE = re.compile(r"^\S+: (error|错误)\[(PG\d{3})\]: ", re.M)
WHOLE_FILE_CODES = {"PG005", "PG007"}  # too large / too deep / missing: about the file, not a line in it


def expected(name: str) -> str:
    return (CASES_DIR / name / "expected.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_case_names_say_what_they_expect(name: str) -> None:
    """A blessed expected.txt must still show what the case is about (so a case can fail)."""
    text = expected(name)
    first, _, _ = text.partition("\n")
    assert re.fullmatch(r"exit: [012]", first), f"{name}: first line must be 'exit: N'"
    rule = re.match(r"pg(\d{3})-(ok-)?", name)
    if rule and not rule.group(2):
        assert f"[PG{rule.group(1)}]" in text, f"{name}: PG{rule.group(1)} does not fire"
    if rule and rule.group(2):
        assert f"[PG{rule.group(1)}]" not in text and first == "exit: 0"
    if name.startswith("ok-"):
        assert first == "exit: 0" and "error[" not in text and "错误[" not in text
    if name.startswith(("yaml-", "schema-", "file-", "encoding-", "config-unknown", "config-bad", "several-")):
        assert first == "exit: 1", f"{name}: broken input must exit 1"
        codes = ERROR_LINE.findall(text)
        assert codes, f"{name}: no error shown"
        positioned = len(POSITIONED.findall(text))
        assert positioned == sum(1 for _, code in codes if code not in WHOLE_FILE_CODES), \
            f"{name}: every error needs FILE:LINE:COL"


def test_every_domain_rule_has_a_case() -> None:
    from perfgen.rules import RULES

    domain = {code for code in RULES if int(code[2:]) >= 100}
    covered = {f"PG{m.group(1)}" for m in (re.match(r"pg(\d{3})-(?!ok-)", n) for n in CASES) if m}
    assert domain - covered == set()


def test_runner_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison sees a one-character change in the input (the case runner is not vacuous)."""
    goals = tmp_path / "goals" / "2023"
    goals.mkdir(parents=True)
    (goals / "a.yaml").write_text(BASE.replace("weight: 10\n", "weight: 9\n", 1), encoding="utf-8")
    assert outcome(run_validate(tmp_path, [], monkeypatch)) != expected("ok-clean")


# ---- output formats -----------------------------------------------------------------------------------

def test_format_json_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_validate(CASES_DIR / "format-json", ["--format", "json", "--lang", "en"], monkeypatch)
    assert result.exit_code == 1
    assert result.stderr == ""  # the summary line is for people; stdout is the JSON document alone
    doc = json.loads(result.stdout)
    assert (doc["files"], doc["errors"], doc["warnings"]) == (2, 1, 1)
    by_code = {d["code"]: d for d in doc["diagnostics"]}
    assert set(by_code) == {"PG001", "PG118"}
    syntax, cost = by_code["PG001"], by_code["PG118"]
    assert (syntax["file"], syntax["line"], syntax["column"], syntax["severity"]) == ("goals/2023/b.yaml", 6, 9,
                                                                                      "error")
    assert syntax["message"].startswith("YAML syntax error")
    assert (cost["file"], cost["line"], cost["column"], cost["severity"]) == ("goals/2023/a.yaml", 22, 17,
                                                                              "warning")
    assert "=0.42万元/次" in cost["message"] and cost["hint"] and cost["related"] is None
    for d in doc["diagnostics"]:
        assert set(d) == {"file", "line", "column", "severity", "code", "message", "hint", "related"}


def test_format_github_annotations(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_validate(CASES_DIR / "format-json", ["--format", "github", "--lang", "en"], monkeypatch)
    lines = result.stdout.splitlines()
    assert result.exit_code == 1 and len(lines) == 2
    assert re.fullmatch(r"::warning file=goals/2023/a\.yaml,line=22,col=17,title=PG118::cost line uses .*", lines[0])
    assert re.fullmatch(r"::error file=goals/2023/b\.yaml,line=6,col=9,title=PG001::YAML syntax error.*", lines[1])


# ---- generated inputs: too big, too deep, alias bombs -------------------------------------------------

def goals_repo(root: Path, files: dict[str, bytes | str]) -> Path:
    for rel, data in files.items():
        path = root / "goals" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def test_file_over_2mb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    padding = "".join(f"# 第{i}行注释，用来把文件撑大到 2 MB 以上。\n" for i in range(50_000))
    big = BASE + padding
    assert len(big.encode()) > 2 * 1024 * 1024
    goals_repo(tmp_path, {"2023/big.yaml": big, "2023/ok.yaml": BASE})
    start = time.monotonic()
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert time.monotonic() - start < 5
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(
        "goals/2023/big.yaml: error[PG005]: file too large (")  # and ok.yaml is still checked:
    assert result.output.splitlines()[-1] == "checked 2 file(s): 1 error(s), 0 warning(s)"


DEEP = {
    "flow-sequence": "indicators: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "flow-mapping": "indicators: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n",
    "unclosed-flow": "indicators: " + "[" * 100_000 + "\n",
    "block-sequence": "indicators:\n" + "- " * 100_000 + "x\n",
    "block-mapping": "indicators:\n" + "".join(" " * i + "k:\n" for i in range(1, 1_500)),  # < 2 MB
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_nesting_is_refused_without_crashing(kind: str, tmp_path: Path) -> None:
    """In a subprocess: libyaml's composer recurses in C, so a crash would be a signal, not an exception."""
    goals_repo(tmp_path, {"2023/deep.yaml": DEEP[kind], "2023/ok.yaml": BASE})
    proc = subprocess.run([sys.executable, "-m", "perfgen", "validate", "--lang", "en"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith("goals/2023/deep.yaml: error[PG005]: file is nested too deeply")
    assert proc.stderr.splitlines()[-1] == "checked 2 file(s): 1 error(s), 0 warning(s)"


def billion_laughs(levels: int, width: int) -> str:
    lines = ["a: &a [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i > 1 else "*a"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["top", "defaults", "perfgen.yaml"])
def test_alias_bomb_is_answered_fast_and_small(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = billion_laughs(12, 12)  # 12**12 ≈ 9·10^12 strings if anything expanded it
    files: dict[str, bytes | str] = {"2023/ok.yaml": BASE}
    if where == "top":
        files["2023/bomb.yaml"] = bomb
    elif where == "defaults":
        files["2023/_defaults.yaml"] = bomb
    else:
        (tmp_path / "perfgen.yaml").write_text(bomb, encoding="utf-8")
    goals_repo(tmp_path, files)
    tracemalloc.start()
    start = time.monotonic()
    try:
        result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
        elapsed = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert peak < 50 * 1024 * 1024
    assert result.exit_code == 1
    assert "error[PG004]: aliases (*, <<) are not allowed in goals files" in result.output
