"""Which forms a run uses: the default form (validation follows it) and the forms to build.

perfgen.yaml's ``form`` names the default form (``xinjiang-2023`` if it says nothing) and ``forms`` the forms
to build (the default form if it says nothing); ``perfgen build --form`` overrides the second. The chosen
forms then shape the settings: the weights total comes from the default form unless perfgen.yaml sets
``weight_total`` (a form without weights: no weight rule), and every header field a built form prints is
checked for a value (PG145).
"""

from __future__ import annotations

from pathlib import Path

from perfgen.forms.definition import FormDef
from perfgen.forms.registry import load_forms
from perfgen.forms.values import is_printed_empty_field
from perfgen.load.config import Config


def settle_forms(root: Path, config: Config, chosen: list[str] | None = None) -> tuple[FormDef, ...]:
    """The forms to build, in order (the default form first when built); ``config`` settled for them.

    ``chosen``: from the command line (an unknown ID is then a usage error). Raises
    :class:`~perfgen.forms.registry.FormError`.
    """
    where = config.where.get("forms") or config.where.get("form")
    default = load_forms(root, [config.form], config.where.get("form"))[config.form]
    ids = chosen or config.forms or [config.form]
    forms = load_forms(root, ids, None if chosen else where, usage=chosen is not None)
    if "weight_total" not in config.where:
        config.weight_total = default.weights if default.has_weights else None
    config.printed = tuple(sorted({(f.id, name) for f in forms.values() for name, _ in f.header_fields()
                                   if is_printed_empty_field(name)}))
    ordered = sorted(forms.values(), key=lambda f: f.id != config.form)  # stable: the default form first
    return tuple(ordered)
