"""Run the perfgen CLI (and git) in a folder, as a user at a prompt there would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from perfgen.cli.main import main


def invoke(cwd: Path, *args: str) -> Result:
    """``perfgen ARGS`` with ``cwd`` as the working directory (restored afterwards)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


def git(cwd: Path, *args: str) -> None:
    """``git ARGS`` in ``cwd`` with a throw-away identity and no commit signing (whatever the user's config)."""
    subprocess.run(["git", "-c", "user.name=perfgen", "-c", "user.email=perfgen@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True)
