"""One project through the build's pipeline: read → check → render into the staging folder.

A :class:`Worker` holds what is worth loading once per process: the loader (each _defaults.yaml is parsed
once) and the renderers (Jinja, the reference document). The executor runs one in the build's own process,
or one in each process of a :mod:`perfgen.build.pool` (:func:`start_pool_worker`, :func:`run_pool_jobs`); a
pool's workers get everything they need by pickling, so they work with any start method (``fork``, ``spawn``).

This module imports the checks and the renderers: the executor imports it only when there is something to
build, so that a no-op rebuild does not pay for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from perfgen.build.outputs import output_files
from perfgen.build.records import Entry, Job, Outcome
from perfgen.build.renderers import Renderers, template_diag
from perfgen.check.runner import check_file
from perfgen.diagnostics.report import Diagnostic, in_order
from perfgen.load.loader import FsReader, Loader
from perfgen.model import Project
from perfgen.render.html import TemplateError
from perfgen.render.layout import layout
from perfgen.render.view import project_form

if TYPE_CHECKING:
    from perfgen.build.plan import BuildOptions
    from perfgen.load.config import Config


class Worker:
    """Per-process state: the loader (parses each _defaults.yaml once) and the renderers (loaded once)."""

    def __init__(self, opts: BuildOptions, config: Config, staging: Path) -> None:
        self.opts, self.config, self.staging = opts, config, staging
        self.loader = Loader(FsReader(opts.root))
        self.renderers = Renderers(opts.root, opts.formats)
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
            outputs = self.render(project)
        except TemplateError as exc:
            failure = template_diag(self.opts.root, exc)
            if exc.costly:
                self.costly_failure = failure
            return Outcome(job.rel, in_order([*diags, failure]), None)
        return Outcome(job.rel, diags, Entry.of(job.rel, project, outputs, diags))

    def render(self, project: Project) -> dict[str, str]:
        """Every output of ``project``: each form laid out once, then drawn in each format."""
        outputs = output_files(project.output_stem, self.opts.kinds)
        html, docx = self.renderers.html, self.renderers.docx
        for form in self.opts.forms:
            lay = layout(form, project)
            for fmt in self.opts.formats:
                rel_out = outputs[fmt if form.id == self.opts.default_form else f"{form.id}/{fmt}"]
                if fmt == "html":
                    assert html is not None
                    data = html.render_project(project, project_form(project, lay))
                else:
                    assert docx is not None
                    data = docx.render(project, lay)
                self._write(rel_out, data)
        return outputs

    def _write(self, rel_out: str, data: bytes) -> None:
        target = self.staging / rel_out
        if target.parent not in self.made_dirs:  # the staging folder is private: plain writes suffice
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(target.parent)
        with open(target, "wb") as fh:
            fh.write(data)


# ---- the worker of each process in a pool -----------------------------------------------------------------

_pool_worker: Worker | None = None


def start_pool_worker(opts: BuildOptions, config: Config, staging: Path) -> None:
    """A pool process's initializer: its arguments arrive pickled (or inherited, under ``fork``)."""
    global _pool_worker
    _pool_worker = Worker(opts, config, staging)


def run_pool_jobs(jobs: list[Job]) -> list[Outcome]:
    assert _pool_worker is not None, "start_pool_worker runs first in every pool process"
    return [_pool_worker.run(job) for job in jobs]
