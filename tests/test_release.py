"""Releases pre-commit can pin (issue 15 item 6): tools/release.py makes the tag v<version>, and perfgen init's
generated configuration pins the version of the perfgen that wrote it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import git

import perfgen
from perfgen.scaffold import plan, release_rev

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import release  # noqa: E402  (tools/release.py)

GENERATED = (".pre-commit-config.yaml", ".github/workflows/perfgen.yml", ".github/workflows/perfgen-matrix.yml")


def test_generated_configs_pin_this_perfgen() -> None:
    files = {f.path: f.data.decode("utf-8") for f in plan()}
    for name in GENERATED:
        assert "{perfgen_rev}" not in files[name]
        assert release_rev() in files[name], name
    assert "PATH" in files[".pre-commit-config.yaml"]  # what a local hook needs, said where it is configured


def test_a_release_is_pinned_by_its_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(perfgen, "_version", lambda: "1.2.3")
    assert release_rev() == "v1.2.3"
    files = {f.path: f.data.decode("utf-8") for f in plan()}
    assert "rev: v1.2.3" in files[".pre-commit-config.yaml"]
    assert "perfgen.git@v1.2.3" in files[".github/workflows/perfgen.yml"]
    monkeypatch.setattr(perfgen, "_version", lambda: "1.3.0.dev0")
    assert release_rev() == "main"  # a development build: no tag names it


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "perfgen"\nversion = "0.2.0.dev0"\n', encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n- Excel and PDF.\n",
                                           encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path


def tags(root: Path) -> list[str]:
    return subprocess.run(["git", "tag"], cwd=root, capture_output=True, text=True, check=True).stdout.split()


def test_the_release_step_tags_the_version(repo: Path) -> None:
    assert release.release(repo, "0.2.0", dry_run=True).startswith("would")
    assert tags(repo) == []
    said = release.release(repo, "0.2.0", dry_run=False, today=dt.date(2026, 12, 4))
    assert "v0.2.0" in said and tags(repo) == ["v0.2.0"]
    assert 'version = "0.2.0"' in (repo / "pyproject.toml").read_text(encoding="utf-8")
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]\n\n## [0.2.0] - 2026-12-04\n\n- Excel and PDF." in changelog
    log = subprocess.run(["git", "log", "-1", "--format=%s", "v0.2.0"], cwd=repo, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert log == "Release 0.2.0"
    with pytest.raises(release.Refused, match="exists already"):
        release.release(repo, "0.2.0", dry_run=False)


def test_the_release_step_refuses(repo: Path) -> None:
    (repo / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n", encoding="utf-8")
    with pytest.raises(release.Refused, match="uncommitted"):
        release.release(repo, "0.2.0", dry_run=True)
    git(repo, "commit", "-q", "-am", "empty changelog")
    with pytest.raises(release.Refused, match="empty"):
        release.release(repo, "0.2.0", dry_run=True)
    with pytest.raises(release.Refused, match="not a release version"):
        release.release(repo, "0.2", dry_run=True)
    assert tags(repo) == []
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "release.py"), "0.2.0", "--root", str(repo)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "release refused" in done.stderr
