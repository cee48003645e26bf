"""``perfgen build``: validate, render every project to Word and HTML, write ``build/`` atomically.

Pipeline per project: read → check → render, done by workers (``-j``) into a staging folder inside the
output folder. Only when every project is valid are the staged files moved into place, so a failed run
leaves the previous build untouched. A cache keyed by the content of each goals file, the _defaults.yaml
files that reach it, the templates, the settings and perfgen itself skips projects whose inputs did not
change (incremental builds); ``--shard I/N`` builds a stable 1/N of the projects for CI job matrices.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from perfgen.build.cache import (
    CACHE_DIR,
    LOCK_TIMEOUT,
    RACY_NS,
    Cache,
    CacheBusy,
    Cached,
    CacheDamaged,
    CacheUnavailable,
    Reported,
    fingerprint,
)
from perfgen.build.commit import OutputLink, Swap, remove_empty_folders
from perfgen.build.worker import Job, Outcome, Prewarmed, Worker, WorkerGone, init_pool_worker, run_chunk, template_diag
from perfgen.check.runner import relative_paths
from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, Report, diag
from perfgen.fsutil import UnsafeFile, inside, private_dir, shown_path
from perfgen.load.config import Config
from perfgen.load.loader import GOALS_DIR, FsReader, Loader, ReadError, defaults_chain, output_escapes, output_stem
from perfgen.model import OUTPUT_FORMATS, IndexEntry, output_files
from perfgen.resources import template_search_path

Row = TypeVar("Row", Cached, Reported)
STAGING_PREFIX = ".perfgen-staging-"


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        i, _, n = text.partition("/")
        shard = cls(int(i), int(n))
        if not 1 <= shard.index <= shard.count:
            raise ValueError(text)
        return shard

    def owns(self, rel: str) -> bool:
        digest = hashlib.sha256(rel.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


@dataclass
class BuildOptions:
    root: Path
    out: Path
    paths: list[str] | None = None
    formats: tuple[str, ...] = OUTPUT_FORMATS
    jobs: int = 1
    shard: Shard | None = None
    force: bool = False
    strict: bool = False


@dataclass
class BuildResult:
    report: Report = field(default_factory=Report)
    files: int = 0
    built: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    ok: bool = False
    cache_discarded: bool = False  # the cache was found damaged, thrown away, and everything built again


class _Keys:
    """Cache keys: a hash of everything a project depends on.

    Like git's index, a file whose size and mtime are as recorded is not read again, so a no-op
    rebuild of ten thousand projects reads no goals file — unless the row was made with another
    global fingerprint (perfgen, templates, settings), or the file changed so recently that it could
    change again within the same mtime (it is then marked ``?`` and always read).
    """

    def __init__(self, root: Path, global_fp: str):
        self.root, self.global_fp = root, global_fp
        self.racy_after = time.time_ns() - RACY_NS
        self.reader = FsReader(root)
        self._defaults: dict[str, str] = {}  # stamp of each _defaults.yaml (shared by many projects)
        self._content: dict[str, bytes] = {}  # content of each _defaults.yaml

    def _stamp(self, rel: str) -> str:
        try:
            st = os.stat(os.path.join(self.root, rel))
        except OSError:
            return "-"
        return f"{st.st_size}:{st.st_mtime_ns}{'?' if st.st_mtime_ns >= self.racy_after else ''}"

    def stamps(self, rel: str) -> list[str]:
        """``size:mtime`` of each input, the defaults chain then ``rel`` (``-`` if absent)."""
        stamps = []
        for f in defaults_chain(rel):
            if f not in self._defaults:
                self._defaults[f] = self._stamp(f)
            stamps.append(self._defaults[f])
        stamps.append(self._stamp(rel))
        return stamps

    def key(self, rel: str, stamps: list[str], cached: Cached | None) -> str:
        sources = ";".join(stamps)
        if cached is not None and cached.fp == self.global_fp and cached.sources == sources and "?" not in sources:
            return cached.key
        h = hashlib.sha256(self.global_fp.encode())
        for f, stamp in zip((*defaults_chain(rel), rel), stamps, strict=True):
            if f in self._content:
                content = self._content[f]
            else:
                content = self._read(f) if stamp != "-" else b"\0missing"
                if f != rel:
                    self._content[f] = content  # goals files are read once; keep only the shared defaults
            h.update(f.encode() + b"\0" + content + b"\0")
        return h.hexdigest()

    def _read(self, rel: str) -> bytes:
        """The file's content for its key; what cannot be read is reported when the project is loaded."""
        try:
            return self.reader.read(rel) or b"\0missing"
        except (UnsafeFile, ReadError):
            return b"\0unreadable"


