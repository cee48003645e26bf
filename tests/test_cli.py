"""The command line as a user meets it: help, version, exit codes, language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from perfgen import __version__
from perfgen.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


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
