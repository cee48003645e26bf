"""Errors are data: a diagnostic is a position, a severity, a stable code, a message and a hint.

Messages are looked up in :mod:`perfgen.diagnostics.i18n` when printed, so one run can report in Chinese or English.

Text from a goals repository (keys, values, file names) is printed with its control characters escaped
(:func:`printable`): a key like ``"\\e]0;PWNED\\a"`` or a file name holding ``ESC [ 31 m`` cannot drive the
terminal or CI log that shows the report, nor forge a line of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos

Severity = Literal["error", "warning"]

# What a report never prints raw: C0 controls (newline and tab too: a diagnostic is one line, and a newline
# in a file name could forge a line of the report), DEL, C1 controls (U+0080-U+009F; 8-bit CSI/OSC to some
# terminals), the line and paragraph separators, the bidi embeddings, overrides and isolates ("Trojan
# Source": U+202A-U+202E, U+2066-U+2069) and lone surrogates (undecodable file-name bytes; printing one
# would fail). Our own message templates hold none of them (tests/hostile/test_terminal.py checks that).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    return _SHORT.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with the characters that could drive a terminal shown as Python escapes (``\\x1b``, ``\\u202e``).

    Everything a report shows passes through here once: a diagnostic's message and hint (with the keys,
    values and names in them) and its file paths, in every format. The usual text has nothing to escape
    and costs one regex search.
    """
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(_escape_char, text)


def where(pos: Pos) -> str:
    """``file:line:col`` as a report prints it (the file name escaped by :func:`printable`)."""
    return printable(str(pos))


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
        """The message in the current language, safe to print (user text in it escaped by :func:`printable`)."""
        return printable(i18n.message(self.key, dict(self.args)))

    @property
    def hint(self) -> str | None:
        hint = i18n.hint(self.key, dict(self.args))
        return None if hint is None else printable(hint)

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


def order_key(d: Diagnostic) -> tuple[Any, ...]:
    # Position first; the message key and arguments make the order total (no hash-seed dependence).
    return (*d.sort_key(), d.key, repr(d.args))


def in_order(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """A batch of diagnostics without repeats, in :func:`order_key` order (the order a report prints)."""
    return sorted(dict.fromkeys(items), key=order_key)


@dataclass
class Report:
    """The diagnostics of a run and the counts that decide the exit code.

    With a ``sink`` the report streams: each diagnostic goes to the sink as it is added (the CLI prints
    it) and only the counts are kept, so a run over ten thousand files holds no list of them.
    """

    diagnostics: list[Diagnostic] = field(default_factory=list)
    sink: Callable[[Diagnostic], None] | None = field(default=None, repr=False)
    errors: int = field(default=0, init=False)
    warnings: int = field(default=0, init=False)
    _seen: set[Diagnostic] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        given, self.diagnostics = self.diagnostics, []
        self.extend(given)

    def extend(self, items: Iterable[Diagnostic], own: str | None = None, ordered: bool = False) -> None:
        """Add a batch of diagnostics (in position order); one found again counts and prints once.

        Repeats come from files shared by many projects (a _defaults.yaml value, a template error).
        ``own`` is the goals file the batch belongs to: only diagnostics located elsewhere are
        remembered for that, so the memory this takes does not grow with the number of files.
        ``ordered``: the batch already went through :func:`in_order` (a build's worker does that).
        """
        for d in items if ordered else in_order(items):
            if own is None or d.pos.file != own:
                if d in self._seen:
                    continue
                self._seen.add(d)
            if d.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1
            if self.sink is not None:
                self.sink(d)
            else:
                self.diagnostics.append(d)

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=order_key)


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
    see = f"\n  {i18n.word('see')}: {where(d.related)}" if d.related is not None else ""
    return f"{where(d.pos)}: {parts[0]}{see}{parts[1]}"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(d: Diagnostic) -> str:
    props = f"file={_gh_escape(printable(d.pos.file), True)}"
    if d.pos.line:
        props += f",line={d.pos.line},col={d.pos.col}"
    props += f",title={_gh_escape(d.code, True)}"
    body = d.message + (f"\n{d.hint}" if d.hint else "")
    return f"::{d.severity} {props}::{_gh_escape(body)}"


def to_json(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic for ``--format json``.

    The file names are escaped like every other format's (:func:`printable`), not only as JSON requires:
    ``json.dumps(ensure_ascii=False)`` escapes C0 controls but writes DEL, C1 controls and bidi overrides
    raw, and this JSON is often read in a terminal or a CI log. A consumer gets the text a person sees.
    """
    return {
        "file": printable(d.pos.file),
        "line": d.pos.line,
        "column": d.pos.col,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
        "related": where(d.related) if d.related else None,
    }


class Emitter:
    """Prints diagnostics one by one as ``text`` (to ``err``), ``github`` or ``json`` (to ``out``).

    JSON is one document, written as it goes: ``{"diagnostics": [...], "files", "errors", "warnings"}``;
    :meth:`close` ends it, so call it once after the last diagnostic in every format.
    """

    def __init__(self, fmt: str, out: Callable[[str], None], err: Callable[[str], None],
                 flush: Callable[[], None] | None = None) -> None:
        self.fmt, self._out, self._err, self._flush = fmt, out, err, flush
        self._memo: dict[Any, tuple[str, str]] = {}  # one warning can repeat in thousands of files
        self._count = 0

    def __call__(self, d: Diagnostic) -> None:
        if self.fmt == "json":
            item = json.dumps(to_json(d), ensure_ascii=False, indent=2).replace("\n", "\n    ")
            head = '{\n  "diagnostics": [' if not self._count else ","
            self._out(f"{head}\n    {item}")
        elif self.fmt == "github":
            self._out(format_github(d) + "\n")
        else:
            self._err(format_text(d, self._memo) + "\n")
        self._count += 1

    def close(self, files: int, errors: int, warnings: int) -> None:
        if self.fmt == "json":
            self._out('{\n  "diagnostics": [' if not self._count else "\n  ")
            self._out(f'],\n  "files": {files},\n  "errors": {errors},\n  "warnings": {warnings}\n}}\n')
        if self._flush is not None:
            self._flush()


def render(report: Report, fmt: str, files_checked: int = 0) -> str:
    """A whole report as :class:`Emitter` prints it, in position order (no trailing newline)."""
    parts: list[str] = []
    emit = Emitter(fmt, parts.append, parts.append)
    for d in report.sorted():
        emit(d)
    emit.close(files_checked, report.errors, report.warnings)
    return "".join(parts).rstrip("\n")
