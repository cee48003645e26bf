"""``perfgen build``: validate, render every project to Word and HTML, write ``build/`` atomically.

Pipeline per project: read → check → render, done by the executor (in this process, or by ``-j`` worker
processes) into a staging folder inside the output folder. Only when every project is valid are the staged
files moved into place, so a failed run leaves the previous build untouched. A cache keyed by the content of
each goals file, the _defaults.yaml files that reach it, the templates, the settings and perfgen itself skips
projects whose inputs did not change (incremental builds); ``--shard I/N`` builds a stable 1/N of the
projects for CI job matrices.

    plan.discover → plan.classify (keys, cache) → executor (worker) → collect → index (touched units' pages and
    the index page) → commit.promote
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from perfgen.build import combine
from perfgen.build.assemble import NotAShard, merge_shards
from perfgen.build.cache import CACHE_DIR, LOCK_TIMEOUT, Cache, CacheBusy, CacheUnavailable
from perfgen.build.commit import OutputLink, make_staging, promote
from perfgen.build.executor import Executor
from perfgen.build.fingerprint import fingerprint
from perfgen.build.index import PAGE_META, Group, Pages, render_pages, unit_page_path
from perfgen.build.keys import SourceKeys
from perfgen.build.plan import BuildOptions, aligned, classify, discover
from perfgen.build.records import Job, Outcome
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, Report, diag
from perfgen.forms.choice import settle_forms
from perfgen.fsutil import shown_path
from perfgen.load.config import Config

Progress = Callable[[int, int], None]  # (projects done, projects to build)


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
    skipped: dict[str, int] = field(default_factory=dict)  # form ID -> projects built without it (no data for it)


def build(opts: BuildOptions, config: Config, progress: Progress | None = None,
          sink: Callable[[Diagnostic], None] | None = None, waiting: Callable[[], None] | None = None) -> BuildResult:
    """Build; diagnostics go to ``sink`` as they are reported (in path order) or, without one, to the result.

    ``waiting`` is called if another build of the same output folder is running and this one waits for it.
    """
    started = time.perf_counter()
    result = BuildResult(Report(sink=sink))
    if not opts.forms:  # the forms perfgen.yaml chooses (raises FormError for a broken or unknown one)
        opts = dataclasses.replace(opts, forms=settle_forms(opts.root, config), default_form=config.form)
    try:
        if opts.assemble and (problem := _assemble(opts)) is not None:
            result.report.extend([problem])
            return result
        files, diags = discover(opts)
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
        return _build(opts, config, progress, result, files, waiting)
    finally:
        result.seconds = time.perf_counter() - started


def _assemble(opts: BuildOptions) -> Diagnostic | None:
    """Move the shards' outputs and cache rows into the output folder (build.assemble); what went wrong."""
    try:
        merge_shards(opts.out, list(opts.assemble))
    except NotAShard as exc:
        shown = shown_path(Path(exc.args[0]), opts.root)
        return diag(Pos(shown), "PG035", "build.not_a_shard", path=shown)
    except (CacheBusy, CacheUnavailable, sqlite3.DatabaseError) as exc:
        return diag(Pos(shown_path(opts.out, opts.root)), "PG035", "build.shard_damaged",
                    path=shown_path(opts.out, opts.root), reason=str(exc.args[-1] if exc.args else exc))
    except OSError as exc:
        return out_problem(opts, exc)
    return None


def _build(opts: BuildOptions, config: Config, progress: Progress | None, result: BuildResult,
           files: list[str], waiting: Callable[[], None] | None) -> BuildResult:
    """Build with the output folder's cache; a cache found damaged on the way is discarded and the build run
    again from scratch (damage is found while the cache is read, before anything is reported or written)."""
    try:
        return _build_cached(opts, config, progress, result, files, waiting)
    except sqlite3.DatabaseError:
        Cache.discard(opts.out)
        result.cache_discarded = True
        result.report.restart()  # found while the listings were read: what was printed is not printed again
    try:
        return _build_cached(opts, config, progress, result, files, waiting)
    except sqlite3.DatabaseError as exc:
        where = shown_path(opts.out / CACHE_DIR, opts.root)
        result.report.extend([diag(Pos(where), "PG032", "build.cache_unusable", reason=str(exc))])
        return result


def _build_cached(opts: BuildOptions, config: Config, progress: Progress | None, result: BuildResult,
                  files: list[str], waiting: Callable[[], None] | None) -> BuildResult:
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
        staging = make_staging(opts.out)  # this build holds the cache's lock: no other build is staging here
        return _build_with(cache, opts, config, progress, result, files, staging)
    except OSError as exc:  # the output folder: read-only, full, a link inside it, ...
        result.report.extend([out_problem(opts, exc)])
        return result
    finally:
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


