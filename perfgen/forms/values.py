"""The names a form definition may print, and how each prints.

Header fields are the project's own (``name``, ``funds.total``, ``funds.fiscal_sources.一般公共预算``…);
indicator columns are an indicator's (``target``, ``basis``…). A column may also print a *computed* value
(``computed: score``): the definition names it, and whoever lays out a form for a later stage of the year
supplies it (:func:`perfgen.render.layout.layout` takes them as ``computed``); a form does not know how a
value is computed.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from perfgen.forms import yearend as _yearend
from perfgen.forms.printed import Printed
from perfgen.model import Indicator, Project, format_money, format_number


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    return "" if value is None else str(value)


def _money(value: float | None) -> Printed:
    amount = float(value or 0.0)
    return Printed((format_money(amount),), "money", amount)


def _attr(name: str) -> Callable[[Project], Printed]:
    return lambda p: Printed((_text(getattr(p, name, "")),))


def _funds(name: str) -> Callable[[Project], Printed]:
    return lambda p: _money(getattr(p.funds, name, 0.0))


def _list(name: str) -> Callable[[Project], Printed]:
    return lambda p: Printed(tuple(_text(x) for x in getattr(p, name, None) or ()), "list")


def _implementer(p: Project) -> Printed:
    return Printed((_text(getattr(p, "implementer", "") or p.unit),))


HEADER: dict[str, Callable[[Project], Printed]] = {
    "year": lambda p: Printed((str(p.year),)),
    **{name: _attr(name) for name in ("unit", "name", "leader", "code", "department", "period", "prepared_by",
                                      "phone", "filed_on")},
    "implementer": _implementer,
    **{f"funds.{name}": _funds(name) for name in ("total", "fiscal", "other", "superior")},
    "objectives": _list("objectives"),
    "long_term_objectives": _list("long_term_objectives"),
}
# funds.fiscal_sources.<label> and funds.other_sources.<label>: one amount of a breakdown (0.00 if not given)
SOURCES = ("funds.fiscal_sources.", "funds.other_sources.")


def header_names() -> list[str]:
    return [*HEADER, *(f"{prefix}<…>" for prefix in SOURCES)]


def _is_money(name: str) -> bool:
    return name.startswith("funds.") and is_header(name) and "+" not in name


def is_header(name: str) -> bool:
    """``name`` is a header field, or a sum of amounts (``funds.other_sources.事业收入 + funds.other_sources.…``)."""
    if "+" in name:
        return all(_is_money(part.strip()) for part in name.split("+"))
    return (name in HEADER or any(name.startswith(p) and len(name) > len(p) for p in SOURCES)
            or _yearend.is_line_name(name))


def header_value(project: Project, name: str) -> Printed:
    """What header field ``name`` (known: :func:`is_header`) prints for ``project``."""
    if "+" in name:
        return _money(sum(header_value(project, part.strip()).number or 0.0 for part in name.split("+")))
    getter = HEADER.get(name)
    if getter is not None:
        return getter(project)
    if (line := _yearend.line_value(project, name)) is not None:
        return line
    prefix = next(p for p in SOURCES if name.startswith(p))
    sources: dict[str, Any] = getattr(project.funds, prefix.split(".")[1], None) or {}
    return _money(sources.get(name[len(prefix):]))


# The optional header fields that only some forms print: a form printing one warns when a project lacks it
# (PG145). The default form's own fields keep their own rules (the schema), so a v1 file validates as before.
FORM_FIELDS = ("department", "period", "long_term_objectives", "prepared_by", "phone", "filed_on")


def is_printed_empty_field(name: str) -> bool:
    """A form printing ``name`` needs the project to give it (amounts print 0.00; implementer is the unit)."""
    return name in FORM_FIELDS


def is_printed_empty(project: Project, name: str) -> bool:
    """The project has nothing for header field ``name`` (a form that prints it warns)."""
    return is_printed_empty_field(name) and not any(line for line in header_value(project, name).lines)


INDICATOR: tuple[str, ...] = ("level1", "level2", "name", "target", "basis", "last_year", "weight", "scoring",
                              "evidence", "note")


def indicator_value(ind: Indicator, name: str) -> Printed:
    if (getter := _yearend.INDICATOR.get(name)) is not None:
        return getter(ind)
    value = getattr(ind, name, "")
    if name == "weight":
        if value is None:
            return Printed(("",))
        return Printed((_text(value),), "number", float(value))
    return Printed((_text(value),))


def placeholders(text: str) -> list[str]:
    """The ``{name}`` fields of a definition's text (``{{`` and ``}}`` print braces)."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def fill(text: str, project: Project) -> str:
    """A definition's text with its ``{name}`` header fields filled in (checked when the definition was read)."""
    names = placeholders(text)
    if not names:
        return text.replace("{{", "{").replace("}}", "}")
    values = {n: header_value(project, n).text for n in names}
    parts = []
    for literal, name, _, _ in string.Formatter().parse(text):
        parts.append(literal)
        if name is not None:
            parts.append(values[name])
    return "".join(parts)


HEADER.update(_yearend.HEADER)  # the year-end and mid-year names
INDICATOR = (*INDICATOR, *_yearend.INDICATOR)
