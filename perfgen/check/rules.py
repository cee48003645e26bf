"""The rules at the severities perfgen.yaml sets (``rules: {PG102: off, PG113: error}``).

The domain checks yield findings; :func:`run` makes them diagnostics at their rule's severity, changed or
dropped as perfgen.yaml says. Only the domain rules (PG100 and above) can be changed: codes below PG100
come from reading files and the schema, errors the project cannot be built without.
"""

from __future__ import annotations

from collections.abc import Iterable

from perfgen.check.domain import CHECKS, RULES
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.load.config import Config
from perfgen.model import Project


def apply_severity(diags: Iterable[Diagnostic], config: Config) -> list[Diagnostic]:
    """perfgen.yaml may turn a domain rule off or change its severity; file and schema errors stay errors."""
    out = []
    for d in diags:
        wanted = config.severity.get(d.code) if d.code in RULES else None
        if wanted is None:
            out.append(d)
        elif wanted != "off":
            out.append(d.with_severity("error" if wanted == "error" else "warning"))
    return out


def run(project: Project, config: Config) -> list[Diagnostic]:
    """Every domain rule on one project, at the severities perfgen.yaml sets."""
    found = [diag(f.pos, f.rule.code, f.message.key, f.rule.severity, related=f.related, **f.args)
             for check in CHECKS for f in check(project, config)]
    return apply_severity(found, config)
