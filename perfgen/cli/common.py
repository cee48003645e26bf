"""Options and output shared by the commands: language, report format, exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from perfgen.diagnostics import i18n
from perfgen.diagnostics.report import Emitter, Report, render
from perfgen.load.config import Config, ConfigError, load_config

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
DIAG_FORMATS = ("text", "json", "github")  # how diagnostics are printed (--format, build's --diagnostics)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        i18n.set_lang(value)
    return value


lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False, is_eager=True,
    callback=_set_lang, help="消息语言 / message language (zh, en)")

format_option = click.option(
    "--format", "fmt", type=click.Choice(DIAG_FORMATS), default="text", show_default=True,
    help="诊断输出格式：text、json 或 github（GitHub Actions 注释）")


def usage_error(message: str) -> NoReturn:
    click.echo(f"perfgen: {message}", err=True)
    sys.exit(EXIT_USAGE)


def repo_config(root: Path, fmt: str = "text") -> Config:
    """perfgen.yaml, or exit 1 with its problems printed in the format the user asked for."""
    try:
        return load_config(root)
    except ConfigError as exc:
        emit_report(Report(exc.diagnostics), fmt, 0)
        sys.exit(EXIT_INPUT)


def emit_report(report: Report, fmt: str, files: int = 0, summary: bool = True) -> None:
    """Diagnostics to stdout (json) or stderr (text/github), then a one-line summary for people."""
    out = render(report, fmt, files)
    if fmt == "json":
        click.echo(out)
        return
    if out:
        click.echo(out, err=fmt == "text")
    if summary and fmt == "text":
        click.echo(summary_line(report, files), err=True)


class _Buffered:
    """Text for stdout or stderr, written in blocks rather than line by line (a province has many lines)."""

    def __init__(self, err: bool) -> None:
        self.err = err
        self.parts: list[str] = []
        self.size = 0
        stream = sys.stderr if err else sys.stdout
        self.limit = 0 if stream.isatty() else 1 << 16  # a person watching sees each line as it comes

    def __call__(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > self.limit:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            click.echo("".join(self.parts), nl=False, err=self.err)
            self.parts, self.size = [], 0


def emitter(fmt: str) -> Emitter:
    """Diagnostics printed as they are found: text to stderr, json and github to stdout (flushed by close)."""
    out, err = _Buffered(False), _Buffered(True)

    def flush() -> None:
        out.flush()
        err.flush()

    return Emitter(fmt, out, err, flush)


def summary_line(report: Report, files: int) -> str:
    return msg("已检查 {files} 个文件：{e} 个错误，{w} 个警告", "checked {files} file(s): {e} error(s), {w} warning(s)",
               files=files, e=report.errors, w=report.warnings)


def msg(zh: str, en: str, **args: Any) -> str:
    return i18n.text(zh, en, **args)
