"""Goals files, folders and the output folder as a hostile pull request or a broken machine leaves them.

Threats (issue 10): a goals file that is a FIFO, a device or a link out of the repository; two goals files
that would publish one document; an unreadable folder; an output folder that is read-only, full, a file, a
link to /dev/null, the repository itself; links inside the output folder; a build killed half-way.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from clitools import git
from conftest import ROOT, needs_root, run

GOALS = Path("goals/2023")
FIRST = "01-yuanshuili-buchai"


def outputs(out: Path) -> dict[str, str]:
    """Every file below ``out`` (the cache and staging folders left out): its sha256."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not any(s.startswith(".") for s in p.parts)}


def every_byte(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


# ---- 1, 3: only regular files inside the repository are read ------------------------------------------


@pytest.mark.parametrize("command", ["validate", "build"])
def test_goals_file_that_is_a_fifo_is_refused_not_waited_for(repo: Path, command: str) -> None:
    os.mkfifo(repo / GOALS / "10-fifo.yaml")
    r = run(repo, command, timeout=20)
    assert r.code == 1
    assert "goals/2023/10-fifo.yaml" in r.err and "PG018" in r.err
    assert "命名管道" in r.err


@pytest.mark.parametrize("name", ["10-zero.yaml", "_defaults.yaml"])
def test_link_to_dev_zero_is_refused_without_reading_it(repo: Path, name: str) -> None:
    target = repo / GOALS / name
    target.unlink(missing_ok=True)
    target.symlink_to("/dev/zero")
    r = run(repo, "build", timeout=20)
    assert r.code == 1
    assert f"goals/2023/{name}" in r.err
    assert "MemoryError" not in r.err


def test_perfgen_yaml_that_is_a_fifo_is_refused(repo: Path) -> None:
    os.mkfifo(repo / "perfgen.yaml")
    r = run(repo, "validate", timeout=20)
    assert r.code == 1
    assert "perfgen.yaml" in r.err and "PG018" in r.err


def test_oversized_goals_file_is_refused_at_the_limit(repo: Path) -> None:
    big = repo / GOALS / "10-big.yaml"
    with open(big, "wb") as fh:
        fh.write(b"# " + b"x" * (64 * 1024 * 1024) + b"\n")
    r = run(repo, "validate", timeout=20)
    assert r.code == 1
    assert "goals/2023/10-big.yaml" in r.err and "PG005" in r.err


def test_goals_file_linked_from_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text((repo / GOALS / f"{FIRST}.yaml").read_text(encoding="utf-8")
                      .replace("name:", "name: SECRET-VALUE #", 1), encoding="utf-8")
    (repo / GOALS / "10-link.yaml").symlink_to(secret)
    r = run(repo, "build", timeout=20)
    assert r.code == 1
    assert "goals/2023/10-link.yaml" in r.err and "PG018" in r.err
    assert not (repo / "build" / "2023" / "10-link.html").exists()
    assert b"SECRET-VALUE" not in every_byte(repo / "build") if (repo / "build").exists() else True


def test_goals_file_linked_inside_the_repository_is_read(repo: Path) -> None:
    (repo / GOALS / "10-alias.yaml").symlink_to(f"{FIRST}.yaml")
    r = run(repo, "build", timeout=30)
    assert r.code == 0, r.err
    assert (repo / "build" / "2023" / "10-alias.docx").is_file()


def test_linked_folder_is_not_followed_and_says_so(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(repo / GOALS / f"{FIRST}.yaml", elsewhere / "x.yaml")
    (repo / "goals" / "linked").symlink_to(elsewhere)
    r = run(repo, "build", timeout=30)
    assert r.code == 0, r.err
    assert "goals/linked" in r.err and "PG018" in r.err and "警告" in r.err
    assert not (repo / "build" / "linked").exists()


# ---- 2: two goals files, one output ----------------------------------------------------------------------


@pytest.mark.parametrize("other", [f"{FIRST}.yml", f"{FIRST.upper()}.yaml", f"{FIRST.title()}.yml"])
def test_two_goals_files_for_one_output_are_an_error_naming_both(repo: Path, other: str) -> None:
    shutil.copy(repo / GOALS / f"{FIRST}.yaml", repo / GOALS / other)
    before = run(repo, "validate")
    assert before.code == 1
    for r in (before, run(repo, "build")):
        assert r.code == 1
        assert "PG019" in r.err
        assert f"goals/2023/{FIRST}.yaml" in r.err and f"goals/2023/{other}" in r.err
    assert not (repo / "build" / "2023").exists()


def test_names_that_differ_only_in_unicode_normalisation_collide(repo: Path) -> None:
    name = "资金-é"
    nfc, nfd = unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)
    assert nfc != nfd
    for n in (nfc, nfd):
        shutil.copy(repo / GOALS / f"{FIRST}.yaml", repo / GOALS / f"{n}.yaml")
    r = run(repo, "build")
    assert r.code == 1 and "PG019" in r.err


def test_collision_added_after_a_good_build_keeps_the_published_forms(repo: Path) -> None:
    assert run(repo, "build").code == 0
    published = outputs(repo / "build")
    evil = (repo / GOALS / f"{FIRST}.yaml").read_text(encoding="utf-8").replace("name:", "name: 篡改 #", 1)
    (repo / GOALS / f"{FIRST}.yml").write_text(evil, encoding="utf-8")
    for _ in range(2):  # and again: the rerun must not quietly publish one of the two
        r = run(repo, "build")
        assert r.code == 1 and "PG019" in r.err
        assert outputs(repo / "build") == published


# ---- a goals file whose output would be one of perfgen's own ----------------------------------------------


@pytest.mark.parametrize(("where", "taken"), [
    ("index.yaml", "index.html"),  # build/index.html is the index page
    ("Index.yml", "index.html"),  # the same file where case is ignored
    ("units/2023/x.yaml", "units/"),  # the units' pages
    ("combined/2023-x.yaml", "combined/"),  # the combined documents
    ("self-evaluation/2023/x.yaml", "self-evaluation/"),  # a built-in form's folder
    ("my-form/x.yaml", "my-form/"),  # a form of the repository's own
])
def test_an_output_taken_by_perfgen_itself_is_an_error(repo: Path, where: str, taken: str) -> None:
    (repo / "forms").mkdir()
    shutil.copy(ROOT / "templates" / "forms" / "xinjiang-2023.yaml", repo / "forms" / "my-form.yaml")
    text = (repo / "forms" / "my-form.yaml").read_text(encoding="utf-8")
    (repo / "forms" / "my-form.yaml").write_text(text.replace("id: xinjiang-2023", "id: my-form", 1), encoding="utf-8")
    target = repo / "goals" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / GOALS / f"{FIRST}.yaml", target)
    r = run(repo, "build")
    assert r.code == 1, r.err
    shown = where.split("/")[0] + "/" if taken.endswith("/") else taken  # as the goals file's name spells it
    line = next(line for line in r.err.splitlines() if "PG020" in line)
    assert line.startswith(f"goals/{where}: ") and f"“{shown}”" in line
    assert not (repo / "build").exists()  # nothing written


