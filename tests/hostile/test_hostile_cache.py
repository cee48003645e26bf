"""A damaged build cache (``build/.perfgen/cache.sqlite``) only costs a rebuild, never a wrong document.

Damage that SQLite notices (bytes that are not UTF-8 in a text column, a truncated file) and damage it cannot
notice (a valid character changed inside a stored name: the integrity check passes) both end in one line that
says the cache was discarded, a full rebuild, exit 0 and the same bytes as a fresh build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run
from sample_data import ROOT, make_repo

from perfgen.build.cache import Cache, CacheDamaged
from perfgen.build.records import Entry, dump_outputs, load_outputs

CACHE = Path("build/.perfgen/cache.sqlite")
NOTICE = "构建记录文件已损坏"


def outputs(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


@pytest.fixture(scope="module")
def _built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nine examples built once for this module (each test gets a copy: a build per test cost ~0.5 s)."""
    repo = make_repo(tmp_path_factory.mktemp("built") / "repo")
    assert run(repo, "build").code == 0
    return repo


@pytest.fixture
def cached_build(_built_once: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the examples' repo built (its cache in ``build/.perfgen``), and the sha256 of each output.

    Copied with sizes and mtimes kept (``copy2``), so the copy's cache finds every output as it recorded it."""
    repo = shutil.copytree(_built_once, tmp_path / "repo", symlinks=True)
    assert "已生成 0 个项目" in run(repo, "build").err  # the copy is a build like the one copied: nothing to do
    return repo, outputs(repo / "build")


def _edit(repo: Path) -> None:
    """A change that rebuilds one project and changes its line on its unit's page, so that the page is written
    again from the cache's lines of that unit (all nine examples are one unit's year)."""
    f = repo / "goals" / "2023" / "05-zizhiqu-chengxiang-yanglao.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("\nname: ", "\nname: 改", 1), encoding="utf-8")


def _touch(repo: Path) -> None:
    """A change that rebuilds one project and changes none of its outputs (a comment)."""
    f = repo / "goals" / "2023" / "05-zizhiqu-chengxiang-yanglao.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def _listings(repo: Path) -> str:
    """The text of the index page and every unit's page."""
    out = repo / "build"
    return "".join(p.read_text(encoding="utf-8") for p in [out / "index.html", *sorted((out / "units").iterdir())])


def _rebuilt_cleanly(repo: Path, fresh: dict[str, str]) -> None:
    """The build finds the damage, says so once, builds everything again and writes what a build from scratch
    of the repository as it now is writes (``fresh``, if it was not edited)."""
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert r.err.count(NOTICE) == 1, r.err
    assert "已生成 9 个项目" in r.err
    validated = run(repo, "validate").err.splitlines()
    assert len(r.err.splitlines()) == len(validated) + 1  # the notice, and nothing printed twice
    assert run(repo, "build", "--out", "reference", "--force").code == 0
    assert outputs(repo / "build") == outputs(repo / "reference")
    if "改" not in (repo / "goals" / "2023" / "05-zizhiqu-chengxiang-yanglao.yaml").read_text(encoding="utf-8"):
        assert outputs(repo / "build") == fresh
    shutil.rmtree(repo / "reference")
    again = run(repo, "build")
    assert again.code == 0 and NOTICE not in again.err and "已生成 0 个项目" in again.err


def test_invalid_utf8_in_a_text_column(cached_build: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = cached_build
    db = sqlite3.connect(repo / CACHE)
    db.execute("UPDATE entries SET name = CAST(X'E4B8ADFF' AS TEXT) WHERE rel = (SELECT MIN(rel) FROM entries)")
    db.commit()
    db.close()
    assert run(repo, "build").code == 0  # a no-op does not read the index lines: nothing is published from them
    assert outputs(repo / "build") == fresh
    _edit(repo)
    _rebuilt_cleanly(repo, fresh)


def test_a_valid_character_changed_in_a_stored_name(cached_build: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = cached_build
    db = sqlite3.connect(repo / CACHE)
    (name,) = db.execute("SELECT name FROM entries ORDER BY rel LIMIT 1").fetchone()
    db.execute("UPDATE entries SET name = ? WHERE name = ?", ("假" + name[1:], name))
    db.commit()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # SQLite cannot see this
    db.close()
    _edit(repo)
    _rebuilt_cleanly(repo, fresh)
    assert "假" + name[1:] not in _listings(repo)


@pytest.mark.parametrize("column", ["key", "sources", "outputs", "outputs_size", "diags", "fp", "total"])
def test_any_column_changed_is_detected(cached_build: tuple[Path, dict[str, str]], column: str) -> None:
    repo, fresh = cached_build
    db = sqlite3.connect(repo / CACHE)
    if column == "outputs_size":  # one output's recorded size, inside the outputs column
        (outputs,) = db.execute("SELECT outputs FROM entries WHERE rel = (SELECT MAX(rel) FROM entries)").fetchone()
        items = [list(item) for item in load_outputs(outputs)]
        items[0][2] += 7
        column, value = "outputs", dump_outputs([(k, p, s, m) for k, p, s, m in items])
    else:
        value = "[]" if column == "diags" else 7 if column == "total" else "x"
    db.execute(f"UPDATE entries SET {column} = ? WHERE rel = (SELECT MAX(rel) FROM entries)", (value,))
    db.commit()
    db.close()
    if column == "total":  # an index line: read when the index may be written
        _edit(repo)
    _rebuilt_cleanly(repo, fresh)


def test_bytes_flipped_across_the_file(cached_build: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = cached_build
    data = (repo / CACHE).read_bytes()
    for offset in range(100, len(data), max(1, len(data) // 7)):
        damaged = bytearray(data)
        damaged[offset] ^= 0x55
        (repo / CACHE).write_bytes(bytes(damaged))
        r = run(repo, "build")
        assert r.code == 0, (offset, r.err)
        assert outputs(repo / "build") == fresh, offset


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_truncated_or_replaced_file(cached_build: tuple[Path, dict[str, str]], damage: str) -> None:
    repo, fresh = cached_build
    data = (repo / CACHE).read_bytes()
    new = {"truncated": data[: len(data) // 3], "garbage": os.urandom(4096), "empty": b""}[damage]
    (repo / CACHE).write_bytes(new)
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert r.err.count(NOTICE) == (0 if damage == "empty" else 1), r.err  # an empty file is an empty database
    assert outputs(repo / "build") == fresh


@pytest.mark.parametrize("kind", ["folder", "fifo", "link to /dev/zero", "dangling link", ".perfgen a file"])
def test_cache_file_that_is_not_a_file(cached_build: tuple[Path, dict[str, str]], kind: str) -> None:
    repo, fresh = cached_build
    (repo / CACHE).unlink()
    if kind == ".perfgen a file":
        (repo / CACHE).parent.rmdir()
        (repo / CACHE).parent.write_text("x", encoding="utf-8")
    elif kind == "folder":
        (repo / CACHE).mkdir()
        (repo / CACHE / "inside").write_text("x", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(repo / CACHE)
    else:
        (repo / CACHE).symlink_to("/dev/zero" if kind == "link to /dev/zero" else "nowhere/cache.sqlite")
    r = run(repo, "build", timeout=30)  # a FIFO must not hang it
    assert r.code == 0, r.err
    assert r.err.count(NOTICE) == 1, r.err
    assert outputs(repo / "build") == fresh
    assert (repo / CACHE).is_file() and not (repo / CACHE).is_symlink()
    assert "已生成 0 个项目" in run(repo, "build").err


def test_cache_file_linked_out_of_the_output_folder_is_not_written(cached_build: tuple[Path, dict[str, str]],
                                                                   tmp_path: Path) -> None:
    """``build/.perfgen/cache.sqlite`` committed as a link: perfgen writes nothing through it."""
    repo, fresh = cached_build
    victim = tmp_path / "victim.sqlite"
    shutil.copy(repo / CACHE, victim)  # a valid cache of this very repository: the most tempting target
    before = victim.read_bytes()
    (repo / CACHE).unlink()
    (repo / CACHE).symlink_to(victim)
    absent = tmp_path / "absent.sqlite"
    _touch(repo)
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert r.err.count(NOTICE) == 1, r.err
    assert victim.read_bytes() == before
    assert outputs(repo / "build") == fresh  # the edit adds a comment: same outputs
    (repo / CACHE).unlink()
    (repo / CACHE).symlink_to(absent)
    assert run(repo, "build").code == 0
    assert not absent.exists() and not Path(str(absent) + "-journal").exists()
    assert victim.read_bytes() == before and (repo / CACHE).is_file() and not (repo / CACHE).is_symlink()


@pytest.mark.parametrize("side", ["-journal", "-wal", "-shm"])
@pytest.mark.parametrize("kind", ["link", "folder", "fifo"])
def test_files_beside_the_cache_are_never_used(cached_build: tuple[Path, dict[str, str]], tmp_path: Path, side: str,
                                               kind: str) -> None:
    """perfgen keeps its journal in memory: a journal, WAL or shared-memory file beside the cache is not its
    own (brought by a commit), so it is neither read, nor written through, nor does it stop the build."""
    repo, fresh = cached_build
    victim = tmp_path / "victim"
    victim.write_bytes(os.urandom(40000))
    before = victim.read_bytes()
    if side != "-journal":
        db = sqlite3.connect(repo / CACHE)
        assert db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"  # as a repository could bring it
        db.close()
    beside = Path(str(repo / CACHE) + side)
    if kind == "link":
        beside.symlink_to(victim)
    elif kind == "folder":
        beside.mkdir()
    else:
        os.mkfifo(beside)
    _touch(repo)
    r = run(repo, "build", timeout=30)
    assert r.code == 0, r.err
    assert victim.read_bytes() == before
    assert not os.path.lexists(beside)
    assert outputs(repo / "build") == fresh  # the edit adds a comment: same outputs
    assert "已生成 0 个项目" in run(repo, "build").err


def test_each_group_of_columns_is_checked_where_it_is_read(tmp_path: Path) -> None:
    """The mechanism on its own: a row changed behind the cache's back is CacheDamaged when read."""
    out = tmp_path / "out"
    repo = make_repo(tmp_path / "repo")
    assert run(repo, "build", "--out", str(out)).code == 0
    db = sqlite3.connect(out / ".perfgen" / "cache.sqlite")
    db.execute("UPDATE entries SET year = 1999 WHERE rel = (SELECT MIN(rel) FROM entries)")
    db.execute("UPDATE entries SET diags = '[]' WHERE rel = (SELECT MAX(rel) FROM entries)")
    db.commit()
    db.close()
    cache = Cache.open(out)
    try:
        with pytest.raises(CacheDamaged):
            list(cache.index_entries())
        with pytest.raises(CacheDamaged, match="09-jiguan"):
            list(cache.rows())  # the freshness columns are fine, the last row's diagnostics are not
    finally:
        cache.close()


def test_cache_killed_mid_write_only_costs_a_rebuild(cached_build: tuple[Path, dict[str, str]]) -> None:
    repo, fresh = cached_build
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


# ---- the fingerprint of templates/ (item 3): only regular files inside the folder are read ----

_FINGERPRINT = ("import sys; from pathlib import Path; from perfgen.build.fingerprint import fingerprint; "
                "from perfgen.load.config import Config; "
                "print(fingerprint(Path(sys.argv[1]), Config(), ('docx', 'html')))")


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # reading /dev/zero to the end would exceed it


def fingerprint_of(repo: Path, env: dict[str, str] | None = None) -> str:
    """``fingerprint()`` of ``repo`` in a child process: bounded in time and memory, with its own environment."""
    proc = subprocess.run([sys.executable, "-c", _FINGERPRINT, str(repo)], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                          preexec_fn=_limit_memory)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_fingerprint_reads_no_fifo_or_device(repo: Path) -> None:
    templates = repo / "templates"
    templates.mkdir()
    before = fingerprint_of(repo)
    os.mkfifo(templates / "x.j2")  # no writer: opening it to read would wait for ever
    (templates / "zero").symlink_to("/dev/zero")  # endless
    (templates / "random.j2").symlink_to("/dev/urandom")
    (templates / "self.j2").symlink_to("self.j2")  # a loop
    assert fingerprint_of(repo) != before  # what stands there still counts, without being read


def test_fingerprint_does_not_read_files_outside_templates(repo: Path, tmp_path: Path) -> None:
    templates = repo / "templates"
    templates.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=one", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "style.css").write_text("one", encoding="utf-8")
    (templates / "env.j2").symlink_to(secret)
    (templates / "sub").symlink_to(elsewhere)
    (templates / "own.j2").write_text("own", encoding="utf-8")
    before = fingerprint_of(repo)
    secret.write_text("TOKEN=two, another secret", encoding="utf-8")
    (elsewhere / "style.css").write_text("two", encoding="utf-8")
    assert fingerprint_of(repo) == before  # their content never reached the hash
    (templates / "own.j2").write_text("changed", encoding="utf-8")
    assert fingerprint_of(repo) != before  # while a template inside the folder is read


def test_fingerprint_does_not_read_the_environment(repo: Path) -> None:
    (repo / "templates").mkdir()
    (repo / "templates" / "env").symlink_to("/proc/self/environ")
    assert fingerprint_of(repo, {"CI_SECRET": "a"}) == fingerprint_of(repo, {"CI_SECRET": "something else"})


def test_templates_folder_linked_out_of_the_repository_is_not_walked(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "deep" / "style.css").write_text("one", encoding="utf-8")
    (repo / "templates").symlink_to(elsewhere)  # or to /, /proc, /usr: walking it would take minutes
    before = fingerprint_of(repo)
    (elsewhere / "deep" / "style.css").write_text("two", encoding="utf-8")
    (elsewhere / "new.j2").write_text("new", encoding="utf-8")
    assert fingerprint_of(repo) == before


def test_resealed_cache_cannot_put_other_links_on_the_index(cached_build: tuple[Path, dict[str, str]]) -> None:
    """A cache committed by a pull request can be sealed again: its links are still checked against the files."""
    repo, _ = cached_build
    cache = Cache.open(repo / "build")  # sealed as perfgen would: through the cache's own put
    try:
        first = next(cache.rows())
        line = next(e for e in cache.index_entries() if e.source == first.rel)
        diags = next((json.loads(r.diags) for r in cache.reported() if r.rel == first.rel), [])
        forged = dataclasses.replace(line, files=(("html", "javascript:alert(1)"),))
        cache.put(first.rel, first.key, first.sources, first.fp, Entry(forged, diags))
        cache.commit()
    finally:
        cache.close()
    _edit(repo)
    r = run(repo, "build")  # the forged row names outputs that are not there: it is built again, never listed
    assert r.code == 0, r.err
    assert "javascript:" not in _listings(repo)
    assert run(repo, "build", "--out", "reference", "--force").code == 0
    assert outputs(repo / "build") == outputs(repo / "reference")
