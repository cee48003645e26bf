"""A damaged build cache (``build/.perfgen/cache.sqlite``) only costs a rebuild, never a wrong document.

Damage that SQLite notices (bytes that are not UTF-8 in a text column, a truncated file) and damage it cannot
notice (a valid character changed inside a stored name: the integrity check passes) both end in one line that
says the cache was discarded, a full rebuild, exit 0 and the same bytes as a fresh build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run

from perfgen.buildcache import Cache, CacheDamaged

CACHE = Path("build/.perfgen/cache.sqlite")
NOTICE = "构建记录文件已损坏"


def outputs(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


@pytest.fixture
def built(repo: Path) -> tuple[Path, dict[str, str]]:
    assert run(repo, "build").code == 0
    return repo, outputs(repo / "build")


def _edit(repo: Path) -> None:
    """A change that rebuilds one project (and so may rewrite the index page from the cache's lines)."""
    f = repo / "goals" / "2023" / "05-zizhiqu-chengxiang-yanglao.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def _rebuilt_cleanly(repo: Path, fresh: dict[str, str]) -> None:
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert r.err.count(NOTICE) == 1, r.err
    assert "已生成 9 个项目" in r.err
    assert outputs(repo / "build") == fresh
    again = run(repo, "build")
    assert again.code == 0 and NOTICE not in again.err and "已生成 0 个项目" in again.err


def test_invalid_utf8_in_a_text_column(built: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = built
    db = sqlite3.connect(repo / CACHE)
    db.execute("UPDATE entries SET name = CAST(X'E4B8ADFF' AS TEXT) WHERE rel = (SELECT MIN(rel) FROM entries)")
    db.commit()
    db.close()
    assert run(repo, "build").code == 0  # a no-op does not read the index lines: nothing is published from them
    assert outputs(repo / "build") == fresh
    _edit(repo)
    _rebuilt_cleanly(repo, fresh)


def test_a_valid_character_changed_in_a_stored_name(built: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = built
    db = sqlite3.connect(repo / CACHE)
    (name,) = db.execute("SELECT name FROM entries ORDER BY rel LIMIT 1").fetchone()
    db.execute("UPDATE entries SET name = ? WHERE name = ?", ("假" + name[1:], name))
    db.commit()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # SQLite cannot see this
    db.close()
    _edit(repo)
    _rebuilt_cleanly(repo, fresh)
    assert "假" + name[1:] not in (repo / "build" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("column", ["key", "sources", "html", "docx_size", "diags", "fp", "total"])
def test_any_column_changed_is_detected(built: tuple[Path, dict[str, str]], column: str) -> None:
    repo, fresh = built
    db = sqlite3.connect(repo / CACHE)
    value = "[]" if column == "diags" else 7 if column in ("docx_size", "total") else "x"
    db.execute(f"UPDATE entries SET {column} = ? WHERE rel = (SELECT MAX(rel) FROM entries)", (value,))
    db.commit()
    db.close()
    if column == "total":  # an index line: read when the index may be written
        _edit(repo)
    _rebuilt_cleanly(repo, fresh)


def test_bytes_flipped_across_the_file(built: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = built
    data = (repo / CACHE).read_bytes()
    for offset in range(100, len(data), max(1, len(data) // 7)):
        damaged = bytearray(data)
        damaged[offset] ^= 0x55
        (repo / CACHE).write_bytes(bytes(damaged))
        r = run(repo, "build")
        assert r.code == 0, (offset, r.err)
        assert outputs(repo / "build") == fresh, offset


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_truncated_or_replaced_file(built: tuple[Path, dict[str, str]], damage: str) -> None:
    repo, fresh = built
    data = (repo / CACHE).read_bytes()
    new = {"truncated": data[: len(data) // 3], "garbage": os.urandom(4096), "empty": b""}[damage]
    (repo / CACHE).write_bytes(new)
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert outputs(repo / "build") == fresh


def test_cache_file_that_is_a_folder(built: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = built
    (repo / CACHE).unlink()
    (repo / CACHE).mkdir()
    r = run(repo, "build")
    assert r.code == 1
    assert "PG032" in r.err and "cache.sqlite" in r.err
    assert outputs(repo / "build") == fresh


def test_each_group_of_columns_is_checked_where_it_is_read(tmp_path: Path) -> None:
    """The mechanism on its own: a row changed behind the cache's back is CacheDamaged when read."""
    out = tmp_path / "out"
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "goals", repo / "goals")
    assert run(repo, "build", "--out", str(out)).code == 0
    db = sqlite3.connect(out / ".perfgen" / "cache.sqlite")
    db.execute("UPDATE entries SET year = 1999 WHERE rel = (SELECT MIN(rel) FROM entries)")
    db.execute("UPDATE entries SET diags = '[]' WHERE rel = (SELECT MAX(rel) FROM entries)")
    db.commit()
    db.close()
    cache = Cache.open(out)
    try:
        with pytest.raises(CacheDamaged):
            cache.check_listing()
        with pytest.raises(CacheDamaged):
            list(cache.index_entries())
        with pytest.raises(CacheDamaged, match="09-jiguan"):
            list(cache.rows())  # the freshness columns are fine, the last row's diagnostics are not
    finally:
        cache.close()


def test_cache_killed_mid_write_only_costs_a_rebuild(built: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = built
    for f in (repo / "goals" / "2023").glob("0*.yaml"):
        f.write_text(f.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "perfgen", "build", "-j", "1"], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=0.3)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert outputs(repo / "build") == fresh
