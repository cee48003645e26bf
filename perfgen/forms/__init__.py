"""Forms as data: a form definition says where each header field sits, which columns the indicator table has,
how the model's categories are named on the form and what its weights add up to.

The pieces: :mod:`.rules` (the rules a definition is checked against, PG040-PG044), :mod:`.values` (the
names a definition may print: header fields, indicator columns, computed values), :mod:`.definition` (a
definition file read into a :class:`~perfgen.forms.definition.FormDef`, every problem with its line) and
:mod:`.registry` (the repository's ``forms/`` first, then the built-ins in ``templates/forms/``).
The writers draw a definition through :mod:`perfgen.render.layout`.

This ``__init__`` imports nothing: the rule catalogue imports :mod:`.rules`, and the definitions report
through the diagnostics, which look their texts up in the catalogue.
"""
