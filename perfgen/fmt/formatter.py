"""``perfgen fmt``: one canonical layout for goals files, keeping every comment and every value.

Layout: keys in FORMAT.md's order (top level, ``funds``, each indicator; 一级/二级 and lists keep their
written order), block style everywhere, two spaces per level with list items indented under their key,
target operators spelled ``= ≥ ≤ > <``, and one quoting rule (:func:`scalar_text`). The
``# yaml-language-server`` line comes first.

How: the file is checked with :func:`perfgen.load.yamlnodes.load` (so errors read as everywhere else), composed
again with PyYAML for the start and end of every node, and comments are found in the text outside scalar
spans. A full-line comment belongs to the entry below it, an end-of-line comment to the entry that ends on
its line; both move with their entry when keys are reordered. ruamel.yaml's round-trip mode attaches a
comment to the entry *above* it (and sometimes to two places), which does not survive reordering — the
tests use its round-trip scanner as an independent witness that no comment is lost. Every result is
reloaded and compared before it is returned: fmt never changes a value and never drops a comment.

Files: :func:`read_goals_file` and :func:`replace_goals_file` read a goals file and put its new layout in
place without losing anything else — an edit saved meanwhile, the file's mode and owner, a symbolic link.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from perfgen.diagnostics.report import PerfgenError
from perfgen.fsutil import UnsafeFile, read_regular
from perfgen.load.yamlnodes import MAX_BYTES, Map, Node, Scalar, Seq, load
from perfgen.model import FUNDS_KEYS, INDICATOR_KEYS, TOP_KEYS, Project, format_number
from perfgen.targets import parse_target

SCHEMA_COMMENT = "# yaml-language-server:"
_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # PyYAML's line breaks
_BLOCK_HEAD = re.compile(r"[|>][0-9+-]*[ \t]+(#.*)$")
_INDICATOR_START = set("-?:,[]{}#&*!|>'\"%@`=<")
_YAML12_NOT_TEXT = re.compile(
    r"(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))\Z")
_RESOLVER = yaml.resolver.Resolver()
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's marks count characters too


class FormatSafetyError(RuntimeError):
    """fmt's own result failed its check (a bug): the file is left as it was."""


# ---- scalars: one quoting rule -------------------------------------------------------------------

def _needs_escape(ch: str) -> bool:
    o = ord(ch)
    return o < 0x20 or 0x7F <= o <= 0x9F or ch in "\u2028\u2029\ufeff\ufffe\uffff" or 0xD800 <= o <= 0xDFFF


def double_quoted(s: str) -> str:
    esc = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return '"' + "".join(esc.get(c) or (f"\\u{ord(c):04X}" if _needs_escape(c) else c) for c in s) + '"'


@lru_cache(maxsize=4096)
def _plain_ok(s: str) -> bool:
    """``s`` may be written without quotes: every YAML reader (1.1, 1.2, perfgen) reads it back as ``s``."""
    if not s or s != s.strip() or s[0] in _INDICATOR_START or s.endswith(":"):
        return False
    if ": " in s or " #" in s or "\t" in s or any(_needs_escape(c) for c in s):
        return False
    if _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) != "tag:yaml.org,2002:str":
        return False  # YAML 1.1: yes/no, 0755, 1_000, 2023-01-01, 1:20, ...
    if _YAML12_NOT_TEXT.match(s):
        return False
    root, diags = load(f"k: {s}\n".encode(), "<check>")
    value = root.get("k") if root is not None and not diags else None
    return isinstance(value, Scalar) and not value.quoted and value.value == s


def _literal_ok(s: str) -> bool:
    lines = s.rstrip("\n").split("\n")
    first = next((ln for ln in lines if ln), "")
    return (first != "" and first[:1] not in (" ", "\t") and not any(_needs_escape(c) for c in s.replace("\n", ""))
            and all(ln == ln.rstrip() for ln in lines))


@dataclass
class _Scalar:
    token: str  # printed after "key:" / "-": plain or quoted text, a block indicator, or "" (null)
    block: list[str] | None = None  # literal block lines


def scalar_text(s: str) -> _Scalar:
    """The quoting rule: plain when every reader agrees (:func:`_plain_ok`), a literal block for multi-line
    text, double quotes otherwise (a value starting with = < > and the like, or one that would read as a
    number, boolean, date or null)."""
    if "\n" in s and _literal_ok(s):
        body = s.rstrip("\n")
        trailing = len(s) - len(body)
        return _Scalar("|-" if trailing == 0 else "|" if trailing == 1 else "|+",
                       body.split("\n") + [""] * max(0, trailing - 1))
    return _Scalar(s if _plain_ok(s) else double_quoted(s))


