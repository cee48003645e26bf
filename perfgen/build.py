"""``perfgen build``: validate, render every project to Word and HTML, write ``build/`` atomically.

Pipeline per project: read → check → render, done by workers (``-j``) into a staging folder inside the
output folder. Only when every project is valid are the staged files moved into place, so a failed run
leaves the previous build untouched. A cache keyed by the content of each goals file, the _defaults.yaml
files that reach it, the templates, the settings and perfgen itself skips projects whose inputs did not
change (incremental builds); ``--shard I/N`` builds a stable 1/N of the projects for CI job matrices.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .buildcache import Cache, Entry, Stamp, fingerprint
from .buildworker import Job, Outcome, Prewarmed, Worker, init_pool_worker, run_chunk, template_diag
from .config import Config
from .diagnostics import Diagnostic, Report, diag
from .fsutil import inside, write_if_changed
from .loader import FsReader, Loader, defaults_chain, output_stem
from .model import Pos
from .resources import template_search_path
from .validate import relative_paths

FORMATS = ("docx", "html")
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
    formats: tuple[str, ...] = FORMATS
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


class _Keys:
    """Cache keys: a hash of everything a project depends on.

    Like git's index, a file whose size and mtime are as recorded is not read again, so a no-op
    rebuild of ten thousand projects reads no goals file. Any change of perfgen, templates or
    settings (the global fingerprint) makes every key be computed from content again.
    """

    def __init__(self, root: Path, global_fp: str, trust_stats: bool):
        self.root, self.global_fp, self.trust_stats = root, global_fp, trust_stats
        self.reader = FsReader(root)
        self._stats: dict[str, list[int] | None] = {}
        self._content: dict[str, bytes] = {}
        self._chains: dict[str, list[str]] = {}

    def _stat(self, rel: str) -> list[int] | None:
        if rel not in self._stats:
            try:
                st = os.stat(os.path.join(self.root, rel))
                self._stats[rel] = [st.st_size, st.st_mtime_ns]
            except OSError:
                self._stats[rel] = None
        return self._stats[rel]

    def inputs(self, rel: str) -> list[str]:
        folder = rel.rpartition("/")[0]
        if folder not in self._chains:
            self._chains[folder] = defaults_chain(rel)
        return [*self._chains[folder], rel]

    def sources(self, rel: str) -> list[Stamp | None]:
        return [self._stat(f) for f in self.inputs(rel)]

    def key(self, rel: str, entry: Entry | None) -> str:
        if self.trust_stats and entry is not None and entry.sources == self.sources(rel):
            return entry.key
        h = hashlib.sha256(self.global_fp.encode())
        for f in self.inputs(rel):
            if f not in self._content:
                self._content[f] = (self.reader.read(f) or b"\0missing") if self._stat(f) else b"\0missing"
            h.update(f.encode() + b"\0" + self._content[f] + b"\0")
        if rel in self._content and not rel.endswith("/_defaults.yaml"):
            del self._content[rel]  # goals files are read once; keep only the shared defaults
        return h.hexdigest()


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
    if warm is not None and len(todo) < SMALL_BUILD:
        for outcome in warm.run(todo):
            yield outcome
            progress(1)
        return
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


def _discover(opts: BuildOptions) -> tuple[list[str], list[Diagnostic]]:
    loader = Loader(FsReader(opts.root))
    files, diags = loader.discover(relative_paths(opts.root, opts.paths))
    for rel in files:
        stem = output_stem(rel)
        if not stem or stem.startswith("/") or ".." in stem.split("/"):  # it must stay inside --out
            diags.append(diag(Pos(rel), "PG008", "build.escape", path=stem))
    if opts.shard:
        files = [f for f in files if opts.shard.owns(f)]
    return files, diags


def build(opts: BuildOptions, config: Config, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    files, diags = _discover(opts)
    result.files = len(files)
    result.report.extend(diags)
    if any(d.severity == "error" for d in diags):
        return result
    opts.out.mkdir(parents=True, exist_ok=True)
    staging = opts.out / f"{STAGING_PREFIX}{os.getpid()}"
    # A few projects to build (the usual edit) render in a child set up on another core meanwhile.
    warm = Prewarmed.start(opts, config, staging) if opts.jobs > 1 else None
    try:
        return _build(opts, config, progress, result, files, staging, warm)
    finally:
        if warm is not None:
            warm.close()
        shutil.rmtree(staging, ignore_errors=True)
        result.seconds = time.perf_counter() - started


def _build(opts: BuildOptions, config: Config, progress: Callable[[int, int], None] | None, result: BuildResult,
           files: list[str], staging: Path, warm: Prewarmed | None) -> BuildResult:
    cache = Cache.load(opts.out)
    global_fp = fingerprint(opts.root, config, opts.formats)
    keys = _Keys(opts.root, global_fp, cache.fingerprint == global_fp)

    todo: list[Job] = []
    for rel in files:
        entry = cache.entries.get(rel)
        key = keys.key(rel, entry)
        if not opts.force and entry is not None and entry.key == key and entry.outputs_intact(opts.out):
            result.unchanged += 1
            result.report.extend(entry.diagnostics(rel))
        else:
            todo.append(Job(rel, key, keys.sources(rel)))
    if warm is not None and not 0 < len(todo) < SMALL_BUILD:
        warm.close()  # not needed: nothing to build, or enough for a process pool
        warm = None

    done = [0]

    def step(n: int) -> None:
        done[0] += n
        if progress:
            progress(min(done[0], len(todo)), len(todo))

    built: dict[str, Entry] = {}
    for outcome in _execute(opts, config, staging, todo, step, warm):
        result.report.extend(outcome.diagnostics)
        if outcome.entry is not None:
            built[outcome.rel] = outcome.entry
    if result.report.failed(opts.strict):
        return result  # nothing moved into place: the previous build stays as it was
    present = set(files)
    for rel in [r for r in cache.entries if r not in present and _is_stale(opts, r)]:
        result.removed += _remove_outputs(opts.out, cache.drop(rel))
    index_same = all(rel in cache.entries and cache.entries[rel].listing() == e.listing()
                     for rel, e in built.items())
    for rel, entry in built.items():
        cache.put(rel, entry)
    index_path = opts.out / "index.html"
    if not built and not result.removed and index_path.is_file():
        result.ok = True  # a no-op rebuild: the index and the cache already say all this
        return result
    index: bytes | None = None
    if not (index_same and not result.removed and index_path.is_file()):
        index, problem = _render_index(opts, cache)
        if problem is not None:
            result.report.extend([problem])
            return result
    for entry in built.values():
        for rel_out in entry.outputs.values():
            _promote(staging / rel_out, opts.out / rel_out)
        entry.stamp(opts.out)
    result.built = len(built)
    if index is not None:
        write_if_changed(index_path, index)
    cache.save(opts.out, global_fp)
    result.ok = True
    return result


def _promote(staged: Path, final: Path) -> None:
    """Move a staged file into place unless the old one is byte-identical (its mtime is then kept)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        if final.stat().st_size == staged.stat().st_size and final.read_bytes() == staged.read_bytes():
            return
    except FileNotFoundError:
        pass
    os.replace(staged, final)


