"""What ``perfgen fmt`` must never change: a file's meaning and its comments, checked on every result."""

from __future__ import annotations

from collections import Counter
from typing import Any

from perfgen.fmt.comments import comments_of, read_tree
from perfgen.fmt.printer import key_order
from perfgen.fmt.scalars import normalize_target
from perfgen.load.yamlnodes import Map, Node, Scalar, Seq, load


class FormatSafetyError(RuntimeError):
    """fmt's own result failed its check (a bug): the file is left as it was."""


def _meaning(node: Node, path: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, Map):
        items = [(k, _meaning(v, (*path, k))) for k, (_, v) in node.items.items()]
        return sorted(items) if key_order(path) is not None else items
    if isinstance(node, Seq):
        return [_meaning(v, (*path, i)) for i, v in enumerate(node.items)]
    assert isinstance(node, Scalar)
    value = node.value
    if isinstance(value, str) and len(path) == 5 and path[0] == "indicators" and path[4] == "target":
        value = normalize_target(value)
    return (type(value).__name__, value, node.raw if isinstance(value, int | float) else None)


def verify(root: Map, comments: list[str], after: str, source: str) -> None:
    """The result must mean the same and hold every comment; else it is a bug and nothing is written."""
    new_root, diags = load(after.encode("utf-8"), source)
    if new_root is None or diags or _meaning(new_root) != _meaning(root):
        raise FormatSafetyError(f"{source}: formatting would change the meaning")
    builder, _, lines = read_tree(after, new_root)
    remaining = Counter(comments_of(builder, lines))
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

