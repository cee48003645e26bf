"""``perfgen fmt`` in a hostile repository: it never loses an edit, never writes outside the repository,
never replaces a link or a file's mode, and never hangs on a file that is not a regular file."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import needs_root, run
from sample_data import ROOT

import perfgen.fmt.batch as fmt_command
from perfgen.cli.main import main
from perfgen.fmt import ChangedMeanwhile, format_text, read_goals_file, replace_goals_file

GOALS = "goals/2023"
UNFORMATTED = "01-yuanshuili-buchai.yaml"  # fmt rewrites it (>=98% -> ≥98%, ...)
CANONICAL = "03-shebao-jingban-jingfei.yaml"  # already in the canonical layout
OTHER = "09-jiguan-yanglao-doudi.yaml"  # also rewritten


def formatted(path: Path) -> bytes:
    return format_text(path.read_text(encoding="utf-8")).encode("utf-8")


# ---- keep the file's mode ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [0o755, 0o600, 0o640])
def test_mode_is_kept(repo: Path, mode: int) -> None:
    path = repo / GOALS / UNFORMATTED
    want = formatted(path)
    path.chmod(mode)
    r = run(repo, "fmt")
    assert r.code == 0, r.text
    assert path.read_bytes() == want
    assert stat.S_IMODE(path.stat().st_mode) == mode


@needs_root
def test_owner_is_kept(repo: Path) -> None:
    path = repo / GOALS / UNFORMATTED
    os.chown(path, 12345, 12346)
    r = run(repo, "fmt")
    assert r.code == 0, r.text
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (12345, 12346)
    assert "≥98%" in path.read_text(encoding="utf-8")


def test_no_temporary_file_is_left(repo: Path) -> None:
    assert run(repo, "fmt").code == 0
    assert sorted(p.name for p in (repo / GOALS).iterdir() if p.name.startswith(".")) == []


# ---- never lose an edit ------------------------------------------------------------------------------

def _editor_saves(path: Path, how: str) -> None:
    """What an editor (or ``git checkout``) does to ``path`` while fmt works on it."""
    st = path.stat()
    data = path.read_bytes()
    if how == "append":
        path.write_bytes(data + "# 刚刚保存的改动\n".encode())
    elif how == "same_size_same_mtime":  # the clock did not tick: only the bytes tell
        path.write_bytes(data.replace(b"2022", b"2024", 1))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif how == "renamed_over":  # save by rename, same bytes and times: a new file all the same
        tmp = path.with_name(".saving")
        tmp.write_bytes(data.replace(b"2022", b"2024", 1))
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, path)
    elif how == "deleted":
        path.unlink()
    elif how == "chmod":
        path.chmod(0o600)
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["append", "same_size_same_mtime", "renamed_over", "deleted", "chmod"])
def test_library_refuses_to_replace_a_file_that_changed(repo: Path, how: str) -> None:
    path = repo / GOALS / UNFORMATTED
    f = read_goals_file(path, repo)
    new = format_text(f.data.decode("utf-8")).encode("utf-8")
    assert new != f.data
    with pytest.raises(ChangedMeanwhile):
        replace_goals_file(f, new, before_replace=lambda: _editor_saves(path, how))
    if how != "deleted":
        assert path.read_bytes() != new  # the editor's version is what is there
    assert [p.name for p in (repo / GOALS).iterdir() if p.name.startswith(".")] == []  # temp file gone


def test_library_replaces_an_unchanged_file(repo: Path) -> None:
    path = repo / GOALS / UNFORMATTED
    f = read_goals_file(path, repo)
    new = format_text(f.data.decode("utf-8")).encode("utf-8")
    calls: list[int] = []
    replace_goals_file(f, new, before_replace=lambda: calls.append(1))
    assert calls == [1]
    assert path.read_bytes() == new


@pytest.mark.parametrize("lang,text", [("zh", "文件在格式化期间被修改"), ("en", "the file changed while it was being "
                                                                           "formatted")])
def test_cli_does_not_overwrite_an_edit_saved_while_formatting(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                                lang: str, text: str) -> None:
    monkeypatch.chdir(repo)
    path = repo / GOALS / UNFORMATTED
    real_format = fmt_command.format_text

    def format_while_editor_saves(old: str, source: str = "<text>") -> str:
        out = real_format(old, source)
        if source.endswith(UNFORMATTED):
            _editor_saves(path, "same_size_same_mtime")
        return out

    monkeypatch.setattr(fmt_command, "format_text", format_while_editor_saves)
    other_want = formatted(repo / GOALS / OTHER)
    result = CliRunner().invoke(main, ["fmt", "--lang", lang])
    assert result.exit_code == 1, result.output
    assert f"{GOALS}/{UNFORMATTED}: " in result.output
    assert "[PG051]" in result.output and text in result.output
    assert b"2024" in path.read_bytes()[:200] and b">=98%" in path.read_bytes()  # the edit, unformatted
    assert (repo / GOALS / OTHER).read_bytes() == other_want  # the other files are formatted all the same
    monkeypatch.setattr(fmt_command, "format_text", real_format)  # the editor is done
    again = CliRunner().invoke(main, ["fmt"])  # and running again formats it
    assert again.exit_code == 0, again.output
    assert path.read_bytes() == formatted(path)


# ---- symbolic links --------------------------------------------------------------------------------

def test_link_inside_the_repository_formats_the_target_and_stays_a_link(repo: Path) -> None:
    shared = repo / "shared"
    shared.mkdir()
    shutil.move(repo / GOALS / UNFORMATTED, shared / UNFORMATTED)
    link = repo / GOALS / UNFORMATTED
    link.symlink_to(Path("../../shared") / UNFORMATTED)
    want = formatted(shared / UNFORMATTED)
    r = run(repo, "fmt")
    assert r.code == 0, r.text
    assert link.is_symlink() and os.readlink(link) == f"../../shared/{UNFORMATTED}"
    assert (shared / UNFORMATTED).read_bytes() == want
    assert f"shared/{UNFORMATTED}" in r.err  # says which file was rewritten
    assert run(repo, "fmt", "--check").code == 0


def test_explicitly_named_link_inside_the_repository(repo: Path) -> None:
    link = repo / GOALS / "link.yaml"
    link.symlink_to(UNFORMATTED)
    want = formatted(repo / GOALS / UNFORMATTED)
    r = run(repo, "fmt", f"{GOALS}/link.yaml")
    assert r.code == 0, r.text
    assert link.is_symlink() and (repo / GOALS / UNFORMATTED).read_bytes() == want


@pytest.mark.parametrize("check", [False, True])
def test_link_out_of_the_repository_is_neither_read_nor_written(tmp_path: Path, repo: Path, check: bool) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.yaml"
    secret.write_bytes((repo / GOALS / UNFORMATTED).read_bytes().replace(b"2023", b"SECRET-2023", 1))
    before = secret.read_bytes()
    link = repo / GOALS / "evil.yaml"
    link.symlink_to(secret)
    r = run(repo, "fmt", *(["--check", "--diff"] if check else []))
    assert r.code == 1, r.text
    assert f"{GOALS}/evil.yaml: 错误[PG018]" in r.err
    assert "仓库之外" in r.err
    assert "SECRET" not in r.text
    assert secret.read_bytes() == before
    assert link.is_symlink()
    if not check:
        assert (repo / GOALS / OTHER).read_bytes() == formatted(repo / GOALS / OTHER)  # the rest is formatted
    en = run(repo, "fmt", "--lang", "en", f"{GOALS}/evil.yaml")
    assert en.code == 1 and "out of the repository" in en.err


def test_linked_goals_folder_out_of_the_repository_is_not_written(tmp_path: Path, repo: Path) -> None:
    outside = tmp_path / "outside"
    shutil.move(repo / "goals", outside)
    (repo / "goals").symlink_to(outside)
    before = {p.name: p.read_bytes() for p in (outside / "2023").iterdir()}
    r = run(repo, "fmt")
    assert r.code == 1, r.text
    assert "PG018" in r.err
    assert before == {p.name: p.read_bytes() for p in (outside / "2023").iterdir()}


def test_linked_folder_inside_goals_is_not_followed(tmp_path: Path, repo: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(repo / GOALS / UNFORMATTED, outside / UNFORMATTED)
    before = (outside / UNFORMATTED).read_bytes()
    (repo / "goals" / "2024").symlink_to(outside)
    r = run(repo, "fmt")
    assert r.code == 0, r.text
    assert "goals/2024: 警告[PG018]" in r.err
    assert (outside / UNFORMATTED).read_bytes() == before


# ---- files that are not regular files, folders fmt cannot read ---------------------------------------

def test_fifo_named_like_a_goals_file_does_not_hang(repo: Path) -> None:
    os.mkfifo(repo / GOALS / "x.yaml")
    r = run(repo, "fmt", timeout=30)
    assert r.code == 1, r.text
    assert f"{GOALS}/x.yaml: 错误[PG018]" in r.err and "FIFO" in r.err
    assert (repo / GOALS / OTHER).read_bytes() == formatted(repo / GOALS / OTHER)
    r = run(repo, "fmt", "--check", f"{GOALS}/x.yaml", timeout=30)  # named on the command line
    assert r.code == 1 and f"{GOALS}/x.yaml: 错误[PG018]" in r.err, r.text


def test_link_to_dev_zero_does_not_exhaust_memory(repo: Path) -> None:
    (repo / GOALS / "zero.yaml").symlink_to("/dev/zero")
    r = run(repo, "fmt", timeout=30)
    assert r.code == 1, r.text
    assert f"{GOALS}/zero.yaml: 错误[PG018]" in r.err


@needs_root
def test_device_inside_the_repository(repo: Path) -> None:
    os.mknod(repo / GOALS / "zero.yaml", 0o644 | stat.S_IFCHR, os.makedev(1, 5))
    r = run(repo, "fmt", timeout=30)
    assert r.code == 1, r.text
    assert f"{GOALS}/zero.yaml: 错误[PG018]" in r.err


def test_huge_file_is_refused(repo: Path) -> None:
    big = repo / GOALS / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    r = run(repo, "fmt", timeout=30)
    assert r.code == 1, r.text
    assert f"{GOALS}/big.yaml: 错误[PG005]" in r.err
    assert big.stat().st_size == 64 * 1024 * 1024


def test_folder_named_like_a_goals_file_is_a_folder(repo: Path) -> None:
    folder = repo / GOALS / "x.yaml"
    folder.mkdir()
    shutil.copy(repo / GOALS / UNFORMATTED, folder / "inner.yaml")
    r = run(repo, "fmt")
    assert r.code == 0, r.text
    assert (folder / "inner.yaml").read_bytes() == formatted(folder / "inner.yaml")
    r = run(repo, "fmt", "--check", f"{GOALS}/x.yaml")
    assert r.code == 0, r.text


def _unprivileged(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """perfgen as root without the capabilities that let root read and write any file."""
    command = " ".join([sys.executable, "-m", "perfgen", *args])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PERFGEN_LANG": "zh"}
    return subprocess.run(["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", command],
                          cwd=repo, capture_output=True, text=True, timeout=60, env=env)


needs_capsh = pytest.mark.skipif(shutil.which("capsh") is None, reason="capsh (libcap2-bin) is not installed")


@needs_root
@needs_capsh
def test_unreadable_folder_is_an_error(repo: Path) -> None:
    locked = repo / "goals" / "2024"
    locked.mkdir()
    shutil.copy(repo / GOALS / UNFORMATTED, locked / UNFORMATTED)
    locked.chmod(0)
    try:
        r = _unprivileged(repo, "fmt")
    finally:
        locked.chmod(0o755)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr
    assert "goals/2024: 错误[PG007]" in r.stderr
    assert (repo / GOALS / OTHER).read_bytes() == formatted(repo / GOALS / OTHER)


@needs_root
@needs_capsh
def test_unreadable_and_unwritable_files_are_errors(repo: Path) -> None:
    unreadable = repo / GOALS / UNFORMATTED
    unreadable.chmod(0)
    (repo / GOALS).chmod(0o555)  # no new file (the temporary one) can be made here
    try:
        r = _unprivileged(repo, "fmt")
    finally:
        (repo / GOALS).chmod(0o755)
        unreadable.chmod(0o644)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr
    assert f"{GOALS}/{UNFORMATTED}: 错误[PG007]" in r.stderr
    assert f"{GOALS}/{OTHER}: 错误[PG051]" in r.stderr


def test_hard_link_is_formatted(repo: Path) -> None:
    """A hard link: the name fmt was given gets the canonical layout (the other name keeps the old bytes,
    as with any editor that saves by rename)."""
    path = repo / GOALS / UNFORMATTED
    os.link(path, repo / "elsewhere.yaml")
    want = formatted(path)
    assert run(repo, "fmt").code == 0
    assert path.read_bytes() == want
