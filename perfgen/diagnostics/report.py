"""Errors are data: a diagnostic is a position, a severity, a stable code, a message and a hint.

Messages are looked up in :mod:`perfgen.diagnostics.i18n` when printed, so one run can report in Chinese or English.

Text from a goals repository (keys, values, file names) is printed with its control characters escaped
(:func:`printable`): a key like ``"\\e]0;PWNED\\a"`` or a file name holding ``ESC [ 31 m`` cannot drive the
terminal or CI log that shows the report, nor forge a line of it.
"""

from __future__ import annotations

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


# Where a diagnostic about no file in particular points (git is missing, a revision does not exist): a text
# report names the program instead, as compilers do (``perfgen: error[PG072]: …``).
NO_FILE = Pos("")
PROGRAM = "perfgen"


def where(pos: Pos) -> str:
    """``file:line:col`` as a report prints it (the file name escaped by :func:`printable`); ``perfgen`` for
    :data:`NO_FILE`."""
    return printable(str(pos)) if pos.file else PROGRAM


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
    """A failure that is the user's input, not perfgen's bug, told as diagnostics.

    Every such failure derives from this class (a bad perfgen.yaml, git, ``perfgen init``'s files, the two
    sides of ``perfgen diff``); the command line reports it in one place, through the command's reporter,
    and exits 1 — or 2 with ``usage``: the command line asked for what cannot be done (a revision that does
    not exist, a folder compared with a file). ``files_checked``: set when the failure stops a run that
    counts the files it checked (perfgen.yaml is read before any goals file: 0); a text report then ends
    with its usual count line.
    """

    def __init__(self, diagnostics: list[Diagnostic], *, usage: bool = False, files_checked: int | None = None):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics
        self.usage = usage
        self.files_checked = files_checked


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
    _sent: int = field(default=0, init=False, repr=False)  # diagnostics given to the sink
    _replay: int = field(default=0, init=False, repr=False)  # of those, how many a restarted run will repeat

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
                if self._replay:
                    self._replay -= 1  # printed by the run that was restarted, in the same order
                else:
                    self.sink(d)
                self._sent += 1
            else:
                self.diagnostics.append(d)

    def restart(self) -> None:
        """Start counting again for a run done over (a build whose cache was found damaged on the way): what
        the sink was given already is not given again, as the new run reports the same diagnostics in the
        same order."""
        self.diagnostics.clear()
        self._seen.clear()
        self.errors = self.warnings = 0
        self._replay, self._sent = self._sent, 0

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=order_key)
