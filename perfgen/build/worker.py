"""One project through the build's pipeline: read → check → render into the staging folder.

A :class:`Worker` holds what is worth loading once per process: the loader (each _defaults.yaml is parsed
once) and the renderers (Jinja, the reference document). The executor runs one in the build's own process,
or one in each process of a :mod:`perfgen.build.pool` (:func:`start_pool_worker`, :func:`run_pool_jobs`); a
pool's workers get everything they need by pickling, so they work with any start method (``fork``, ``spawn``).

This module imports the checks and the renderers: the executor imports it only when there is something to
build, so that a no-op rebuild does not pay for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from perfgen.build.outputs import output_files
from perfgen.build.records import Entry, Job, Outcome
from perfgen.build.renderers import Renderers, template_diag
from perfgen.check.runner import check_file
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag, in_order
from perfgen.load.loader import FsReader, Loader
from perfgen.model import Project
from perfgen.render.html import TemplateError
from perfgen.render.layout import Layout, layout
from perfgen.score import Settings, use_settings

if TYPE_CHECKING:
    from perfgen.build.plan import BuildOptions
    from perfgen.load.config import Config

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


class Worker:
    """Per-process state: the loader (parses each _defaults.yaml once) and the renderers (loaded once)."""

    def __init__(self, opts: BuildOptions, config: Config, staging: Path) -> None:
        self.opts, self.config, self.staging = opts, config, staging
        self.loader = Loader(FsReader(opts.root))
        self.renderers = Renderers(opts.root, opts.formats, config.pdf_font)
        use_settings(Settings(config.scoring_rules))  # the year-end forms score as perfgen.yaml says
        self.made_dirs: set[Path] = set()
        self.costly_failure: Diagnostic | None = None

    def run(self, job: Job) -> Outcome:
        project, found = check_file(self.loader, job.rel, self.config)
        if self.renderers.setup_error is not None:
            found = [*found, self.renderers.setup_error]
        diags = in_order(found)
        if project is None or any(d.severity == "error" for d in diags):
            return Outcome(job.rel, diags, None)
        if self.costly_failure is not None:  # a template that ran out of time or space fails the same way again
            return Outcome(job.rel, in_order([*diags, self.costly_failure]), None)
        try:
            outputs, noted, stamps = self.render(project)
        except TemplateError as exc:
            failure = template_diag(self.opts.root, exc)
            if exc.costly:
                self.costly_failure = failure
            return Outcome(job.rel, in_order([*diags, failure]), None)
        if noted:
            diags = in_order([*diags, *noted])
        skipped = tuple(form.id for form in self.opts.forms if not form.fits(project))
        return Outcome(job.rel, diags, Entry.of(job.rel, project, outputs, diags, stamps), skipped)

    def render(self, project: Project) -> tuple[dict[str, str], list[Diagnostic], dict[str, tuple[int, int]]]:
        """Every output of ``project`` (each form laid out once, then drawn in each format), what drawing
        them found worth a warning (characters the PDF font cannot draw), and each staged file's size and mtime.
        A form needing data the project does not give (a self-evaluation without year-end data) is not built
        for it."""
        outputs = output_files(project.output_stem, self.opts.kinds)
        writers = self.renderers.writers
        noted: list[Diagnostic] = []
        stamps: dict[str, tuple[int, int]] = {}
        for form in self.opts.forms:
            if not form.fits(project):
                for fmt in self.opts.formats:
                    outputs.pop(fmt if form.id == self.opts.default_form else f"{form.id}/{fmt}", None)
                continue
            lay = layout(form, project)
            for fmt in self.opts.formats:
                kind = fmt if form.id == self.opts.default_form else f"{form.id}/{fmt}"
                stamps[kind] = self._write(outputs[kind], writers[fmt].render(project, lay))
                if fmt == "pdf" and (pdf := self.renderers.pdf) and not noted and (missing := pdf.missing_chars(lay)):
                    noted.append(diag(Pos(project.source), "PG034", "pdf.missing_glyph", severity="warning",
                                      chars=missing, font=pdf.font_name))
        return outputs, noted, stamps

    def combine(self, members: tuple[tuple[str, str], ...], form_id: str, fmt: str, rel_out: str, title: str) -> None:
        """A unit's combined document (build.combine): ``members`` read again, laid out on the form, in order."""
        form = next(f for f in self.opts.forms if f.id == form_id)

        def layouts() -> Iterator[Layout]:  # one at a time: a PDF streams them, the others hold one unit's
            for rel, _ in members:
                project, _diags = check_file(self.loader, rel, self.config)
                if project is not None and form.fits(project):  # built a moment ago without errors: always
                    yield layout(form, project)

        target = self._target(rel_out)
        with open(target, "wb") as fh:
            self.renderers.combined(fmt, layouts(), title, fh)

    def _target(self, rel_out: str) -> Path:
        target = self.staging / rel_out
        if target.parent not in self.made_dirs:  # the staging folder is private: plain writes suffice
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(target.parent)
        return target

    def _write(self, rel_out: str, data: bytes) -> tuple[int, int]:
        """Write a staged file; its size and mtime (kept when it is moved into place)."""
        fd = os.open(self._target(rel_out), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return st.st_size, st.st_mtime_ns


# ---- the worker of each process in a pool -----------------------------------------------------------------

_pool_worker: Worker | None = None


def start_pool_worker(opts: BuildOptions, config: Config, staging: Path) -> None:
    """A pool process's initializer: its arguments arrive pickled (or inherited, under ``fork``)."""
    global _pool_worker
    _pool_worker = Worker(opts, config, staging)


def run_pool_jobs(jobs: list[Job]) -> list[Outcome]:
    assert _pool_worker is not None, "start_pool_worker runs first in every pool process"
    return [_pool_worker.run(job) for job in jobs]
