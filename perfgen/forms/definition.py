"""A form definition file read into a :class:`FormDef`, with every problem at its line.

A definition is checked in two steps: against ``schema/form.schema.json`` (the same schema editors use), then
for what a schema cannot say — every row fills the grid exactly, no cell merges past its section, every field
a cell or a text names exists, category mappings name real categories.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.forms import values
from perfgen.load import schema as schemacheck
from perfgen.load.yamlnodes import Map, Node, Scalar, Seq, load, to_plain
from perfgen.resources import form_schema_path

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

CellKind = Literal["label", "value", "text", "empty"]
_NOWHERE = Pos("")


@dataclass(frozen=True, slots=True)
class CellDef:
    """One cell of a header or footer row: a label, a field's value, a text, or nothing."""

    kind: CellKind
    content: str  # the label, the field's name, or the text ("" when empty)
    span: int = 1
    rows: int = 1
    align: str = "center"
    numbered: str | None = None  # a list field's paragraphs: "目标{n}、{text}"
    pos: Pos = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class ColumnDef:
    """A column of the indicator table: its title and what it prints (an indicator's field, or a computed value)."""

    title: str
    value: str | None = None
    computed: str | None = None
    align: str = "center"
    pos: Pos = field(default=_NOWHERE, compare=False)
    group: str | None = None  # a title over several adjacent columns (a second title row): 偏差原因分析


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """Model categories ``source`` ([一级] or [一级, 二级]) print as ``target`` ([一级] keeps the 二级)."""

    source: tuple[str, ...]
    target: tuple[str, ...]


@dataclass(frozen=True)
class FormDef:
    id: str
    description: str
    title: str
    widths: tuple[int, ...]
    header: tuple[tuple[CellDef, ...], ...]
    columns: tuple[ColumnDef, ...]
    year_line: str | None = None
    label: str | None = None  # the indicator section's merged first column ("绩效指标"), if any
    list_empty: bool = False
    footer: tuple[tuple[CellDef, ...], ...] = ()
    above: tuple[str, ...] = ()
    below: tuple[str, ...] = ()
    weights: float | None = None
    categories: tuple[CategoryRule, ...] = ()
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""  # the definition file as shown in diagnostics
    builtin: bool = True
    needs: str | None = None  # "execution" / "midyear": built only for projects that give that data

    def fits(self, project: object) -> bool:
        """The project has the data this form needs (a year-end or mid-year form), or the form needs none."""
        return self.needs is None or getattr(project, self.needs, None) is not None

    @property
    def width(self) -> int:
        return len(self.widths)

    def header_fields(self) -> list[tuple[str, Pos]]:
        """Every header field the form prints (cells and texts), with where the definition names it."""
        out: list[tuple[str, Pos]] = []
        for row in (*self.header, *self.footer):
            for cell in row:
                if cell.kind == "value":
                    out.append((cell.content, cell.pos))
                elif cell.kind in ("text", "label"):
                    out.extend((name, cell.pos) for name in values.placeholders(cell.content))
        for line in (self.title, self.year_line or "", *self.above, *self.below):
            out.extend((name, Pos(self.source)) for name in values.placeholders(line))
        return out

    @property
    def has_weights(self) -> bool:
        return self.weights is not None and any(c.value == "weight" for c in self.columns)


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    with form_schema_path().open(encoding="utf-8") as fh:
        return Draft202012Validator(json.load(fh))


def read_definition(data: bytes, source: str, *, builtin: bool = False) -> tuple[FormDef | None, list[Diagnostic]]:
    """The definition in ``data`` (the file ``source``), or None and why not; every problem in one pass."""
    root, diags = load(data, source)
    if root is None or any(d.severity == "error" for d in diags):
        return None, diags
    if not builtin:  # the built-ins are checked against the schema by the tests, not on every build
        diags += schemacheck.check_with(_validator(), root)
    if diags:
        return None, diags
    return definition_from(root, source, builtin=builtin)


def definition_from(root: Map, source: str, *, builtin: bool = False) -> tuple[FormDef | None, list[Diagnostic]]:
    """The definition in a document already read (and checked against the schema)."""
    form, problems = _Reader(source).read(root, builtin)
    return (None if problems else form), problems


