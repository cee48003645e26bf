"""``perfgen fmt``'s one function: the canonical layout of a goals file, every comment and every value kept.

Layout: keys in the order of docs/goals-format.md (top level, ``funds``, each indicator; 一级/二级 and lists
keep their written order), block style everywhere, two spaces per level with list items indented under their
key, target operators spelled ``= ≥ ≤ > <``, and one quoting rule (:func:`perfgen.fmt.scalars.scalar_text`).
The ``# yaml-language-server`` line comes first.

How: the file is checked with :func:`perfgen.load.yamlnodes.load` (so errors read as everywhere else), read
into the printer's tree with its comments (:mod:`perfgen.fmt.comments`), printed (:mod:`perfgen.fmt.printer`),
then reloaded and compared before it is returned (:mod:`perfgen.fmt.verify`): fmt never changes a value and
never drops a comment — the tests use ruamel.yaml's round-trip scanner as an independent witness.
"""

from __future__ import annotations

from perfgen.diagnostics.report import PerfgenError
from perfgen.fmt import printer
from perfgen.fmt.comments import attach_comments, comments_of, read_tree
from perfgen.fmt.verify import verify
from perfgen.load.yamlnodes import load
from perfgen.model import TOP_KEYS


def format_text(text: str, source: str = "<text>") -> str:
    """The canonical layout of one goals (or _defaults.yaml) file. Raises PerfgenError on YAML errors."""
    root, diags = load(text.encode("utf-8"), source)
    if root is None and [d.key for d in diags] == ["file.empty"]:
        return text  # nothing but comments (an empty _defaults.yaml): nothing to lay out
    if root is None or any(d.severity == "error" for d in diags):
        raise PerfgenError(diags)
    builder, tree, lines = read_tree(text, root)
    comments = comments_of(builder, lines)
    printer.order_entries(tree, TOP_KEYS)
    header, trailer = attach_comments(builder, lines, tree)
    out = printer.render_tree(tree, header, trailer)  # through the module: a test plays a printer bug there
    verify(root, comments, out, source)
    return out


