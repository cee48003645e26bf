"""The incremental-build cache: what each goals file produced last time, keyed by everything it depends on.

Stored in ``<out>/.perfgen/``: ``cache.json`` holds every entry; ``journal.jsonl`` holds the entries
changed by later builds, one JSON line per build, so a one-file rebuild appends a line instead of
rewriting the whole cache. When the journal grows past a quarter of ``cache.json`` (or perfgen,
templates or settings change) the two are merged into a new ``cache.json``. Each file carries the
generation of the ``cache.json`` it belongs to, so a journal left over from an interrupted merge is
ignored, and a damaged line ends the journal there: a damaged cache only ever costs a rebuild.

An entry is reused only if its key (goals file, the _defaults.yaml files that reach it, templates,
settings, perfgen's own code) is unchanged and its outputs are still on disk as written (size and
mtime), so it can never serve a stale document.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .diagnostics import Diagnostic
from .fsutil import atomic_write
from .model import Pos, Project
from .resources import template_search_path

CACHE_DIR = ".perfgen"
CACHE_FILE = "cache.json"
JOURNAL_FILE = "journal.jsonl"
CACHE_VERSION = 3
Stamp = list[int]  # [size, mtime_ns]


@dataclass
class Entry:
    key: str
    outputs: dict[str, str]  # format -> output path relative to the output folder
    unit: str
    year: int
    name: str
    total: float
    fiscal: float
    other: float
    diags: list[list[Any]] = field(default_factory=list)  # as dumped by _dump_diag, the goals file elided
    stamps: dict[str, Stamp] = field(default_factory=dict)  # output -> [size, mtime_ns]
    sources: list[Stamp | None] = field(default_factory=list)  # per input (defaults chain, goals file)

    @classmethod
    def of(cls, rel: str, p: Project, key: str, outputs: dict[str, str], diags: list[Diagnostic],
           sources: list[Stamp | None]) -> Entry:
        """The entry for goals file ``rel`` (its diagnostics store their position without the file name)."""
        return cls(key, outputs, p.unit, p.year, p.name, p.funds.total, p.funds.fiscal, p.funds.other,
                   [_dump_diag(d, rel) for d in diags], sources=sources)

    def listing(self) -> tuple[Any, ...]:
        """What the index page shows of this project."""
        return (self.unit, self.year, self.name, self.total, self.fiscal, self.other, sorted(self.outputs.items()))

    def diagnostics(self, rel: str) -> list[Diagnostic]:
        return [_load_diag(d, rel) for d in self.diags]

    def stamp(self, out: Path) -> None:
        for rel_out in self.outputs.values():
            st = (out / rel_out).stat()
            self.stamps[rel_out] = [st.st_size, st.st_mtime_ns]

    def outputs_intact(self, out: Path) -> bool:
        base = str(out)
        for rel_out in self.outputs.values():
            try:
                st = os.stat(os.path.join(base, rel_out))
            except OSError:
                return False
            if self.stamps.get(rel_out) != [st.st_size, st.st_mtime_ns]:
                return False
        return True

    def dump(self) -> list[Any]:
        outputs = [[fmt, rel_out, *self.stamps.get(rel_out, [-1, -1])] for fmt, rel_out in self.outputs.items()]
        return [self.key, self.unit, self.year, self.name, self.total, self.fiscal, self.other, outputs,
                self.sources, self.diags]

    @classmethod
    def load(cls, raw: list[Any]) -> Entry:
        key, unit, year, name, total, fiscal, other, outputs, sources, diags = raw
        return cls(key, {fmt: rel_out for fmt, rel_out, _, _ in outputs}, unit, year, name, total, fiscal, other,
                   diags, {rel_out: [size, mtime] for _, rel_out, size, mtime in outputs}, sources)


def _dump_pos(p: Pos | None, rel: str) -> list[Any] | None:
    return None if p is None else [None if p.file == rel else p.file, p.line, p.col]


def _load_pos(raw: list[Any], rel: str) -> Pos:
    file, line, col = raw
    return Pos(rel if file is None else file, line, col)


def _dump_diag(d: Diagnostic, rel: str) -> list[Any]:
    return [_dump_pos(d.pos, rel), d.severity, d.code, d.key, [list(a) for a in d.args], _dump_pos(d.related, rel)]


def _load_diag(raw: list[Any], rel: str) -> Diagnostic:
    pos, severity, code, key, args, related = raw
    return Diagnostic(_load_pos(pos, rel), severity, code, key, tuple((k, v) for k, v in args),
                      _load_pos(related, rel) if related else None)


def _encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class Cache:
    entries: dict[str, Entry] = field(default_factory=dict)
    fingerprint: str = ""  # of perfgen, templates and settings when the entries were made
    generation: str = ""  # of the cache.json the entries were read from ("" if none)
    base_size: int = 0
    journal_size: int = 0
    changed: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, out: Path) -> Cache:
        folder = out / CACHE_DIR
        try:
            raw = (folder / CACHE_FILE).read_bytes()
            data = json.loads(raw)
            if data.get("version") != CACHE_VERSION:
                return cls()
            cache = cls({rel: Entry.load(e) for rel, e in data["entries"].items()}, str(data["fingerprint"]),
                        str(data["generation"]), len(raw))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()  # a missing or damaged cache only costs a full build
        cache._replay(folder / JOURNAL_FILE)
        return cache

    def _replay(self, path: Path) -> None:
        try:
            with open(path, "rb") as fh:
                for line in fh:
                    try:
                        change = json.loads(line)
                        if change["generation"] != self.generation:
                            return  # left over from before the last merge
                        updates = {rel: Entry.load(e) for rel, e in change["set"].items()}
                        dropped = [str(rel) for rel in change["drop"]]
                    except (ValueError, TypeError, KeyError, AttributeError):
                        return  # an interrupted append: what follows is rebuilt
                    self.entries.update(updates)
                    for rel in dropped:
                        self.entries.pop(rel, None)
                    self.journal_size += len(line)
        except OSError:
            return

    def put(self, rel: str, entry: Entry) -> None:
        self.entries[rel] = entry
        self.changed.add(rel)

    def drop(self, rel: str) -> Entry:
        self.changed.add(rel)
        return self.entries.pop(rel)

    def save(self, out: Path, fingerprint: str) -> None:
        """Record this build: append to the journal when that stays small, else write a new cache.json."""
        folder = out / CACHE_DIR
        if fingerprint == self.fingerprint and self.generation:
            line = _encode({"generation": self.generation,
                            "set": {r: self.entries[r].dump() for r in sorted(self.changed) if r in self.entries},
                            "drop": sorted(r for r in self.changed if r not in self.entries)}) + b"\n"
            if (self.journal_size + len(line)) * 4 <= self.base_size:
                with open(folder / JOURNAL_FILE, "ab") as fh:
                    fh.write(line)
                self.journal_size += len(line)
                self.changed.clear()
                return
        self.fingerprint = fingerprint
        self.generation = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        # Entry.dump() rather than asdict(): the fields are JSON-ready and asdict deep-copies (10x slower).
        data = _encode({"version": CACHE_VERSION, "fingerprint": fingerprint, "generation": self.generation,
                        "entries": {k: v.dump() for k, v in sorted(self.entries.items())}})
        atomic_write(folder / CACHE_FILE, data)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / JOURNAL_FILE)
        self.base_size, self.journal_size = len(data), 0
        self.changed.clear()


def _hash_tree(h: Any, folder: Path, suffixes: tuple[str, ...] | None = None) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (suffixes is None or path.suffix in suffixes) and "__pycache__" not in path.parts:
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def fingerprint(root: Path, config: Config, formats: tuple[str, ...]) -> str:
    """Everything outside the goals files that shapes the output."""
    # perfgen's own source is hashed below, which covers its version too (and an edited checkout).
    h = hashlib.sha256(f"{CACHE_VERSION}\0{','.join(formats)}\0{config.fingerprint()}".encode())
    _hash_tree(h, Path(__file__).resolve().parent, (".py",))
    for folder in template_search_path(root):
        _hash_tree(h, folder)
    return h.hexdigest()
