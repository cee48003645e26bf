"""The build executor: runs the build's jobs in this process, or in a pool of worker processes.

    with Executor(opts, config, staging, len(todo)) as run:
        for outcome in run(todo):
            ...

A small build (fewer than :data:`SMALL_BUILD` projects, or ``-j 1``) runs in the build's own process: a
pool's start-up would cost more than it saves. A larger one runs in a :class:`perfgen.build.pool.WorkerPool`
of ``opts.jobs`` processes, made when the ``with`` block is entered and closed when it is left. Its
processes are started with an explicit start method (:func:`perfgen.build.pool.start_method`): ``fork`` on
Linux, the platform's default (``spawn``) on Windows and macOS, or what ``opts.start_method`` or the
environment variable ``PERFGEN_START_METHOD`` asks for; the bytes written are the same with every one.

The worker (the checks and the renderers) and the pool (:mod:`multiprocessing`) are imported only when they
are needed, so that a no-op rebuild pays for neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from perfgen.build.plan import BuildOptions
from perfgen.build.records import Job, Outcome
from perfgen.load.config import Config

if TYPE_CHECKING:
    from perfgen.build.pool import WorkerPool
    from perfgen.build.worker import Worker

SMALL_BUILD = 16  # fewer projects than this are not worth starting a process pool for


class Executor:
    """Runs jobs and yields their outcomes as they complete: serially, or in a pool made for one ``with`` block."""

    def __init__(self, opts: BuildOptions, config: Config, staging: Path, job_count: int) -> None:
        self.opts, self.config, self.staging, self.job_count = opts, config, staging, job_count
        self.processes = opts.jobs if job_count >= SMALL_BUILD else 1
        self._worker: Worker | None = None
        self._pool: WorkerPool | None = None

    def __enter__(self) -> Callable[[list[Job]], Iterator[Outcome]]:
        if self.job_count == 0:
            return self._run_here  # nothing to set up
        if self.processes == 1:
            from perfgen.build.worker import Worker

            self._worker = Worker(self.opts, self.config, self.staging)
            return self._run_here
        from perfgen.build.pool import WorkerPool

        self._pool = WorkerPool(self.opts, self.config, self.staging, self.processes)
        return self._pool.run

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.close()  # every process stopped before the staging folder goes
            self._pool = None
        self._worker = None

    def _run_here(self, todo: list[Job]) -> Iterator[Outcome]:
        """In this process, one job after another."""
        for job in todo:
            assert self._worker is not None, "used inside its with block, with the job count it was given"
            yield self._worker.run(job)
