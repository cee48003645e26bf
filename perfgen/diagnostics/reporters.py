"""Reporters: how every command prints its diagnostics — ``text`` for people, ``json`` and ``github`` for programs.

One interface for ``validate``, ``build``, ``fmt``, ``import``, ``diff`` and ``init``: a :class:`Reporter`
takes diagnostics one at a time as they are found (it is a sink: ``Report(sink=reporter)``) or a batch in
order, and :meth:`Reporter.close` ends the report once, with the counts. Lines meant for a person (a summary,
the files written) are :meth:`Reporter.note`; only the text reporter prints them, so the output of the json
and github reporters stays for programs alone.

Where it goes: text to ``err`` (stderr), json and github to ``out`` (stdout) — the callables a reporter is
created with, which may buffer (:meth:`Reporter.close` and :meth:`Reporter.note` flush).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from perfgen.diagnostics import i18n
from perfgen.diagnostics.report import Diagnostic, printable, where

REPORT_FORMATS = ("text", "json", "github")

Write = Callable[[str], None]


def text_line(d: Diagnostic, memo: dict[Any, tuple[str, str]] | None = None) -> str:
    """``file:line:col: severity[code]: message`` with its hint; ``memo`` reuses the text of equal messages."""
    what = (d.severity, d.code, d.key, d.args)
    parts = memo.get(what) if memo is not None else None
    if parts is None:
        hint = d.hint
        parts = (f"{i18n.word(d.severity)}[{d.code}]: {d.message}", f"\n  {i18n.word('hint')}: {hint}" if hint else "")
        if memo is not None:
            memo[what] = parts
    see = f"\n  {i18n.word('see')}: {where(d.related)}" if d.related is not None else ""
    return f"{where(d.pos)}: {parts[0]}{see}{parts[1]}"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_line(d: Diagnostic) -> str:
    """A GitHub Actions workflow command (``::error file=…,line=…::message``) that annotates the file."""
    props = [f"file={_gh_escape(printable(d.pos.file), True)}"] if d.pos.file else []
    if d.pos.line:
        props.append(f"line={d.pos.line},col={d.pos.col}")
    props.append(f"title={_gh_escape(d.code, True)}")
    body = d.message + (f"\n{d.hint}" if d.hint else "")
    return f"::{d.severity} {','.join(props)}::{_gh_escape(body)}"


def json_item(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic for ``--format json`` (``file`` is null for a diagnostic about no file in particular).

    The file names are escaped like every other format's (:func:`printable`), not only as JSON requires:
    ``json.dumps(ensure_ascii=False)`` escapes C0 controls but writes DEL, C1 controls and bidi overrides
    raw, and this JSON is often read in a terminal or a CI log. A consumer gets the text a person sees.
    """
    return {
        "file": printable(d.pos.file) if d.pos.file else None,
        "line": d.pos.line,
        "column": d.pos.col,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
        "related": where(d.related) if d.related else None,
    }


class Reporter:
    """Prints diagnostics as they come; :meth:`close` ends the report (call it once, in every format)."""

    format: ClassVar[str]

    def __init__(self, out: Write, err: Write, flush: Callable[[], None] | None = None) -> None:
        self._out, self._err, self._flush = out, err, flush
        self.count = 0  # diagnostics reported so far
        self.closed = False

    def report(self, d: Diagnostic) -> None:
        self._write(d)
        self.count += 1

    __call__ = report  # a reporter is a diagnostics sink: Report(sink=reporter)

    def report_all(self, items: Iterable[Diagnostic]) -> None:
        """A batch, in the order given (:meth:`Report.sorted` gives position order)."""
        for d in items:
            self.report(d)

    def close(self, files: int, errors: int, warnings: int) -> None:
        """End the report: ``files`` checked, with ``errors`` and ``warnings`` (json writes them)."""
        if not self.closed:
            self.closed = True
            self._end(files, errors, warnings)
        self.flush()

    def note(self, text: str, *, stdout: bool = False) -> None:
        """A line for a person (a summary, a file written): the text reporter prints it, to stderr by default."""

    def flush(self) -> None:
        if self._flush is not None:
            self._flush()

    def _write(self, d: Diagnostic) -> None:
        raise NotImplementedError

    def _end(self, files: int, errors: int, warnings: int) -> None:
        """What closes the report, before the final flush."""


class TextReporter(Reporter):
    """``file:line:col: 错误[PG101]: …`` and an indented hint, to stderr; notes too."""

    format = "text"

    def __init__(self, out: Write, err: Write, flush: Callable[[], None] | None = None) -> None:
        super().__init__(out, err, flush)
        self._memo: dict[Any, tuple[str, str]] = {}  # one warning can repeat in thousands of files

    def _write(self, d: Diagnostic) -> None:
        self._err(text_line(d, self._memo) + "\n")

    def note(self, text: str, *, stdout: bool = False) -> None:
        (self._out if stdout else self._err)(text + "\n")
        self.flush()


class GithubReporter(Reporter):
    """Workflow commands on stdout: GitHub Actions shows each as an annotation on the file and line."""

    format = "github"

    def _write(self, d: Diagnostic) -> None:
        self._out(github_line(d) + "\n")


class JsonReporter(Reporter):
    """One JSON document on stdout, written as it goes: ``{"diagnostics": [...], "files", "errors", "warnings"}``."""

    format = "json"

    def _write(self, d: Diagnostic) -> None:
        item = json.dumps(json_item(d), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        head = '{\n  "diagnostics": [' if not self.count else ","
        self._out(f"{head}\n    {item}")

    def _end(self, files: int, errors: int, warnings: int) -> None:
        self._out('{\n  "diagnostics": [' if not self.count else "\n  ")
        self._out(f'],\n  "files": {files},\n  "errors": {errors},\n  "warnings": {warnings}\n}}\n')


REPORTERS: dict[str, type[Reporter]] = {r.format: r for r in (TextReporter, JsonReporter, GithubReporter)}


def create_reporter(report_format: str, out: Write, err: Write, flush: Callable[[], None] | None = None) -> Reporter:
    """The reporter for ``--format`` ``text``, ``json`` or ``github``."""
    return REPORTERS[report_format](out, err, flush)

