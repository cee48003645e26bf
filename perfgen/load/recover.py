"""A goals document with its schema errors repaired or cut away, so that the domain rules can still check the rest.

``perfgen validate`` reports every problem of a file in one run: after the YAML and schema problems (which it has
already reported), the domain rules run on what is left of the document — an unknown key that is a misspelling
of a missing one (``weigth``) is read as the key meant, any other unknown key is left out (a ``>=98%`` trap has
already been read as the text meant, :mod:`perfgen.load.yamlnodes`). Where a value has the wrong type or range,
or a required key is missing, the rules do not run on that file: they would only report consequences of the
problems already shown (a weight written ``十`` would be "no weight" to PG101).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

from perfgen.load.yamlnodes import Map, Node, Seq, to_plain

MAX_PASSES = 5


def _leaves(err: Any) -> list[Any]:
    return [leaf for sub in err.context for leaf in _leaves(sub)] if err.context else [err]


def recovered(root: Map, validator: Any) -> Map | None:
    """A repaired copy of ``root`` that ``validator`` accepts, or None where no such repair is safe."""
    doc = copy.deepcopy(root)
    for _ in range(MAX_PASSES):
        errors = [leaf for err in validator.iter_errors(to_plain(doc)) for leaf in _leaves(err)]
        if not errors:
            return doc
        unknown = [err for err in errors if err.validator == "additionalProperties"]
        if not unknown:
            # A value of the wrong type or out of range, a key missing: the rules would only repeat it (a weight
            # written 十 is "no weight" to PG101), so they do not run on this file.
            return None
        errors = unknown  # misspelt keys first: read as meant, they may supply what "required" misses
        # the deepest first, and list items from the end: a removal never moves a path still to be visited
        for err in sorted(errors, key=lambda e: [(-1, p) if isinstance(p, int) else (0, p) for p in e.absolute_path],
                          reverse=True):
            if not _repair(doc, list(err.absolute_path), err):
                return None
    return None


def _repair(doc: Map, path: list[Any], err: Any) -> bool:
    parent: Node | None = None
    node: Node = doc
    for step in path:
        parent = node
        if isinstance(node, Map) and isinstance(step, str) and step in node.items:
            node = node.items[step][1]
        elif isinstance(node, Seq) and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
        else:
            return True  # already removed with its parent
    if err.validator == "additionalProperties" and isinstance(node, Map):
        allowed = list(err.schema.get("properties", {})) if isinstance(err.schema, dict) else []
        for extra in [k for k in node.items if k not in allowed]:
            near = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.5)
            if near and near[0] not in node.items:  # a misspelling of a key not written: read it as meant
                node.items = {near[0] if k == extra else k: v for k, v in node.items.items()}
            else:
                del node.items[extra]
        return True
    if isinstance(parent, Map):
        parent.items.pop(str(path[-1]), None)
        return True
    if isinstance(parent, Seq):
        index = int(path[-1])
        if 0 <= index < len(parent.items):
            del parent.items[index]
        return True
    return False
