"""The one quoting rule of ``perfgen fmt``, and the spellings it normalises (target operators, numbers).

A value is written plain when every YAML reader (1.1, 1.2, perfgen's) reads it back as the same text, as a
literal block when it spans lines, and in double quotes otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from perfgen.load.yamlnodes import Scalar, load
from perfgen.model import format_number
from perfgen.targets import parse_target

_INDICATOR_START = set("-?:,[]{}#&*!|>'\"%@`=<")
_YAML12_NOT_TEXT = re.compile(
    r"(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))\Z")
_RESOLVER = yaml.resolver.Resolver()


def needs_escape(ch: str) -> bool:
    o = ord(ch)
    return o < 0x20 or 0x7F <= o <= 0x9F or ch in "\u2028\u2029\ufeff\ufffe\uffff" or 0xD800 <= o <= 0xDFFF


def double_quoted(s: str) -> str:
    esc = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return '"' + "".join(esc.get(c) or (f"\\u{ord(c):04X}" if needs_escape(c) else c) for c in s) + '"'


@lru_cache(maxsize=4096)
def plain_ok(s: str) -> bool:
    """``s`` may be written without quotes: every YAML reader (1.1, 1.2, perfgen) reads it back as ``s``."""
    if not s or s != s.strip() or s[0] in _INDICATOR_START or s.endswith(":"):
        return False
    if ": " in s or " #" in s or "\t" in s or any(needs_escape(c) for c in s):
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
    return (first != "" and first[:1] not in (" ", "\t") and not any(needs_escape(c) for c in s.replace("\n", ""))
            and all(ln == ln.rstrip() for ln in lines))


@dataclass
class ScalarText:
    token: str  # printed after "key:" / "-": plain or quoted text, a block indicator, or "" (null)
    block: list[str] | None = None  # literal block lines


def scalar_text(s: str) -> ScalarText:
    """The quoting rule: plain when every reader agrees (:func:`plain_ok`), a literal block for multi-line
    text, double quotes otherwise (a value starting with = < > and the like, or one that would read as a
    number, boolean, date or null)."""
    if "\n" in s and _literal_ok(s):
        body = s.rstrip("\n")
        trailing = len(s) - len(body)
        return ScalarText("|-" if trailing == 0 else "|" if trailing == 1 else "|+",
                          body.split("\n") + [""] * max(0, trailing - 1))
    return ScalarText(s if plain_ok(s) else double_quoted(s))


def normalize_target(text: str) -> str:
    """``>=98%`` → ``≥98%``, ``＜5人`` → ``<5人``: only the operator's spelling changes."""
    t = parse_target(text)
    if t.op is None or not t.op_written or t.op_written == t.op:
        return text
    lead = len(text) - len(text.lstrip())
    return text[:lead] + t.op + text[lead + len(t.op_written):]


def number_text(value: float) -> str:
    text = format_number(value)
    return text if float(text) == value else repr(value)


def key_text(key: str) -> str:
    return key if plain_ok(key) else double_quoted(key)
