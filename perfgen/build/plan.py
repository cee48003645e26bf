"""What a build is asked to do, and what it has to do: options, shards, discovery, and the cache check.

:func:`discover` lists the goals files (one shard of them with ``--shard I/N``); :func:`classify` splits
them into the projects to build, the fresh ones (cache row and outputs as recorded) and the cached ones
whose goals file is gone. :func:`refused_out` says why a folder cannot be the output folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from perfgen.build.cache import Cache
from perfgen.build.keys import SourceKeys
from perfgen.build.outputs import DEFAULT_FORMATS, output_kinds
from perfgen.build.records import Cached, Job, Reported
from perfgen.check.runner import relative_paths
from perfgen.diagnostics import i18n
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.forms.definition import FormDef
from perfgen.forms.registry import DEFAULT_FORM, form_files
from perfgen.load.loader import GOALS_DIR, FsReader, Loader, output_escapes, output_key, output_stem

Row = TypeVar("Row", Cached, Reported)


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
    formats: tuple[str, ...] = DEFAULT_FORMATS
    jobs: int = 1
    shard: Shard | None = None
    force: bool = False
    strict: bool = False
    start_method: str | None = None  # of the worker processes (executor.start_method): None for the default
    forms: tuple[FormDef, ...] = ()  # the forms to build (perfgen.forms.choice.settle_forms); () for the settings'
    default_form: str = DEFAULT_FORM  # its outputs sit where the goals paths say; the others' under their ID
    combine: bool = False  # also one document per unit and year, for each form and format (build.combine)
    assemble: tuple[Path, ...] = ()  # shards' output folders to move in first (build.assemble)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The outputs each project writes (build.outputs.output_kinds)."""
        return output_kinds(self.formats, tuple(f.id for f in self.forms), self.default_form)


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


def discover(opts: BuildOptions) -> tuple[list[str], list[Diagnostic]]:
    """The goals files to build, in path order (this shard's, with ``--shard``), and what is wrong with them."""
    loader = Loader(FsReader(opts.root))
    files, diags = loader.discover(relative_paths(opts.root, opts.paths))
    reserved = reserved_names(opts.root)
    for rel in files:
        if (stem := output_escapes(rel)) is not None:
            diags.append(diag(Pos(rel), "PG008", "build.escape", path=stem))
        elif (taken := _reserved(output_stem(rel), reserved)) is not None:
            diags.append(diag(Pos(rel), "PG020", "build.reserved", path=taken[0], what=taken[1]))
    if opts.shard:
        files = [f for f in files if opts.shard.owns(f)]
    return files, diags


def reserved_names(root: Path) -> dict[str, str]:
    """The first names of output paths that perfgen's own outputs take (as :func:`output_key` compares them), with
    what takes them: the units' pages, the combined documents, each form's folder (in the run's language)."""
    text = i18n.text
    names = {"units": text("单位清单页文件夹 units/", "the folder of the units' pages, units/"),
             "combined": text("合并文件文件夹 combined/", "the folder of the combined documents, combined/")}
    for form_id in form_files(root):  # every form a build could be asked for: the built-in ones and the repo's
        names.setdefault(output_key(form_id), text("表样 {form} 的输出文件夹", "the output folder of form {form}",
                                                   form=form_id))
    return names


def _reserved(stem: str, names: dict[str, str]) -> tuple[str, str] | None:
    """The reserved name ``stem`` (a goals file's output path, less its suffix) would write into, and what
    takes it; None when it is free. ``index`` at the top would be the index page itself."""
    first, sep, _ = stem.partition("/")
    if not sep:
        if output_key(stem) == "index":
            return "index.html", i18n.text("目录页 index.html", "the index page, index.html")
        return None
    taken = names.get(output_key(first))
    return None if taken is None else (f"{first}/", taken)


def aligned(files: list[str], rows: Iterator[Row],
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


def classify(cache: Cache, opts: BuildOptions, keys: SourceKeys,
             files: list[str]) -> tuple[list[Job], list[str], int]:
    """The projects to build, the cached ones whose goals file is gone, and how many are fresh."""
    todo: list[Job] = []
    gone: list[str] = []
    fresh = 0
    out = os.path.join(opts.out, "")

    def unmatched(rel: str) -> None:
        if _is_gone(opts, rel):
            gone.append(rel)

    for rel, cached in aligned(files, cache.rows(), unmatched):
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


def _is_gone(opts: BuildOptions, rel: str) -> bool:
    """A cached project whose goals file is gone (and that this run is responsible for)."""
    if opts.shard and not opts.shard.owns(rel):
        return False
    return not (opts.root / rel).is_file()