def normalize_target(text: str) -> str:
    """``>=98%`` → ``≥98%``, ``＜5人`` → ``<5人``: only the operator's spelling changes."""
    t = parse_target(text)
    if t.op is None or not t.op_written or t.op_written == t.op:
        return text
    lead = len(text) - len(text.lstrip())
    return text[:lead] + t.op + text[lead + len(t.op_written):]


def _number_text(value: float) -> str:
    text = format_number(value)
    return text if float(text) == value else repr(value)


# ---- the intermediate tree and its printer ---------------------------------------------------------

@dataclass
class _Coll:
    is_map: bool
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _Entry:
    key: str | None  # None for a list item
    value: _Scalar | _Coll
    before: list[str] = field(default_factory=list)  # full-line comments and "" (one blank line)
    eol: str = ""
    # where it was written (0-based line, col) — for attaching comments
    start: tuple[int, int] = (0, 0)
    end: tuple[int, int] = (0, 0)
    ends_on_line: bool = False  # a scalar or flow value: something ends on the line of `end`


def _emit(coll: _Coll, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for e in coll.entries:
        head = pad + (f"{_key_text(e.key)}:" if e.key is not None else "-")
        _lift(e)
        value, eol = e.value, e.eol
        out.extend(pad + b if b else "" for b in _collapse(e.before))
        tail = f"  {eol}" if eol else ""
        if isinstance(value, _Scalar):
            out.append(head + (" " + value.token if value.token else "") + tail)
            if value.block is not None:
                out.extend(" " * (indent + 2) + ln if ln else "" for ln in value.block)
        elif not value.entries:
            out.append(head + (" {}" if value.is_map else " []") + tail)
        elif e.key is None:
            sub: list[str] = []
            _emit(value, indent + 2, sub)
            out.append(head + " " + sub[0][indent + 2:] + tail)
            out.extend(sub[1:])
        else:
            out.append(head + tail)
            _emit(value, indent + 2, out)


def _key_text(key: str) -> str:
    return key if _plain_ok(key) else double_quoted(key)


def _lift(e: _Entry) -> None:
    """``- name: x`` prints several entries on one line: their comments go above it and at its end."""
    chain, cur = [e], e
    while cur.key is None and isinstance(cur.value, _Coll) and cur.value.entries:
        cur = cur.value.entries[0]
        chain.append(cur)
    if len(chain) > 1:
        e.before = [b for c in chain for b in c.before]
        e.eol = "  ".join(c.eol for c in chain if c.eol)
        for c in chain[1:]:
            c.before, c.eol = [], ""


def _collapse(lines: list[str]) -> list[str]:
    """Runs of blank lines become one."""
    return [ln for i, ln in enumerate(lines) if ln or i == 0 or lines[i - 1]]


def _render(root: _Coll, header: list[str], trailer: list[str]) -> str:
    body: list[str] = []
    _emit(root, 0, body)
    while body and not body[0]:
        body.pop(0)
    trailer = _collapse(trailer)
    while trailer and not trailer[-1]:
        trailer.pop()
    return "\n".join(header + body + trailer) + "\n"


def _ordered(coll: _Coll, order: Iterable[str]) -> None:
    rank = {k: i for i, k in enumerate(order)}
    coll.entries.sort(key=lambda e: rank.get(e.key or "", len(rank)))  # stable: unknown keys keep order


def _key_order(path: tuple[Any, ...]) -> tuple[str, ...] | None:
    if path == ():
        return TOP_KEYS
    if path == ("funds",):
        return FUNDS_KEYS
    if len(path) == 4 and path[0] == "indicators" and isinstance(path[3], int):
        return INDICATOR_KEYS
    return None


# ---- reading a file into the tree -------------------------------------------------------------------

class _Builder:
    def __init__(self) -> None:
        self.entries: list[_Entry] = []  # document order, outer before inner
        self.spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.block_heads: list[tuple[int, int, _Entry]] = []

    def value(self, pn: yaml.Node, vn: Node, path: tuple[Any, ...], owner: _Entry | None) -> _Scalar | _Coll:
        if isinstance(pn, yaml.MappingNode) and isinstance(vn, Map):
            coll = _Coll(True)
            for (kn, child), (key, (_, vchild)) in zip(pn.value, vn.items.items(), strict=True):
                self.spans.append((_mark(kn.start_mark), _mark(kn.end_mark)))
                coll.entries.append(self.entry(key, kn.start_mark, child, vchild, (*path, key)))
            return coll
        if isinstance(pn, yaml.SequenceNode) and isinstance(vn, Seq):
            coll = _Coll(False)
            for i, (child, vchild) in enumerate(zip(pn.value, vn.items, strict=True)):
                coll.entries.append(self.entry(None, child.start_mark, child, vchild, (*path, i)))
            return coll
        assert isinstance(pn, yaml.ScalarNode) and isinstance(vn, Scalar)
        self.spans.append((_mark(pn.start_mark), _mark(pn.end_mark)))
        if pn.style in ("|", ">") and owner is not None:
            self.block_heads.append((*_mark(pn.start_mark), owner))
        return _value_scalar(vn, target=len(path) == 5 and path[0] == "indicators" and path[4] == "target")

    def entry(self, key: str | None, start: Any, pn: yaml.Node, vn: Node, path: tuple[Any, ...]) -> _Entry:
        e = _Entry(key, _Scalar(""), start=_mark(start), end=_mark(pn.end_mark),
                   ends_on_line=isinstance(pn, yaml.ScalarNode) or bool(getattr(pn, "flow_style", False)))
        self.entries.append(e)
        e.value = self.value(pn, vn, path, e)
        if isinstance(e.value, _Coll) and (order := _key_order(path)) is not None and e.value.is_map:
            _ordered(e.value, order)
        return e


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line, mark.column)


