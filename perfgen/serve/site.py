"""One build round of ``perfgen serve``: the repository built into the preview's folder, and what it found.

The build writes nothing while any goals file has errors (perfgen.build.pipeline), but a preview must go on
showing the files that are fine. So a round builds everything; when that fails because of some goals files
(an error in the file, or in a ``_defaults.yaml`` that reaches it), it builds again without them. Their last
good pages stay in the folder (a build given paths leaves the other projects' outputs alone), and the
server shows their errors over those pages, or in place of a page never built (:mod:`.pages`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from perfgen.build.outputs import DEFAULT_FORMATS, output_path
from perfgen.build.pipeline import build
from perfgen.build.plan import BuildOptions, discover
from perfgen.diagnostics.report import Diagnostic, PerfgenError, in_order
from perfgen.forms.choice import settle_forms
from perfgen.load.config import load_config
from perfgen.load.loader import GOALS_DIR, defaults_chain, output_stem


@dataclass(frozen=True)
class Site:
    """What a round left in the folder, as the server needs it."""

    generation: int = 0  # counts the rounds; a page is reloaded when the generation it was served at is passed
    diagnostics: tuple[Diagnostic, ...] = ()  # every file's, in report order
    pages: Mapping[str, str] = field(default_factory=dict)  # an HTML output's path in the folder -> goals file
    failing: frozenset[str] = frozenset()  # goals files with errors: built without them
    ok: bool = False  # the round's build wrote its outputs (False: the folder shows an earlier round's)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def of_file(self, rel: str) -> list[Diagnostic]:
        """What a goals file's page shows: its own diagnostics, its ``_defaults.yaml`` files', and those of no
        goals file (perfgen.yaml, a template, the output folder)."""
        chain = set(defaults_chain(rel))
        return [d for d in self.diagnostics if d.pos.file == rel or d.pos.file in chain or general(d)]

    def page_of(self, rel: str) -> str | None:
        """The first HTML page of a goals file (its default form's), as a path in the folder."""
        return next((page for page, source in self.pages.items() if source == rel), None)


def general(d: Diagnostic) -> bool:
    """A diagnostic about no goals file in particular (shown on every page)."""
    return not d.pos.file.startswith(f"{GOALS_DIR}/")


def failing_files(files: Iterable[str], found: Iterable[Diagnostic]) -> set[str]:
    """The goals files an error keeps from building: one in the file itself or in a _defaults.yaml reaching it."""
    broken = {d.pos.file for d in found if d.severity == "error"}
    return {rel for rel in files if rel in broken or not broken.isdisjoint(defaults_chain(rel))}


def rebuild(root: Path, out: Path, previous: Site) -> Site:
    """Build ``root`` into ``out`` (incrementally, in this process) and say what came of it."""
    started = time.perf_counter()
    generation = previous.generation + 1
    found: list[Diagnostic] = []
    try:
        config = load_config(root)
        forms = settle_forms(root, config)
        formats = tuple(config.formats) if config.formats else DEFAULT_FORMATS
        opts = BuildOptions(root=root, out=out, formats=formats if "html" in formats else (*formats, "html"),
                            jobs=1, forms=forms, default_form=config.form)
        files, _ = discover(opts)
        result = build(opts, config, sink=found.append)
        failing = failing_files(files, found) if not result.ok else set()
        valid = [rel for rel in files if rel not in failing]
        if failing and valid:
            result = build(dataclasses.replace(opts, paths=[str(root / rel) for rel in valid]), config,
                           sink=found.append)
    except PerfgenError as error:  # perfgen.yaml or a form definition: nothing can be built
        return dataclasses.replace(previous, generation=generation, diagnostics=tuple(in_order(error.diagnostics)),
                                   failing=frozenset(), ok=False, seconds=time.perf_counter() - started)
    return Site(generation, tuple(in_order(found)), _pages(opts, files), frozenset(failing), result.ok,
                time.perf_counter() - started)


def _pages(opts: BuildOptions, files: list[str]) -> dict[str, str]:
    """Every HTML page the goals files have (or would have, once they build): its path -> the goals file."""
    pages: dict[str, str] = {}
    html_kinds = [kind for kind in opts.kinds if kind.rpartition("/")[2] == "html"]
    for rel in files:
        stem = output_stem(rel)
        for kind in html_kinds:
            if (path := output_path(stem, kind)) is not None:
                pages[path] = rel
    return pages
