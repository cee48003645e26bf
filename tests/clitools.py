"""Run the perfgen CLI in a folder, as a user at a prompt there would."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from perfgen.cli import main


def invoke(cwd: Path, *args: str) -> Result:
    """``perfgen ARGS`` with ``cwd`` as the working directory (restored afterwards)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
