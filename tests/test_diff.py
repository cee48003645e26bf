"""perfgen diff: case folders compared exactly, then git revisions, the JSON shape and the error paths.

A case is tests/cases/diff/<name>/ with old/ and new/ (two goals trees) and one or more expected outputs:
expected.md (--format markdown), expected.txt (text), expected.json; expected.en.* runs with --lang en.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from clitools import git
from sample_data import make_repo

from perfgen.cli.main import main
from perfgen.diff.compare import diff_projects
from perfgen.diff.render import render_json, render_markdown
from perfgen.load import gitreader
from perfgen.load.loader import FsReader, Loader
from perfgen.model import Project

CASES = Path(__file__).parent / "cases" / "diff"
FORMATS = {".md": "markdown", ".txt": "text", ".json": "json"}



def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args], catch_exceptions=False)


def expectations() -> list[tuple[str, Path]]:
    out = [(f"{case.name}/{exp.name}", exp) for case in sorted(CASES.iterdir()) if case.is_dir()
           for exp in sorted(case.glob("expected*"))]
    assert out, "no diff cases found"
    return out


@pytest.mark.parametrize("expected", [e for _, e in expectations()], ids=[i for i, _ in expectations()])
def test_case(expected: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(expected.parent)
    lang = ["--lang", "en"] if ".en." in expected.name else []
    result = run("old", "new", "--format", FORMATS[expected.suffix], *lang)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected.read_text(encoding="utf-8")


def test_every_case_has_an_expectation() -> None:
    for case in CASES.iterdir():
        assert (case / "old").is_dir() and (case / "new").is_dir(), case
        assert list(case.glob("expected*")), case


# ---- the library -------------------------------------------------------------------------------------

def load(tree: Path) -> list[Project]:
    result = Loader(gitreader.MountReader(FsReader(tree))).load_all(["goals"])
    assert not [d for d in result.diagnostics if d.severity == "error"]
    return result.projects


def test_same_name_in_two_groups_is_two_indicators() -> None:
    """Seed table 6 has 发放生活补贴入账 under 数量指标 and 质量指标: only the changed one is listed."""
    case = CASES / "indicator-changes"
    result = diff_projects(load(case / "old"), load(case / "new"))
    changed = [i for i in result.projects[0].indicators if i.name == "发放生活补贴入账"]
    assert [(i.level2, i.status) for i in changed] == [("质量指标", "changed")]
    assert changed[0].changes[0].field == "target"
    assert (changed[0].changes[0].old, changed[0].changes[0].new) == (">=98%", "≥99%")


def test_defaults_change_reaches_every_project_below_it() -> None:
    case = CASES / "defaults-change"
    result = diff_projects(load(case / "old"), load(case / "new"))
    fields = {p.path: {c.field for c in p.fields} for p in result.projects}
    # unit comes from goals/_defaults.yaml (all three); leader from 2023/ (not sub/, which sets its own).
    assert fields == {"goals/2023/01.yaml": {"unit", "leader"}, "goals/2023/03.yaml": {"unit", "leader"},
                      "goals/2023/sub/09.yaml": {"unit"}}


def test_added_removed_renamed() -> None:
    case = CASES / "projects-added-removed"
    result = diff_projects(load(case / "old"), load(case / "new"))
    assert result.counts() == {"added": 1, "removed": 1, "changed": 0, "renamed": 2, "formatting": 0}
    by_path = {p.path: p for p in result.projects}
    assert by_path["goals/2023/03-renamed.yaml"].old_path == "goals/2023/03.yaml"
    assert by_path["goals/2023/03-renamed.yaml"].indicators == []


def test_json_shape() -> None:
    case = CASES / "indicator-changes"
    doc = json.loads(render_json(diff_projects(load(case / "old"), load(case / "new"))))
    assert doc["changed"] is True
    assert doc["summary"] == {"added": 0, "removed": 0, "changed": 1, "renamed": 0, "formatting": 0}
    (project,) = doc["projects"]
    assert set(project) == {"status", "path", "old_path", "name", "fields", "indicators", "weights", "totals"}
    assert project["path"] == "goals/2023/06-kunnan.yaml"
    assert {"field": "funds.total", "old": "28.80", "new": "30.00"} in project["fields"]
    assert {"field": "objectives[2]", "old": None, "new": "补贴按月发放。"} in project["fields"]
    moved = next(i for i in project["indicators"] if i["name"] == "社会保险政策宣传")
    assert moved["changes"] == [{"field": "group", "old": "效益指标 / 经济效益指标", "new": "效益指标 / 社会效益指标"}]
    added = next(i for i in project["indicators"] if i["status"] == "added")
    assert {"field": "weight", "old": None, "new": "5"} in added["changes"]
    assert project["weights"][0] == {"group": "total", "old": "90", "new": "85"}


def test_markdown_cells_escape_pipes_and_newlines() -> None:
    case = CASES / "indicator-changes"
    text = render_markdown(diff_projects(load(case / "old"), load(case / "new")))
    row = next(line for line in text.splitlines() if "备注" in line)
    assert "原表 \\| 两项同名<br>已核对" in row
    assert row.count(" | ") == 3  # four cells, the escaped pipe is not a fifth


def test_two_files_are_one_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "indicator-changes")
    result = run("old/2023/06-kunnan.yaml", "new/2023/06-kunnan.yaml")
    assert result.exit_code == 0, result.stderr
    assert "指标值：>=98% → ≥99%" in result.stdout
    assert "重命名" not in result.stdout


# ---- git revisions -----------------------------------------------------------------------------------



@pytest.fixture
def git_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared ``repo`` (tests/conftest.py) as a git repository, the nine examples committed; the working
    directory, and no repository above it is looked for."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.parent))
    git(repo, "init", "-q")
    git(repo, "add", "goals")
    git(repo, "commit", "-q", "-m", "seed")
    monkeypatch.chdir(repo)
    return repo


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_head_against_working_tree(git_repo: Path) -> None:
    edit(git_repo / "goals/2023/01-yuanshuili-buchai.yaml", 'target: "=3人"', 'target: "=4人"')
    result = run("--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "| 产出指标 / 数量指标 / 领取退休人员待遇 | 指标值 | =3人 | =4人 |" in result.stdout
    assert "1 个项目有变化：修改 1 个。" in result.stdout
    assert run("--exit-code").exit_code == 1


def test_two_revisions_and_one(git_repo: Path) -> None:
    edit(git_repo / "goals/2023/_defaults.yaml", "张琪悦", "李明")
    git(git_repo, "commit", "-q", "-am", "new leader")
    assert run().stdout == "没有变化。\n"  # HEAD == working tree
    doc = json.loads(run("HEAD~1", "HEAD", "--format", "json").stdout)
    assert doc["summary"]["changed"] == 9  # a defaults file reaches every project
    assert all(p["fields"] == [{"field": "leader", "old": "张琪悦", "new": "李明"}] for p in doc["projects"])
    assert json.loads(run("HEAD~1", "--format", "json").stdout) == doc
    assert run("HEAD", "HEAD~1", "--exit-code").exit_code == 1


def test_revision_before_goals_existed(git_repo: Path) -> None:
    git(git_repo, "rm", "-rq", "goals")
    git(git_repo, "commit", "-q", "-m", "empty")
    git(git_repo, "revert", "--no-edit", "HEAD")
    result = run("HEAD~1", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["added"] == 9


def test_git_reads_through_one_process(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []
    real = subprocess.Popen

    def popen(args: list[str], **kw: Any) -> Any:
        started.append(args)
        return real(args, **kw)

    # No public seam counts git processes (GitReader takes no runner), so Popen is watched where gitreader calls it.
    monkeypatch.setattr(gitreader.subprocess, "Popen", popen)
    with gitreader.GitReader("HEAD", git_repo) as reader:
        result = Loader(reader).load_all(["goals"])
    assert len(result.projects) == 9
    # 10 files read through one cat-file; the rest is rev-parse (twice) and one ls-tree.
    assert [a for a in started if "cat-file" in a] == [["git", "cat-file", "--batch"]]
    assert len(started) <= 4, started


def test_chinese_file_names_in_a_subfolder_of_the_git_repo(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    root = tmp_path / "finance"
    shutil.copytree(CASES / "indicator-changes" / "old", root / "goals")
    (root / "goals/2023/06-kunnan.yaml").rename(root / "goals/2023/困难企业 补助.yaml")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "seed")
    monkeypatch.chdir(root)
    edit(root / "goals/2023/困难企业 补助.yaml", "total: 28.8", "total: 30")
    result = run()
    assert result.exit_code == 0, result.stderr
    assert "修改 goals/2023/困难企业 补助.yaml" in result.stdout
    assert "年度预算总额：28.80 → 30.00" in result.stdout


# ---- errors ------------------------------------------------------------------------------------------

def test_bad_revision_is_a_usage_error(git_repo: Path) -> None:
    result = run("no-such-branch")
    assert result.exit_code == 2
    assert "PG072" in result.stderr and "no-such-branch" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert run("--lang", "en", "HEAD", "nope").stderr.startswith("perfgen: error[PG072]: unknown revision “nope”")


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    make_repo(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert "PG071" in result.stderr and "git 仓库" in result.stderr


def test_no_commits_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2 and "PG073" in result.stderr


def test_no_goals_folder_here(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo / "goals")
    result = run()
    assert result.exit_code == 2 and "PG075" in result.stderr


def test_invalid_yaml_in_the_working_tree(git_repo: Path) -> None:
    (git_repo / "goals/2023/broken.yaml").write_text("name: [\n", encoding="utf-8")
    result = run("--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "PG077" in result.stderr and "工作区的目标文件有错误" in result.stderr
    assert "goals/2023/broken.yaml:" in result.stderr


def test_invalid_yaml_in_the_old_revision(git_repo: Path) -> None:
    (git_repo / "goals/2023/broken.yaml").write_text("name: [\n", encoding="utf-8")
    git(git_repo, "add", "goals")
    git(git_repo, "commit", "-q", "-m", "broken")
    (git_repo / "goals/2023/broken.yaml").unlink()
    result = run()
    assert result.exit_code == 1
    assert "版本 HEAD 的目标文件有错误" in result.stderr and "goals/2023/broken.yaml:" in result.stderr


def test_invalid_folder_side_shows_its_real_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(CASES / "no-changes" / "old", tmp_path / "a")
    shutil.copytree(CASES / "no-changes" / "new", tmp_path / "b")
    (tmp_path / "b/2023/_defaults.yaml").write_text("year: 二〇二三\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("a", "b")
    assert result.exit_code == 1
    assert "b/2023/_defaults.yaml:1:" in result.stderr


def test_a_diff_that_cannot_be_made_is_reported_in_json_when_json_is_asked(git_repo: Path) -> None:
    result = run("--format", "json", "nope")
    assert result.exit_code == 2 and result.stderr == ""
    (only,) = json.loads(result.stdout)["diagnostics"]
    assert (only["file"], only["code"], only["message"]) == (None, "PG072", "找不到版本 “nope”")
    (git_repo / "goals/2023/broken.yaml").write_text("name: [\n", encoding="utf-8")
    result = run("--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(d["file"], d["code"]) for d in report["diagnostics"]] == [(None, "PG077"), ("goals/2023/broken.yaml",
                                                                                          "PG001")]
    assert report["errors"] == 2


def test_folder_and_file_cannot_be_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "indicator-changes")
    result = run("old", "new/2023/06-kunnan.yaml")
    assert result.exit_code == 2 and "PG076" in result.stderr


def test_formatting_is_not_a_change_of_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    """perfgen fmt writes >=98% as ≥98%: diff says so apart, and --exit-code gives 0 (issue 15 item 4)."""
    monkeypatch.chdir(CASES / "formatting-only")
    result = run("old", "new", "--exit-code")
    assert result.exit_code == 0
    assert "仅格式变化" in result.stdout and "含义没有变化" in result.stdout
    doc = json.loads(run("old", "new", "--format", "json").stdout)
    assert doc["changed"] is False and doc["summary"]["formatting"] == 2
    changes = [c for p in doc["projects"] for i in p["indicators"] for c in i["changes"]]
    assert changes and all(c["formatting_only"] for c in changes)
    monkeypatch.chdir(CASES / "formatting-and-meaning")
    mixed = run("old", "new", "--exit-code")
    assert mixed.exit_code == 1  # a weight changed too
    assert "指标分值权重：20 → 25" in mixed.stdout


def test_formatting_seen_through_git(tmp_path: Path) -> None:
    """The issue's steps: commit goals with >=, run perfgen fmt, diff HEAD against the working tree."""
    repo = make_repo(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "goals")
    old = os.getcwd()
    os.chdir(repo)
    try:
        assert CliRunner().invoke(main, ["fmt"]).exit_code == 0
        result = run("--exit-code")
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.stdout
    assert "仅格式变化" in result.stdout


def test_scores_follow_the_repositorys_scoring_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(CASES / "year-end-actuals", tmp_path / "case")
    (tmp_path / "case" / "perfgen.yaml").write_text("scoring_rules:\n  execution_base: initial\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "case")
    result = run("old", "new")
    assert "执行率：100.54% → 100.79%" in result.stdout  # against 年初预算数 1780.91, as perfgen.yaml says
