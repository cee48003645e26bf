"""One document per unit and year (``perfgen build --combine``): every project of a 预算单位's year in one file.

For each form and format of the build, each (year, unit) gets ``combined/<year>-<unit>.<ext>`` (another
form's under ``<form-id>/combined/``), its projects in goals-file order. A combined file is made again only
when its group changed: the cache keeps, per combined file, a digest of what went into it (the build's
fingerprint and each member's path and cache key), so a one-file edit rebuilds that unit's files and no
other. A group that is gone (or ``combine`` turned off) has its files removed like any stale output.

    plan (from the cache rows, after the projects are stored) → render the changed groups into staging →
    commit.promote places them and removes the stale ones
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfgen.build.cache import Cache

if TYPE_CHECKING:
    from perfgen.build.plan import BuildOptions
    from perfgen.diagnostics.report import Diagnostic
    from perfgen.load.config import Config

COMBINED_DIR = "combined"
META_PREFIX = "combined:"  # cache meta: "combined:<path>" -> the digest of what the file was made from
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME = 80  # characters of the unit in a file name (file systems allow 255 bytes; CJK is 3 each)


def unit_file_name(year: int, unit: str) -> str:
    """``2023-库尔勒市社会保险中心``: the file name (without extension) of a unit's combined document.

    Characters no file system takes, leading dots and spaces are replaced; a name that had to change, or
    was cut short, ends with a short hash of the real one, so that two units never share a file and the name
    of one never depends on the others (the index computes it alone)."""
    safe = _UNSAFE.sub("_", unit).strip(" .") or "_"
    if safe != unit or len(safe) > _MAX_NAME:
        digest = hashlib.sha256(unit.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        safe = f"{safe[:_MAX_NAME]}-{digest}"
    return f"{year}-{safe}"


def combined_path(form: str, default_form: str, fmt: str, year: int, unit: str) -> str:
    """Where a unit's combined document of ``form`` in ``fmt`` goes, relative to the output folder."""
    name = f"{COMBINED_DIR}/{unit_file_name(year, unit)}.{fmt}"
    return name if form == default_form else f"{form}/{name}"


@dataclass(frozen=True)
class Group:
    """A unit's projects of one year, in goals-file order: (goals file, cache key) each."""

    year: int
    unit: str
    members: tuple[tuple[str, str], ...]

    def digest(self, fingerprint: str, form: str, fmt: str) -> str:
        h = hashlib.sha256(f"{fingerprint}\x1f{form}\x1f{fmt}".encode())
        for rel, key in self.members:
            h.update(f"\x1e{rel}\x1f{key}".encode("utf-8", "surrogatepass"))
        return h.hexdigest()


@dataclass(frozen=True)
class Combined:
    """One combined file to make: its group, form and format, where it goes and its digest."""

    group: Group
    form: str
    fmt: str
    path: str
    digest: str


@dataclass
class CombinePlan:
    todo: list[Combined]  # to make (changed, new, or missing from the output folder)
    current: dict[str, str]  # path -> digest of every combined file the build has when done
    stale: list[str]  # combined files made before that no group has now

    @property
    def changes(self) -> bool:
        return bool(self.todo or self.stale)


def groups(cache: Cache) -> list[Group]:
    """The (year, unit) groups of the projects the cache holds, each in goals-file order."""
    found: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for rel, key, unit, year in cache.members():
        found.setdefault((year, unit), []).append((rel, key))
    return [Group(year, unit, tuple(members)) for (year, unit), members in sorted(found.items())]


def plan(cache: Cache, opts: BuildOptions, fingerprint: str) -> CombinePlan:
    """What the build must make and remove so that each group's combined files are current."""
    before = cache.metas(META_PREFIX)
    current: dict[str, str] = {}
    todo: list[Combined] = []
    if opts.combine and opts.shard is None:
        for group in groups(cache):
            for form in opts.forms:
                for fmt in opts.formats:
                    path = combined_path(form.id, opts.default_form, fmt, group.year, group.unit)
                    digest = current[path] = group.digest(fingerprint, form.id, fmt)
                    if opts.force or before.get(path) != digest or not (opts.out / path).is_file():
                        todo.append(Combined(group, form.id, fmt, path, digest))
    stale = [path for path in before if path not in current]
    return CombinePlan(todo, current, stale)


def record(cache: Cache, done: CombinePlan) -> None:
    """Remember what each combined file was made from (committed with the build's cache)."""
    for item in done.todo:
        cache.set_meta(META_PREFIX + item.path, item.digest)
    for path in done.stale:
        cache.drop_meta(META_PREFIX + path)


def render(done: CombinePlan, opts: BuildOptions, config: Config, staging: Path) -> Diagnostic | None:
    """Make each combined file of ``done.todo`` in the staging folder (its projects read and laid out again
    here: only the groups that changed are read); the diagnostic of a template that fails."""
    from perfgen.build.renderers import template_diag  # the checks and the writers: only when there is work
    from perfgen.build.worker import Worker
    from perfgen.render.html import TemplateError

    worker = Worker(opts, config, staging)
    if worker.renderers.setup_error is not None:
        return worker.renderers.setup_error
    try:
        for item in done.todo:
            worker.combine(item.group.members, item.form, item.fmt, item.path, _title(item.group))
    except TemplateError as exc:
        return template_diag(opts.root, exc)
    return None


_LABELS = {"docx": "Word", "html": "网页", "xlsx": "Excel", "pdf": "PDF"}


def index_links(opts: BuildOptions) -> Callable[[str, int], tuple[tuple[str, str], ...]] | None:
    """For the index page: a unit's year -> (label, file) of each of its combined documents; None when the
    build makes none."""
    if not opts.combine or opts.shard is not None:
        return None
    kinds = [(form.id, fmt, _LABELS.get(fmt, fmt) if form.id == opts.default_form else f"{form.id} {_LABELS[fmt]}")
             for form in opts.forms for fmt in opts.formats]

    def links(unit: str, year: int) -> tuple[tuple[str, str], ...]:
        return tuple((label, combined_path(form, opts.default_form, fmt, year, unit)) for form, fmt, label in kinds)

    return links


def _title(group: Group) -> str:
    return f"{group.unit} {group.year}年"


def paths(items: Iterable[Combined]) -> list[str]:
    return [item.path for item in items]
