"""``perfgen next-year SRC [DEST]``: next year's goals folder made from this year's (docs/yearly-cycle.md).

Every goals file under ``SRC`` (``_defaults.yaml`` included, subfolders too) is copied to the same name under
``DEST``, through the formatter's tree so that its comments and layout stay: ``year`` + 1 where the year is
written (in the file, or in a ``_defaults.yaml`` of the folder copied; where it comes only from a
``_defaults.yaml`` above ``SRC``, the new files get a ``year`` line of their own — no new ``_defaults.yaml``
appears), each indicator's ``last_year`` set to this year's ``actual`` (left out, with a warning naming the
indicator, where no actual was recorded), and the year-end and mid-year fields (``execution``, ``midyear``,
``actual``, ``deviation``, ``score``) removed. Targets, weights and everything else stay for review: ``perfgen
diff SRC DEST`` then shows exactly what changed.

Nothing is written unless every file could be read and made, and nothing is overwritten unless asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, PerfgenError, diag
from perfgen.fmt.comments import attach_comments, read_tree
from perfgen.fmt.formatter import format_text
from perfgen.fmt.printer import Collection, Entry, render_tree
from perfgen.fmt.scalars import ScalarText, scalar_text
from perfgen.fsutil import UnsafeFile, atomic_write, inside, read_regular, shown_path
from perfgen.load.loader import DEFAULTS_NAME, SUFFIXES, defaults_chain
from perfgen.load.yamlnodes import Map, Scalar, Seq, load

YEAR_END_TOP = ("execution", "midyear")  # the project's year-end and mid-year fields
YEAR_END_INDICATOR = ("actual", "deviation", "score", "midyear")  # an indicator's


@dataclass
class Rolled:
    """What a rollover made: (source, destination, bytes) of each file, and what it found."""

    files: list[tuple[Path, Path, bytes]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    without_actual: int = 0
    year_added: int = 0  # files given a year line (their year came from a _defaults.yaml above SRC)


class RolloverError(PerfgenError):
    """The rollover cannot be made (the diagnostics say why); nothing was written."""


def default_destination(src: Path) -> Path | None:
    """The sibling folder named year + 1 (``goals/2023`` -> ``goals/2024``), if ``src`` is named after a year."""
    return src.with_name(str(int(src.name) + 1)) if re.fullmatch(r"(19|20)\d\d", src.name) else None


def goals_files(src: Path) -> list[Path]:
    """The goals files under ``src`` (``_defaults.yaml`` included), in path order; links are not followed."""
    return sorted(p for p in src.rglob("*") if p.suffix in SUFFIXES and p.is_file() and not p.is_symlink())


def plan(root: Path, src: Path, dest: Path) -> Rolled:
    """Every file of next year's folder, made in memory; raises :class:`RolloverError` if any cannot be."""
    rolled = Rolled()
    problems: list[Diagnostic] = []
    inherited = _year_above(root, src)
    for path in goals_files(src):
        shown = shown_path(path, root)
        try:
            text = read_regular(path, within=root).decode("utf-8")
        except (UnsafeFile, OSError, UnicodeDecodeError) as exc:
            problems.append(diag(Pos(shown), "PG171", "rollover.unreadable", reason=str(exc)))
            continue
        node, found = load(text.encode("utf-8"), shown)
        if node is None or any(d.severity == "error" for d in found):
            problems += [d for d in found if d.severity == "error"] or [diag(Pos(shown), "PG006", "file.empty")]
            continue
        needs_year = path.name != DEFAULTS_NAME and inherited is not None and not _gives_year(src, path)
        out = _next(text, node, shown, rolled, inherited if needs_year else None)
        rolled.files.append((path, dest / path.relative_to(src), out.encode("utf-8")))
    if problems:
        raise RolloverError(problems)
    return rolled


def write(rolled: Rolled, root: Path, force: bool) -> None:
    """Put the files in place (each atomically), refusing to overwrite any unless ``force``."""
    outside = [d for _, d, _ in rolled.files if not inside(root, d)]
    if outside:
        raise RolloverError([diag(Pos(str(d)), "PG171", "rollover.outside") for d in outside])
    existing = [d for _, d, _ in rolled.files if d.exists() or d.is_symlink()]
    if existing and not force:
        raise RolloverError([diag(Pos(shown_path(d, root)), "PG170", "rollover.exists") for d in existing])
    for _, dest, _data in rolled.files:
        if dest.is_symlink() or (dest.exists() and not dest.is_file()):
            raise RolloverError([diag(Pos(shown_path(dest, root)), "PG171", "rollover.outside")])
    for _, dest, data in rolled.files:
        atomic_write(dest, data)


