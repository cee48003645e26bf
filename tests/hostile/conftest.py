"""The threat model as tests: a goals repository as a hostile pull request could make it.

Every test here starts from the shared ``repo`` fixture (tests/conftest.py: the nine examples in
``tmp_path``), adds the attack, and runs perfgen the way CI would: ``python -m perfgen`` in a subprocess, so
exit codes, tracebacks, hangs (a timeout) and what reaches the terminal are all real.
``run`` fails the test on a traceback unless it is asked for one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sample_data import ROOT


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run(cwd: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None,
        traceback_ok: bool = False) -> Run:
    """``perfgen ARGS`` in ``cwd`` as a subprocess (perfgen from this checkout)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "PERFGEN_LANG": "zh", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "perfgen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=environ, errors="backslashreplace")
    result = Run(proc.returncode, proc.stdout, proc.stderr)
    if not traceback_ok:
        assert "Traceback" not in result.text, result.text
    return result


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


needs_root = pytest.mark.skipif(not is_root(), reason="needs root (chattr, mount, capsh), as in CI")
