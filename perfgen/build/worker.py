"""One project through the build's pipeline (read → check → render), and the processes that run it.

A :class:`Worker` holds what is worth loading once per process: the loader (each _defaults.yaml is
parsed once) and the renderers (Jinja, the reference document). Large builds run workers in a process
pool (``build._execute``). Small ones — the one-file rebuild after an edit — run in a :class:`Prewarmed`
child, forked as soon as ``perfgen build`` starts so that importing and setting up the renderers happens
on a second core while the parent reads the settings and the cache and works out what changed. This
module's own imports are kept light for that reason: the child imports the heavy parts.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag, in_order
from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, read_regular, shown_path
from perfgen.model import Project, output_files
from perfgen.resources import find_template, template_search_path

if TYPE_CHECKING:
    from perfgen.build.cache import Entry
    from perfgen.build.pipeline import BuildOptions
    from perfgen.load.config import Config


@dataclass
class Job:
    rel: str
    key: str
    sources: str  # size:mtime of each input, recorded for the next run


@dataclass
class Outcome:
    rel: str
    diagnostics: list[Diagnostic]  # in report order (diagnostics.in_order)
    entry: Entry | None  # None: not built (errors)


class Renderers:
    """The HTML renderer and the Word writer for a goals repo (or the diagnostic that its reference is broken)."""

    def __init__(self, root: Path, formats: tuple[str, ...]) -> None:
        from perfgen.render.html import HtmlRenderer, TemplateError
        from perfgen.render.sandbox import linked_folder

        self.root, self.formats = root, formats
        self.template_error = TemplateError
        self.html = HtmlRenderer(template_search_path(root)) if "html" in formats else None
        self.docx: Any = None
        self.setup_error: Diagnostic | None = None
        if (target := linked_folder(root / "templates")) is not None:
            self.setup_error = diag(Pos("templates"), "PG030", "template.folder_link", target=target)
        elif "docx" in formats:
            self._load_reference()

    def prewarm(self) -> None:
        """Load the templates now (a prewarmed worker has time to spare before its first job)."""
        if self.html is not None:
            with contextlib.suppress(Exception):  # any problem is reported when a project is rendered
                self.html.prewarm()

    def _load_reference(self) -> None:
        from perfgen.render.docx import BadReference, DocxWriter

        path = find_template("reference.docx", self.root)
        try:  # a repository's own reference comes with the pull request: read it like any template
            self.docx = DocxWriter(path, read_regular(path, TEMPLATE_LIMIT, within=path.parent))
        except UnsafeFile as exc:
            why = {"outside": f"a link out of templates/ ({os.path.realpath(path)})",
                   "too_large": f"larger than {exc.limit} bytes"}.get(exc.why, f"not a regular file ({exc.kind})")
        except OSError as exc:
            why = exc.strerror or str(exc)
        except (BadReference, ValueError, KeyError, UnicodeDecodeError) as exc:
            why = str(exc) if isinstance(exc, BadReference) else f"{type(exc).__name__}: {exc}"
        else:
            return
        self.setup_error = diag(Pos(shown_path(path, self.root)), "PG030", "template.reference", why=why)


class Worker:
    """Per-process state: the loader (parses each _defaults.yaml once) and the renderers (loaded once)."""

    def __init__(self, opts: BuildOptions, config: Config, staging: Path, renderers: Renderers | None = None):
        from perfgen.check.runner import check_file
        from perfgen.load.loader import FsReader, Loader

        self.opts, self.config, self.staging = opts, config, staging
        self.check_file = check_file
        self.loader = Loader(FsReader(opts.root))
        if renderers is None or (renderers.root, renderers.formats) != (opts.root, opts.formats):
            renderers = Renderers(opts.root, opts.formats)
        self.template_error = renderers.template_error
        self.html, self.docx, self.setup_error = renderers.html, renderers.docx, renderers.setup_error
        self.made_dirs: set[Path] = set()
        self.costly_failure: Diagnostic | None = None

    def run(self, job: Job) -> Outcome:
        from perfgen.build.cache import Entry

        project, found = self.check_file(self.loader, job.rel, self.config)
        if self.setup_error is not None:
            found = [*found, self.setup_error]
        diags = in_order(found)
        if project is None or any(d.severity == "error" for d in diags):
            return Outcome(job.rel, diags, None)
        if self.costly_failure is not None:  # a template that ran out of time or space fails the same way again
            return Outcome(job.rel, in_order([*diags, self.costly_failure]), None)
        try:
            outputs = self.render(project)
        except self.template_error as exc:
            failure = template_diag(self.opts.root, exc)
            if exc.costly:
                self.costly_failure = failure
            return Outcome(job.rel, in_order([*diags, failure]), None)
        return Outcome(job.rel, diags, Entry.of(job.rel, project, outputs, diags))

    def render(self, project: Project) -> dict[str, str]:
        from perfgen.render.view import project_form

        form = project_form(project)  # laid out once for both writers
        outputs = output_files(project.rel, self.opts.formats)
        for fmt, rel_out in outputs.items():
            data = (self.html.render_project(project, form) if fmt == "html"  # type: ignore[union-attr]
                    else self.docx.render(project, form))
            target = self.staging / rel_out
            if target.parent not in self.made_dirs:  # the staging folder is private: plain writes suffice
                target.parent.mkdir(parents=True, exist_ok=True)
                self.made_dirs.add(target.parent)
            with open(target, "wb") as fh:
                fh.write(data)
        return outputs


def template_diag(root: Path, exc: Any) -> Diagnostic:
    """PG030 at the template file and line of a :class:`perfgen.render.html.TemplateError`."""
    where = "templates" if exc.file is None else shown_path(exc.file, root)
    pos = Pos(where, exc.line or 0, 1 if exc.line else 0)
    if exc.key is not None:
        return diag(pos, "PG030", exc.key, **exc.params)
    return diag(pos, "PG030", "template.error", detail=exc.message)


# ---- a process pool's workers ---------------------------------------------------------------------------

_worker: Worker | None = None


def init_pool_worker(opts: BuildOptions, config: Config, staging: Path) -> None:
    global _worker
    _worker = Worker(opts, config, staging)


def run_chunk(jobs: list[Job]) -> list[Outcome]:
    assert _worker is not None
    return [_worker.run(j) for j in jobs]


# ---- a worker forked ahead of time ------------------------------------------------------------------------

_speculative: Prewarmed | None = None


def _peek(args: list[str], short: str | None, long: str) -> str | None:
    """The value of option ``-j N`` / ``-jN`` / ``--jobs N`` / ``--jobs=N`` in ``args`` (the last one wins)."""
    value = None
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == long or (short is not None and a == short):
            value = args[i + 1] if i + 1 < len(args) else None
        elif a.startswith(long + "="):
            value = a[len(long) + 1:]
        elif short is not None and a.startswith(short) and len(a) > len(short) and not a.startswith("--"):
            value = a[len(short):]
    return value


def speculate(args: list[str]) -> None:
    """Fork the prewarmed worker for ``perfgen build ARGS`` now, if it will probably be wanted.

    Only the options that decide that are peeked at (``-j``, ``--format``); the build command takes the
    worker with :func:`take_speculative` and stops it if it is not needed after all.
    """
    global _speculative
    if any(a in ("-h", "--help") for a in args):
        return
    jobs = _peek(args, "-j", "--jobs")
    if jobs == "1" or (jobs is None and (os.cpu_count() or 1) < 2):
        return
    from perfgen.model import OUTPUT_FORMATS, parse_formats

    formats = parse_formats(_peek(args, None, "--format") or "") or OUTPUT_FORMATS
    _speculative = Prewarmed.start(Path.cwd(), formats)
    if _speculative is not None:
        import atexit

        atexit.register(_speculative.close)


def take_speculative() -> Prewarmed | None:
    """The worker :func:`speculate` forked, handed over once."""
    global _speculative
    warm, _speculative = _speculative, None
    return warm


class WorkerCrash(RuntimeError):
    """The prewarmed worker failed: a perfgen bug (its traceback is the message) or a killed process."""


class WorkerGone(WorkerCrash):
    """The prewarmed worker ended without a word (killed, out of memory): its jobs can be run elsewhere."""


class Prewarmed:
    """A child process that sets up a :class:`Worker` while the parent works out what to build.

    Only where ``fork`` exists (Linux) and the parent runs no other thread. Started with only the
    repo root and the formats, it imports and sets up everything a worker needs, then waits. The
    protocol is pickles over two pipes: the parent sends ``(options, settings, staging folder, jobs)``
    (``None``: no more), the child answers with one ``("outcome", Outcome)`` per job, in order, and
    ``("done", None)`` — or ``("crash", traceback)``.
    """

    def __init__(self, pid: int, send: BinaryIO, recv: BinaryIO) -> None:
        self.pid, self._send, self._recv = pid, send, recv
        self.used = self.closed = False

    @classmethod
    def start(cls, root: Path, formats: tuple[str, ...]) -> Prewarmed | None:
        threading = sys.modules.get("threading")  # not imported: no other thread can be running
        if not hasattr(os, "fork") or (threading is not None and threading.active_count() > 1):
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # a process limit, no memory: build without it
            for fd in (child_reads, parent_writes, parent_reads, child_writes):
                os.close(fd)
            return None
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(parent_writes)
                os.close(parent_reads)
                code = _serve(root, formats, os.fdopen(child_reads, "rb"), os.fdopen(child_writes, "wb"))
            finally:
                os._exit(code)
        os.close(child_reads)
        os.close(child_writes)
        return cls(pid, os.fdopen(parent_writes, "wb"), os.fdopen(parent_reads, "rb"))

    def run(self, opts: BuildOptions, config: Config, staging: Path, jobs: list[Job]) -> Iterator[Outcome]:
        import pickle

        self.used = True
        try:
            with contextlib.suppress(BrokenPipeError):  # it may have failed already: read why below
                pickle.dump((opts, config, staging, jobs), self._send, pickle.HIGHEST_PROTOCOL)
                self._send.flush()
            while True:
                kind, payload = pickle.load(self._recv)
                if kind == "done":
                    return
                if kind == "crash":
                    raise WorkerCrash(f"build worker failed:\n{payload}")
                yield payload
        except (EOFError, pickle.UnpicklingError) as exc:
            raise WorkerGone(f"build worker {self.pid} ended unexpectedly ({type(exc).__name__})") from exc

    def close(self) -> None:
        """Stop the child: ask it to end if it has worked, kill it if it was never needed."""
        if self.closed:
            return
        import pickle

        self.closed = True
        if not self.used:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 9)
        with contextlib.suppress(OSError):
            pickle.dump(None, self._send)
            self._send.close()
        with contextlib.suppress(OSError):
            self._recv.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(root: Path, formats: tuple[str, ...], recv: BinaryIO, send: BinaryIO) -> int:
    import pickle
    import traceback

    try:
        renderers = Renderers(root, formats)
        renderers.prewarm()
        from perfgen.build import cache  # noqa: F401  (imported now, while the parent works)
        from perfgen.check import domain, runner  # noqa: F401
        from perfgen.load.yamlnodes import warm_up

        warm_up()

        worker: Worker | None = None
        while (message := pickle.load(recv)) is not None:
            opts, config, staging, jobs = message
            if worker is None:
                worker = Worker(opts, config, staging, renderers)
            for job in jobs:
                pickle.dump(("outcome", worker.run(job)), send, pickle.HIGHEST_PROTOCOL)
            pickle.dump(("done", None), send)
            send.flush()
        return 0
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return 1  # the parent has gone or was interrupted
    except BaseException:
        with contextlib.suppress(OSError):
            pickle.dump(("crash", traceback.format_exc()), send)
            send.flush()
        return 1