# ---- the build -----------------------------------------------------------------------------------------

def _chunks(items: list[Job], size: int) -> Iterator[list[Job]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


SMALL_BUILD = 16  # fewer projects than this are not worth starting a process pool for


def _execute(opts: BuildOptions, config: Config, staging: Path, todo: list[Job],
             progress: Callable[[int], None], warm: Prewarmed | None) -> Iterator[Outcome]:
    """Outcomes as they complete; bounded in-flight work so memory does not grow with the project count."""
    if not todo:
        return
    if warm is not None:  # only kept for a small build (see _build_with)
        finished = 0
        try:
            for outcome in warm.run(opts, config, staging, todo):
                yield outcome
                progress(1)
                finished += 1
            return
        except WorkerGone:
            todo = todo[finished:]  # killed from outside (e.g. out of memory): finish here
    if opts.jobs <= 1 or len(todo) < SMALL_BUILD:
        worker = Worker(opts, config, staging)
        for job in todo:
            yield worker.run(job)
            progress(1)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    size = max(1, min(64, len(todo) // (opts.jobs * 8) or 1))
    chunks = _chunks(todo, size)
    with ProcessPoolExecutor(opts.jobs, mp_context=ctx, initializer=init_pool_worker,
                             initargs=(opts, config, staging)) as pool:
        pending: set[Future[list[Outcome]]] = set()
        for chunk in chunks:
            pending.add(pool.submit(run_chunk, chunk))
            if len(pending) >= opts.jobs * 4:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield from fut.result()
                    progress(size)
        for fut in pending:
            yield from fut.result()
            progress(size)


def refused_out(root: Path, out: Path) -> str | None:
    """Why ``out`` must not be an output folder (a build writes, replaces and removes files there), or None.

    Refused: a file system root, and any folder that is, holds or lies inside the repository's ``goals/``
    or ``templates/`` (the build would publish or delete the sources it reads).
    """
    target = out.resolve()
    if target == Path(target.anchor):
        return i18n.text("这是文件系统的根目录", "it is the root of the file system")
    for name in (GOALS_DIR, "templates"):
        source = (root / name).resolve()
        if target == source or source in target.parents or target in source.parents:
            return i18n.text("它包含 {name}/，或在 {name}/ 之内", "it is, holds or lies inside {name}/", name=name)
    return None


def _discover(opts: BuildOptions) -> tuple[list[str], list[Diagnostic]]:
    loader = Loader(FsReader(opts.root))
    files, diags = loader.discover(relative_paths(opts.root, opts.paths))
    for rel in files:
        if (stem := output_escapes(rel)) is not None:
            diags.append(diag(Pos(rel), "PG008", "build.escape", path=stem))
    if opts.shard:
        files = [f for f in files if opts.shard.owns(f)]
    return files, diags


def build(opts: BuildOptions, config: Config, progress: Callable[[int, int], None] | None = None,
          sink: Callable[[Diagnostic], None] | None = None, warm: Prewarmed | None = None,
          waiting: Callable[[], None] | None = None) -> BuildResult:
    """Build; diagnostics go to ``sink`` as they are reported (in path order) or, without one, to the result.

    ``warm``: a worker the caller forked earlier (``perfgen build`` does so before reading its settings);
    the build closes it when done. ``waiting`` is called if another build of the same output folder is
    running and this one waits for it.
    """
    started = time.perf_counter()
    result = BuildResult(Report(sink=sink))
    try:
        files, diags = _discover(opts)
        result.files = len(files)
        result.report.extend(diags)
        if any(d.severity == "error" for d in diags):
            return result
        try:
            opts.out.mkdir(parents=True, exist_ok=True)
            if not opts.out.is_dir():  # e.g. a link to /dev/null
                raise NotADirectoryError(20, os.strerror(20), str(opts.out))
        except OSError as exc:
            result.report.extend([out_problem(opts, exc)])
            return result
        # A few projects to build (the usual edit) render in a child set up on another core meanwhile.
        if warm is None and opts.jobs > 1:
            warm = Prewarmed.start(opts.root, opts.formats)
        return _build(opts, config, progress, result, files, warm, waiting)
    finally:
        if warm is not None:
            warm.close()
        result.seconds = time.perf_counter() - started


def _build(opts: BuildOptions, config: Config, progress: Callable[[int, int], None] | None, result: BuildResult,
           files: list[str], warm: Prewarmed | None, waiting: Callable[[], None] | None) -> BuildResult:
    """Build with the output folder's cache; a cache found damaged on the way is discarded and the build run
    again from scratch (damage is found while the cache is read, before anything is reported or written)."""
    try:
        return _build_cached(opts, config, progress, result, files, warm, waiting)
    except sqlite3.DatabaseError:
        Cache.discard(opts.out)
        result.cache_discarded = True
    try:
        return _build_cached(opts, config, progress, result, files, None, waiting)
    except sqlite3.DatabaseError as exc:
        where = shown_path(opts.out / CACHE_DIR, opts.root)
        result.report.extend([diag(Pos(where), "PG032", "build.cache_unusable", reason=str(exc))])
        return result


def _build_cached(opts: BuildOptions, config: Config, progress: Callable[[int, int], None] | None,
                  result: BuildResult, files: list[str], warm: Prewarmed | None,
                  waiting: Callable[[], None] | None) -> BuildResult:
    try:
        if (opts.out / CACHE_DIR).is_symlink():
            raise OutputLink(opts.out / CACHE_DIR)
        cache = Cache.open(opts.out, waiting)
    except (CacheBusy, CacheUnavailable) as exc:
        shown = shown_path(exc.args[0], opts.root)
        if isinstance(exc, CacheBusy):
            problem = diag(Pos(shown), "PG031", "build.busy", seconds=int(LOCK_TIMEOUT))
        else:
            problem = diag(Pos(shown), "PG032", "build.cache_unusable", reason=exc.args[1])
        result.report.extend([problem])
        return result
    except OSError as exc:
        result.report.extend([out_problem(opts, exc)])
        return result
    staging = None
    try:
        remove_stale_staging(opts.out)  # this build holds the cache's lock: no other build is staging here
        staging = private_dir(opts.out, STAGING_PREFIX)
        return _build_with(cache, opts, config, progress, result, files, staging, warm)
    except OSError as exc:  # the output folder: read-only, full, a link inside it, ...
        result.report.extend([out_problem(opts, exc)])
        return result
    finally:
        if warm is not None:
            warm.close()  # before its staging folder goes
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        cache.close()  # rolls back unless the build committed; the next build of the folder may start


def out_problem(opts: BuildOptions, exc: OSError) -> Diagnostic:
    """PG032 for what went wrong in the output folder, at the path it went wrong with."""
    if isinstance(exc, OutputLink):
        return diag(Pos(shown_path(Path(exc.args[0]), opts.root)), "PG032", "build.out_link",
                    path=shown_path(Path(exc.args[0]), opts.root))
    where = Path(exc.filename) if isinstance(exc.filename, str) else opts.out
    if opts.out not in where.parents and where != opts.out:
        where = opts.out
    shown = shown_path(where, opts.root)
    return diag(Pos(shown), "PG032", "build.out_unusable", path=shown, reason=exc.strerror or str(exc))


def remove_stale_staging(out: Path) -> None:
    """Staging folders of builds that were killed (``kill -9``, a power cut) before they could clean up."""
    with os.scandir(out) as entries:
        stale = [e.path for e in entries if e.name.startswith(STAGING_PREFIX) and e.is_dir(follow_symlinks=False)]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)


def _aligned(files: list[str], rows: Iterator[Row],
             unmatched: Callable[[str], None] | None = None) -> Iterator[tuple[str, Row | None]]:
    """Each goals file with its cache row, if any: both lists are in path order, so one pass over each.

    ``unmatched`` is told of every row whose goals file is not in ``files``.
    """
    row = next(rows, None)
    for rel in files:
        while row is not None and row.rel < rel:
            if unmatched is not None:
                unmatched(row.rel)
            row = next(rows, None)
        if row is not None and row.rel == rel:
            yield rel, row
            row = next(rows, None)
        else:
            yield rel, None
    while row is not None:
        if unmatched is not None:
            unmatched(row.rel)
        row = next(rows, None)


def _classify(cache: Cache, opts: BuildOptions, keys: _Keys, files: list[str]) -> tuple[list[Job], list[str], int]:
    """The projects to build, the cached ones whose goals file is gone, and how many are fresh."""
    todo: list[Job] = []
    gone: list[str] = []
    fresh = 0
    out = os.path.join(opts.out, "")

    def unmatched(rel: str) -> None:
        if _is_stale(opts, rel):
            gone.append(rel)

    for rel, cached in _aligned(files, cache.rows(), unmatched):
        stamps = keys.stamps(rel)
        key = keys.key(rel, stamps, cached)
        sources = ";".join(stamps)
        if not opts.force and cached is not None and cached.key == key and cached.outputs_intact(out):
            fresh += 1
            if cached.sources != sources and "?" not in sources:
                cache.refresh(rel, sources)  # e.g. a fresh clone: same content, new mtimes
        else:
            todo.append(Job(rel, key, sources))
    return todo, gone, fresh


def _build_with(cache: Cache, opts: BuildOptions, config: Config, progress: Callable[[int, int], None] | None,
                result: BuildResult, files: list[str], staging: Path, warm: Prewarmed | None) -> BuildResult:
    global_fp = fingerprint(opts.root, config, opts.formats, cache)
    keys = _Keys(opts.root, global_fp)
    todo, gone, result.unchanged = _classify(cache, opts, keys, files)
    index_path = opts.out / "index.html"
    index_current = index_path.is_file() and cache.meta("index") == global_fp and not opts.force
    if todo or gone or not index_current:
        for _ in _linked_as_built(cache):  # the index may be written from these lines: any damage is found
            pass                           # now, before anything is reported
    if warm is not None and not 0 < len(todo) < SMALL_BUILD:
        warm.close()  # not needed: nothing to build, or enough for a process pool
        warm = None

    done = [0]

    def step(n: int) -> None:
        done[0] += n
        if progress:
            progress(min(done[0], len(todo)), len(todo))

    outcomes = _execute(opts, config, staging, todo, step, warm)
    index_changed = _collect(cache, files, todo, outcomes, result.report, global_fp) or bool(gone)
    if result.report.failed(opts.strict):
        return result  # nothing moved into place, the cache rolled back: the previous build stays as it was
    if not todo and not gone and index_current:
        cache.commit()  # refreshed stamps, a remembered code hash (nothing else changed)
        result.ok = True  # a no-op rebuild: the index and the cache already say all this
        return result
    dropped = [cache.drop(rel) for rel in gone]  # their outputs go once the new index is ready
    index_staged = None
    if index_changed or not index_current:
        index_staged = staging / "index.html"
        problem = _render_index(opts, cache, index_staged)
        if problem is not None:
            result.report.extend([problem])
            return result  # nothing removed or moved yet
        cache.set_meta("index", global_fp)
    swap = Swap(opts.out, staging)
    try:
        for job in todo:  # every one was built: a build with errors stopped above
            stamps = {fmt: swap.place(staging / rel_out, opts.out / rel_out)
                      for fmt, rel_out in output_files(output_stem(job.rel), opts.formats).items()}
            cache.stamp(job.rel, stamps)
            result.built += 1
        if index_staged is not None:
            swap.place(index_staged, index_path)
        removed = [opts.out / rel_out for outputs in dropped for rel_out in outputs]
        result.removed = sum(swap.remove(f) for f in removed if inside(opts.out, f))
        cache.commit()
    except BaseException:
        swap.rollback()  # every previous output back in place; the cache rolls back with it
        raise
    for folder in sorted({f.parent for f in removed}, reverse=True):
        remove_empty_folders(folder, opts.out)
    result.ok = True
    return result


def _collect(cache: Cache, files: list[str], todo: list[Job], outcomes: Iterator[Outcome], report: Report,
             global_fp: str) -> bool:
    """Store what was built and report every project's diagnostics, cached or new, in path order.

    Runs while the workers build: a project that is not ready yet is waited for when its turn comes,
    so every run prints the same lines in the same order as ``perfgen validate``. True if the index
    page changes.
    """
    index_changed = False
    waiting: dict[str, Outcome] = {}  # finished out of turn (a pool's chunks complete in any order)
    pending = iter(todo)
    job = next(pending, None)
    for rel, cached in _aligned(files, cache.reported()):
        if job is not None and job.rel == rel:
            built, job = job, next(pending, None)
            while rel not in waiting:
                outcome = next(outcomes, None)
                if outcome is None:
                    raise RuntimeError(f"no outcome for {rel}")
                waiting[outcome.rel] = outcome
            outcome = waiting.pop(rel)
            if outcome.entry is not None:
                index_changed = cache.put(rel, built.key, built.sources, global_fp, outcome.entry) or index_changed
            report.extend(outcome.diagnostics, own=rel, ordered=True)
        elif cached is not None:
            report.extend(cached.diagnostics(), own=rel, ordered=True)  # stored in_order
    for extra in outcomes:
        raise RuntimeError(f"unexpected outcome for {extra.rel}")
    return index_changed


def _is_stale(opts: BuildOptions, rel: str) -> bool:
    """A cached project whose goals file is gone (and that this run is responsible for)."""
    if opts.shard and not opts.shard.owns(rel):
        return False
    return not (opts.root / rel).is_file()


def _render_index(opts: BuildOptions, cache: Cache, target: Path) -> Diagnostic | None:
    """Write the index page to ``target``, streamed from the cache rows (sorted there, not in memory)."""
    from perfgen.render.html import HtmlRenderer, TemplateError

    try:
        HtmlRenderer(template_search_path(opts.root)).write_index(lambda: _linked_as_built(cache), target)
    except TemplateError as exc:
        return template_diag(opts.root, exc)
    return None


def _linked_as_built(cache: Cache) -> Iterator[IndexEntry]:
    """The cache's index lines, each link checked against where its goals file's outputs go: a cache file
    brought by a pull request (sealed again) cannot put any other link (``javascript:``, another site) on
    the index, even for rows a sharded build does not look at."""
    for entry in cache.index_entries():
        expected = output_files(output_stem(entry.source), OUTPUT_FORMATS)
        if entry.html_href not in (None, expected["html"]) or entry.docx_href not in (None, expected["docx"]):
            raise CacheDamaged(f"index line of {entry.source!r} links elsewhere")
        yield entry