def _value_scalar(vn: Scalar, target: bool = False) -> _Scalar:
    if vn.value is None:
        return _Scalar("")
    if isinstance(vn.value, str):
        return scalar_text(normalize_target(vn.value) if target else vn.value)
    return _Scalar(vn.raw)  # numbers and booleans keep the text they were written as


def _covered(spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> dict[int, list[tuple[int, float]]]:
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


def _attach(b: _Builder, lines: list[str], root: _Coll) -> tuple[list[str], list[str]]:
    """Hang comments and blank lines on entries; returns (header lines, trailing lines)."""
    cover = _covered(b.spans)
    notes: list[tuple[int, str | None]] = []  # (line, comment text or None for a blank line)
    schema: list[str] = []
    for ln, col, owner in b.block_heads:
        if m := _BLOCK_HEAD.match(lines[ln][col:]):
            owner.eol = m.group(1).rstrip()
    by_line: dict[int, list[_Entry]] = {}  # entries starting or ending on a line, in document order
    for e in b.entries:
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
        while i < len(b.entries) and b.entries[i].start[0] <= ln:
            i += 1
        target = b.entries[i].before if i < len(b.entries) else trailer
        target.append("" if note is None else note)
    header: list[str] = []
    if b.entries:
        first = b.entries[0]
        first.before = _collapse(first.before)
        while first.before and not first.before[0]:
            first.before.pop(0)
        if "" in first.before:
            cut = len(first.before) - 1 - first.before[::-1].index("")
            header, first.before = [*first.before[:cut], ""], first.before[cut + 1:]
    return schema + header, trailer


def _eol_owner(entries: list[_Entry], ln: int, col: int) -> _Entry | None:
    ending = [e for e in entries if e.ends_on_line and e.end[0] == ln and 0 < e.end[1] <= col]
    if ending:
        best = max(e.end[1] for e in ending)
        return next(e for e in ending if e.end[1] == best)  # the outermost of those ending last
    starting = [e for e in entries if e.start[0] == ln]
    return starting[-1] if starting else None


# ---- public API ---------------------------------------------------------------------------------

def format_text(text: str, source: str = "<text>") -> str:
    """The canonical layout of one goals (or _defaults.yaml) file. Raises PerfgenError on YAML errors."""
    root, diags = load(text.encode("utf-8"), source)
    if root is None and [d.key for d in diags] == ["file.empty"]:
        return text  # nothing but comments (an empty _defaults.yaml): nothing to lay out
    if root is None or any(d.severity == "error" for d in diags):
        raise PerfgenError(diags)
    b, tree, lines = _read(text, root)
    comments = _comments(b, lines)
    _ordered(tree, TOP_KEYS)
    header, trailer = _attach(b, lines, tree)
    out = _render(tree, header, trailer)
    _verify(root, comments, out, source)
    return out


def _read(text: str, root: Map) -> tuple[_Builder, _Coll, list[str]]:
    text = text.lstrip("\ufeff")
    composed = yaml.compose(text, Loader=_LOADER)
    assert composed is not None  # load() accepted it
    b = _Builder()
    tree = b.value(composed, root, (), None)
    assert isinstance(tree, _Coll)
    return b, tree, _BREAKS.split(text)


def _comments(b: _Builder, lines: list[str]) -> list[str]:
    heads = [m.group(1).rstrip() for ln, col, _ in b.block_heads if (m := _BLOCK_HEAD.match(lines[ln][col:]))]
    return [text for _, _, text in find_comments(lines, _covered(b.spans))] + heads


def dump_project(project: Project, omit: Iterable[str] = frozenset(), *, schema: str | None = None,
                 keep_empty: Iterable[str] = frozenset()) -> str:
    """Canonical YAML for a model project (what ``perfgen import`` writes). ``omit``: top-level keys a
    _defaults.yaml provides; ``keep_empty``: optional keys to write even when empty (to override a default);
    ``schema``: the path for the ``# yaml-language-server: $schema=`` line."""
    omit, keep = set(omit), set(keep_empty)
    values: dict[str, Any] = {"year": project.year, "unit": project.unit, "name": project.name,
                              "leader": project.leader, "code": project.code}
    f = project.funds
    funds = _Coll(True, [_Entry(k, _Scalar(_funds_text(f.raw.get(k), getattr(f, k)))) for k in FUNDS_KEYS])
    objectives = _Coll(False, [_Entry(None, scalar_text(o)) for o in project.objectives])
    indicators = _Coll(True)
    groups: dict[str, dict[str, _Coll]] = {}
    for ind in project.indicators:  # grouped by first appearance: YAML keys are unique
        level2 = groups.setdefault(ind.level1, {})
        if not level2:
            indicators.entries.append(_Entry(ind.level1, _Coll(True)))
        if ind.level2 not in level2:
            level2[ind.level2] = _Coll(False)
            parent = next(e.value for e in indicators.entries if e.key == ind.level1)
            assert isinstance(parent, _Coll)
            parent.entries.append(_Entry(ind.level2, level2[ind.level2]))
        item = _Coll(True)
        for key in INDICATOR_KEYS:
            value = getattr(ind, key)
            if key == "weight":
                item.entries.append(_Entry(key, _Scalar(_number_text(value))))
            elif key == "target":
                item.entries.append(_Entry(key, scalar_text(normalize_target(value))))
            elif value:
                item.entries.append(_Entry(key, scalar_text(value)))
        level2[ind.level2].entries.append(_Entry(None, item))
    root = _Coll(True)
    for key in TOP_KEYS:
        if key in omit:
            continue
        if key == "year":
            root.entries.append(_Entry(key, _Scalar(str(project.year))))
        elif key in values:
            if values[key] or key in keep or key in ("unit", "name"):
                root.entries.append(_Entry(key, scalar_text(values[key])))
        else:
            root.entries.append(_Entry(key, {"funds": funds, "objectives": objectives,
                                             "indicators": indicators}[key]))
    return _render(root, [f"{SCHEMA_COMMENT} $schema={schema}"] if schema else [], [])


def _funds_text(raw: str | None, value: float) -> str:
    try:
        if raw is not None and float(raw) == value and _FLOAT_RAW.match(raw):
            return raw
    except ValueError:
        pass
    return _number_text(value)


_FLOAT_RAW = re.compile(r"[0-9]+(\.[0-9]+)?\Z")


def dump_defaults(values: dict[str, Any]) -> str:
    """Canonical YAML for a ``_defaults.yaml`` holding ``values`` (year, unit, leader, ...)."""
    root = _Coll(True)
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError(f"unsupported default value for {key}: {type(value).__name__}")
        token = scalar_text(value) if isinstance(value, str) else _Scalar(_number_text(value) if isinstance(
            value, float) else str(value))
        root.entries.append(_Entry(key, token))
    _ordered(root, TOP_KEYS)
    return _render(root, [], [])


# ---- meaning: what must not change ------------------------------------------------------------------

def project_values(project: Project) -> dict[str, Any]:
    """Everything a project means (no positions), targets with their operator spelling normalised."""
    f = project.funds
    return {
        "year": project.year, "unit": project.unit, "name": project.name, "leader": project.leader,
        "code": project.code, "funds": (f.total, f.fiscal, f.other), "objectives": list(project.objectives),
        "indicators": [(i.level1, i.level2, i.name, normalize_target(i.target), i.basis, i.last_year, i.weight,
                        i.scoring, i.evidence, i.note) for i in project.indicators],
    }


def _meaning(node: Node, path: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, Map):
        items = [(k, _meaning(v, (*path, k))) for k, (_, v) in node.items.items()]
        return sorted(items) if _key_order(path) is not None else items
    if isinstance(node, Seq):
        return [_meaning(v, (*path, i)) for i, v in enumerate(node.items)]
    assert isinstance(node, Scalar)
    value = node.value
    if isinstance(value, str) and len(path) == 5 and path[0] == "indicators" and path[4] == "target":
        value = normalize_target(value)
    return (type(value).__name__, value, node.raw if isinstance(value, int | float) else None)


def _verify(root: Map, comments: list[str], after: str, source: str) -> None:
    """The result must mean the same and hold every comment; else it is a bug and nothing is written."""
    new_root, diags = load(after.encode("utf-8"), source)
    if new_root is None or diags or _meaning(new_root) != _meaning(root):
        raise FormatSafetyError(f"{source}: formatting would change the meaning")
    b, _, lines = _read(after, new_root)
    remaining = Counter(_comments(b, lines))
    joined: list[str] = []
    for comment in comments:
        if remaining[comment]:
            remaining[comment] -= 1
        else:
            joined.append(comment)
    pool = list(remaining.elements())  # end-of-line comments of entries printed on one line are joined
    for comment in sorted(joined, key=len, reverse=True):
        hit = next((i for i, c in enumerate(pool) if comment in c), None)
        if hit is None:
            raise FormatSafetyError(f"{source}: formatting would drop the comment {comment!r}")
        pool[hit] = pool[hit].replace(comment, "", 1)


# ---- a goals file on disk: read it, put the new layout in place --------------------------------------

class ChangedMeanwhile(OSError):
    """The file changed between :func:`read_goals_file` and :func:`replace_goals_file`: nothing was written."""


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid, st.st_gid)


