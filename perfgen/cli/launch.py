"""``python -m perfgen`` (``perfgen/__main__.py``) starts here: the command line's entry point, nothing else.

The ``perfgen`` console script points at :func:`perfgen.cli.main.entry` itself; once ``__main__.py`` does too,
this module can go.
"""

from perfgen.cli.main import entry

__all__ = ["entry"]
