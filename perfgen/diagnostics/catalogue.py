"""Every rule of perfgen, by code, and every rule's message, by key: what ``perfgen rules`` lists, what
perfgen.yaml may change and where a diagnostic's text comes from.

The records are declared next to the code that raises them; this module imports those modules by name,
so nothing registers itself and no lookup depends on what happened to be imported before. They import
nothing that imports this module (records are data and the domain checks yield findings, not diagnostics),
so the diagnostics can look their texts up here.
"""

from __future__ import annotations

from collections.abc import Iterator

from perfgen.build import rules as build_rules
from perfgen.check import domain as domain_rules
from perfgen.cli import command_rules, next_year_rules
from perfgen.diagnostics.rule import Message, Rule, by_code
from perfgen.forms import rules as form_rules
from perfgen.load import rules as load_rules

RULES: dict[str, Rule] = by_code((*load_rules.RULES, *build_rules.RULES, *form_rules.RULES, *command_rules.RULES,
                                  *next_year_rules.RULES,
                                  *domain_rules.RULES.values()))


def _by_key() -> dict[str, tuple[Rule, Message]]:
    found: dict[str, tuple[Rule, Message]] = {}
    for rule in RULES.values():
        for message in rule.messages:
            if message.key in found:
                raise ValueError(f"message key {message.key!r} belongs to {found[message.key][0].code} and "
                                 f"{rule.code}")
            found[message.key] = (rule, message)
    return found


_BY_KEY = _by_key()


def message(key: str) -> Message | None:
    """The message ``key`` of some rule (None: no rule has it)."""
    found = _BY_KEY.get(key)
    return None if found is None else found[1]


def rule_of(key: str) -> Rule | None:
    """The rule whose message ``key`` is (its code is what a diagnostic with that message shows)."""
    found = _BY_KEY.get(key)
    return None if found is None else found[0]


def texts() -> Iterator[str]:
    """Every text of every rule: summaries, messages and hints, in both languages."""
    for rule in RULES.values():
        yield rule.summary_zh
        yield rule.summary_en
        for m in rule.messages:
            yield from (t for t in (m.zh, m.en, m.hint_zh, m.hint_en) if t is not None)
