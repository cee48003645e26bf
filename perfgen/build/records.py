"""The build's records: a job for a worker, its outcome, and what one row of the build cache holds.

A :class:`Job` names a goals file to build with its cache key; the worker answers with an :class:`Outcome`,
whose :class:`Entry` (its line on the index and its diagnostics) the cache stores. :class:`Cached` is a row
as a build checks it for freshness; :class:`Reported` is a row's stored diagnostics. Diagnostics are stored
as JSON lists, with the goals file's own name elided. All of them pickle: they cross to worker processes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from perfgen.build.outputs import IndexEntry
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic
from perfgen.model import Project


@dataclass(slots=True)
class Job:
    rel: str  # the goals file
    key: str  # its cache key (keys.SourceKeys.key)
    sources: str  # size:mtime of each input, recorded for the next run


# A cache row's outputs column: "kind<US>path<US>size<US>mtime" per file, files separated by <RS> (size and
# mtime empty until stamped). Kinds and paths hold no control characters (discovery refuses such file names,
# form IDs are [a-z0-9-]), and splitting is several times cheaper than JSON for every row of every build.
_US, _RS = "\x1f", "\x1e"

Output = tuple[str, str, int | None, int | None]  # kind, path, size, mtime


def dump_outputs(items: list[Output]) -> str:
    return _RS.join(_US.join((kind, path, "" if size is None else str(size), "" if mtime is None else str(mtime)))
                    for kind, path, size, mtime in items)


def load_outputs(text: str) -> list[Output]:
    """The outputs column read back; ValueError if it is not one perfgen wrote."""
    items: list[Output] = []
    for item in text.split(_RS) if text else ():
        kind, path, size, mtime = item.split(_US)
        items.append((kind, path, int(size) if size else None, int(mtime) if mtime else None))
    return items


def index_entry(rel: str, unit: str, year: int, name: str, total: float, fiscal: float, other: float,
                outputs: str) -> IndexEntry:
    """An index line from a cache row's columns (``outputs``: its outputs column)."""
    files = tuple((kind, path) for kind, path, _, _ in load_outputs(outputs))
    return IndexEntry(unit, year, name, total, fiscal, other, files, rel)


@dataclass
class Entry:
    """What a worker reports for one goals file it built: its line on the index (which names the files
    it wrote) and its diagnostics, dumped in report order with the goals file's name elided."""

    index: IndexEntry
    diags: list[list[Any]] = field(default_factory=list)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (size, mtime) of the staged file

    @classmethod
    def of(cls, rel: str, p: Project, outputs: dict[str, str], diags: list[Diagnostic],
           stamps: dict[str, tuple[int, int]] | None = None) -> Entry:
        index = IndexEntry(p.unit, p.year, p.name, p.funds.total, p.funds.fiscal, p.funds.other,
                           tuple(outputs.items()), rel)
        return cls(index, [dump_diag(d, rel) for d in diags], stamps or {})


@dataclass
class Outcome:
    rel: str
    diagnostics: list[Diagnostic]  # in report order (diagnostics.report.in_order)
    entry: Entry | None  # None: not built (errors)
    skipped: tuple[str, ...] = ()  # forms not built for it: it lacks the data they need (self-evaluation …)


class Cached(NamedTuple):
    """One row as a build checks it: is it still fresh, and what did it report."""

    rel: str
    key: str
    fp: str
    sources: str
    outputs: tuple[tuple[str, int | None, int | None], ...]  # (path, size, mtime_ns) of each output written

    def outputs_intact(self, out: str) -> bool:
        """``out`` ends with a path separator."""
        for rel_out, size, mtime in self.outputs:
            try:
                st = os.stat(out + rel_out)
            except OSError:
                return False
            if st.st_size != size or st.st_mtime_ns != mtime:
                return False
        return True


class Reported(NamedTuple):
    """A row's diagnostics, as :meth:`Entry.of` stored them."""

    rel: str
    diags: str

    def diagnostics(self) -> list[Diagnostic]:
        return [load_diag(d, self.rel) for d in json.loads(self.diags)]


def _dump_pos(p: Pos | None, rel: str) -> list[Any] | None:
    return None if p is None else [None if p.file == rel else p.file, p.line, p.col]


def _load_pos(raw: list[Any], rel: str) -> Pos:
    file, line, col = raw
    return Pos(rel if file is None else file, line, col)


def dump_diag(d: Diagnostic, rel: str) -> list[Any]:
    return [_dump_pos(d.pos, rel), d.severity, d.code, d.key, [list(a) for a in d.args], _dump_pos(d.related, rel)]


def load_diag(raw: list[Any], rel: str) -> Diagnostic:
    pos, severity, code, key, args, related = raw
    return Diagnostic(_load_pos(pos, rel), severity, code, key, tuple((k, v) for k, v in args),
                      _load_pos(related, rel) if related else None)