def nodes(value: Any, source: str) -> Node:
    """A node tree for plain data (a built-in definition compiled to JSON: positions name only the file)."""
    pos = Pos(source)
    if isinstance(value, dict):
        return Map(pos, {str(k): (pos, nodes(v, source)) for k, v in value.items()})
    if isinstance(value, list):
        return Seq(pos, [nodes(v, source) for v in value])
    return Scalar(pos, value, "" if value is None else str(value))


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.diags: list[Diagnostic] = []

    def read(self, root: Map, builtin: bool) -> tuple[FormDef, list[Diagnostic]]:
        plain: dict[str, Any] = to_plain(root)
        widths = tuple(plain["widths"])
        ind = root.get("indicators")
        assert isinstance(ind, Map)
        columns = tuple(self._column(node) for node in _items(ind.get("columns")))
        label = plain["indicators"].get("label")
        form = FormDef(
            id=plain["id"], description=plain["description"], title=plain["title"], widths=widths,
            header=self._rows(root.get("header"), len(widths)), columns=columns,
            year_line=plain.get("year_line"), label=label, list_empty=bool(plain["indicators"].get("list_empty")),
            footer=self._rows(root.get("footer"), len(widths)), above=tuple(plain.get("above", ())),
            below=tuple(plain.get("below", ())), weights=plain.get("weights"),
            categories=tuple(CategoryRule(tuple(c["from"]), tuple(c["to"])) for c in plain.get("categories", ())),
            order={k: tuple(v) for k, v in plain.get("order", {}).items()}, source=self.source, builtin=builtin,
            needs=plain.get("needs"))
        used = len(columns) + (1 if label else 0)
        if used != len(widths):
            self.diags.append(diag(ind.pos, "PG041", "form.columns", used=used, width=len(widths)))
        self._texts(root, plain)
        self._categories(root, form)
        return form, self.diags

    def _column(self, node: Node) -> ColumnDef:
        assert isinstance(node, Map)
        plain = to_plain(node)
        value = plain.get("value")
        if value is not None and value not in values.INDICATOR:
            self._unknown(node.items["value"][1].pos, value, list(values.INDICATOR))
        if value is None and plain.get("computed") is None:
            value = None  # an empty column: the form prints its title and empty cells
        return ColumnDef(plain["title"], value, plain.get("computed"), plain.get("align", "center"), node.pos,
                         plain.get("group"))

    def _rows(self, node: Node | None, width: int) -> tuple[tuple[CellDef, ...], ...]:
        rows = [tuple(self._cell(c) for c in _items(r)) for r in _items(node)]
        covered: dict[tuple[int, int], int] = {}  # (row, column) -> set by a cell above
        for r, (row_node, cells) in enumerate(zip(_items(node), rows, strict=True)):
            col = 0
            for cell in cells:
                while (r, col) in covered:
                    col += covered[(r, col)]
                if cell.rows > 1:
                    if r + cell.rows > len(rows):
                        self.diags.append(diag(cell.pos, "PG041", "form.rows_overrun", rows=cell.rows))
                    for below in range(r + 1, r + cell.rows):
                        covered[(below, col)] = cell.span
                col += cell.span
            while (r, col) in covered:
                col += covered[(r, col)]
            if col != width:
                key = "form.overrun" if col > width else "form.short"
                self.diags.append(diag(row_node.pos, "PG041", key, used=col, width=width))
        return tuple(rows)

    def _cell(self, node: Node) -> CellDef:
        assert isinstance(node, Map)
        plain = to_plain(node)
        kinds = [k for k in ("label", "value", "text") if k in plain]
        if len(kinds) > 1:
            self.diags.append(diag(node.pos, "PG042", "form.field", field=" + ".join(kinds),
                                   available="label | value | text"))
        kind: CellKind = kinds[0] if kinds else "empty"  # type: ignore[assignment]
        content = str(plain.get(kind, ""))
        if kind == "value" and not values.is_header(content):
            self._unknown(node.items["value"][1].pos, content, values.header_names())
        return CellDef(kind, content, plain.get("span", 1), plain.get("rows", 1), plain.get("align", "center"),
                       plain.get("numbered"), node.pos)

    def _unknown(self, pos: Pos, name: str, available: list[str]) -> None:
        self.diags.append(diag(pos, "PG042", "form.field", field=name, available=", ".join(available)))

    def _texts(self, root: Map, plain: dict[str, Any]) -> None:
        """Every ``{field}`` of the titles, the lines above and below, and text cells, must exist."""
        nodes: list[Node] = [n for key in ("title", "year_line") if (n := root.get(key)) is not None]
        nodes += [*_items(root.get("above")), *_items(root.get("below"))]
        for row in (*_items(root.get("header")), *_items(root.get("footer"))):
            for cell in _items(row):
                if isinstance(cell, Map) and (t := cell.get("text") or cell.get("label")) is not None:
                    nodes.append(t)
        for node in nodes:
            text = to_plain(node)
            if not isinstance(text, str):
                continue
            try:
                names = values.placeholders(text)
            except ValueError:
                names = [text]
            for name in names:
                if not values.is_header(name):
                    self.diags.append(diag(node.pos, "PG042", "form.placeholder", field=name,
                                           available=", ".join(values.header_names())))

    def _categories(self, root: Map, form: FormDef) -> None:
        for rule, node in zip(form.categories, _items(root.get("categories")), strict=True):
            if len(rule.source) == 2 and len(rule.target) == 1:
                self.diags.append(diag(node.pos, "PG043", "form.category",
                                       detail=f"{'/'.join(rule.source)} → {rule.target[0]}: 二级 needs a 二级"))


def _items(node: Node | None) -> list[Node]:
    return node.items if isinstance(node, Seq) else []
