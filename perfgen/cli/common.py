"""What the commands share: language, the reporter behind ``--format``, failures, exit codes.

A command is a :class:`ReportingCommand`: a :class:`~perfgen.diagnostics.report.PerfgenError` raised anywhere
below it (perfgen.yaml, git, ``init``'s files, a side of ``diff``) is reported here, in one place, through the
command's reporter — the one its ``--format`` option made (:func:`report_option`), else a text reporter —
and the command exits 1 (2 for usage problems).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from perfgen.diagnostics import i18n
from perfgen.diagnostics.report import PerfgenError
from perfgen.diagnostics.reporters import REPORT_FORMATS, Reporter, create_reporter
from perfgen.forms.choice import settle_forms
from perfgen.load.config import Config, load_config

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
_REPORTER = "perfgen.reporter"  # where a command's reporter is kept in click's context (ctx.meta)

F = TypeVar("F", bound=Callable[..., Any])


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        i18n.set_lang(value)
    return value


lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False, is_eager=True,
    callback=_set_lang, help="消息语言 / message language (zh, en)")


# ---- reporters -----------------------------------------------------------------------------------------

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


def terminal_reporter(report_format: str) -> Reporter:
    """A reporter printing to this process's stdout and stderr: text to stderr, json and github to stdout."""
    out, err = _Buffered(False), _Buffered(True)

    def flush() -> None:
        out.flush()
        err.flush()

    return create_reporter(report_format, out, err, flush)



def use_reporter(ctx: click.Context, report_format: str) -> Reporter:
    """The reporter the running command prints its diagnostics through, and reports its failure with."""
    reporter = terminal_reporter(report_format)
    ctx.meta[_REPORTER] = reporter
    return reporter


def _reporter_from_option(ctx: click.Context, param: click.Parameter, value: str) -> Reporter:
    return use_reporter(ctx, value)


def report_option(*names: str, help: str) -> Callable[[F], F]:
    """An option choosing the report format (text, json, github); the command receives ``reporter``."""
    return click.option(*names, "reporter", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
                        callback=_reporter_from_option, help=help)


format_option = report_option("--format", help="诊断输出格式：text、json 或 github（GitHub Actions 注释）")


# ---- failures ------------------------------------------------------------------------------------------

class ReportingCommand(click.Command):
    """A command whose :class:`PerfgenError` is reported through its reporter (:func:`fail`)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PerfgenError as error:
            fail(error, ctx.meta.get(_REPORTER))


def fail(error: PerfgenError, reporter: Reporter | None = None) -> NoReturn:
    """Report ``error``'s diagnostics (in their order) and exit 1, or 2 when it is a usage problem."""
    reporter = reporter or terminal_reporter("text")
    errors = sum(1 for d in error.diagnostics if d.severity == "error")
    warnings = len(error.diagnostics) - errors
    reporter.report_all(error.diagnostics)
    reporter.close(error.files_checked or 0, errors, warnings)
    if error.files_checked is not None:
        reporter.note(summary_line(error.files_checked, errors, warnings))
    sys.exit(EXIT_USAGE if error.usage else EXIT_INPUT)


def usage_error(message: str) -> NoReturn:
    click.echo(f"perfgen: {message}", err=True)
    sys.exit(EXIT_USAGE)


def repo_config(root: Path) -> Config:
    """perfgen.yaml, settled for the forms it chooses (perfgen.forms.choice); its problems and those of the
    forms are a :class:`~perfgen.diagnostics.report.PerfgenError`, reported by the command."""
    config = load_config(root)
    settle_forms(root, config)
    return config


# ---- words ---------------------------------------------------------------------------------------------

def summary_line(files: int, errors: int, warnings: int) -> str:
    return msg("已检查 {files} 个文件：{e} 个错误，{w} 个警告", "checked {files} file(s): {e} error(s), {w} warning(s)",
               files=files, e=errors, w=warnings)


def msg(zh: str, en: str, **args: Any) -> str:
    return i18n.text(zh, en, **args)
