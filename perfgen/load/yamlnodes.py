"""Read a goals file into a tree of located nodes, safely.

PyYAML's C parser composes the node graph (it keeps line/column marks); we convert it ourselves so that
duplicate keys are caught, aliases are refused before anything walks them (alias bombs), YAML 1.1
surprises are avoided (``NO``, ``0755``, dates) and every scalar keeps the text it was written as.
Control characters are refused (PG021), raw or written as escapes (``"\\e"``, ``"\\x00"``), so none reaches
the model, the HTML or Word output, or a terminal. Nothing here raises on bad input: problems come back as
diagnostics.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag

if TYPE_CHECKING:
    import yaml


@cache
@cache
def _yaml() -> tuple[Any, Any]:
    """PyYAML and its loader, imported on first use (a no-op build reads no YAML and skips the ~20 ms)."""
    import yaml

    # The C loader is ~10x faster and also keeps marks.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    null, boolean, merge = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:merge"
    implicit_tags = {"": null, "~": null, "null": null, "Null": null, "NULL": null, "<<": merge,
                     **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), boolean)}
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode
    str_tag, seq_tag, map_tag = base.DEFAULT_SCALAR_TAG, base.DEFAULT_SEQUENCE_TAG, base.DEFAULT_MAPPING_TAG

    class Loader(base):  # type: ignore[misc,valid-type]
        """Resolves only the tags :class:`_Builder` reads (null, true/false, the merge key); numbers and the
        rest are decided from the text there. PyYAML's resolver, called for every scalar, matched each one
        against a dozen patterns: a quarter of the time a goals file took to parse (issue 16)."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar:
                return (implicit_tags.get(value) or str_tag) if implicit[0] else str_tag
            return seq_tag if kind is sequence else map_tag

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass  # no path resolvers: a safe loader registers none

        def ascend_resolver(self) -> None:
            pass

    return yaml, Loader


MAX_BYTES = 2 * 1024 * 1024  # a goals file is a few KB; anything this big is a mistake or an attack
MAX_NODES = 200_000
MAX_DEPTH = 100  # goals files nest 6 deep; libyaml's composer recurses in C and crashes on ~10^4

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?\Z")
_BOOL = {"true": True, "false": False}

# Control characters a value or key may not hold: C0 except tab, newline and carriage return; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The YAML escapes that can make one (only double-quoted scalars have escapes; libyaml refuses the raw
# characters, and NEL written raw is a line break). A file without them needs no look at its scalars.
_CONTROL_ESCAPE = re.compile(r"\\[0abvfeNxuU]")


@dataclass(slots=True)
class Node:
    pos: Pos


@dataclass(slots=True)
class Scalar(Node):
    value: Any  # str, int, float, bool or None
    raw: str  # the text as written (without quotes)
    quoted: bool = False


