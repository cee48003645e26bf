"""The build's index page, ``index.html``: one line per project, streamed from the cache.

Its lines come from the cache rows, so a build that renders one project still lists all of them. Each
line's links are checked against where its goals file's outputs go (:func:`linked_as_built`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from perfgen.build.cache import Cache, CacheDamaged
from perfgen.build.outputs import IndexEntry, output_path
from perfgen.diagnostics.report import Diagnostic
from perfgen.load.loader import output_stem
from perfgen.resources import template_search_path

CombinedLinks = Callable[[str, int], tuple[tuple[str, str], ...]]  # (unit, year) -> (label, file) of each


def render_index(root: Path, cache: Cache, target: Path, combined: CombinedLinks | None = None,
                 formats: tuple[str, ...] = ()) -> Diagnostic | None:
    """Write the index page to ``target``, streamed from the cache rows (sorted there, not in memory); the
    diagnostic if its template fails. ``combined``: a unit's year -> its combined documents; ``formats``:
    what the projects were built in (the page has a column for each)."""
    from perfgen.build.renderers import template_diag  # the renderers: only imported when the index changes
    from perfgen.render.html import HtmlRenderer, TemplateError

    try:
        HtmlRenderer(template_search_path(root)).write_index(lambda: linked_as_built(cache), target,
                                                             combined=combined, formats=formats)
    except TemplateError as exc:
        return template_diag(root, exc)
    return None


def check_links(cache: Cache) -> None:
    """Read every index line now, so that damage is found before anything is reported or written."""
    for _ in linked_as_built(cache):
        pass


def linked_as_built(cache: Cache) -> Iterator[IndexEntry]:
    """The cache's index lines, each link checked against where its goals file's outputs go: a cache file
    brought by a pull request (sealed again) cannot put any other link (``javascript:``, another site) on
    the index, even for rows a sharded build does not look at."""
    for entry in cache.index_entries():
        stem = output_stem(entry.source)
        if any(output_path(stem, kind) != path for kind, path in entry.files):
            raise CacheDamaged(f"index line of {entry.source!r} links elsewhere")
        yield entry
