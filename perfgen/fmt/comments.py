"""Reading a goals file into the printer's tree, and hanging its comments and blank lines on the entries.

The file is composed again with PyYAML for the start and end of every node, and comments are found in the
text outside scalar spans. A full-line comment belongs to the entry below it, an end-of-line comment to the
entry that ends on its line; both move with their entry when keys are reordered. (ruamel.yaml's round-trip
mode attaches a comment to the entry *above* it, and sometimes to two places, which does not survive
reordering.)
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from perfgen.fmt.printer import SCHEMA_COMMENT, Collection, Entry, collapse, key_order, order_entries
from perfgen.fmt.scalars import ScalarText, normalize_target, scalar_text
from perfgen.load.yamlnodes import Map, Node, Scalar, Seq

_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # PyYAML's line breaks
_BLOCK_HEAD = re.compile(r"[|>][0-9+-]*[ \t]+(#.*)$")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's marks count characters too


class TreeBuilder:
    """Builds the printer's tree from PyYAML's nodes and perfgen's (same shape), noting where each entry and
    scalar was written: the comments are found and attached from those positions."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []  # document order, outer before inner
        self.spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.block_heads: list[tuple[int, int, Entry]] = []

    def value(self, pn: yaml.Node, vn: Node, path: tuple[Any, ...], owner: Entry | None) -> ScalarText | Collection:
        if isinstance(pn, yaml.MappingNode) and isinstance(vn, Map):
            coll = Collection(True)
            for (kn, child), (key, (_, vchild)) in zip(pn.value, vn.items.items(), strict=True):
                self.spans.append((_mark(kn.start_mark), _mark(kn.end_mark)))
                coll.entries.append(self.entry(key, kn.start_mark, child, vchild, (*path, key)))
            return coll
        if isinstance(pn, yaml.SequenceNode) and isinstance(vn, Seq):
            coll = Collection(False)
            for i, (child, vchild) in enumerate(zip(pn.value, vn.items, strict=True)):
                coll.entries.append(self.entry(None, child.start_mark, child, vchild, (*path, i)))
            return coll
        assert isinstance(pn, yaml.ScalarNode) and isinstance(vn, Scalar)
        self.spans.append((_mark(pn.start_mark), _mark(pn.end_mark)))
        if pn.style in ("|", ">") and owner is not None:
            self.block_heads.append((*_mark(pn.start_mark), owner))
        return _value_scalar(vn, target=len(path) == 5 and path[0] == "indicators" and path[4] == "target")

    def entry(self, key: str | None, start: Any, pn: yaml.Node, vn: Node, path: tuple[Any, ...]) -> Entry:
        e = Entry(key, ScalarText(""), start=_mark(start), end=_mark(pn.end_mark),
                   ends_on_line=isinstance(pn, yaml.ScalarNode) or bool(getattr(pn, "flow_style", False)))
        self.entries.append(e)
        e.value = self.value(pn, vn, path, e)
        if isinstance(e.value, Collection) and (order := key_order(path)) is not None and e.value.is_map:
            order_entries(e.value, order)
        return e


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line, mark.column)


def _value_scalar(vn: Scalar, target: bool = False) -> ScalarText:
    if vn.value is None:
        return ScalarText("")
    if isinstance(vn.value, str):
        return scalar_text(normalize_target(vn.value) if target else vn.value)
    return ScalarText(vn.raw)  # numbers and booleans keep the text they were written as


