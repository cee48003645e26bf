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

Tests below the case runner generate their input (a 2 MB file, 100000-deep nesting, alias bombs) or document
bugs found while writing the cases (``test_bug_*``: regressions, each fixed since).
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

from perfgen.cli.main import main

CASES_DIR = Path(__file__).parent / "cases" / "validate"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
BLESS = os.environ.get("PERFGEN_BLESS") == "1"
BASE = (CASES_DIR / "ok-clean" / "goals" / "2023" / "a.yaml").read_text(encoding="utf-8")


def run_validate(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    """``perfgen validate *args`` with ``folder`` as the working directory; never a traceback."""
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


# Two case folders document bugs, with the output perfgen should give written by hand (do not bless them
# until the bug is fixed):
#   defaults-broken-reported-once   a broken _defaults.yaml also makes every project below it report
#                                   "required key year is missing" (year is in the broken file)
#   pg119-ok-exactly-at-tolerance   126元/人/月 × 200人 × 12月 = 30.24 is exactly 5% from 28.8, yet float
#                                   rounding fires PG119 saying "5.0% away (tolerance 5%)"
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
    from perfgen.check.rules import RULES

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


# ---- regressions: bugs found while writing these cases, fixed since ------------------------------------

def test_bug_huge_integer_is_a_diagnostic_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Python refuses int() of more than 4300 digits (ValueError) in yamlload._Builder.scalar.
    text = BASE.replace("weight: 10\n", "weight: 1" + "0" * 5000 + "\n", 1)
    goals_repo(tmp_path, {"2023/a.yaml": text})
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert result.exit_code == 1
    assert "goals/2023/a.yaml:40:17: error[" in result.output


def test_bug_nesting_under_the_depth_limits_does_not_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 400 levels of one-space indentation pass yamlload._too_deep, and so do 100 flow levels; together they
    # are 500 levels, and yamlload.to_plain (called by the schema check) overflows Python's recursion limit.
    lines = ["year: 2023", "note:"] + [" " * i + "k:" for i in range(1, 401)]
    lines[-1] += " " + "{a: " * 100 + "1" + "}" * 100
    goals_repo(tmp_path, {"2023/a.yaml": "\n".join(lines) + "\n"})
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert result.exit_code == 1
    assert "goals/2023/a.yaml: error[PG005]" in result.output


def test_bug_unreadable_file_is_a_diagnostic_not_a_traceback(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # FsReader.read catches only FileNotFoundError/IsADirectoryError/NotADirectoryError; a symlink loop
    # (ELOOP) or a file without read permission (EACCES) escapes as OSError.
    goals_repo(tmp_path, {"2023/ok.yaml": BASE})
    (tmp_path / "goals" / "2023" / "loop.yaml").symlink_to("loop.yaml")
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert result.exit_code == 1
    assert re.search(r"^goals/2023/loop\.yaml: error\[PG\d{3}\]", result.output, re.M)


def test_bug_every_unknown_key_of_a_mapping_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # schema._one returns after the first unknown key of an additionalProperties error: the second typo
    # only shows once the first is fixed.
    text = BASE.replace("        weight: 10\n", "        weigth: 10\n        scorng: 满意度赋分\n", 1)
    text = text.replace("        scoring: 满意度赋分\n", "", 1)
    goals_repo(tmp_path, {"2023/a.yaml": text})
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert "unknown key “weigth”; did you mean “weight”?" in result.output
    assert "unknown key “scorng”; did you mean “scoring”?" in result.output


def test_bug_every_missing_required_key_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # schema._one names the first missing key of the `required` list for every `required` error, and
    # schema.check then drops the rest as duplicates (same file, line, col and code).
    text = BASE.replace("year: 2023\n", "").replace("unit: 库尔勒市社会保险中心\n", "")
    goals_repo(tmp_path, {"2023/a.yaml": text})
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert "required key “year” is missing" in result.output
    assert "required key “unit” is missing" in result.output


def test_bug_format_json_is_kept_when_perfgen_yaml_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bug: perfgen.yaml's errors were printed as text whatever --format said (a CI job reading the JSON got
    # an empty stdout). Now they are a PerfgenError that the command, a ReportingCommand (perfgen/cli/common.py),
    # reports through its reporter: the one --format made.
    result = run_validate(CASES_DIR / "config-unknown-setting", ["--format", "json", "--lang", "en"], monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.startswith("{"), f"stdout is not JSON; the output was:\n{result.output}"
    doc = json.loads(result.stdout)
    assert [d["code"] for d in doc["diagnostics"]] == ["PG009"]
    assert doc["diagnostics"][0]["file"] == "perfgen.yaml"


def test_bug_multiple_documents_get_their_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # yamlload._yaml_error looks for "expected a single document" in exc.problem, but libyaml puts it in
    # exc.context (problem: "but found another document"): the yaml.multidoc message is never shown.
    result = run_validate(CASES_DIR / "yaml-multiple-documents-en", ["--lang", "en"], monkeypatch)
    assert "a file may hold one YAML document only (found ---)" in result.output


def test_bug_comments_only_defaults_file_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A _defaults.yaml holding only comments (a placeholder) gives no defaults; today it is PG006 "file is
    # empty" with the hint for project files, and it stops every project below it from being checked.
    # An empty perfgen.yaml is accepted (config.load_config); _defaults.yaml should be too.
    goals_repo(tmp_path, {"2023/_defaults.yaml": "# 本目录共用的值（暂无）\n", "2023/a.yaml": BASE})
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert outcome(result) == expected("ok-clean").replace(
        "已检查 1 个文件：0 个错误，0 个警告", "checked 1 file(s): 0 error(s), 0 warning(s)")


def test_bug_summary_counts_what_is_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A domain warning about a value inherited from _defaults.yaml is the same diagnostic for every project
    # it reaches: printed once (Report.sorted dedupes) but counted once per project (Report.warnings does not).
    project = BASE.replace("year: 2023\nunit: 库尔勒市社会保险中心\nname: 退休人员待遇补差\n", "")
    goals_repo(tmp_path, {"2023/_defaults.yaml": "year: 2023\nunit: 库尔勒市社会保险中心\nname: 退休人员待遇补差.\n",
                          "2023/a.yaml": project, "2023/b.yaml": project})
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    printed = len(re.findall(r"^\S+: warning\[", result.output, re.M))
    assert printed == 1
    assert result.output.splitlines()[-1] == "checked 2 file(s): 0 error(s), 1 warning(s)"


def test_bug_unknown_rule_code_in_perfgen_yaml_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # config.parse_config accepts any key under `rules:`: a misspelt code (PG12 for PG102) silently does
    # nothing, while an unknown setting is PG009. Unknown codes should be PG009 too (naming the code).
    goals_repo(tmp_path, {"2023/a.yaml": BASE})
    (tmp_path / "perfgen.yaml").write_text("rules:\n  PG12: off\n", encoding="utf-8")
    result = run_validate(tmp_path, ["--lang", "en"], monkeypatch)
    assert result.exit_code == 1
    assert re.search(r"^perfgen\.yaml:2:3: error\[PG009\]: .*PG12", result.output, re.M)