def _year_above(root: Path, src: Path) -> int | None:
    """The year a _defaults.yaml above ``src`` gives (the nearest one that gives it), if any."""
    rel = src.relative_to(root).as_posix()
    year = None
    for chain_rel in defaults_chain(f"{rel}/x.yaml"):
        path = root / chain_rel
        if inside(src, path) or not path.is_file():
            continue
        try:
            node, _ = load(read_regular(path, within=root), chain_rel)
        except (UnsafeFile, OSError):
            continue
        value = node.get("year") if isinstance(node, Map) else None
        if isinstance(value, Scalar) and isinstance(value.value, int):
            year = value.value
    return year


def _gives_year(src: Path, path: Path) -> bool:
    """The file, or a _defaults.yaml between ``src`` and it, writes a year (which the rollover increments)."""
    folder = path.parent
    candidates = [path]
    while inside(src, folder):
        candidates.append(folder / DEFAULTS_NAME)
        if folder == src:
            break
        folder = folder.parent
    for candidate in candidates:
        if candidate.is_file():
            node, _ = load(candidate.read_bytes(), candidate.name)
            if isinstance(node, Map) and "year" in node.items:
                return True
    return False


def _next(text: str, node: Map, shown: str, rolled: Rolled, add_year: int | None) -> str:
    builder, tree, lines = read_tree(text, node)
    header, trailer = attach_comments(builder, lines, tree)
    top = {e.key: e for e in tree.entries}
    if (year := top.get("year")) is not None and isinstance(year.value, ScalarText) and year.value.token.isdigit():
        year.value = ScalarText(str(int(year.value.token) + 1))
    elif add_year is not None:
        tree.entries.insert(0, Entry("year", ScalarText(str(add_year + 1))))
        rolled.year_added += 1
    _drop(tree, YEAR_END_TOP)
    indicators = node.get("indicators")
    if (entry := top.get("indicators")) is not None and isinstance(entry.value, Collection) and isinstance(
            indicators, Map):
        for l1, (_, l2s) in indicators.items.items():
            l1_entry = _child(entry.value, l1)
            if not isinstance(l2s, Map) or l1_entry is None:
                continue
            for l2, (_, items) in l2s.items.items():
                l2_entry = _child(l1_entry, l2)
                if not isinstance(items, Seq) or l2_entry is None:
                    continue
                for item_node, item_entry in zip(items.items, l2_entry.entries, strict=False):
                    if isinstance(item_node, Map) and isinstance(item_entry.value, Collection):
                        _roll_indicator(item_node, item_entry.value, shown, rolled)
    return format_text(render_tree(tree, header, trailer), shown)


def _child(coll: Collection | ScalarText, key: str) -> Collection | None:
    if not isinstance(coll, Collection):
        return None
    found = next((e.value for e in coll.entries if e.key == key), None)
    return found if isinstance(found, Collection) else None


def _drop(coll: Collection, keys: tuple[str, ...]) -> None:
    coll.entries = [e for e in coll.entries if e.key not in keys]


def _roll_indicator(node: Map, coll: Collection, shown: str, rolled: Rolled) -> None:
    """last_year := actual (or left out, with a warning), then the year-end fields removed."""
    actual = node.get("actual")
    entries = {e.key: e for e in coll.entries}
    if isinstance(actual, Scalar) and actual.value not in (None, ""):
        value = scalar_text(actual.value) if isinstance(actual.value, str) else ScalarText(actual.raw)
        if (last := entries.get("last_year")) is not None:
            last.value = value
        else:
            after = next((i for i, e in enumerate(coll.entries) if e.key in ("basis", "target")), 0)
            for i, e in enumerate(coll.entries):
                if e.key == "basis":
                    after = i
            coll.entries.insert(after + 1, Entry("last_year", value))
    else:
        _drop(coll, ("last_year",))
        name = node.get("name")
        where = name.pos if name is not None else node.pos
        label = name.raw if isinstance(name, Scalar) else "?"
        rolled.diagnostics.append(diag(where, "PG172", "rollover.no_actual", severity="warning", name=label,
                                       file=shown))
        rolled.without_actual += 1
    _drop(coll, YEAR_END_INDICATOR)