def _is_stale(opts: BuildOptions, rel: str) -> bool:
    """A cached project whose goals file is gone (and that this run is responsible for)."""
    if opts.shard and not opts.shard.owns(rel):
        return False
    return not (opts.root / rel).is_file()


def _remove_outputs(out: Path, entry: Entry) -> int:
    removed = 0
    for rel_out in entry.outputs.values():
        target = out / rel_out
        if inside(out, target):
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
                removed += 1
            _prune_dirs(target.parent, out)
    return removed


def _prune_dirs(folder: Path, stop: Path) -> None:
    while folder != stop and inside(stop, folder):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _render_index(opts: BuildOptions, cache: Cache) -> tuple[bytes | None, Diagnostic | None]:
    from .render.html import HtmlRenderer, IndexEntry, TemplateError

    entries = [
        IndexEntry(unit=e.unit, year=e.year, name=e.name, total=e.total, fiscal=e.fiscal, other=e.other,
                   html_href=e.outputs.get("html"), docx_href=e.outputs.get("docx"), source=rel)
        for rel, e in sorted(cache.entries.items())
    ]
    try:
        return HtmlRenderer(template_search_path(opts.root)).render_index(entries), None
    except TemplateError as exc:
        return None, template_diag(opts.root, exc)


def is_tty_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")
