"""JSON Schema validation with positions and messages of our own.

jsonschema's messages are English with Python reprs; we map each error's path back to the YAML node
(line and column) and word the message ourselves per validator kind, in the user's language.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.load.schemafast import REQUIRED, certainly_valid
from perfgen.load.yamlnodes import Map, Node, Scalar, Seq, to_plain
from perfgen.resources import schema_path

if TYPE_CHECKING:  # jsonschema is imported when first needed: a no-op rebuild never validates
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

TOP_LEVEL = "top-level"  # the path of the document itself; i18n words it for the reader
_TYPE_WORDS = {"string": "text", "number": "number", "integer": "integer", "object": "mapping",
               "array": "list", "boolean": "bool", "null": "null"}


@cache
def schema() -> dict[str, Any]:
    with schema_path().open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    # The schema is ours and checked against the meta-schema by the tests, not on every start. perfgen checks a
    # goals file with its defaults merged in: then the top-level keys an editor cannot demand are required.
    return Draft202012Validator({**schema(), "required": list(REQUIRED)}, format_checker=FormatChecker())


def _walk(root: Node, path: list[Any]) -> tuple[Node, Map | None, str | None]:
    """The node at ``path``; also its parent mapping and key (to point at keys)."""
    node: Node = root
    parent: Map | None = None
    key: str | None = None
    for step in path:
        if isinstance(node, Map) and isinstance(step, str) and step in node.items:
            parent, key = node, step
            node = node.items[step][1]
        elif isinstance(node, Seq) and isinstance(step, int) and step < len(node.items):
            parent, key = None, None
            node = node.items[step]
        else:
            break
    return node, parent, key


def _schema_keys(err: ValidationError) -> list[str]:
    props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
    return list(props)


def _path_text(path: list[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or TOP_LEVEL


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "mapping"
    return "list"


def _one(err: ValidationError, root: Node) -> list[Diagnostic]:
    """Our diagnostics for one jsonschema error (one per unknown or missing key)."""
    path = list(err.absolute_path)
    node, _, _ = _walk(root, path)
    if err.validator == "additionalProperties" and isinstance(node, Map):
        allowed = _schema_keys(err)
        out = []
        for extra in node.items:
            if extra in allowed:
                continue
            near = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.5)
            kpos = node.items[extra][0]
            if near:
                out.append(diag(kpos, "PG010", "schema.unknown_near", key=extra, near=near[0],
                                allowed=", ".join(allowed)))
            else:
                out.append(diag(kpos, "PG010", "schema.unknown", key=extra, allowed=", ".join(allowed)))
        return out
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [str(m) for m in err.validator_value if m not in err.instance]
        if not path:
            return [diag(node.pos, "PG011", "schema.required", key=m) for m in missing]
        return [diag(node.pos, "PG011", "schema.required_in", key=m, at=_path_text(path)) for m in missing]
    return [_other(err, root)]


def _other(err: ValidationError, root: Node) -> Diagnostic:
    path = list(err.absolute_path)
    node, parent, _ = _walk(root, path)
    where = _path_text(path)
    v = err.validator
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        got = err.instance
        words = "/".join(_TYPE_WORDS.get(str(w), str(w)) for w in want)
        args: dict[str, Any] = {"at": where, "want": words, "got": _kind(got)}
        raw = node.raw if isinstance(node, Scalar) else ""
        if isinstance(got, bool) and "string" in want:
            return diag(node.pos, "PG012", "schema.type_bool", raw=raw, **args)
        if got is None:
            return diag(node.pos, "PG012", "schema.type_null", **args)
        if isinstance(got, str) and ("number" in want or "integer" in want):
            return diag(node.pos, "PG012", "schema.type_text_for_number", raw=raw, **args)
        return diag(node.pos, "PG012", "schema.type", **args)
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return diag(node.pos, "PG013", f"schema.{v}", at=where, limit=err.validator_value,
                    value=node.raw if isinstance(node, Scalar) else "")
    if v == "enum" and isinstance(err.validator_value, list):
        allowed = "、".join(str(x) for x in err.validator_value)
        return diag(node.pos, "PG016", "schema.enum", at=where, allowed=allowed,
                    value=node.raw if isinstance(node, Scalar) else str(err.instance))
    if v in ("minLength", "minItems", "minProperties"):
        return diag(node.pos, "PG014", "schema.empty", at=where)
    if v in ("maxItems", "maxProperties", "maxLength"):
        return diag(node.pos, "PG015", "schema.toomany", at=where, limit=err.validator_value)
    if v == "propertyNames" and parent is not None:
        return diag(node.pos, "PG014", "schema.empty", at=where)
    return diag(node.pos, "PG016", "schema.invalid", at=where, validator=str(v))


def check(root: Map, *, partial: bool = False) -> list[Diagnostic]:
    """Validate a goals (or, with ``partial``, a _defaults) document; every problem, in order."""
    plain = to_plain(root)
    if certainly_valid(plain, partial):
        return []
    return check_with(validator(), root, partial=partial)


def check_with(schema_validator: Draft202012Validator, root: Map, *, partial: bool = False) -> list[Diagnostic]:
    """Validate ``root`` with another schema (a form definition's): the same diagnostics, at the same places."""
    plain = to_plain(root)
    out: list[Diagnostic] = []
    seen: set[tuple[Any, ...]] = set()
    leaves = [leaf for err in schema_validator.iter_errors(plain) for leaf in _leaves(err)
              if not (partial and leaf.validator == "required" and not leaf.absolute_path)]
    found = [d for leaf in leaves for d in _one(leaf, root)]
    # `nmae: x` is one mistake: "did you mean name" (PG010) says it all, "name is missing" (PG011) would repeat it
    meant = {(d.pos.file, dict(d.args).get("near")) for d in found if d.key == "schema.unknown_near"}
    for d in found:
        if d.code == "PG011" and _misspelt(d, meant, root):
            continue
        if (d.sort_key(), d.args) not in seen:
            seen.add((d.sort_key(), d.args))
            out.append(d)
    return out


def _misspelt(missing: Diagnostic, meant: set[tuple[str, Any]], root: Map) -> bool:
    """A missing key (PG011) written misspelt in the same mapping (a PG010 suggests it there)."""
    key = dict(missing.args).get("key")
    if (missing.pos.file, key) not in meant:
        return False
    node = _node_at(root, missing.pos)
    return isinstance(node, Map) and any(
        difflib.get_close_matches(k, [str(key)], n=1, cutoff=0.5) for k in node.items if k != key)


def _node_at(root: Node, pos: Any) -> Node | None:
    """The mapping that starts at ``pos`` (where a PG011 points)."""
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if node.pos == pos and isinstance(node, Map):
            return node
        if isinstance(node, Map):
            stack.extend(v for _, v in node.items.values())
        elif isinstance(node, Seq):
            stack.extend(node.items)
    return None


def _leaves(err: ValidationError) -> list[ValidationError]:
    # anyOf/oneOf are not used by the schema, but be safe: report the most specific errors.
    if err.context:
        return [leaf for sub in err.context for leaf in _leaves(sub)]
    return [err]