def test_an_output_taken_by_perfgen_itself_leaves_the_previous_build(repo: Path) -> None:
    assert run(repo, "build").code == 0
    published = outputs(repo / "build")
    shutil.copy(repo / GOALS / f"{FIRST}.yaml", repo / "goals" / "index.yaml")
    r = run(repo, "build")
    assert r.code == 1 and "goals/index.yaml: 错误[PG020]" in r.err
    assert outputs(repo / "build") == published


def test_names_perfgen_keeps_are_free_deeper_down(repo: Path) -> None:
    shutil.copy(repo / GOALS / "_defaults.yaml", repo / "goals" / "_defaults.yaml")  # year and unit for units.yaml
    for where in ("2023/index.yaml", "2023/units/x.yaml", "2023/combined.yaml", "units.yaml"):
        target = repo / "goals" / where
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / GOALS / f"{FIRST}.yaml", target)
    r = run(repo, "build")
    assert r.code == 0 and "PG020" not in r.err, r.err
    assert (repo / "build" / "2023" / "index.html").is_file() and (repo / "build" / "units.html").is_file()


# ---- 14: unreadable folders ------------------------------------------------------------------------------


def _unprivileged(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """perfgen as root without the capabilities that let root read any file (so permissions apply)."""
    command = " ".join([sys.executable, "-m", "perfgen", *args])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PERFGEN_LANG": "zh"}
    return subprocess.run(["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", command],
                          cwd=repo, capture_output=True, text=True, timeout=60, env=env)


@needs_root
@pytest.mark.skipif(shutil.which("capsh") is None, reason="capsh (libcap2-bin) is not installed")
@pytest.mark.parametrize("command", ["validate", "build"])
def test_unreadable_folder_is_an_error_on_first_and_later_builds(repo: Path, command: str) -> None:
    locked = repo / "goals" / "2024"
    locked.mkdir()
    for name in (f"{FIRST}.yaml", "_defaults.yaml"):
        shutil.copy(repo / GOALS / name, locked / name.replace(FIRST, "x"))
    if command == "build":
        assert run(repo, "build").code == 0  # a first build that could read it
    locked.chmod(0)
    try:
        r = _unprivileged(repo, command)
    finally:
        locked.chmod(0o755)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "goals/2024" in r.stderr and "PG007" in r.stderr
    if command == "build":
        assert (repo / "build" / "2024" / "x.docx").is_file()  # not taken for a deleted project


# ---- 7, 8, 12: the output folder -------------------------------------------------------------------------


@pytest.mark.parametrize(("out", "why"), [("/", "根目录"), ("goals", "goals/"), ("goals/2023/out", "goals/"),
                                          (".", "goals/"), ("templates", "templates/")])
def test_output_folder_that_is_root_or_holds_the_sources_is_refused(repo: Path, out: str, why: str) -> None:
    r = run(repo, "build", "--out", out)
    assert r.code == 2
    assert f"--out {out} 不能用作输出目录" in r.err and why in r.err
    assert not list((repo / "goals").rglob("*.docx"))


def test_output_folder_that_is_a_file_or_a_link_to_dev_null(repo: Path) -> None:
    (repo / "afile").write_text("x")
    (repo / "null").symlink_to("/dev/null")
    for out in ("afile", "null"):
        r = run(repo, "build", "--out", out)
        assert r.code == 1, r.err
        assert "PG032" in r.err and out in r.err
    assert (repo / "afile").read_text() == "x"


def test_cache_folder_that_is_a_file_only_costs_a_rebuild(repo: Path) -> None:
    (repo / "build").mkdir()
    (repo / "build" / ".perfgen").write_text("not a folder")
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert "构建记录文件已损坏" in r.err
    assert (repo / "build" / ".perfgen").is_dir()


def test_cache_folder_that_links_elsewhere_is_not_written(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "build").mkdir()
    (repo / "build" / ".perfgen").symlink_to(elsewhere)
    r = run(repo, "build")
    assert r.code == 1 and "PG032" in r.err
    assert list(elsewhere.iterdir()) == []


def test_links_inside_the_output_folder_are_never_written_through(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "build").mkdir()
    (repo / "build" / "2023").symlink_to(elsewhere)
    r = run(repo, "build")
    assert r.code == 1
    assert "PG032" in r.err and "build/2023" in r.err
    assert list(elsewhere.iterdir()) == []
    assert (repo / "build" / "2023").is_symlink()


@needs_root
@pytest.mark.skipif(shutil.which("chattr") is None, reason="chattr (e2fsprogs) is not installed")
@pytest.mark.parametrize("where", ["build", "build/2024"])
def test_immutable_output_folder_is_a_diagnostic_and_all_or_nothing(repo: Path, where: str) -> None:
    (repo / "goals" / "2024").mkdir()
    for name in (f"{FIRST}.yaml", "_defaults.yaml"):
        shutil.copy(repo / GOALS / name, repo / "goals" / "2024" / name.replace(FIRST, "x"))
    assert run(repo, "build").code == 0
    before = outputs(repo / "build")
    for f in [*(repo / GOALS).glob("0*.yaml"), repo / "goals" / "2024" / "x.yaml"]:
        f.write_text(f.read_text(encoding="utf-8").replace("name:", "name: 改 #", 1), encoding="utf-8")
    locked = repo / where
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not support chattr +i")
    try:
        r = run(repo, "build")
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert r.code == 1, r.err
    assert "PG032" in r.err
    assert outputs(repo / "build") == before  # neither 2023 nor 2024 replaced
    assert run(repo, "build").code == 0  # and the next build, on a writable folder, goes through
    assert outputs(repo / "build") != before


@needs_root
def test_full_disk_is_a_diagnostic_and_leaves_the_previous_build(repo: Path) -> None:
    out = repo / "build"
    out.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(out)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        # fill the disk with the first build of a few projects, then ask for more than fits
        keep = sorted((repo / GOALS).glob("0*.yaml"))
        for f in keep[3:]:
            f.rename(f.with_suffix(".later"))
        first = run(repo, "build", "-j", "1")
        assert first.code == 0, first.err
        before = outputs(out)
        for f in (repo / GOALS).glob("*.later"):
            f.rename(f.with_suffix(".yaml"))
        for i in range(40):
            shutil.copy(keep[0], repo / GOALS / f"copy{i:02d}.yaml")
        r = run(repo, "build", "-j", "1")
        assert r.code == 1, r.err
        assert "PG032" in r.err
        assert outputs(out) == before
        assert not [p for p in out.iterdir() if p.name.startswith(".perfgen-staging-")]
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


# ---- 9: no leftovers --------------------------------------------------------------------------------------


def test_staging_folders_of_killed_builds_are_removed(repo: Path) -> None:
    out = repo / "build"
    for i in range(4):  # enough projects that the kill lands while staging
        for f in (repo / GOALS).glob("0*.yaml"):
            shutil.copy(f, repo / GOALS / f"{f.stem}-{i}.yaml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "perfgen", "build", "-j", "1"], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(out.glob(".perfgen-staging-*/2023/*")):
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(out.glob(".perfgen-staging-*")), "the build finished before it could be killed"
    r = run(repo, "build")
    assert r.code == 0, r.err
    assert not list(out.glob(".perfgen-staging-*"))


def test_oversized_file_in_a_git_revision_is_not_read_into_memory(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "goals")
    with open(repo / GOALS / "10-big.yaml", "wb") as fh:
        fh.write(b"# " + b"x" * (16 * 1024 * 1024) + b"\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "big")
    r = run(repo, "diff", "HEAD~1", "HEAD")
    assert r.code == 1
    assert "goals/2023/10-big.yaml" in r.text and "PG005" in r.text


def test_goals_file_named_with_control_characters_is_not_built(repo: Path) -> None:
    (repo / GOALS / f"{FIRST}.yaml").rename(repo / GOALS / "x\x1b[31m\u202e.yaml")
    r = run(repo, "build")
    assert r.code == 1
    assert "PG017" in r.err and "x\\x1b[31m\\u202e.yaml" in r.err
    assert not [p for p in (repo / "build").rglob("*") if "\x1b" in p.name] if (repo / "build").exists() else True
