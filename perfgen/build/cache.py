"""The incremental-build cache: what each goals file produced last time, keyed by everything it depends on.

Stored as ``<out>/.perfgen/cache.sqlite`` (SQLite, from Python's standard library), one row per goals
file, so a build reads the rows one at a time in path order and a one-file rebuild rewrites one row:
neither time nor memory depends on loading the whole cache. A build's changes are one transaction,
committed after its outputs are in place; a failed build rolls back. A damaged or foreign file (one
SQLite cannot read, a row whose checksum does not match, a folder, FIFO or link standing in its place) is
:class:`CacheDamaged`: the build discards it and builds everything again, never a wrong document. Its
journal is kept in memory, so no other file beside it is perfgen's: whatever stands there is removed unread.

A row is reused only if its key (goals file, the _defaults.yaml files that reach it, templates,
settings, perfgen's own code) is unchanged and its outputs are still on disk as written (size and
mtime), so it can never serve a stale document.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import stat
import time
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from perfgen.build.outputs import IndexEntry
from perfgen.build.records import Cached, Entry, Output, Reported, dump_outputs, index_entry, load_outputs

CACHE_DIR = ".perfgen"
CACHE_FILE = "cache.sqlite"
SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's files beside a database; perfgen's cache makes none
CACHE_VERSION = 10
LOCK_TIMEOUT = 600.0  # seconds a build waits for another build of the same output folder
_LOCK_POLL = 0.2  # seconds between two tries (short, so Ctrl-C works while waiting)
RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same mtime: not trusted

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    rel TEXT PRIMARY KEY,           -- the goals file, relative to the repo root
    key TEXT NOT NULL,              -- hash of everything the outputs depend on
    fp TEXT NOT NULL,               -- the fingerprint (perfgen, templates, settings) the key was made with
    sources TEXT NOT NULL,          -- size:mtime of each input when the key was computed
    unit TEXT NOT NULL, year INTEGER NOT NULL, name TEXT NOT NULL,
    total REAL NOT NULL, fiscal REAL NOT NULL, other REAL NOT NULL,
    outputs TEXT NOT NULL,          -- kind, path, size, mtime of every file written (records.dump_outputs)
    diags TEXT,                     -- JSON, NULL when there are none
    -- checksums, so that damage SQLite cannot see is found: one per group of columns read together
    seal_state TEXT NOT NULL, seal_list TEXT NOT NULL, seal_diag TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS by_group ON entries (unit, year, rel);  -- a unit's page reads its year's rows
"""
_COLUMNS = "rel, key, fp, sources, unit, year, name, total, fiscal, other, outputs, diags"
_WIDTH = 12  # the columns above (a row, less its seals)
_OUT = 10  # the outputs column in such a row
# The groups a build reads together, each with its seal: what decides freshness, the index line, diagnostics.
_STATE = "SELECT rel, key, fp, sources, outputs, seal_state, diags, seal_diag FROM entries"
_LIST = "SELECT rel, unit, year, name, total, fiscal, other, outputs, seal_list FROM entries"
_ROW = f"SELECT {_COLUMNS}, seal_state, seal_list, seal_diag FROM entries"


class CacheDamaged(sqlite3.DatabaseError):
    """The cache cannot be trusted: a row whose checksum does not match its columns (the file was changed
    behind perfgen's back), a file SQLite finds damaged, or something other than a file in its place."""


@cache
def _layout(width: int) -> str:
    return "\x1f".join(["%s"] * width)


def _seal(values: tuple[Any, ...]) -> str:
    """The checksum of some columns: CRC-32 of their text. It finds damage, not forgery (whoever can write
    the file can seal it again), and it runs for every row of every build, so it is the cheapest one."""
    return format(zlib.crc32((_layout(len(values)) % values).encode("utf-8", "surrogatepass")), "08x")