def covered_spans(spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> dict[int, list[tuple[int, float]]]:
    cover: dict[int, list[tuple[int, float]]] = {}
    for (l1, c1), (l2, c2) in spans:
        if l1 == l2:
            cover.setdefault(l1, []).append((c1, c2))
            continue
        cover.setdefault(l1, []).append((c1, float("inf")))
        for ln in range(l1 + 1, l2):
            cover.setdefault(ln, []).append((0, float("inf")))
        cover.setdefault(l2, []).append((0, c2))
    return cover


def find_comments(lines: list[str], cover: dict[int, list[tuple[int, float]]]) -> list[tuple[int, int, str]]:
    """(line, col, text) of every comment: a ``#`` outside scalars, at a line start or after a blank."""
    found = []
    for ln, text in enumerate(lines):
        spans = cover.get(ln, [])
        for col, ch in enumerate(text):
            if ch == "#" and (col == 0 or text[col - 1] in " \t") and not any(a <= col < b for a, b in spans):
                found.append((ln, col, text[col:].rstrip()))
                break
    return found


def attach_comments(builder: TreeBuilder, lines: list[str], root: Collection) -> tuple[list[str], list[str]]:
    """Hang comments and blank lines on entries; returns (header lines, trailing lines)."""
    cover = covered_spans(builder.spans)
    notes: list[tuple[int, str | None]] = []  # (line, comment text or None for a blank line)
    schema: list[str] = []
    for ln, col, owner in builder.block_heads:
        if m := _BLOCK_HEAD.match(lines[ln][col:]):
            owner.eol = m.group(1).rstrip()
    by_line: dict[int, list[Entry]] = {}  # entries starting or ending on a line, in document order
    for e in builder.entries:
        by_line.setdefault(e.start[0], []).append(e)
        if e.end[0] != e.start[0]:
            by_line.setdefault(e.end[0], []).append(e)
    for ln, col, text in find_comments(lines, cover):
        if not lines[ln][:col].strip():
            if text.startswith(SCHEMA_COMMENT):
                schema.append(text)
            else:
                notes.append((ln, text))
        elif (line_owner := _eol_owner(by_line.get(ln, []), ln, col)) is not None:
            line_owner.eol = f"{line_owner.eol}  {text}" if line_owner.eol else text
        else:
            notes.append((ln, text))
    for ln, text in enumerate(lines):
        if not text.strip() and not any(a == 0 and b == float("inf") for a, b in cover.get(ln, [])):
            notes.append((ln, None))
    notes.sort(key=lambda n: n[0])
    trailer: list[str] = []
    i = 0
    for ln, note in notes:
        while i < len(builder.entries) and builder.entries[i].start[0] <= ln:
            i += 1
        target = builder.entries[i].before if i < len(builder.entries) else trailer
        target.append("" if note is None else note)
    header: list[str] = []
    if builder.entries:
        first = builder.entries[0]
        first.before = collapse(first.before)
        while first.before and not first.before[0]:
            first.before.pop(0)
        if "" in first.before:
            cut = len(first.before) - 1 - first.before[::-1].index("")
            header, first.before = [*first.before[:cut], ""], first.before[cut + 1:]
    return schema + header, trailer


def _eol_owner(entries: list[Entry], ln: int, col: int) -> Entry | None:
    ending = [e for e in entries if e.ends_on_line and e.end[0] == ln and 0 < e.end[1] <= col]
    if ending:
        best = max(e.end[1] for e in ending)
        return next(e for e in ending if e.end[1] == best)  # the outermost of those ending last
    starting = [e for e in entries if e.start[0] == ln]
    return starting[-1] if starting else None


def read_tree(text: str, root: Map) -> tuple[TreeBuilder, Collection, list[str]]:
    """``text`` (whose nodes ``load`` gave as ``root``) as the printer's tree, with its builder and lines."""
    text = text.lstrip("\ufeff")
    composed = yaml.compose(text, Loader=_LOADER)
    assert composed is not None  # load() accepted it
    builder = TreeBuilder()
    tree = builder.value(composed, root, (), None)
    assert isinstance(tree, Collection)
    return builder, tree, _BREAKS.split(text)


def comments_of(builder: TreeBuilder, lines: list[str]) -> list[str]:
    """Every comment of the file, block-scalar heads' included (what :mod:`perfgen.fmt.verify` counts)."""
    heads = [m.group(1).rstrip() for ln, col, _ in builder.block_heads if (m := _BLOCK_HEAD.match(lines[ln][col:]))]
    return [text for _, _, text in find_comments(lines, covered_spans(builder.spans))] + heads

