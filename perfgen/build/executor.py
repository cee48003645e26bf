"""The build executor: runs the build's jobs in this process, or in a pool of worker processes.

    with Executor(opts, config, staging, len(todo)) as run:
        for outcome in run(todo):
            ...

A small build (fewer than :data:`SMALL_BUILD` projects, or ``-j 1``) runs in the build's own process: a
pool's start-up would cost more than it saves. A larger one runs in a process pool of ``opts.jobs``
processes, created when the ``with`` block is entered and closed when it is left. The pool's processes
are started with an explicit start method (:func:`start_method`): ``fork`` on Linux, the platform's
default (``spawn``) on Windows and macOS, or what ``opts.start_method`` or ``PERFGEN_START_METHOD`` asks
for. Every worker gets its options, settings and staging folder by pickling, so the bytes written are the
same with every start method.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from perfgen.build.plan import BuildOptions
from perfgen.build.records import Job, Outcome
from perfgen.load.config import Config

if TYPE_CHECKING:
    from perfgen.build.worker import Worker

SMALL_BUILD = 16  # fewer projects than this are not worth starting a process pool for
MAX_CHUNK = 64  # jobs sent to a pool process at a time, at most
IN_FLIGHT_PER_PROCESS = 4  # chunks submitted ahead per process: bounded, so memory does not grow with the build


def start_method(requested: str | None = None) -> str:
    """The start method of a build's worker processes: ``requested``, else the environment variable
    ``PERFGEN_START_METHOD`` (``spawn`` runs a Linux build as Windows would), else ``fork`` on Linux (cheap,
    and a build's process runs no other thread), else the platform's default (``spawn`` on Windows and macOS)."""
    if requested := requested or os.environ.get("PERFGEN_START_METHOD"):
        return requested
    if sys.platform.startswith("linux"):
        return "fork"
    return multiprocessing.get_start_method()


class Executor:
    """Runs jobs and yields their outcomes as they complete: serially, or in a pool made for one ``with`` block."""

    def __init__(self, opts: BuildOptions, config: Config, staging: Path, job_count: int) -> None:
        self.opts, self.config, self.staging, self.job_count = opts, config, staging, job_count
        self.processes = opts.jobs if job_count >= SMALL_BUILD else 1
        self._pool: ProcessPoolExecutor | None = None
        self._worker: Worker | None = None
        self._pool_task: Callable[[list[Job]], list[Outcome]] | None = None  # what each pool process runs

    def __enter__(self) -> Callable[[list[Job]], Iterator[Outcome]]:
        if self.job_count == 0:
            return self._run_here  # nothing to set up (a no-op rebuild imports no renderer)
        from perfgen.build import worker  # the checks and the renderers

        if self.processes == 1:
            self._worker = worker.Worker(self.opts, self.config, self.staging)
            return self._run_here
        context = multiprocessing.get_context(start_method(self.opts.start_method))
        self._pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=worker.start_pool_worker,
                                         initargs=(self.opts, self.config, self.staging))
        self._pool_task = worker.run_pool_jobs
        return self._run_in_pool

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)  # every process stopped before staging goes
            self._pool = None
        self._worker = None

    def _run_here(self, todo: list[Job]) -> Iterator[Outcome]:
        """In this process, one job after another."""
        for job in todo:
            assert self._worker is not None, "used inside its with block, with the job count it was given"
            yield self._worker.run(job)

    def _run_in_pool(self, todo: list[Job]) -> Iterator[Outcome]:
        """In the pool, in chunks: each chunk's outcomes in order, chunks in the order they complete."""
        assert self._pool is not None and self._pool_task is not None, "used inside its with block"
        size = max(1, min(MAX_CHUNK, len(todo) // (self.processes * 8) or 1))
        pending: set[Future[list[Outcome]]] = set()
        for start in range(0, len(todo), size):
            pending.add(self._pool.submit(self._pool_task, todo[start:start + size]))
            if len(pending) >= self.processes * IN_FLIGHT_PER_PROCESS:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        for future in pending:
            yield from future.result()
