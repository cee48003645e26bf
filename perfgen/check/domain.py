"""The domain rules (docs/domain.md's data-quality checks 1-9): one module per concern, each holding its rules'
records and the check that raises them, run in this order.

A check reads the model and yields :class:`~perfgen.diagnostics.rule.Finding` records pointing at the value
that is wrong; :mod:`perfgen.check.rules` makes them diagnostics at the severity perfgen.yaml sets. Like
the records, this module imports no diagnostics (the catalogue imports it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from perfgen.check import categories, cost, form_fields, funds, target_values, text, vocabulary, weights, yearend
from perfgen.diagnostics.rule import Finding, Rule, by_code
from perfgen.model import Project

if TYPE_CHECKING:
    from perfgen.load.config import Config

Check = Callable[[Project, "Config"], Iterable[Finding]]

CHECKS: tuple[Check, ...] = (
    weights.check_weights,
    funds.check_funds,
    categories.check_categories,
    target_values.check_targets,
    cost.check_cost_times_quantity,
    vocabulary.check_vocabulary,
    text.check_names_and_text,
    form_fields.check_form_fields,
    yearend.check_yearend,
)

RULES: dict[str, Rule] = by_code((*weights.RULES, *funds.RULES, *categories.RULES, *target_values.RULES,
                                  *cost.RULES, *vocabulary.RULES, *text.RULES, *form_fields.RULES, *yearend.RULES))
