"""Errors are data: a diagnostic is a position, a severity, a stable code, a message and a hint.

Messages are looked up in :mod:`perfgen.i18n` when printed, so one run can report in Chinese or English.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from . import i18n
from .model import Pos

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    pos: Pos
    severity: Severity
    code: str
    key: str  # message key in i18n.MESSAGES
    args: tuple[tuple[str, Any], ...] = ()
    related: Pos | None = None  # a second place worth looking at (e.g. the first of two duplicates)

    @property
    def message(self) -> str:
        return i18n.message(self.key, dict(self.args))

    @property
    def hint(self) -> str | None:
        return i18n.hint(self.key, dict(self.args))

    def with_severity(self, severity: Severity) -> Diagnostic:
        return Diagnostic(self.pos, severity, self.code, self.key, self.args, self.related)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.pos.file, self.pos.line, self.pos.col, self.code)


def diag(pos: Pos, code: str, key: str, /, severity: Severity = "error", related: Pos | None = None,
         **args: Any) -> Diagnostic:
    return Diagnostic(pos, severity, code, key, tuple(sorted(args.items())), related)


class PerfgenError(Exception):
    """A failure that is the user's input, not perfgen's bug: reported as diagnostics, exit 1."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass
class Report:
    """All diagnostics of a run, and the counts that decide the exit code."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        given, self.diagnostics = self.diagnostics, []
        self.extend(given)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        """Add diagnostics; one reported twice (a _defaults.yaml value reaching many projects) counts once."""
        for d in items:
            if d not in self._seen:
                self._seen.add(d)
                self.diagnostics.append(d)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def sorted(self) -> list[Diagnostic]:
        # Position first; the message key and arguments make the order total (no hash-seed dependence).
        return sorted(self.diagnostics, key=lambda d: (*d.sort_key(), d.key, repr(d.args)))


# ---- reporters ---------------------------------------------------------------------------------------

def format_text(d: Diagnostic, memo: dict[Any, tuple[str, str]] | None = None) -> str:
    """``file:line:col: severity[code]: message`` with its hint; ``memo`` reuses the text of equal messages."""
    what = (d.severity, d.code, d.key, d.args)
    parts = memo.get(what) if memo is not None else None
    if parts is None:
        hint = d.hint
        parts = (f"{i18n.word(d.severity)}[{d.code}]: {d.message}", f"\n  {i18n.word('hint')}: {hint}" if hint else "")
        if memo is not None:
            memo[what] = parts
    see = f"\n  {i18n.word('see')}: {d.related}" if d.related is not None else ""
    return f"{d.pos}: {parts[0]}{see}{parts[1]}"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(d: Diagnostic) -> str:
    props = f"file={_gh_escape(d.pos.file, True)}"
    if d.pos.line:
        props += f",line={d.pos.line},col={d.pos.col}"
    props += f",title={_gh_escape(d.code, True)}"
    body = d.message + (f"\n{d.hint}" if d.hint else "")
    return f"::{d.severity} {props}::{_gh_escape(body)}"


def to_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "file": d.pos.file,
        "line": d.pos.line,
        "column": d.pos.col,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
        "related": str(d.related) if d.related else None,
    }


def render(report: Report, fmt: str, files_checked: int = 0) -> str:
    items = report.sorted()
    if fmt == "json":
        doc = {
            "files": files_checked,
            "errors": sum(1 for d in items if d.severity == "error"),
            "warnings": sum(1 for d in items if d.severity == "warning"),
            "diagnostics": [to_json(d) for d in items],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(format_github(d) for d in items)
    memo: dict[Any, tuple[str, str]] = {}  # a _defaults.yaml value can raise one warning in thousands of files
    return "\n".join(format_text(d, memo) for d in items)
