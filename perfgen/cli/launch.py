"""The ``perfgen`` console script and ``python -m perfgen``: the first code that runs.

``perfgen build`` forks its prewarmed worker here, before the command line library and the rest of
perfgen are imported, so that the worker's own set-up (Jinja, the Word writer, PyYAML, the rules)
overlaps as much as possible with the parent's start-up, settings and cache check. The options are
only peeked at; :mod:`perfgen.cli.build` decides whether the worker is used, and a worker that
is not used is stopped. Everything else goes straight to :func:`perfgen.cli.main.entry`.
"""

from __future__ import annotations

import sys


def entry() -> None:
    args = sys.argv[1:]
    if args[:1] == ["build"]:
        from perfgen.build.worker import speculate

        speculate(args[1:])
    from perfgen.cli.main import entry as cli_entry

    cli_entry()