@dataclass(slots=True)
class Seq(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Map(Node):
    # key -> (position of the key, value node); insertion order is the written order
    items: dict[str, tuple[Pos, Node]] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        item = self.items.get(key)
        return item[1] if item else None


def to_plain(node: Node) -> Any:
    """The Python value of a node tree (for JSON Schema)."""
    if isinstance(node, Map):
        return {k: to_plain(v) for k, (_, v) in node.items.items()}
    if isinstance(node, Seq):
        return [to_plain(v) for v in node.items]
    assert isinstance(node, Scalar)
    return node.value


def _decode(data: bytes, source: str) -> tuple[str | None, list[Diagnostic]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [diag(Pos(source, 1, 1), "PG002", "enc.utf16")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        pos = Pos(source, line, col)
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            return None, [diag(pos, "PG002", "enc.unknown")]
        return None, [diag(pos, "PG002", "enc.gbk")]


def _mark(source: str, mark: Any) -> Pos:
    if mark is None:
        return Pos(source, 1, 1)
    return Pos(source, mark.line + 1, mark.column + 1)


def _control(pos: Pos, key: str, code: int) -> Diagnostic:
    """PG021 naming the character as an escape and a code point: ``\\x1b（U+001B）``."""
    return diag(pos, "PG021", key, char=f"\\x{code:02x}", code=f"U+{code:04X}")


def _reader_error(source: str, exc: yaml.reader.ReaderError, text: str) -> Diagnostic:
    """A character YAML does not allow in a file (control characters, U+FEFF inside the text), where it is."""
    code, offset = int(exc.character), int(exc.position)
    # libyaml counts the offset in UTF-8 bytes, PyYAML's Python reader in characters: take the one that
    # lands on the character named.
    prefix = text.encode("utf-8")[:offset].decode("utf-8", "ignore")
    if text[len(prefix):len(prefix) + 1] != chr(code) and text[offset:offset + 1] == chr(code):
        prefix = text[:offset]
    pos = Pos(source, prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1)
    if _CONTROL.match(chr(code)):
        return _control(pos, "yaml.control.raw", code)
    return diag(pos, "PG001", "yaml.syntax", problem=f"unacceptable character #x{code:04x}: {exc.reason}")


def _yaml_error(source: str, exc: yaml.YAMLError, text: str) -> Diagnostic:
    if isinstance(exc, _yaml()[0].reader.ReaderError):
        return _reader_error(source, exc, text)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    pos = _mark(source, mark)
    problem = (getattr(exc, "problem", None) or str(exc)).strip()
    line_text = text.splitlines()[pos.line - 1] if 0 < pos.line <= len(text.splitlines()) else ""
    if "\t" in problem or "'\\t'" in problem or (line_text[: pos.col].lstrip(" ").startswith("\t")):
        return diag(pos, "PG001", "yaml.tab")
    # `target: >=98%` opens a folded block scalar: the parser then complains somewhere near it.
    lines = text.splitlines()
    for i in range(max(0, pos.line - 3), min(len(lines), pos.line + 1)):
        m = re.search(r"(?::|^\s*-)\s+([>|][=<>]?[-+]?\d\S*)", lines[i])
        if m:
            return diag(Pos(source, i + 1, m.start(1) + 1), "PG001", "yaml.gt", value=m.group(1), first=m.group(1)[0])
    context = str(getattr(exc, "context", None) or "")
    if "expected a single document" in problem or "expected a single document" in context:
        return diag(pos, "PG001", "yaml.multidoc")
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return diag(pos, "PG004", "yaml.alias")
    return diag(pos, "PG001", "yaml.syntax", problem=problem)


class _Builder:
    def __init__(self, source: str):
        self.yaml = _yaml()[0]
        self.source = source
        self.diags: list[Diagnostic] = []
        self.count = 0

    def pos(self, n: yaml.Node) -> Pos:
        return _mark(self.source, n.start_mark)

    def build(self, n: yaml.Node, depth: int = 0) -> Node:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise _TooBig
        yaml = self.yaml
        if isinstance(n, yaml.MappingNode):
            m = Map(self.pos(n))
            for kn, vn in n.value:
                if not isinstance(kn, yaml.ScalarNode):
                    self.diags.append(diag(self.pos(kn), "PG001", "yaml.complexkey"))
                    continue
                key = kn.value
                if kn.tag == "tag:yaml.org,2002:merge":
                    self.diags.append(diag(self.pos(kn), "PG004", "yaml.alias"))
                    continue
                kpos = self.pos(kn)
                if key in m.items:
                    self.diags.append(
                        diag(kpos, "PG003", "yaml.dupkey", related=m.items[key][0], key=key))
                    continue
                m.items[key] = (kpos, self.build(vn, depth + 1))
            return m
        if isinstance(n, yaml.SequenceNode):
            return Seq(self.pos(n), [self.build(x, depth + 1) for x in n.value])
        return self.scalar(n)

    def scalar(self, n: yaml.Node) -> Scalar:
        raw = str(n.value)
        style = getattr(n, "style", None)
        pos = self.pos(n)
        if style:  # quoted or block scalars are always text
            return Scalar(pos, raw, raw, quoted=style in ("'", '"'))
        if n.tag == "tag:yaml.org,2002:null" or raw in ("", "~", "null", "Null", "NULL"):
            return Scalar(pos, None, raw)
        if raw.lower() in _BOOL and n.tag == "tag:yaml.org,2002:bool":
            return Scalar(pos, _BOOL[raw.lower()], raw)
        if _INT.match(raw) and len(raw) <= 30:  # int() refuses >4300 digits; no goals value needs 30
            return Scalar(pos, int(raw), raw)
        if _FLOAT.match(raw) and len(raw) <= 40 and math.isfinite(float(raw)):
            return Scalar(pos, float(raw), raw)
        # Everything else, including YAML 1.1-only forms (yes/no, 0x1F, 1_000, 1:30, dates), stays text:
        # the same value yaml-language-server (YAML 1.2) shows the user. (0755 is the number 755, as in 1.2.)
        return Scalar(pos, raw, raw)


class _TooBig(Exception):
    pass


def _controls(root: Node) -> list[Diagnostic]:
    """PG021 for each key or double-quoted value holding a control character (written as an escape)."""
    found: list[Diagnostic] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Map):
            for key, (kpos, value) in node.items.items():
                m = _CONTROL.search(key)
                if m:
                    found.append(_control(kpos, "yaml.control.key", ord(m.group())))
                stack.append(value)
        elif isinstance(node, Seq):
            stack.extend(node.items)
        elif isinstance(node, Scalar) and node.quoted and isinstance(node.value, str):
            m = _CONTROL.search(node.value)
            if m:
                found.append(_control(node.pos, "yaml.control", ord(m.group())))
    return found


_BRACKETS = re.compile(r"[\[\]{}]")
_DASHES = re.compile(r"[ \t]*(?:[-?:][ \t]+)*")


def _too_deep(text: str) -> bool:
    """A cheap upper bound on nesting, checked before libyaml composes (it would overflow the C stack)."""
    depth = peak = 0
    for bracket in _BRACKETS.finditer(text):
        if bracket.group() in "[{":
            depth += 1
            if depth > peak:
                peak = depth
        else:
            depth = max(0, depth - 1)
    if peak > MAX_DEPTH:
        return True
    for line in text.splitlines():
        m = _DASHES.match(line)
        if m and m.end() > MAX_DEPTH * 4:
            return True
    return False


# Traps read as text in one file; past that, the first unrepaired problem is reported. Each repair parses the
# file again: the budget (characters parsed) keeps a hostile file full of traps from costing more than a few
# ordinary parses of the largest file allowed.
MAX_REPAIRS = 100
REPAIR_BUDGET = 4 * 1024 * 1024


def _quoted_trap(text: str, problem: Diagnostic) -> str | None:
    """``text`` with the value that :func:`_yaml_error` found starting with ``>`` or ``|`` (PG001 yaml.gt) put in
    double quotes, so that the rest of the file can be read and checked in the same run; None for any other
    problem. The quote goes where the value began: the value's node keeps the position reported."""
    if problem.key != "yaml.gt":
        return None
    value = dict(problem.args).get("value")
    lines = text.split("\n")
    index, col = problem.pos.line - 1, problem.pos.col - 1
    if not isinstance(value, str) or not 0 <= index < len(lines) or lines[index][col:col + len(value)] != value:
        return None
    line = lines[index]
    rest = line[col:]
    comment = re.search(r"\s+#", rest)
    written = (rest[: comment.start()] if comment else rest).rstrip()
    lines[index] = line[:col] + json.dumps(written, ensure_ascii=False) + rest[len(written):]
    return "\n".join(lines)


def load(data: bytes, source: str) -> tuple[Map | None, list[Diagnostic]]:
    """Parse one YAML document; returns (root node or None, diagnostics)."""
    if len(data) > MAX_BYTES:
        return None, [diag(Pos(source), "PG005", "file.toolarge", size=len(data), limit=MAX_BYTES)]
    text, diags = _decode(data, source)
    if text is None:
        return None, diags
    if "\x00" in text:
        return None, [diag(Pos(source, 1, 1), "PG002", "enc.binary")]
    if _too_deep(text):
        return None, [diag(Pos(source), "PG005", "file.toodeep")]
    yaml, loader = _yaml()
    repaired: list[Diagnostic] = []  # `target: >=98%` traps, reported and then read as the text meant
    while True:
        try:
            if "*" in text or "<<" in text:
                # Refuse aliases before composing walks them: an alias bomb is a few lines of text.
                for ev in yaml.parse(text, Loader=loader):
                    if isinstance(ev, yaml.AliasEvent):
                        return None, [*repaired, diag(_mark(source, ev.start_mark), "PG004", "yaml.alias")]
            root = yaml.compose(text, Loader=loader)
            break
        except yaml.YAMLError as exc:
            problem = _yaml_error(source, exc, text)
            budget = len(repaired) < MAX_REPAIRS and len(text) * (len(repaired) + 1) <= REPAIR_BUDGET
            fixed = _quoted_trap(text, problem) if budget else None
            if fixed is None:
                return None, [*repaired, problem]
            repaired.append(problem)
            text = fixed
        except (RecursionError, MemoryError):
            return None, [diag(Pos(source), "PG005", "file.toodeep")]
    if root is None:
        return None, [diag(Pos(source, 1, 1), "PG006", "file.empty")]
    builder = _Builder(source)
    builder.diags += repaired
    try:
        node = builder.build(root)
    except (_TooBig, RecursionError):
        return None, [diag(Pos(source), "PG005", "file.toodeep")]
    if _CONTROL_ESCAPE.search(text):
        builder.diags += _controls(node)
    if not isinstance(node, Map):
        return None, [*builder.diags, diag(node.pos, "PG006", "file.notmap")]
    return node, builder.diags
