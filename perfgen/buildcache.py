"""The incremental-build cache: what each goals file produced last time, keyed by everything it depends on.

Stored as ``<out>/.perfgen/cache.json``. An entry is reused only if its key (goals file, the
_defaults.yaml files that reach it, templates, settings, perfgen's own code) is unchanged and its
outputs are still on disk as written (size and mtime), so it can never serve a stale document.
"""

from __future__ import annotations

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
CACHE_VERSION = 2


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
    diags: list[list[Any]] = field(default_factory=list)
    stamps: dict[str, list[int]] = field(default_factory=dict)  # output -> [size, mtime_ns]
    sources: dict[str, list[int] | None] = field(default_factory=dict)  # input -> [size, mtime_ns]

    @classmethod
    def of(cls, p: Project, key: str, outputs: dict[str, str], diags: list[Diagnostic],
           sources: dict[str, list[int] | None]) -> Entry:
        return cls(key, outputs, p.unit, p.year, p.name, p.funds.total, p.funds.fiscal, p.funds.other,
                   [_dump_diag(d) for d in diags], sources=sources)

    def listing(self) -> tuple[Any, ...]:
        """What the index page shows of this project."""
        return (self.unit, self.year, self.name, self.total, self.fiscal, self.other, sorted(self.outputs.items()))

    def diagnostics(self) -> list[Diagnostic]:
        return [_load_diag(d) for d in self.diags]

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


def _dump_pos(p: Pos | None) -> list[Any] | None:
    return None if p is None else [p.file, p.line, p.col]


def _dump_diag(d: Diagnostic) -> list[Any]:
    return [_dump_pos(d.pos), d.severity, d.code, d.key, [list(a) for a in d.args], _dump_pos(d.related)]


def _load_diag(raw: list[Any]) -> Diagnostic:
    pos, severity, code, key, args, related = raw
    return Diagnostic(Pos(*pos), severity, code, key, tuple((k, v) for k, v in args),
                      Pos(*related) if related else None)


@dataclass
class Cache:
    entries: dict[str, Entry] = field(default_factory=dict)
    fingerprint: str = ""  # of perfgen, templates and settings when the entries were made

    @classmethod
    def load(cls, out: Path) -> Cache:
        try:
            data = json.loads((out / CACHE_DIR / CACHE_FILE).read_text(encoding="utf-8"))
            if data.get("version") != CACHE_VERSION:
                return cls()
            return cls({rel: Entry(**e) for rel, e in data["entries"].items()}, str(data.get("fingerprint", "")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()  # a missing or damaged cache only costs a full build

    def save(self, out: Path) -> None:
        # vars() rather than asdict(): the fields are JSON-ready and asdict deep-copies (10x slower).
        data = {"version": CACHE_VERSION, "fingerprint": self.fingerprint,
                "entries": {k: vars(v) for k, v in sorted(self.entries.items())}}
        atomic_write(out / CACHE_DIR / CACHE_FILE,
                     json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


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
