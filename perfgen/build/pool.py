"""A pool of worker processes for a large build, started with an explicit start method.

Every process runs :func:`perfgen.build.worker.start_pool_worker` first, with the build's options, settings
and staging folder, which it gets by pickling (or inherits, under ``fork``): nothing else is shared, so the
bytes written are the same with every start method. :mod:`perfgen.build.executor` imports this module only
when it makes a pool, so that smaller builds do not pay for importing :mod:`multiprocessing`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from perfgen.build import worker
from perfgen.build.plan import BuildOptions
from perfgen.build.records import Job, Outcome
from perfgen.load.config import Config

MAX_CHUNK = 64  # jobs sent to a process at a time, at most
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


class WorkerPool:
    """``processes`` worker processes, until :meth:`close`."""

    def __init__(self, opts: BuildOptions, config: Config, staging: Path, processes: int) -> None:
        self.processes = processes
        context = multiprocessing.get_context(start_method(opts.start_method))
        self._pool = ProcessPoolExecutor(processes, mp_context=context, initializer=worker.start_pool_worker,
                                         initargs=(opts, config, staging))

    def run(self, todo: list[Job]) -> Iterator[Outcome]:
        """The outcomes of ``todo``, sent in chunks: each chunk's in order, chunks in the order they complete."""
        size = max(1, min(MAX_CHUNK, len(todo) // (self.processes * 8) or 1))
        pending: set[Future[list[Outcome]]] = set()
        for start in range(0, len(todo), size):
            pending.add(self._pool.submit(worker.run_pool_jobs, todo[start:start + size]))
            if len(pending) >= self.processes * IN_FLIGHT_PER_PROCESS:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        for future in pending:
            yield from future.result()

    def close(self) -> None:
        """Stop every process (work not started yet is cancelled), before the staging folder goes."""
        self._pool.shutdown(wait=True, cancel_futures=True)
