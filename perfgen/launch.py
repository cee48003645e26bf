"""The ``perfgen`` console script and ``python -m perfgen``: the first code that runs.

``perfgen build`` forks its prewarmed worker here, before the command line library and the rest of
perfgen are imported, so that the worker's own set-up (Jinja, the Word writer, PyYAML, the rules)
overlaps as much as possible with the parent's start-up, settings and cache check. The options are
only peeked at; :mod:`perfgen.commands.build` decides whether the worker is used, and a worker that
is not used is stopped. Everything else goes straight to :func:`perfgen.cli.entry`.
"""

from __future__ import annotations

import sys


def entry() -> None:
    args = sys.argv[1:]
    if args[:1] == ["build"]:
        from .buildworker import speculate

        speculate(args[1:])
    from .cli import entry as cli_entry

    cli_entry()
