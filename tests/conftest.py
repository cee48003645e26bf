"""Shared test set-up: the message language, hypothesis's profiles, and the fixtures every file may use.

Fixtures: ``repo`` (a goals repository with the nine examples), ``make_project`` (a project built in code),
``seed_text`` (the PDF text the examples were typed from). Their data lives in ``sample_data.py``.

Tests marked ``slow`` are left out of the default run (pyproject.toml's addopts): ``pytest -m slow`` runs only
them, ``pytest -m ""`` runs everything (also to run one slow test named on the command line).

Hypothesis profiles, chosen by the environment variable HYPOTHESIS_PROFILE: ``default`` (each test's own
number of examples, or hypothesis's 100) and ``ci`` (500 examples for the property tests that leave the
number to the profile, the same examples on every run, no deadline); ``.ci/run`` runs the slow set with ``ci``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sample_data import SEED_TEXT, make_repo
from sample_data import make_project as build_project

from perfgen.diagnostics import i18n
from perfgen.model import Project

settings.register_profile("default", deadline=None)  # a loaded 2-core machine makes deadlines flaky
settings.register_profile("ci", max_examples=500, deadline=None, derandomize=True, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """The message language is process-wide: every test starts, and leaves, in Chinese (the default)."""
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """``tmp_path/repo``: a goals repository holding the nine examples under ``goals/2023``."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def make_project() -> Callable[..., Project]:
    """``make_project(rows, **fields)``: see :func:`sample_data.make_project`."""
    return build_project


@pytest.fixture
def seed_text() -> Path:
    """The seed: the PDF text of the nine printed tables the examples were typed from."""
    return SEED_TEXT