@dataclass(frozen=True)
class GoalsFile:
    """A goals file as it was read: ``path`` as named, ``real`` the file itself (a link's target), its
    bytes, and its stat from just before it was read (to see later whether anything changed it)."""

    path: Path
    real: Path
    data: bytes
    stat: os.stat_result

    @property
    def linked(self) -> bool:
        return os.path.abspath(self.path) != str(self.real)


def _within(base: str, path: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def read_goals_file(path: Path, root: Path) -> GoalsFile:
    """Read ``path`` for formatting, through symbolic links only to a file inside the repository ``root``.

    A link (as the file itself or as a folder on the way to it, below ``root``) is followed only when the
    file it leads to lies inside ``root``: then *that* file is formatted in place and the link stays a link.
    A link out of the repository raises :class:`~perfgen.fsutil.UnsafeFile` (``outside``): such a file is
    neither read nor written. Paths outside ``root`` (named on the command line) are the user's own. Only a
    regular file of at most :data:`~perfgen.load.yamlnodes.MAX_BYTES` is read (no FIFO, device or huge file);
    other :class:`OSError` (missing, permissions, a link loop) pass through.
    """
    named = os.path.abspath(path)
    real = os.path.realpath(path)
    if real != named and _within(os.path.abspath(root), named) and not _within(os.path.realpath(root), real):
        raise UnsafeFile(path, "outside")
    before = os.stat(real, follow_symlinks=False)  # before reading: a change during the read shows later
    data = read_regular(real, MAX_BYTES, nofollow=True)
    return GoalsFile(Path(path), Path(real), data, before)


def _changed(f: GoalsFile) -> bool:
    try:
        if os.path.realpath(f.path) != str(f.real):  # the link now leads elsewhere
            return True
        if _identity(os.stat(f.real, follow_symlinks=False)) != _identity(f.stat):
            return True
        # the clock may not have ticked since the read (same size, same mtime): compare the bytes
        return read_regular(f.real, len(f.data), nofollow=True) != f.data
    except OSError:  # gone, replaced by something else, grown past the old size, ...
        return True


def replace_goals_file(f: GoalsFile, data: bytes, before_replace: Callable[[], None] | None = None) -> None:
    """Put ``data`` in place of the file ``f`` was read from, atomically, unless the file changed meanwhile.

    The new bytes go to a temporary file next to ``f.real`` with the old file's mode (and owner, when
    perfgen may set it); just before ``os.replace`` the file is compared with what was read (device, inode,
    size, mtime, mode, owner, then the bytes themselves): any difference raises :class:`ChangedMeanwhile`
    and leaves the file as the other program wrote it. ``before_replace`` runs right before that last check
    (tests use it to play an editor saving the file at the worst moment). A link is never replaced: its
    target is (``f.real``). Like any save by rename, this gives a file with several hard links a new inode
    under this name only; the other names keep the old bytes.
    """
    import tempfile  # here: importing it costs every other command a few milliseconds

    real = f.real
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        st = f.stat
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # only root may give a file away; before chmod (it clears set-id)
                os.chown(tmp, st.st_uid, st.st_gid)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if before_replace is not None:
            before_replace()
        if _changed(f):
            raise ChangedMeanwhile(f"{f.path}: changed while it was being formatted")
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
