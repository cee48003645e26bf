"""The build's listings: a page per unit and year (``units/<year>-<unit>.html``) and the index page above them.

A unit's page lists its projects of one year with links to their files; the index page lists, per year, the
units with their project counts and totals. Both come from the cache rows, so a build that renders one project
still lists all of them; but only the pages of the (unit, year) groups a build touched are rendered again
(a project built with a changed line, a project gone), and the index page from the remembered lines of every
unit (cache meta ``page:<file>``): what a one-file edit costs does not grow with the number of projects in the
repository (issue 16). Each listed link is checked against where its goals file's outputs go
(:func:`linked_as_built`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from perfgen.build.cache import Cache, CacheDamaged
from perfgen.build.combine import unit_file_name
from perfgen.build.outputs import IndexEntry, output_path
from perfgen.diagnostics.report import Diagnostic
from perfgen.load.loader import output_stem
from perfgen.resources import template_search_path

if TYPE_CHECKING:
    from perfgen.render.listings import UnitSummary

CombinedLinks = Callable[[str, int], tuple[tuple[str, str], ...]]  # (unit, year) -> (label, file) of each
Group = tuple[str, int]  # (unit, year)
UNITS_DIR = "units"
PAGE_META = "page:"  # cache meta "page:<file>" -> the index page's line of that unit page (JSON)
_AMOUNT = re.compile(r"-?\d+\.\d\d")


def unit_page_path(unit: str, year: int) -> str:
    """Where the page of a unit's year goes, relative to the output folder (named like its combined files)."""
    return f"{UNITS_DIR}/{unit_file_name(year, unit)}.html"


@dataclass
class Pages:
    """What :func:`render_pages` staged (paths relative to the output folder) and what it made stale."""

    staged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def render_pages(root: Path, cache: Cache, staging: Path, groups: Iterable[Group] | None,
                 combined: CombinedLinks | None = None, formats: tuple[str, ...] = ()) -> Pages | Diagnostic:
    """Stage the pages of ``groups`` (None: every group the cache holds) and the index page; record each unit
    page's line in the cache. The diagnostic of a template that fails."""
    from perfgen.build.renderers import template_diag  # the renderers: only imported when a listing changes
    from perfgen.render.html import DEFAULT_INDEX_TITLE, HtmlRenderer, TemplateError
    from perfgen.render.listings import UnitPage, index_page, unit_group, unit_summary

    renderer = HtmlRenderer(template_search_path(root))
    before = cache.metas(PAGE_META)
    pages = Pages()
    made: set[str] = set()

    def write(members: list[IndexEntry]) -> None:
        unit, year = members[0].unit, members[0].year
        links = combined(unit, year) if combined is not None else ()
        group = unit_group(members, links)
        path = unit_page_path(unit, year)
        title = f"{group.heading} {DEFAULT_INDEX_TITLE}"
        data = renderer.render_unit(UnitPage(title, group, "../index.html", formats))
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        line = unit_summary(group, path, links)
        cache.set_meta(PAGE_META + path, json.dumps([line.unit, line.year, line.count, line.total, line.fiscal,
                                                     line.other, line.first], ensure_ascii=False))
        pages.staged.append(path)
        made.add(path)

    try:
        if groups is None:
            for _, members in itertools.groupby(linked_as_built(cache.index_entries()), key=_group_of):
                write(list(members))
            pages.stale = [path for path in before if path not in made]
        else:
            for unit, year in sorted(set(groups)):
                if listed := list(linked_as_built(cache.group_entries(unit, year))):
                    write(listed)
                elif (path := unit_page_path(unit, year)) in before and path not in made:
                    pages.stale.append(path)
        for path in pages.stale:
            cache.drop_meta(PAGE_META + path)
        lines = [_line(path, text, combined) for path, text in sorted(cache.metas(PAGE_META).items())]
        data = renderer.render_index(index_page(lines, DEFAULT_INDEX_TITLE))
        (staging / "index.html").write_bytes(data)
    except TemplateError as exc:
        return template_diag(root, exc)
    return pages


def _group_of(entry: IndexEntry) -> Group:
    return (entry.unit, entry.year)


def _line(path: str, text: str, combined: CombinedLinks | None) -> UnitSummary:
    """The index page's line of a unit page, as :func:`render_pages` remembered it."""
    from perfgen.render.listings import UnitSummary, quoted_href

    try:
        unit, year, count, total, fiscal, other, first = json.loads(text)
        amounts = (total, fiscal, other)
        if (not isinstance(unit, str) or type(year) is not int or type(count) is not int or not isinstance(first, str)
                or not all(isinstance(a, str) and _AMOUNT.fullmatch(a) for a in amounts)
                or path != unit_page_path(unit, year)):
            raise ValueError(path)
    except (ValueError, TypeError) as exc:
        raise CacheDamaged(f"the index line of {path!r}") from exc
    links = combined(unit, year) if combined is not None else ()
    return UnitSummary(unit, year, count, total, fiscal, other, href=quoted_href(path),
                       combined=tuple((label, quoted_href(file)) for label, file in links), first=first)


def linked_as_built(entries: Iterator[IndexEntry]) -> Iterator[IndexEntry]:
    """The cache's index lines, each link checked against where its goals file's outputs go: a cache file
    brought by a pull request (sealed again) cannot put any other link (``javascript:``, another site) on
    a page, even for rows a sharded build does not look at."""
    for entry in entries:
        stem = output_stem(entry.source)
        if any(output_path(stem, kind) != path for kind, path in entry.files):
            raise CacheDamaged(f"index line of {entry.source!r} links elsewhere")
        yield entry
