"""A rule as one record: its code, default severity, whether perfgen.yaml may change it, a one-line summary
and its messages, each in Chinese and English.

A record sits next to the code that raises it: a domain rule in its check's module (``perfgen/check/``),
a rule of reading files in ``perfgen/load/rules.py``, of building in ``perfgen/build/rules.py``, of the
other commands in ``perfgen/cli/command_rules.py``. :mod:`perfgen.diagnostics.catalogue` collects them all.

Records are data: the modules that declare them import nothing that imports the catalogue (this module,
Pos, the model), so the catalogue can sit under the diagnostics that look their messages up. A domain check
reports what it found with :meth:`Rule.at`; perfgen.check.rules turns each :class:`Finding` into a diagnostic
at the severity perfgen.yaml sets. Records are named tuples: immutable, and cheap to make at every start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

from perfgen.diagnostics.pos import Pos

Severity = Literal["error", "warning"]

_CODE = re.compile(r"PG\d{3}\Z")


class Message(NamedTuple):
    """One message of a rule: a stable key, the text and an optional hint (``{name}`` placeholders, str.format).

    A hint is given in both languages or in neither (:func:`by_code` checks); the Chinese and English texts
    use the same placeholders, and so do the two hints (tests/test_rules.py checks).
    """

    key: str
    zh: str
    en: str
    hint_zh: str | None = None
    hint_en: str | None = None


class Rule(NamedTuple):
    """A rule: ``code`` (PG###), the default ``severity``, the summary ``perfgen rules`` lists and its messages.

    ``configurable``: perfgen.yaml may change the severity or turn the rule off (only the domain rules;
    files that cannot be read cannot be built). The first message is the rule's usual one; the others are
    variants (``PG103.blank``).
    """

    code: str
    severity: Severity
    summary_zh: str
    summary_en: str
    configurable: bool = False
    messages: tuple[Message, ...] = ()

    def message(self, key: str) -> Message:
        """This rule's message ``key``; a key of another rule is a bug in the check (KeyError)."""
        for message in self.messages:
            if message.key == key:
                return message
        raise KeyError(f"{key!r} is not a message of {self.code}")

    def at(self, pos: Pos, key: str | None = None, /, related: Pos | None = None, **args: Any) -> Finding:
        """What a check found at ``pos``: message ``key`` of this rule (its first by default) with ``args``."""
        message = self.messages[0] if key is None else self.message(key)
        return Finding(self, message, pos, args, related)


class Finding(NamedTuple):
    """A rule's message at a place, with its arguments: a diagnostic before perfgen.yaml sets its severity."""

    rule: Rule
    message: Message
    pos: Pos
    args: dict[str, Any]
    related: Pos | None = None  # a second place worth looking at (the first of two duplicates)


def by_code(rules: Iterable[Rule]) -> dict[str, Rule]:
    """``rules`` by code, in code order, each checked: a code declared twice, a rule or message without its
    texts is a ValueError at import, before anything runs."""
    found: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in found:
            raise ValueError(f"rule {rule.code} is declared twice")
        _check_rule(rule)
        found[rule.code] = rule
    return dict(sorted(found.items()))


def _check_rule(rule: Rule) -> None:
    if not _CODE.match(rule.code) or rule.severity not in ("error", "warning"):
        raise ValueError(f"rule {rule.code!r}: a code PG### and a severity error|warning are required")
    if not (rule.summary_zh and rule.summary_en):
        raise ValueError(f"rule {rule.code}: the summary is required in both languages")
    keys = [m.key for m in rule.messages]
    if len(set(keys)) != len(keys):
        raise ValueError(f"rule {rule.code}: two messages have the same key")
    for m in rule.messages:
        _check_message(m)


def _check_message(m: Message) -> None:
    if not (m.key and m.zh and m.en):
        raise ValueError(f"message {m.key!r}: a key, a Chinese and an English text are required")
    if (m.hint_zh is None) != (m.hint_en is None):
        raise ValueError(f"message {m.key!r}: the hint must be given in both languages or in neither")