def _checked(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``row`` (one group's columns then its seal) without the seal, if the seal matches."""
    body = row[:-1]
    if _seal(body) != row[-1]:
        raise CacheDamaged(f"row checksum mismatch: {body[0]!r}")
    return body


def _groups(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The state, listing and diagnostics groups of a whole row (in ``_COLUMNS`` order)."""
    return row[:4] + row[_OUT:_OUT + 1], row[:1] + row[4:_OUT + 1], (row[0], row[-1])


def _outputs(text: str) -> list[Output]:
    """A row's outputs column: (kind, path, size, mtime) of each file (size and mtime None until stamped)."""
    try:
        return load_outputs(text)
    except (ValueError, AttributeError) as exc:
        raise CacheDamaged("outputs column") from exc


class CacheBusy(Exception):
    """Another build of the same output folder held the cache for longer than :data:`LOCK_TIMEOUT`."""


class CacheUnavailable(Exception):
    """The cache file cannot be used (args: its path, the reason): a read-only folder, a full disk, ..."""


def _busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _damaged(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))


def _remove(path: Path) -> None:
    """Remove whatever stands at ``path`` (a file, a link, a FIFO, a folder and its content), if anything;
    a link is removed itself, never followed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)  # does not follow links inside it
    else:
        path.unlink()


class Cache:
    """The cache of one output folder; changes stay in a transaction until :meth:`commit`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    @classmethod
    def open(cls, out: Path, on_wait: Callable[[], None] | None = None) -> Cache:
        """The cache of ``out``, locked for this build: another build of the same folder waits its turn.

        ``on_wait`` is called once if this build has to wait. Raises :class:`CacheBusy` after
        :data:`LOCK_TIMEOUT` seconds, :class:`CacheUnavailable` if the file cannot be used at all (a
        read-only folder, a full disk), :class:`CacheDamaged` if it is damaged or not a file (the build
        then calls :meth:`discard` and starts afresh).
        """
        folder = out / CACHE_DIR
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISDIR(os.lstat(folder).st_mode) and not folder.is_symlink():  # the build refuses a link
                raise CacheDamaged(f"not a folder: {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / CACHE_FILE
        try:
            for side in SIDE_FILES:  # not perfgen's (see the module's docstring): never read or written through
                _remove(path.with_name(path.name + side))
        except OSError as exc:
            raise CacheUnavailable(path, exc.strerror or str(exc)) from exc
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(os.lstat(path).st_mode):  # a folder, a FIFO (SQLite would wait), a link
                raise CacheDamaged(f"not a regular file: {path}")
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                return cls._connect(path)
            except sqlite3.Error as exc:
                if _busy(exc):
                    if time.monotonic() > deadline:
                        raise CacheBusy(path) from exc
                    if on_wait is not None:
                        on_wait()
                        on_wait = None
                    time.sleep(_LOCK_POLL)
                elif isinstance(exc, CacheDamaged):
                    raise
                elif _damaged(exc):
                    raise CacheDamaged(str(exc)) from exc
                else:
                    raise CacheUnavailable(path, str(exc)) from exc

    @staticmethod
    def discard(out: Path) -> None:
        """Delete the cache of ``out`` (found damaged; closed), whatever stands in its place: the next
        :meth:`open` starts afresh. What cannot be deleted is left for that :meth:`open` to report."""
        folder = out / CACHE_DIR
        if folder.is_symlink():
            return  # the build refuses it before anything is read or written through it
        if not folder.is_dir():
            with contextlib.suppress(OSError):
                _remove(folder)
            return
        for name in (CACHE_FILE, *(CACHE_FILE + side for side in SIDE_FILES)):
            with contextlib.suppress(OSError):
                _remove(folder / name)

    @classmethod
    def _connect(cls, path: Path) -> Cache:
        db = sqlite3.connect(path, timeout=_LOCK_POLL, isolation_level=None)  # transactions are explicit
        try:
            # A cache, not a record: no fsync and an in-memory rollback journal. A crash mid-commit can
            # damage the file; the check below then finds it and the next build starts afresh.
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA journal_mode = MEMORY")
            db.execute("BEGIN IMMEDIATE")  # the write lock, held until close: builds of one folder take turns
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CacheDamaged("quick_check")
            if db.execute("PRAGMA user_version").fetchone()[0] not in (0, CACHE_VERSION):
                db.execute("DROP TABLE IF EXISTS meta")
                db.execute("DROP TABLE IF EXISTS entries")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
        except BaseException:
            db.close()
            raise
        return cls(db)

    def rows(self) -> Iterator[Cached]:
        """Every row, in path order (the order :meth:`Loader.discover` lists goals files in).

        Read a page at a time, so the caller may :meth:`put` rows between two reads.
        """
        for row in self._pages(f"{_STATE} WHERE rel > ? ORDER BY rel LIMIT 512"):
            # The diagnostics' seal too: they are printed later, and damage must be found before anything is.
            rel, key, fp, sources, outputs = _checked(row[:-2])
            _checked((rel, *row[-2:]))
            written = tuple((path, size, mtime) for _, path, size, mtime in _outputs(outputs))
            yield Cached(rel, key, fp, sources, written)

    def reported(self) -> Iterator[Reported]:
        """The rows with diagnostics, in path order, read a page at a time like :meth:`rows`.

        Their seals are not checked again: a build reads :meth:`rows` first, in the same transaction.
        """
        yield from (Reported(*row) for row in self._pages(
            "SELECT rel, diags FROM entries WHERE rel > ? AND diags IS NOT NULL ORDER BY rel LIMIT 512"))

    def _pages(self, query: str) -> Iterator[tuple[Any, ...]]:
        last = ""
        while page := self.db.execute(query, (last,)).fetchall():
            yield from page
            last = page[-1][0]

    def put(self, rel: str, key: str, sources: str, fingerprint: str,
            entry: Entry) -> tuple[bool, list[str], tuple[str, int] | None]:
        """Store a built project (with the stamps of its staged outputs; :meth:`stamp` corrects those that
        were not moved into place, the output folder holding the same bytes already): whether its index line changed,
        the files it had before and does not write now (another form or format chosen), and the (unit, year)
        it was listed under before (None: it is new)."""
        old = self._row(rel)
        e = entry.index
        stamps = entry.stamps  # a staged file keeps its size and mtime when it is moved into place
        outputs = dump_outputs([(kind, path, *stamps.get(kind, (None, None))) for kind, path in e.files])
        self._write((rel, key, fingerprint, sources, e.unit, e.year, e.name, e.total, e.fiscal, e.other,
                     outputs, json.dumps(entry.diags, ensure_ascii=False) if entry.diags else None))
        if old is None:
            return True, [], None
        before = index_entry(rel, *old[4:_OUT + 1])
        kept = set(e.outputs.values())
        return before != e, [path for _, path in before.files if path not in kept], (before.unit, before.year)

    def stamp(self, rel: str, stamps: dict[str, os.stat_result]) -> None:
        """Record the size and mtime of ``rel``'s outputs (kind -> their stat) as they now are on disk."""
        row = list(self._row(rel) or ())
        outputs = [(kind, path, st.st_size, st.st_mtime_ns) if (st := stamps.get(kind)) is not None else
                   (kind, path, size, mtime) for kind, path, size, mtime in _outputs(row[_OUT])]
        row[_OUT] = dump_outputs(outputs)
        self._write(tuple(row))

    def _row(self, rel: str) -> tuple[Any, ...] | None:
        """The whole row of ``rel`` (every seal checked), or None."""
        row = self.db.execute(f"{_ROW} WHERE rel = ?", (rel,)).fetchone()
        if row is None:
            return None
        body = row[:_WIDTH]
        for group, seal in zip(_groups(body), row[_WIDTH:], strict=True):
            _checked((*group, seal))
        return body

    def _write(self, row: tuple[Any, ...]) -> None:
        assert len(row) == _WIDTH
        seals = [_seal(group) for group in _groups(row)]
        self.db.execute(f"INSERT OR REPLACE INTO entries ({_COLUMNS}, seal_state, seal_list, seal_diag) "
                        f"VALUES ({', '.join('?' * (_WIDTH + 3))})", (*row, *seals))

    def drop(self, rel: str) -> tuple[list[str], tuple[str, int] | None]:
        """Forget ``rel``; the outputs it had and the (unit, year) it was listed under."""
        row = self._row(rel)
        self.db.execute("DELETE FROM entries WHERE rel = ?", (rel,))
        if row is None:
            return [], None
        return [path for _, path, _, _ in _outputs(row[_OUT])], (row[4], row[5])

    def index_entries(self) -> Iterator[IndexEntry]:
        """Every project as the index lists it: by unit, newest year first, then in goals-file order (the order
        people number their files in: 01-…, 02-…; names sorted by code point would scramble Chinese)."""
        for row in self.db.execute(f"{_LIST} ORDER BY unit, year DESC, rel"):
            yield index_entry(*_checked(row))

    def group_entries(self, unit: str, year: int) -> Iterator[IndexEntry]:
        """The projects of one unit's year as its page lists them, in goals-file order."""
        for row in self.db.execute(f"{_LIST} WHERE unit = ? AND year = ? ORDER BY rel", (unit, year)).fetchall():
            yield index_entry(*_checked(row))

    def whole_rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row's columns (less the seals, each checked), in path order: what a shard hands on."""
        for rel, in self.db.execute("SELECT rel FROM entries ORDER BY rel").fetchall():
            row = self._row(rel)
            if row is not None:
                yield row

    def outputs_of(self, row: tuple[Any, ...]) -> list[tuple[str, str]]:
        """(kind, path) of each output a row (:meth:`whole_rows`) records."""
        return [(kind, path) for kind, path, _, _ in _outputs(row[_OUT])]

    def adopt(self, row: tuple[Any, ...]) -> None:
        """Store a row another output folder's cache made (an assembled shard's), sealed again here."""
        self._write(tuple(row))

    def members(self) -> Iterator[tuple[str, str, str, int]]:
        """(goals file, key, unit, year) of every row, in path order (both groups' seals checked)."""
        query = ("SELECT rel, key, fp, sources, outputs, seal_state, rel, unit, year, name, total, fiscal, other, "
                 "outputs, seal_list FROM entries WHERE rel > ? ORDER BY rel LIMIT 512")
        for row in self._pages(query):
            rel, key = _checked(row[:6])[:2]
            unit, year = _checked(row[6:])[1:3]
            yield rel, key, unit, year

    def metas(self, prefix: str) -> dict[str, str]:
        """The meta values whose names start with ``prefix``, by name less the prefix."""
        rows = self.db.execute("SELECT name, value FROM meta WHERE substr(name, 1, ?) = ? ORDER BY name",
                               (len(prefix), prefix))
        return {name[len(prefix):]: value for name, value in rows}

    def drop_meta(self, name: str) -> None:
        self.db.execute("DELETE FROM meta WHERE name = ?", (name,))

    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def remembered(self, stats: str) -> str | None:
        """The content hash of perfgen's code and templates, if their sizes and mtimes are still ``stats``."""
        return self.meta(f"code:{stats}")

    def refresh(self, rel: str, sources: str) -> None:
        """Record new size/mtime stamps for a row whose inputs turned out unchanged (like ``git update-index
        --refresh``), so that the next build trusts them instead of reading the files again."""
        row = self._row(rel)
        if row is not None:
            self._write((*row[:3], sources, *row[4:]))

    def remember(self, stats: str, code: str) -> None:
        self.db.execute("DELETE FROM meta WHERE name LIKE 'code:%'")
        self.set_meta(f"code:{stats}", code)

    def commit(self) -> None:
        """Make this build's changes permanent (and let the next build of the folder go ahead)."""
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close; whatever was not committed is rolled back."""
        with contextlib.suppress(sqlite3.Error):
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        self.db.close()
