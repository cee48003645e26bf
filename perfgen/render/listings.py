"""The build's listings as the templates see them: a unit's page of projects (``unit.html.j2``) and the index
of units (``index.html.j2``), computed from the index lines the build cache keeps (:class:`IndexEntry`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from perfgen.build.outputs import IndexEntry
from perfgen.model import format_money


@dataclass(frozen=True, slots=True)
class IndexForm:
    """A project's files on another form than the default one."""

    form: str  # its ID
    html_href: str | None  # URL-quoted
    docx_href: str | None
    xlsx_href: str | None = None
    pdf_href: str | None = None


@dataclass(frozen=True, slots=True)
class IndexItem:
    number: int  # 序号 within its group
    name: str
    total: str
    fiscal: str
    other: str
    html_href: str | None  # URL-quoted
    docx_href: str | None
    source: str
    entry: IndexEntry
    forms: tuple[IndexForm, ...] = ()
    xlsx_href: str | None = None
    pdf_href: str | None = None


@dataclass(frozen=True, slots=True)
class IndexGroup:
    unit: str
    year: int
    heading: str  # "库尔勒市社会保险中心 2023年"
    items: tuple[IndexItem, ...]  # in goals-file order
    count: int
    total: str  # 小计
    fiscal: str
    other: str
    combined: tuple[tuple[str, str | None], ...] = ()  # (label, URL-quoted file) of its combined documents


@dataclass(frozen=True, slots=True)
class UnitPage:
    """A unit's page of one year (``units/<year>-<unit>.html``): its projects, with links to their files."""

    title: str
    group: IndexGroup
    index_href: str  # back to the index page, URL-quoted
    formats: tuple[str, ...] = ()  # what the projects were built in: a column for Excel and PDF if built


@dataclass(frozen=True, slots=True)
class UnitSummary:
    """A unit's year as the index page lists it: counts and totals, and where its page is."""

    unit: str
    year: int
    count: int
    total: str
    fiscal: str
    other: str
    href: str | None  # its page, URL-quoted, relative to the index page
    combined: tuple[tuple[str, str | None], ...] = ()
    first: str = ""  # the goals file of its first project: units are listed in goals-file order


@dataclass(frozen=True, slots=True)
class IndexYear:
    year: int
    heading: str  # "2023年"
    units: tuple[UnitSummary, ...]  # in goals-file order
    count: int  # projects
    total: str  # 合计
    fiscal: str
    other: str


@dataclass(frozen=True, slots=True)
class IndexPage:
    """The index page: per year (newest first), the units with their counts and totals. Its size grows with
    the number of units, not of projects: each unit's projects are on the unit's own page."""

    title: str
    count: int  # projects
    unit_count: int  # (unit, year) pages
    years: tuple[IndexYear, ...]


def quoted_href(path: str | None, up: str = "") -> str | None:
    """Relative links may hold Chinese or spaces; ``/`` stays a separator, nothing else is trusted. ``up``:
    the way from the page to the output folder (``../`` from a unit's page)."""
    if not path:
        return None
    return up + quote(path.replace("\\", "/"), safe="/")


def _sum_money(values: Iterable[float]) -> str:
    return format_money(math.fsum(values))


def index_order(e: IndexEntry) -> tuple[str, int, str]:
    """Units, the newest year first, then goals-file order (the order of the unit pages' lines)."""
    return (e.unit, -e.year, e.source)


def unit_group(entries: Iterable[IndexEntry], combined: tuple[tuple[str, str], ...] = (),
               up: str = "../") -> IndexGroup:
    """The group of one unit's projects of one year (``entries``, sorted here in goals-file order);
    ``combined``: (label, file) of its combined documents; ``up``: from its page to the output folder."""
    members = sorted(entries, key=lambda e: e.source)
    if not members:
        raise ValueError("a unit's page lists at least one project")
    unit, year = members[0].unit, members[0].year
    if any((e.unit, e.year) != (unit, year) for e in members):
        raise ValueError("a unit's page lists one unit's projects of one year")
    items = []
    for n, e in enumerate(members, start=1):
        own = e.outputs
        items.append(IndexItem(
            number=n, name=e.name, total=format_money(e.total), fiscal=format_money(e.fiscal),
            other=format_money(e.other), html_href=quoted_href(e.html_href, up), docx_href=quoted_href(e.docx_href, up),
            source=e.source, entry=e,
            forms=tuple(IndexForm(form, quoted_href(files.get("html"), up), quoted_href(files.get("docx"), up),
                                  quoted_href(files.get("xlsx"), up), quoted_href(files.get("pdf"), up))
                        for form, files in e.other_forms()),
            xlsx_href=quoted_href(own.get("xlsx"), up), pdf_href=quoted_href(own.get("pdf"), up)))
    return IndexGroup(unit=unit, year=year, heading=f"{unit} {year}年", items=tuple(items), count=len(items),
                      total=_sum_money(e.total for e in members), fiscal=_sum_money(e.fiscal for e in members),
                      other=_sum_money(e.other for e in members),
                      combined=tuple((label, quoted_href(path, up)) for label, path in combined))


def unit_summary(group: IndexGroup, page: str | None,
                 combined: tuple[tuple[str, str], ...] = ()) -> UnitSummary:
    """The index page's line of ``group``, whose page is ``page`` (relative to the output folder)."""
    return UnitSummary(group.unit, group.year, group.count, group.total, group.fiscal, group.other, quoted_href(page),
                       tuple((label, quoted_href(path)) for label, path in combined), group.items[0].source)


def index_page(units: Iterable[UnitSummary], title: str) -> IndexPage:
    """The index of the units' pages: grouped by year, newest first; within a year in goals-file order (the order
    of each unit's first goals file: the folders people number, not names sorted by code point)."""
    by_year: dict[int, list[UnitSummary]] = {}
    for line in units:
        by_year.setdefault(line.year, []).append(line)
    years = []
    for year in sorted(by_year, reverse=True):
        lines = tuple(sorted(by_year[year], key=lambda u: (u.first, u.unit)))
        years.append(IndexYear(year=year, heading=f"{year}年", units=lines, count=sum(u.count for u in lines),
                               total=_sum_decimal(u.total for u in lines),
                               fiscal=_sum_decimal(u.fiscal for u in lines),
                               other=_sum_decimal(u.other for u in lines)))
    return IndexPage(title=title, count=sum(y.count for y in years), unit_count=sum(len(y.units) for y in years),
                     years=tuple(years))


def _sum_decimal(amounts: Iterable[str]) -> str:
    """The sum of amounts already printed with two decimals, exactly (as the printed lines add up)."""
    return format_money(float(sum((Decimal(a) for a in amounts), Decimal(0))))
