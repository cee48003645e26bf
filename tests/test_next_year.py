"""perfgen next-year SRC [DEST]: next year's goals folder from this year's (perfgen/rollover.py), issue 14 item 5."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from clitools import invoke
from sample_data import EXAMPLE_FILES, make_repo

YEAR_END_KEYS = {"execution", "midyear", "actual", "deviation", "score"}


def with_year_end(repo: Path) -> dict[str, list[str | None]]:
    """Give the examples actuals (every other indicator), deviations, scores, mid-year data and execution;
    return the actual written for each indicator (None: none), in order, by file name."""
    actuals: dict[str, list[str | None]] = {}
    for path in sorted((repo / "goals" / "2023").glob("0*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out: list[str] = []
        count = 0
        found = actuals.setdefault(path.name, [])
        for line in lines:
            out.append(line)
            if m := re.match(r"^(\s+)target: (.+)$", line):
                count += 1
                found.append(f"实际{count}" if count % 2 else None)
                if count % 2:
                    out += [f"{m[1]}actual: 实际{count}  # 年底核实", f"{m[1]}deviation: 无", f"{m[1]}score: 5",
                            f"{m[1]}midyear:", f"{m[1]}  value: 年中{count}", f"{m[1]}  likelihood: 确定能"]
        text = "\n".join(out) + "\n"
        text = text.replace("objectives:", "execution:\n  initial: 5\n  spent: 4.8\nmidyear:\n  month: 7\n"
                            "  spent: 3\nobjectives:", 1)
        path.write_text(text, encoding="utf-8")
    return actuals


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.yaml"))}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def indicators(doc: dict) -> list[dict]:
    return [ind for l2s in doc["indicators"].values() for items in l2s.values() for ind in items]


def test_next_year_from_a_year_of_actuals(repo: Path) -> None:
    actuals = with_year_end(repo)
    source = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    source.write_text(source.read_text(encoding="utf-8").replace("objectives:", "# 本年度新增目标\nobjectives:", 1),
                      encoding="utf-8")
    result = invoke(repo, "next-year", "goals/2023")
    assert result.exit_code == 0, result.output
    new = repo / "goals" / "2024"
    assert sorted(p.name for p in new.iterdir()) == sorted(p.name for p in (repo / "goals" / "2023").iterdir())
    assert yaml.safe_load((new / "_defaults.yaml").read_text(encoding="utf-8"))["year"] == 2024
    missing = 0
    for path in sorted(new.glob("0*.yaml")):
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        assert not YEAR_END_KEYS & set(doc), path.name
        for ind, expected in zip(indicators(doc), actuals[path.name], strict=True):
            assert not YEAR_END_KEYS & set(ind), (path.name, ind["name"])
            if expected is None:
                assert "last_year" not in ind
                missing += 1
            else:
                assert ind["last_year"] == expected
        assert text.startswith("# yaml-language-server: $schema=../../schema/project.schema.json\n")
    assert "# 本年度新增目标" in (new / EXAMPLE_FILES[0].name).read_text(encoding="utf-8")  # comments stay
    assert result.output.count("[PG172]") == missing > 0  # each indicator without an actual is named
    assert "警告[PG172]" in result.output
    assert invoke(repo, "validate", "goals/2024").exit_code == 0
    built = invoke(repo, "build", "goals/2024")
    assert built.exit_code == 0, built.output
    assert (repo / "build" / "2024" / EXAMPLE_FILES[0].with_suffix(".docx").name).is_file()


def test_targets_and_everything_else_stay(repo: Path) -> None:
    assert invoke(repo, "next-year", "goals/2023").exit_code == 0
    for old_path in EXAMPLE_FILES:
        old = yaml.safe_load(old_path.read_text(encoding="utf-8"))
        new = yaml.safe_load((repo / "goals" / "2024" / old_path.name).read_text(encoding="utf-8"))
        assert new["name"] == old["name"] and new["funds"] == old["funds"] and new["objectives"] == old["objectives"]
        for a, b in zip(indicators(old), indicators(new), strict=True):
            assert (a["name"], a.get("weight"), a.get("basis")) == (b["name"], b.get("weight"), b.get("basis"))
            assert a["target"].replace(">=", "≥").replace("<=", "≤") == b["target"]  # as perfgen fmt writes it


def test_never_overwrites_unless_forced(repo: Path) -> None:
    assert invoke(repo, "next-year", "goals/2023").exit_code == 0
    new = repo / "goals" / "2024"
    (new / EXAMPLE_FILES[1].name).write_text("# 已在编辑\n", encoding="utf-8")
    before = digest(new)
    again = invoke(repo, "next-year", "goals/2023")
    assert again.exit_code == 1
    assert f"goals/2024/{EXAMPLE_FILES[1].name}" in again.output and "[PG170]" in again.output
    assert digest(new) == before  # nothing written, not even the files that did not exist
    forced = invoke(repo, "next-year", "goals/2023", "--force")
    assert forced.exit_code == 0
    assert "已在编辑" not in (new / EXAMPLE_FILES[1].name).read_text(encoding="utf-8")


def test_a_year_given_above_the_folder(repo: Path) -> None:
    """The year comes from goals/_defaults.yaml: the new files say year 2024 themselves (no new _defaults.yaml)."""
    defaults = repo / "goals" / "2023" / "_defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    defaults.write_text(re.sub(r"^year: 2023\n", "", text, flags=re.M), encoding="utf-8")
    (repo / "goals" / "_defaults.yaml").write_text("year: 2023\n", encoding="utf-8")
    result = invoke(repo, "next-year", "goals/2023", "goals/next")
    assert result.exit_code == 0, result.output
    for path in sorted((repo / "goals" / "next").glob("0*.yaml")):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["year"] == 2024
    assert "year" not in yaml.safe_load((repo / "goals" / "next" / "_defaults.yaml").read_text(encoding="utf-8"))
    assert invoke(repo, "validate", "goals/next").exit_code == 0


@pytest.mark.parametrize("args", [["goals"], ["goals/2023", "goals/2023/sub"], ["goals/nothing"], ["/tmp"]])
def test_usage_errors(repo: Path, args: list[str]) -> None:
    result = invoke(repo, "next-year", *args)
    assert result.exit_code == 2, result.output
    assert not (repo / "goals" / "2024").exists()


def test_a_broken_file_stops_everything(repo: Path) -> None:
    (repo / "goals" / "2023" / EXAMPLE_FILES[2].name).write_text("name: [unclosed\n", encoding="utf-8")
    result = invoke(repo, "next-year", "goals/2023")
    assert result.exit_code == 1 and "[PG001]" in result.output
    assert not (repo / "goals" / "2024").exists()


def test_the_review_shows_what_changed(repo: Path) -> None:
    with_year_end(repo)
    assert invoke(repo, "next-year", "goals/2023").exit_code == 0
    result = invoke(repo, "diff", "goals/2023", "goals/2024")
    assert result.exit_code in (0, 1), result.output
    assert "last_year" in result.output or "上年完成值" in result.output
