"""perfgen build --shard I/N on four "machines", then --assemble: the same bytes as one machine's build."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from clitools import invoke
from sample_data import make_repo

from perfgen.build.cache import Cache


def tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", units=3)


def shard_builds(repo: Path, n: int, *args: str) -> list[str]:
    """Each shard built as its own CI job would: a fresh checkout (here: a copy), its own output folder, which
    is then handed to the assembling job (copied into the repository, as a downloaded artifact would be)."""
    folders = []
    for i in range(1, n + 1):
        job = repo.parent / f"job{i}"
        shutil.copytree(repo, job)
        result = invoke(job, "build", "--shard", f"{i}/{n}", "--out", "out", *args)
        assert result.exit_code == 0, result.output
        shutil.copytree(job / "out", repo / "shards" / f"shard-{i}")
        folders.append(f"shards/shard-{i}")
    return folders


def test_four_shards_assembled_equal_one_machines_build(repo: Path, tmp_path: Path) -> None:
    single = tmp_path / "single"
    shutil.copytree(repo, single)
    assert invoke(single, "build", "--combine", "--form", "xinjiang-2023,hunan-2023").exit_code == 0
    folders = shard_builds(repo, 4, "--form", "xinjiang-2023,hunan-2023")
    assert all(tree(repo / f) for f in folders)  # every shard built some projects
    assert sum(len([p for p in tree(repo / f) if p.endswith(".docx")]) for f in folders) == 27 * 2
    assembling = []
    for f in folders:
        assembling += ["--assemble", f]
    result = invoke(repo, "build", "--combine", "--form", "xinjiang-2023,hunan-2023", *assembling)
    assert result.exit_code == 0, result.output
    assert "已生成 0 个项目，27 个未变" in result.output  # nothing built again: the shards' work is used
    assert tree(repo / "build") == tree(single / "build")
    assert (repo / "build" / "combined" / "2023-单位01.docx").is_file()
    # and the assembled folder goes on as any output folder: a no-op, then an incremental build
    assert "已生成 0 个项目，27 个未变" in invoke(repo, "build", "--combine", "--form",
                                              "xinjiang-2023,hunan-2023").output


def test_a_folder_that_is_not_a_shard_is_refused(repo: Path) -> None:
    (repo / "empty").mkdir()
    result = invoke(repo, "build", "--assemble", "empty")
    assert result.exit_code == 1
    assert "PG035" in result.output and "empty" in result.output
    assert not (repo / "build").exists() or not list((repo / "build").rglob("*.docx"))


def test_assemble_and_shard_together_is_a_usage_error(repo: Path) -> None:
    assert invoke(repo, "build", "--assemble", "x", "--shard", "1/2").exit_code == 2


def test_a_shard_row_naming_a_file_elsewhere_is_refused(repo: Path) -> None:
    (folder,) = shard_builds(repo, 1)
    # a forged row, sealed again as whoever can write the file can: the path check still refuses it
    cache = Cache.open(repo / folder)
    row = list(next(cache.whole_rows()))
    row[10] = row[10].replace("unit00/2023/", "../../")
    cache.adopt(tuple(row))
    cache.commit()
    cache.close()
    result = invoke(repo, "build", "--assemble", folder)
    assert result.exit_code == 1, result.output
    assert "PG035" in result.output
    assert not (repo.parent / "01-yuanshuili-buchai.docx").exists()
    assert not (repo / "build").exists() or not list((repo / "build").rglob("*.docx"))
