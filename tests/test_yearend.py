"""The year-end and mid-year data in the model (issue 14 item 1): read with their positions, valid in the schema,
and invisible to the target table — adding them leaves every output of the default form byte for byte the same."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from clitools import invoke
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.load.loader import FsReader, Loader

CASES = Path(__file__).parent / "cases" / "validate"
COMPLETE = CASES / "yearend-complete-no-findings" / "goals" / "2023" / "a.yaml"
MIDYEAR = CASES / "pg156-midyear-pace-red-light" / "goals" / "2023" / "a.yaml"


def load(path: Path, tmp: Path) -> object:
    target = tmp / "goals" / "2023" / "a.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, target)
    result = Loader(FsReader(tmp)).load_all(["goals"])
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.message for d in result.diagnostics]
    return result.projects[0]


def test_year_end_values_in_the_model(tmp_path: Path) -> None:
    p = load(COMPLETE, tmp_path)
    ex = p.execution  # type: ignore[attr-defined]
    assert (ex.initial, ex.adjusted, ex.spent) == (1780.91, 1800.0, 1790.5)
    assert ex.lines["当年财政拨款"].adjusted == 1800.0 and ex.achieved == ["发放12次。"]
    assert ex.where["spent"].line == 11
    first = p.indicators[0]  # type: ignore[attr-defined]
    assert first.actual == "57600人" and first.pos("actual").line == 24
    qualitative = next(i for i in p.indicators if i.actual == "达成年度指标")  # type: ignore[attr-defined]
    assert qualitative.score == 9.0 and qualitative.deviation


def test_mid_year_values_in_the_model(tmp_path: Path) -> None:
    p = load(MIDYEAR, tmp_path)
    mid = p.midyear  # type: ignore[attr-defined]
    assert (mid.month, mid.spent, mid.forecast_spent, mid.progress) == (7, 300.0, 1780.91, ["已发放7次。"])
    first = p.indicators[0].midyear  # type: ignore[attr-defined]
    assert (first.value, first.forecast, first.likelihood, first.causes) == ("57100人", "57600人", "确定能",
                                                                             ["经费保障"])


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "build").rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


def test_the_target_table_is_unchanged_by_year_end_data(tmp_path: Path) -> None:
    spring = make_repo(tmp_path / "spring")
    autumn = make_repo(tmp_path / "autumn")
    path = autumn / "goals" / "2023" / EXAMPLE_FILES[6].name
    text = path.read_text(encoding="utf-8")
    text = text.replace("objectives:", "execution:\n  spent: 1700\nmidyear:\n  month: 7\n  spent: 900\nobjectives:", 1)
    text = text.replace('        target: ">=57560人"\n', '        target: ">=57560人"\n        actual: 57600人\n', 1)
    path.write_text(text, encoding="utf-8")
    for repo in (spring, autumn):
        result = invoke(repo, "build", "--format", "docx,html,xlsx,pdf")
        assert result.exit_code == 0, result.output
    assert digests(spring) == digests(autumn)
    assert invoke(autumn, "validate").exit_code == 0
