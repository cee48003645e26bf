"""The house rules of perfgen's code, measured (docs/architecture.md): no import cycles, at most 10 modules
directly in perfgen/, no hand-written module over 400 lines, no function over 60 lines.

Everything is read with ``ast`` from the files of the perfgen package, nothing is imported. The generated
templates in perfgen/render/precompiled/ are not hand-written and are left out of the size rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sample_data import ROOT

PACKAGE = ROOT / "perfgen"
GENERATED = PACKAGE / "render" / "precompiled"
MAX_TOP_LEVEL_MODULES = 10
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def hand_written(path: Path) -> bool:
    return not path.is_relative_to(GENERATED)


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# ---- the import graph ----------------------------------------------------------------------------------


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_statements(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth (functions, classes, try blocks), except the body of an
    ``if TYPE_CHECKING:`` (its ``else`` runs, so it counts)."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    if isinstance(node, ast.If) and is_type_checking(node.test):
        children: list[ast.AST] = list(node.orelse)
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        yield from import_statements(child)


def absolute_base(statement: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module a ``from … import`` names, with relative imports (``from .x import y``) resolved."""
    if not statement.level:
        return statement.module or ""
    parts = importer.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (statement.level - 1)]
    return ".".join([*parts, statement.module] if statement.module else parts)


def known_module(name: str, modules: set[str]) -> str | None:
    """``name`` if it is one of perfgen's modules, else the nearest package above it that is."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def imported_modules(statement: ast.Import | ast.ImportFrom, importer: str, is_package: bool,
                     modules: set[str]) -> set[str]:
    """perfgen's modules one import statement loads (a name imported from a package counts as the package,
    unless it is a submodule)."""
    if isinstance(statement, ast.Import):
        found = {known_module(alias.name, modules) for alias in statement.names}
    else:
        base = absolute_base(statement, importer, is_package)
        found = {known_module(f"{base}.{alias.name}", modules) if f"{base}.{alias.name}" in modules
                 else known_module(base, modules) for alias in statement.names}
    return {name for name in found if name is not None and name != importer}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in package_files()}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        graph[name] = set().union(*(imported_modules(statement, name, is_package, modules)
                                    for statement in import_statements(tree)))
    return graph


@dataclass
class _Tarjan:
    """Strongly connected components of a graph (Tarjan's algorithm, iterative: no recursion limit)."""

    graph: dict[str, set[str]]
    index: dict[str, int] = field(default_factory=dict)
    low: dict[str, int] = field(default_factory=dict)
    stack: list[str] = field(default_factory=list)
    on_stack: set[str] = field(default_factory=set)
    components: list[list[str]] = field(default_factory=list)

    def run(self) -> list[list[str]]:
        for node in sorted(self.graph):
            if node not in self.index:
                self.visit(node)
        return self.components

    def visit(self, root: str) -> None:
        work = [(root, iter(sorted(self.graph[root])))]
        self.enter(root)
        while work:
            node, successors = work[-1]
            successor = next(successors, None)
            if successor is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    self.low[parent] = min(self.low[parent], self.low[node])
                self.leave(node)
            elif successor not in self.index:
                self.enter(successor)
                work.append((successor, iter(sorted(self.graph[successor]))))
            elif successor in self.on_stack:
                self.low[node] = min(self.low[node], self.index[successor])

    def enter(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)

    def leave(self, node: str) -> None:
        if self.low[node] != self.index[node]:
            return
        component: list[str] = []
        while not component or component[-1] != node:
            component.append(self.stack.pop())
            self.on_stack.discard(component[-1])
        self.components.append(sorted(component))


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or through others."""
    return sorted(c for c in _Tarjan(graph).run() if len(c) > 1)


def describe_cycle(graph: dict[str, set[str]], component: list[str]) -> str:
    """One cycle through ``component``, written as ``a -> b -> a``, with the size of the group."""
    members = set(component)
    path = [component[0]]
    while True:
        following = sorted(graph[path[-1]] & members)
        closing = [m for m in following if m in path]
        if closing:
            loop = [*path[path.index(closing[0]):], closing[0]]
            return f"{' -> '.join(loop)}  ({len(component)} modules in the group: {', '.join(component)})"
        path.append(following[0])


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set(), "f": {"g"}, "g": {"f", "e"}}
    assert import_cycles(graph) == [["a", "b", "c"], ["f", "g"]]
    assert describe_cycle(graph, ["a", "b", "c"]).startswith("a -> b -> c -> a  (3 modules")


def test_function_level_imports_count_and_type_checking_ones_do_not() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import perfgen.a\n"
        "if TYPE_CHECKING:\n"
        "    from perfgen.b import B\n"
        "else:\n"
        "    from perfgen import c\n"
        "def f():\n"
        "    from perfgen.d import thing\n"
        "    from . import e\n"
    )
    modules = {"perfgen", "perfgen.a", "perfgen.b", "perfgen.c", "perfgen.d", "perfgen.x", "perfgen.x.e",
               "perfgen.x.m"}
    found = set().union(*(imported_modules(statement, "perfgen.x.m", False, modules)
                          for statement in import_statements(ast.parse(source))))
    assert found == {"perfgen.a", "perfgen.c", "perfgen.d", "perfgen.x.e"}


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 20  # the package was found and read
    cycles = [describe_cycle(graph, component) for component in import_cycles(graph)]
    assert cycles == [], "import cycles (function-level imports included):\n" + "\n".join(cycles)


# ---- sizes ---------------------------------------------------------------------------------------------


def test_at_most_ten_modules_directly_in_the_package() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, f"{len(top)} modules directly in perfgen/: {', '.join(top)}"


def test_no_hand_written_module_over_400_lines() -> None:
    lengths = {relative(p): len(p.read_text(encoding="utf-8").splitlines()) for p in package_files() if hand_written(p)}
    assert len(lengths) > 20
    too_long = [f"{name}: {lines} lines" for name, lines in sorted(lengths.items(), key=lambda item: -item[1])
                if lines > MAX_MODULE_LINES]
    assert too_long == [], f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(too_long)


def function_lengths(path: Path) -> Iterator[tuple[str, int]]:
    """``file:line name`` and length in lines (from ``def`` to the last line; decorators not counted) of every
    function and method in ``path``, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            yield f"{relative(path)}:{node.lineno} {node.name}", end - node.lineno + 1


def test_no_function_over_60_lines() -> None:
    lengths = [item for path in package_files() if hand_written(path) for item in function_lengths(path)]
    assert len(lengths) > 100
    too_long = [f"{where}: {lines} lines" for where, lines in sorted(lengths, key=lambda item: -item[1])
                if lines > MAX_FUNCTION_LINES]
    assert too_long == [], f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(too_long)
