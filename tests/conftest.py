"""Shared test set-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perfgen.diagnostics import i18n


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """The message language is process-wide: every test starts, and leaves, in Chinese (the default)."""
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")