def _build_with(cache: Cache, opts: BuildOptions, config: Config, progress: Progress | None,
                result: BuildResult, files: list[str], staging: Path) -> BuildResult:
    global_fp = fingerprint(opts.root, config, opts.kinds, cache)
    todo, gone, result.unchanged = classify(cache, opts, SourceKeys(opts.root, global_fp), files)
    index_key = index_stamp(global_fp, opts)
    listed = (opts.out / "index.html").is_file() and cache.meta("index") == index_key and not opts.force
    touched: set[Group] = set(_missing_pages(cache, opts.out)) if listed else set()  # pages deleted by hand
    with Executor(opts, config, staging, len(todo)) as run:
        outcomes = _counted(run(todo), len(todo), progress)
        unwritten: list[str] = []
        _collect(cache, files, todo, outcomes, result, global_fp, unwritten, touched)
    if result.report.failed(opts.strict):
        return result  # nothing moved into place, the cache rolled back: the previous build stays as it was
    dropped: list[list[str]] = []
    for rel in gone:  # their outputs go once the new pages are ready
        outputs, group = cache.drop(rel)
        dropped.append(outputs)
        if group is not None:
            touched.add(group)
    dropped.append(unwritten)
    combined = combine.plan(cache, opts, global_fp)
    if not todo and not gone and listed and not touched and not combined.changes:
        cache.commit()  # refreshed stamps, a remembered code hash (nothing else changed)
        result.ok = True  # a no-op rebuild: the pages and the cache already say all this
        return result
    if combined.todo and (problem := combine.render(combined, opts, config, staging)) is not None:
        result.report.extend([problem])
        return result  # nothing removed or moved yet
    pages: Pages | None = None
    if touched or not listed:  # only the touched units' pages, and the index (all of them: not listed yet)
        made = render_pages(opts.root, cache, staging, touched if listed else None, combine.index_links(opts),
                            opts.formats)
        if not isinstance(made, Pages):
            result.report.extend([made])
            return result  # nothing removed or moved yet
        pages = made
        cache.set_meta("index", index_key)
    combine.record(cache, combined)
    dropped.append(combined.stale)
    extra = combine.paths(combined.todo)
    if pages is not None:
        extra.extend(pages.staged)
        dropped.append(pages.stale)
    result.removed = promote(opts.out, staging, cache, todo, opts.kinds,
                             None if pages is None else staging / "index.html", dropped, extra)
    result.built = len(todo)  # every one was built: a build with errors stopped above
    result.ok = True
    return result


def _missing_pages(cache: Cache, out: Path) -> Iterator[Group]:
    """The groups whose unit page the cache remembers but the output folder lacks (removed by hand)."""
    for path, text in cache.metas(PAGE_META).items():
        if not (out / path).is_file():
            try:
                unit, year = json.loads(text)[:2]
            except (ValueError, TypeError):
                continue  # the index page is written again, and reading the line reports the damage
            if isinstance(unit, str) and type(year) is int and unit_page_path(unit, year) == path:
                yield unit, year


def index_stamp(global_fp: str, opts: BuildOptions) -> str:
    """What the index page was made for: the build's fingerprint, and whether it links combined documents."""
    return f"{global_fp}+combined" if opts.combine and opts.shard is None else global_fp


def _counted(outcomes: Iterator[Outcome], total: int, progress: Progress | None) -> Iterator[Outcome]:
    """``outcomes``, telling ``progress`` of each as it arrives."""
    for done, outcome in enumerate(outcomes, 1):
        if progress:
            progress(done, total)
        yield outcome


def _collect(cache: Cache, files: list[str], todo: list[Job], outcomes: Iterator[Outcome], result: BuildResult,
             global_fp: str, unwritten: list[str], touched: set[Group]) -> None:
    """Store what was built and report every project's diagnostics, cached or new, in path order.

    Runs while the workers build: a project that is not ready yet is waited for when its turn comes,
    so every run prints the same lines in the same order as ``perfgen validate``. ``unwritten`` is given
    the files that built projects no longer write, ``touched`` the (unit, year) of each project whose line
    on its unit's page changed (the one it was listed under, and the one it is now).
    """
    report = result.report
    waiting: dict[str, Outcome] = {}  # finished out of turn (a pool's chunks complete in any order)
    pending = iter(todo)
    job = next(pending, None)
    for rel, cached in aligned(files, cache.reported()):
        if job is not None and job.rel == rel:
            built, job = job, next(pending, None)
            while rel not in waiting:
                outcome = next(outcomes, None)
                if outcome is None:
                    raise RuntimeError(f"no outcome for {rel}")
                waiting[outcome.rel] = outcome
            outcome = waiting.pop(rel)
            for form_id in outcome.skipped:
                result.skipped[form_id] = result.skipped.get(form_id, 0) + 1
            if outcome.entry is not None:
                changed, stale, before = cache.put(rel, built.key, built.sources, global_fp, outcome.entry)
                if changed:
                    touched.add((outcome.entry.index.unit, outcome.entry.index.year))
                    if before is not None:
                        touched.add(before)
                unwritten.extend(stale)
            report.extend(outcome.diagnostics, own=rel, ordered=True)
        elif cached is not None:
            report.extend(cached.diagnostics(), own=rel, ordered=True)  # stored in_order
    for extra in outcomes:
        raise RuntimeError(f"unexpected outcome for {extra.rel}")
