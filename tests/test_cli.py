"""The command line as a user meets it: help, version, exit codes, language."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sample_data import ROOT

from perfgen import __version__
from perfgen.cli.common import ReportingCommand, format_option
from perfgen.cli.main import main
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import NO_FILE, PerfgenError, diag
from perfgen.diagnostics.reporters import Reporter
from perfgen.load.gitreader import GitError


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "build", "rules", "diff", "fmt", "import", "init"):
        assert command in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_unknown_option_is_a_usage_error() -> None:
    assert CliRunner().invoke(main, ["validate", "--no-such-flag"]).exit_code == 2
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2


def test_internal_failure_exits_2_with_a_report_request(tmp_path: Path) -> None:
    # Simulate a bug: a command that raises. Run the real entry point in a subprocess.
    code = (
        "import sys, click\n"
        "from perfgen.cli import main as cli\n"
        "@cli.main.command('boom')\n"
        "def boom():\n"
        "    raise RuntimeError('simulated bug')\n"
        "sys.argv = ['perfgen', 'boom']\n"
        "cli.entry()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert "RuntimeError: simulated bug" in result.stderr  # a bug keeps its traceback
    assert "perfgen 内部错误" in result.stderr


def test_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "perfgen", "validate"], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "已检查 9 个文件：0 个错误" in result.stderr


# ---- reporting: one reporter interface, failures reported in one place --------------------------------

BAD_SETTINGS = "rules:\n  PG999: off\n"


@pytest.fixture
def bad_settings(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (repo / "perfgen.yaml").write_text(BAD_SETTINGS, encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


# every command that reads perfgen.yaml, with the option that picks its report format
SETTINGS_COMMANDS = [["validate", "--format"], ["import", "nothing.docx", "--format"], ["build", "--diagnostics"]]


@pytest.mark.parametrize("command", SETTINGS_COMMANDS, ids=lambda c: c[0])
def test_a_bad_perfgen_yaml_is_reported_as_json_when_json_is_asked(bad_settings: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "json"])
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert [(d["file"], d["line"], d["code"]) for d in report["diagnostics"]] == [("perfgen.yaml", 2, "PG009")]
    assert (report["files"], report["errors"], report["warnings"]) == (0, 1, 0)


@pytest.mark.parametrize("command", SETTINGS_COMMANDS, ids=lambda c: c[0])
def test_a_bad_perfgen_yaml_as_github_annotations(bad_settings: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "github"])
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("::error file=perfgen.yaml,line=2,col=3,title=PG009::")
    assert result.stderr == ""


@pytest.mark.parametrize("command", [*SETTINGS_COMMANDS, ["rules"]], ids=lambda c: c[0])
def test_a_bad_perfgen_yaml_as_text_ends_with_the_count(bad_settings: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, command[:1] if command == ["rules"] else [*command, "text"])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("perfgen.yaml:2:3: 错误[PG009]: ")
    assert result.stderr.endswith("\n已检查 0 个文件：1 个错误，0 个警告\n")
    assert result.stdout == ""


def _command_failing_with(error: PerfgenError) -> click.Command:
    @click.command("failing", cls=ReportingCommand)
    @format_option
    def failing(reporter: Reporter) -> None:
        raise error

    return failing


def test_a_perfgen_error_is_reported_through_the_commands_reporter() -> None:
    error = PerfgenError([*GitError("PG072", "diff.git.badrev", rev="v9").diagnostics,
                          diag(Pos("a.yaml", 3, 1), "PG001", "yaml.tab")])
    text = CliRunner().invoke(_command_failing_with(error), [])
    assert text.exit_code == 1
    assert text.stderr.startswith("perfgen: 错误[PG072]: 找不到版本 “v9”\n")  # a diagnostic about no file
    assert "\na.yaml:3:1: 错误[PG001]: " in text.stderr
    report = json.loads(CliRunner().invoke(_command_failing_with(error), ["--format", "json"]).stdout)
    assert [d["file"] for d in report["diagnostics"]] == [None, "a.yaml"]
    github = CliRunner().invoke(_command_failing_with(error), ["--format", "github"]).stdout.splitlines()
    assert github[0].startswith("::error title=PG072::") and github[1].startswith("::error file=a.yaml,line=3,")


def test_a_usage_problem_exits_2_and_a_count_is_printed_only_when_files_were_counted() -> None:
    usage = PerfgenError([diag(NO_FILE, "PG007", "file.missing")], usage=True)
    result = CliRunner().invoke(_command_failing_with(usage), [])
    assert result.exit_code == 2 and "已检查" not in result.stderr
    counted = PerfgenError([diag(Pos("goals/x.yaml"), "PG007", "file.missing")], files_checked=4)
    result = CliRunner().invoke(_command_failing_with(counted), [])
    assert result.exit_code == 1 and result.stderr.endswith("\n已检查 4 个文件：1 个错误，0 个警告\n")
