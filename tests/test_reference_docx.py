"""The reference Word document (templates/reference.docx, made by tools/make_reference_docx.py) as the built
files carry it: valid OOXML, opened by python-docx and LibreOffice.

The rendering helpers and their skip rule are in render_tools.py (a missing program skips, except in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import invoke
from render_tools import needs, ooxml_errors
from sample_data import EXAMPLE_FILES, ROOT, make_repo

REFERENCE = ROOT / "templates" / "reference.docx"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The nine examples built by ``perfgen build`` (the .docx files, in name order)."""
    repo = make_repo(tmp_path_factory.mktemp("reference") / "repo")
    result = invoke(repo, "build")
    assert result.exit_code == 0, result.output
    files = sorted((repo / "build").rglob("*.docx"))
    assert len(files) == len(EXAMPLE_FILES)
    return files


@pytest.mark.render
@needs("ooxml")
def test_reference_and_built_examples_pass_the_ooxml_check(built: list[Path]) -> None:
    """Schema and semantics as Word's own SDK checks them: e.g. w:rPr before w:tblPr in a table style."""
    for docx in [REFERENCE, *built]:
        assert ooxml_errors(docx) == [], docx.name
