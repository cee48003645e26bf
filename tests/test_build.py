"""perfgen build: atomic, reproducible, incremental, parallel and sharded — checked on real output bytes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import lxml.html
import pytest
from clitools import invoke
from hypothesis import given
from hypothesis import strategies as st
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.build.pipeline import BuildResult, build
from perfgen.build.plan import BuildOptions, Shard
from perfgen.diagnostics.report import Diagnostic
from perfgen.load.config import Config


def tree(out: Path) -> dict[str, str]:
    """Every output file's sha256, cache and staging excluded."""
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".perfgen" not in p.parts
    }


def lib_build(repo: Path, out: str = "build", **kw: Any) -> BuildResult:
    opts = BuildOptions(root=repo, out=repo / out, **kw)
    result = build(opts, Config())
    assert result.ok, [str(d.pos) + d.message for d in result.report.diagnostics if d.severity == "error"]
    return result


@pytest.fixture
def three_unit_repo(tmp_path: Path) -> Path:
    """The nine examples in three unit folders (``goals/unit00/2023`` … ``unit02``, units 单位00 … 单位02):
    27 projects, enough for a pool of workers and for shards."""
    return make_repo(tmp_path / "repo", units=3)


def test_build_writes_docx_html_and_index(three_unit_repo: Path) -> None:
    result = invoke(three_unit_repo, "build")
    assert result.exit_code == 0, result.output
    files = tree(three_unit_repo / "build")
    assert len([f for f in files if f.endswith(".docx")]) == 27
    assert len([f for f in files if f.endswith(".html")]) == 31  # 27 projects, 3 units' pages, index.html
    index = lxml.html.fromstring((three_unit_repo / "build" / "index.html").read_bytes())
    assert [a.text_content() for a in index.xpath("//td[@class='name']/a")] == ["单位00", "单位01", "单位02"]
    assert [unquote(h) for h in index.xpath("//td[@class='name']/a/@href")] == [
        f"units/2023-单位{i:02d}.html" for i in range(3)]
    assert [td.text_content() for td in index.xpath("//tbody/tr/td[contains(@class, 'count')]")] == ["9"] * 3
    page = lxml.html.fromstring((three_unit_repo / "build" / "units" / "2023-单位00.html").read_bytes())
    assert "../unit00/2023/01-yuanshuili-buchai.docx" in page.xpath("//td[contains(@class, 'docx')]/a/@href")
    for href in page.xpath("//tbody//a/@href"):  # every link of a unit's page reaches a file that was built
        assert (three_unit_repo / "build" / "units" / unquote(href)).resolve().is_file(), href


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    a = make_repo(tmp_path / "a", units=1)
    b = make_repo(tmp_path / "b", units=1)
    lib_build(a)
    lib_build(b)
    assert tree(a / "build") == tree(b / "build")
    # and a third, forced, in the same place
    before = tree(a / "build")
    lib_build(a, force=True)
    assert tree(a / "build") == before


def test_parallel_equals_serial(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo, "serial", jobs=1)
    lib_build(three_unit_repo, "parallel", jobs=2)
    assert tree(three_unit_repo / "serial") == tree(three_unit_repo / "parallel")


def test_a_pool_started_with_spawn_writes_the_same_bytes(three_unit_repo: Path) -> None:
    """Windows and macOS start worker processes with spawn: they get everything by pickling, nothing by fork."""
    lib_build(three_unit_repo, "serial", jobs=1)
    # 27 projects: a pool of two processes
    spawned = lib_build(three_unit_repo, "spawned", jobs=2, start_method="spawn")
    assert spawned.built == 27
    assert tree(three_unit_repo / "serial") == tree(three_unit_repo / "spawned")


def test_shards_partition_the_build(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo, "all", jobs=1)
    union: dict[str, str] = {}
    for i in (1, 2, 3):
        lib_build(three_unit_repo, f"shard{i}", shard=Shard(i, 3), jobs=1)
        part = {k: v for k, v in tree(three_unit_repo / f"shard{i}").items() if not listing(k)}
        assert not set(part) & set(union), "a project was built by two shards"
        union.update(part)
    everything = {k: v for k, v in tree(three_unit_repo / "all").items() if not listing(k)}
    assert union == everything
    assert Shard.parse("2/3") == Shard(2, 3)
    with pytest.raises(ValueError):
        Shard.parse("4/3")


def test_bad_shard_is_a_usage_error(three_unit_repo: Path) -> None:
    result = invoke(three_unit_repo, "build", "--shard", "0/2")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_noop_rebuild_builds_nothing(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    before = {p: p.stat().st_mtime_ns for p in (three_unit_repo / "build").rglob("*.docx")}
    result = lib_build(three_unit_repo)
    assert result.built == 0 and result.unchanged == 27
    assert before == {p: p.stat().st_mtime_ns for p in (three_unit_repo / "build").rglob("*.docx")}


def _docx_unit(path: Path) -> str:
    return docx.Document(str(path)).tables[0].rows[0].cells[2].text


def test_defaults_change_rebuilds_every_project_it_reaches(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    d = three_unit_repo / "goals" / "unit01" / "2023" / "_defaults.yaml"
    d.write_text(d.read_text(encoding="utf-8").replace("单位01", "新单位"), encoding="utf-8")
    result = lib_build(three_unit_repo)
    assert result.built == 9 and result.unchanged == 18
    for f in (three_unit_repo / "build" / "unit01" / "2023").glob("*.docx"):
        assert _docx_unit(f) == "新单位"
    assert _docx_unit(three_unit_repo / "build" / "unit00" / "2023" / "01-yuanshuili-buchai.docx") == "单位00"


def test_value_change_rebuilds_one_project(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    f = three_unit_repo / "goals" / "unit02" / "2023" / "03-shebao-jingban-jingfei.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("≥16.44万人", "≥17万人"), encoding="utf-8")
    result = lib_build(three_unit_repo)
    assert result.built == 1
    html = (three_unit_repo / "build/unit02/2023/03-shebao-jingban-jingfei.html").read_text(encoding="utf-8")
    assert "≥17万人" in html and "≥16.44万人" not in html


def test_template_override_invalidates_cache(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    (three_unit_repo / "templates").mkdir()
    (three_unit_repo / "templates" / "project.html.j2").write_text(
        '{% extends "default:project.html.j2" %}{% block footer %}<p>填报人：王五</p>{% endblock %}',
        encoding="utf-8")
    result = lib_build(three_unit_repo)
    assert result.built == 27
    page = (three_unit_repo / "build" / "unit00" / "2023" / "01-yuanshuili-buchai.html").read_text(encoding="utf-8")
    assert "填报人：王五" in page and "项目支出绩效目标表" in page


def test_deleted_goals_file_removes_its_outputs(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    (three_unit_repo / "goals" / "unit00" / "2023" / "05-zizhiqu-chengxiang-yanglao.yaml").unlink()
    result = lib_build(three_unit_repo)
    assert result.removed == 2
    assert not (three_unit_repo / "build" / "unit00" / "2023" / "05-zizhiqu-chengxiang-yanglao.docx").exists()
    assert "05-zizhiqu" not in (three_unit_repo / "build" / "index.html").read_text(encoding="utf-8").split("unit01")[0]


def test_deleted_output_is_rebuilt(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    target = three_unit_repo / "build" / "unit00" / "2023" / "02-1995-qian-tuixiu-buzhu.docx"
    target.unlink()
    result = lib_build(three_unit_repo)
    assert result.built == 1 and target.is_file()


def test_error_anywhere_writes_nothing_and_keeps_previous_build(three_unit_repo: Path) -> None:
    assert invoke(three_unit_repo, "build").exit_code == 0
    before = tree(three_unit_repo / "build")
    bad = three_unit_repo / "goals" / "unit01" / "2023" / "04-zhongyang-chengxiang-yanglao.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("weight: 20", "weight: 25", 1), encoding="utf-8")
    other = three_unit_repo / "goals" / "unit00" / "2023" / "01-yuanshuili-buchai.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("=3人", "=4人"), encoding="utf-8")
    result = invoke(three_unit_repo, "build")
    assert result.exit_code == 1
    assert "PG101" in result.output and "04-zhongyang-chengxiang-yanglao.yaml" in result.output
    assert tree(three_unit_repo / "build") == before
    assert not [p for p in (three_unit_repo / "build").iterdir() if p.name.startswith(".perfgen-staging")]


def test_strict_build_fails_on_warnings(three_unit_repo: Path) -> None:
    result = invoke(three_unit_repo, "build", "--strict")
    assert result.exit_code == 1
    assert not (three_unit_repo / "build" / "unit00").exists()


def test_format_option(three_unit_repo: Path) -> None:
    assert invoke(three_unit_repo, "build", "--format", "html").exit_code == 0
    assert not list((three_unit_repo / "build").rglob("*.docx"))
    assert invoke(three_unit_repo, "build", "--format", "odt").exit_code == 2


def test_html_escapes_everything_from_yaml(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", units=1)
    f = repo / "goals" / "unit00" / "2023" / "01-yuanshuili-buchai.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("name: 2022年", "name: <script>alert(1)</script>2022年", 1), encoding="utf-8")
    lib_build(repo)
    page = (repo / "build" / "unit00" / "2023" / "01-yuanshuili-buchai.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>2022年" in _docx_name(repo / "build/unit00/2023/01-yuanshuili-buchai.docx")


def _docx_name(path: Path) -> str:
    return docx.Document(str(path)).tables[0].rows[1].cells[2].text


def test_broken_user_template_is_a_diagnostic(three_unit_repo: Path) -> None:
    (three_unit_repo / "templates").mkdir()
    (three_unit_repo / "templates" / "project.html.j2").write_text("{{ no_such_thing }}\n", encoding="utf-8")
    result = invoke(three_unit_repo, "build")
    assert result.exit_code == 1
    assert "templates/project.html.j2:1" in result.output and "PG030" in result.output
    assert "Traceback" not in result.output
    assert not (three_unit_repo / "build" / "unit00").exists()


def test_no_output_path_leaves_the_output_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", units=1)
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(EXAMPLE_FILES[0], outside)
    (tmp_path / "_defaults.yaml").write_text("year: 2023\nunit: 某单位\n", encoding="utf-8")
    result = invoke(repo, "build", str(outside))
    assert result.exit_code == 0, result.output
    assert (repo / "build" / "elsewhere.docx").is_file()  # named after the file, inside build/
    assert not (tmp_path / "elsewhere.docx").exists()
    assert docx.Document(str(repo / "build" / "elsewhere.docx")).tables[0].rows[0].cells[2].text == "某单位"


def test_not_a_goals_repo_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke(tmp_path, "build")
    assert result.exit_code == 2
    assert "goals/" in result.output


def test_new_defaults_file_reaches_projects_below_it(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    (three_unit_repo / "goals" / "unit02" / "_defaults.yaml").write_text("leader: 李四\n", encoding="utf-8")
    result = lib_build(three_unit_repo)
    # The new file is an input of the nine projects below it (the nearer unit02/2023/_defaults.yaml
    # still wins for leader), so exactly those are rebuilt.
    assert result.built == 9 and result.unchanged == 18
    document = docx.Document(str(three_unit_repo / "build/unit02/2023/01-yuanshuili-buchai.docx"))
    leader = document.tables[0].rows[1].cells[7]
    assert leader.text == "张琪悦"


def listing(rel: str) -> bool:
    """Whether an output folder's file is a listing (the index page, a unit's page)."""
    return rel == "index.html" or rel.startswith("units/")


def stamps(out: Path) -> dict[str, int]:
    """The modification time of the index page and of each unit's page."""
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for p in [out / "index.html", *sorted((out / "units").iterdir())]}


def test_listings_rewritten_only_when_what_they_list_changes(three_unit_repo: Path) -> None:
    """Only the pages of the units an edit touches are written again (and the index page above them)."""
    out = three_unit_repo / "build"
    lib_build(three_unit_repo)
    before = stamps(out)
    f = three_unit_repo / "goals" / "unit00" / "2023" / "01-yuanshuili-buchai.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("=3人", "=4人"), encoding="utf-8")
    lib_build(three_unit_repo)
    assert stamps(out) == before  # a target is on no listing
    f.write_text(f.read_text(encoding="utf-8").replace("total: 5", "total: 6").replace("fiscal: 5", "fiscal: 6"),
                 encoding="utf-8")
    lib_build(three_unit_repo)
    after = stamps(out)
    assert [k for k in before if after[k] != before[k]] == ["index.html", "units/2023-单位00.html"]
    assert "6.00" in (out / "units" / "2023-单位00.html").read_text(encoding="utf-8")
    reference = lib_build(three_unit_repo, "reference", force=True)
    assert reference.ok and tree(out) == tree(three_unit_repo / "reference")


def test_a_project_moved_to_another_unit_moves_between_their_pages(three_unit_repo: Path) -> None:
    out = three_unit_repo / "build"
    lib_build(three_unit_repo)
    before = stamps(out)
    f = three_unit_repo / "goals" / "unit00" / "2023" / "01-yuanshuili-buchai.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("\nname: ", "\nunit: 单位02\nname: ", 1), encoding="utf-8")
    lib_build(three_unit_repo)
    after = stamps(out)
    assert [k for k in before if after[k] != before[k]] == ["index.html", "units/2023-单位00.html",
                                                          "units/2023-单位02.html"]
    counts = lxml.html.fromstring((out / "index.html").read_bytes()).xpath("//tbody/tr/td[contains(@class, 'count')]")
    # Units in goals-file order: 单位02's first project is now goals/unit00/2023/01-….
    assert [td.text_content() for td in counts] == ["10", "8", "9"]
    assert lib_build(three_unit_repo, "reference", force=True).ok
    assert tree(out) == tree(three_unit_repo / "reference")
    # Every project of a unit gone: its page goes too, and the index no longer lists it.
    for g in (three_unit_repo / "goals" / "unit01").rglob("0*.yaml"):
        g.unlink()
    lib_build(three_unit_repo)
    assert not (out / "units" / "2023-单位01.html").exists()
    assert "单位01" not in (out / "index.html").read_text(encoding="utf-8")
    (out / "units" / "2023-单位02.html").unlink()  # a page removed by hand is written again
    lib_build(three_unit_repo)
    assert (out / "units" / "2023-单位02.html").is_file()


def test_damaged_cache_only_costs_a_full_build(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    db = three_unit_repo / "build" / ".perfgen" / "cache.sqlite"
    data = db.read_bytes()
    for damage in (b"not a database at all", data[: len(data) // 2], data[:100] + b"\0" * (len(data) - 100)):
        db.write_bytes(damage)
        result = lib_build(three_unit_repo)
        assert result.built == 27
        assert lib_build(three_unit_repo).built == 0


def test_cache_of_another_perfgen_version_is_discarded(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    db = sqlite3.connect(three_unit_repo / "build" / ".perfgen" / "cache.sqlite")
    db.execute("PRAGMA user_version = 99")
    db.close()
    assert lib_build(three_unit_repo).built == 27


def test_failed_build_leaves_the_cache_as_it_was(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    f = three_unit_repo / "goals" / "unit01" / "2023" / "04-zhongyang-chengxiang-yanglao.yaml"
    good = f.read_text(encoding="utf-8")
    _edit_target(three_unit_repo, 0, "=4人")  # a valid change in another file, built in the same failed run
    f.write_text(good.replace("weight: 20", "weight: 25", 1), encoding="utf-8")
    failed = build(BuildOptions(root=three_unit_repo, out=three_unit_repo / "build"), Config())
    assert not failed.ok and failed.report.errors == 1
    f.write_text(good, encoding="utf-8")  # back as it was: only the other change is left to build
    assert lib_build(three_unit_repo).built == 1


_DIAG_LINE = re.compile(r"^(\S+:\d+:\d+): (warning|error)\[(PG\d+)\]: (.*)$")


def _diag_lines(repo: Path, *args: str, env: dict[str, str] | None = None) -> list[tuple[str, ...]]:
    """Diagnostics printed by ``perfgen ARGS`` in a fresh interpreter (no perfgen module preloaded)."""
    proc = subprocess.run([sys.executable, "-m", "perfgen", *args, "--lang", "en"], cwd=repo,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [m.groups() for line in proc.stderr.splitlines() if (m := _DIAG_LINE.match(line))]


def test_warnings_read_the_same_from_workers_and_from_the_cache(three_unit_repo: Path) -> None:
    """Warnings found in worker processes, or replayed from the cache, print their full message, in order."""
    checked = _diag_lines(three_unit_repo, "validate")
    assert checked and all(message != code for *_, code, message in checked)
    built = _diag_lines(three_unit_repo, "build", "-j", "2")  # 27 projects: rendered by a pool of workers
    assert (three_unit_repo / "build" / ".perfgen").is_dir()
    replayed = _diag_lines(three_unit_repo, "build", "-j", "2")  # nothing changed: every warning comes from the cache
    assert built == checked  # the same lines in the same order as validate prints them
    assert replayed == checked


def test_the_command_line_with_spawned_workers_writes_and_reports_the_same(three_unit_repo: Path) -> None:
    """``python -m perfgen build`` with workers started as on Windows: the same files, the same report."""
    serial = _diag_lines(three_unit_repo, "build", "-j", "1", "--out", "serial")
    spawned = _diag_lines(three_unit_repo, "build", "-j", "2", "--out", "spawned",
                          env={"PERFGEN_START_METHOD": "spawn"})
    assert spawned == serial and serial
    assert tree(three_unit_repo / "serial") == tree(three_unit_repo / "spawned")


def _edit_target(repo: Path, unit: int, value: str) -> Path:
    f = repo / "goals" / f"unit{unit:02d}" / "2023" / "01-yuanshuili-buchai.yaml"
    f.write_text(re.sub(r"=\d+人", value, f.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    return repo / "build" / f"unit{unit:02d}" / "2023" / "01-yuanshuili-buchai.html"


def test_one_file_rebuild_is_remembered_by_the_next_process(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    page = _edit_target(three_unit_repo, 0, "=4人")
    assert invoke(three_unit_repo, "build").exit_code == 0
    assert "=4人" in page.read_text(encoding="utf-8")
    assert lib_build(three_unit_repo).built == 0
    _edit_target(three_unit_repo, 0, "=3人")
    assert lib_build(three_unit_repo).built == 1
    assert "=3人" in page.read_text(encoding="utf-8") and "=4人" not in page.read_text(encoding="utf-8")


def test_a_broken_reference_document_is_a_diagnostic(three_unit_repo: Path) -> None:
    (three_unit_repo / "templates").mkdir()
    (three_unit_repo / "templates" / "reference.docx").write_bytes(b"not a zip file")
    for jobs in ("1", "2"):
        result = invoke(three_unit_repo, "build", "-j", jobs)
        assert result.exit_code == 1, result.output
        assert "templates/reference.docx" in result.output and "PG030" in result.output
        assert "Traceback" not in result.output
    assert not (three_unit_repo / "build" / "unit00").exists()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="only Linux keeps undecodable bytes in file names")
def test_a_file_name_that_is_not_utf8_is_a_diagnostic(three_unit_repo: Path) -> None:
    folder = three_unit_repo / "goals" / "unit00" / "2023"
    name = os.fsencode(folder) + b"/\xb9\xa4\xd7\xf7.yaml"  # 工作.yaml in GBK, as an unzip on Linux leaves it
    with open(name, "wb") as fh:
        fh.write((folder / "01-yuanshuili-buchai.yaml").read_bytes())
    for command in ("validate", "build"):
        result = invoke(three_unit_repo, command, "--lang", "en")
        assert result.exit_code == 1, result.output
        assert "goals/unit00/2023/\\xb9\\xa4\\xd7\\xf7.yaml: error[PG017]" in result.output
        assert "Traceback" not in result.output


def test_streamed_report_hands_every_diagnostic_on_and_keeps_none(three_unit_repo: Path) -> None:
    kept = lib_build(three_unit_repo, "kept").report
    got: list[Diagnostic] = []
    streamed = build(BuildOptions(root=three_unit_repo, out=three_unit_repo / "streamed"), Config(), sink=got.append)
    assert streamed.ok and streamed.report.diagnostics == []
    assert got == kept.diagnostics and len(got) == streamed.report.warnings == kept.warnings > 0
    # A value from a _defaults.yaml that reaches many projects is reported once, at the defaults file.
    (three_unit_repo / "goals" / "unit00" / "2023" / "_defaults.yaml").write_text(
        "year: 2023\nunit: 单位00\nleader: 张琪悦\nunknown_key: 1\n", encoding="utf-8")
    got.clear()
    failed = build(BuildOptions(root=three_unit_repo, out=three_unit_repo / "streamed"), Config(), sink=got.append)
    assert not failed.ok and failed.report.errors == 1
    assert [d.pos.file for d in got if d.severity == "error"] == ["goals/unit00/2023/_defaults.yaml"]


def test_editing_a_repo_template_rebuilds_every_page(three_unit_repo: Path) -> None:
    (three_unit_repo / "templates").mkdir()
    css = three_unit_repo / "templates" / "style.css"
    css.write_text("td { color: navy; }\n", encoding="utf-8")
    lib_build(three_unit_repo)
    assert lib_build(three_unit_repo).built == 0
    css.write_text("td { color: teal; }\n", encoding="utf-8")  # same size: only the content differs
    assert lib_build(three_unit_repo).built == 27
    assert "teal" in (three_unit_repo / "build/unit00/2023/01-yuanshuili-buchai.html").read_text(encoding="utf-8")


def test_a_second_build_of_the_same_folder_waits_then_reports_it_busy(three_unit_repo: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from perfgen.build import cache as buildcache

    lib_build(three_unit_repo)
    before = tree(three_unit_repo / "build")
    _edit_target(three_unit_repo, 0, "=4人")
    monkeypatch.setattr(buildcache, "LOCK_TIMEOUT", 0.2)
    holder = buildcache.Cache.open(three_unit_repo / "build")  # as if another build were running
    try:
        result = build(BuildOptions(root=three_unit_repo, out=three_unit_repo / "build"), Config())
    finally:
        holder.close()
    assert not result.ok
    assert [(d.code, d.pos.file) for d in result.report.diagnostics] == [("PG031", "build/.perfgen/cache.sqlite")]
    assert tree(three_unit_repo / "build") == before
    assert lib_build(three_unit_repo).built == 1  # and once it is free, the build goes on


def test_a_partial_build_after_a_template_change_does_not_hide_the_others(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    (three_unit_repo / "templates").mkdir()
    (three_unit_repo / "templates" / "style.css").write_text("td { color: navy; }\n", encoding="utf-8")
    one = three_unit_repo / "goals" / "unit00" / "2023" / "01-yuanshuili-buchai.yaml"
    assert lib_build(three_unit_repo, paths=[str(one)]).built == 1
    defaults = three_unit_repo / "goals" / "unit00" / "2023" / "_defaults.yaml"
    assert lib_build(three_unit_repo, paths=[str(defaults)]).built == 0
    assert lib_build(three_unit_repo).built == 26  # the rest were made with the old stylesheet
    for page in (three_unit_repo / "build").rglob("0*.html"):
        assert "color: navy" in page.read_text(encoding="utf-8")


def test_builds_with_different_formats_share_an_output_folder(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo, formats=("html",))
    one = three_unit_repo / "goals" / "unit01" / "2023" / "01-yuanshuili-buchai.yaml"
    assert lib_build(three_unit_repo, paths=[str(one)]).built == 1
    assert (three_unit_repo / "build" / "unit01" / "2023" / "01-yuanshuili-buchai.docx").is_file()
    assert not (three_unit_repo / "build" / "unit00" / "2023" / "01-yuanshuili-buchai.docx").exists()
    assert lib_build(three_unit_repo).built == 26
    assert len(list((three_unit_repo / "build").rglob("*.docx"))) == 27


def test_the_index_follows_its_template_and_force(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    index = three_unit_repo / "build" / "index.html"
    (three_unit_repo / "templates").mkdir()
    (three_unit_repo / "templates" / "index.html.j2").write_text(
        '{% extends "default:index.html.j2" %}{% block footer %}<p>更新于本周</p>{% endblock %}', encoding="utf-8")
    lib_build(three_unit_repo)
    assert "更新于本周" in index.read_text(encoding="utf-8")
    index.write_text("tampered", encoding="utf-8")
    lib_build(three_unit_repo, force=True)
    assert "更新于本周" in index.read_text(encoding="utf-8")


def test_a_cache_that_cannot_be_used_is_a_diagnostic(three_unit_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from perfgen.build import cache as buildcache

    def broken(cls: object, path: Path) -> object:
        exc = sqlite3.OperationalError("disk I/O error")
        exc.sqlite_errorname = "SQLITE_IOERR"
        raise exc

    lib_build(three_unit_repo)
    monkeypatch.setattr(buildcache.Cache, "_connect", classmethod(broken))
    result = build(BuildOptions(root=three_unit_repo, out=three_unit_repo / "build"), Config())
    assert not result.ok
    assert [d.code for d in result.report.diagnostics] == ["PG032"]
    assert "disk I/O error" in result.report.diagnostics[0].message
    assert (three_unit_repo / "build" / ".perfgen" / "cache.sqlite").is_file()  # not mistaken for a damaged file


def test_an_index_template_error_keeps_the_outputs_of_a_deleted_project(three_unit_repo: Path) -> None:
    lib_build(three_unit_repo)
    gone = three_unit_repo / "build" / "unit00" / "2023" / "05-zizhiqu-chengxiang-yanglao.docx"
    (three_unit_repo / "goals" / "unit00" / "2023" / "05-zizhiqu-chengxiang-yanglao.yaml").unlink()
    (three_unit_repo / "templates").mkdir()
    (three_unit_repo / "templates" / "index.html.j2").write_text("{{ index.nothing_here }}", encoding="utf-8")
    result = build(BuildOptions(root=three_unit_repo, out=three_unit_repo / "build"), Config())
    assert not result.ok and [d.code for d in result.report.diagnostics if d.severity == "error"] == ["PG030"]
    assert gone.is_file()


def test_a_same_size_edit_within_the_same_mtime_is_still_seen(three_unit_repo: Path) -> None:
    """Git's "racy clean" case: a file changed so soon after it was stamped that size and mtime match."""
    f = three_unit_repo / "goals" / "unit00" / "2023" / "01-yuanshuili-buchai.yaml"
    lib_build(three_unit_repo)
    st = f.stat()
    f.write_text(f.read_text(encoding="utf-8").replace("=3人", "=4人"), encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size
    assert lib_build(three_unit_repo).built == 1
    assert "=4人" in (three_unit_repo / "build/unit00/2023/01-yuanshuili-buchai.html").read_text(encoding="utf-8")


def test_new_mtimes_with_the_same_content_are_read_once_then_trusted(three_unit_repo: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """As after a fresh clone into a cached build/: one build checks the content, later ones trust the stamps."""
    from perfgen.load import loader

    lib_build(three_unit_repo)
    old = time.time_ns() - 3_600_000_000_000
    for f in (three_unit_repo / "goals").rglob("*.yaml"):
        os.utime(f, ns=(old, old))
    reads: list[str] = []
    original = loader.FsReader.read

    def counting(self: object, rel: str) -> object:
        reads.append(rel)
        return original(self, rel)  # type: ignore[arg-type]

    monkeypatch.setattr(loader.FsReader, "read", counting)
    assert lib_build(three_unit_repo).built == 0
    assert len([r for r in reads if not r.endswith("_defaults.yaml")]) == 27
    reads.clear()
    assert lib_build(three_unit_repo).built == 0
    assert reads == []


def test_a_jinja_upgrade_changes_the_fingerprint(three_unit_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    import importlib.util

    from perfgen.build.fingerprint import fingerprint

    before = fingerprint(three_unit_repo, Config(), ("docx", "html"))
    fake = tmp_path / "jinja2" / "__init__.py"
    fake.parent.mkdir()
    fake.write_text('__version__ = "9.9.9"\n', encoding="utf-8")
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        if name == "jinja2":
            return importlib.util.spec_from_file_location("jinja2", fake)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert fingerprint(three_unit_repo, Config(), ("docx", "html")) != before


@given(st.text(alphabet="a./_", max_size=12).map(lambda t: t + ".yaml"))
def test_the_escape_check_agrees_with_the_output_path(rel: str) -> None:
    """output_escapes skips working out the path for plain ones: it must say what the full check says."""
    from perfgen.load.loader import output_escapes, output_stem

    stem = output_stem(rel)
    bad = not stem or stem.startswith("/") or ".." in stem.split("/")
    assert output_escapes(rel) == (stem if bad else None), rel


@given(st.lists(st.sampled_from(["goals", "2023", "a.b", ".", "", "..", "x.yaml", "单位", "_"]), min_size=1,
                max_size=6).map("/".join))
def test_output_stem_worked_out_per_folder_equals_the_whole_path_rule(rel: str) -> None:
    """output_stem caches each folder's part: it must agree with the rule applied to the whole path."""
    from perfgen.load.loader import _output_stem, output_stem

    assert output_stem(rel) == _output_stem(rel), rel


def test_the_index_lists_projects_in_goals_file_order(tmp_path: Path) -> None:
    """Files numbered 01, 02, 03 appear in that order, whatever their names' code points (甲 > 乙 > 丙 in Unicode)."""
    repo = make_repo(tmp_path / "repo")
    folder = repo / "goals" / "2023"
    for path in folder.glob("0*.yaml"):
        path.unlink()
    source = EXAMPLE_FILES[0].read_text(encoding="utf-8")
    for number, name in enumerate(["甲项目", "乙项目", "丙项目"], start=1):
        text = re.sub(r"^name: .*$", f"name: {name}", source, count=1, flags=re.M)
        (folder / f"{number:02d}-x.yaml").write_text(text, encoding="utf-8")
    assert invoke(repo, "build").exit_code == 0
    page = next((repo / "build" / "units").iterdir()).read_text(encoding="utf-8")
    assert [page.index(name) for name in ("甲项目", "乙项目", "丙项目")] == sorted(
        page.index(name) for name in ("甲项目", "乙项目", "丙项目"))


def test_a_swap_rolled_back_puts_every_file_back(tmp_path: Path) -> None:
    """Files placed new, placed over old ones and removed: a rollback restores the folder as it was."""
    from perfgen.build.commit import Swap

    out, staging = tmp_path / "out", tmp_path / "out" / ".staging"
    (out / "a").mkdir(parents=True)
    staging.mkdir()
    (out / "a" / "old.txt").write_text("old", encoding="utf-8")
    (out / "gone.txt").write_text("gone", encoding="utf-8")
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for name, text in (("new.txt", "new"), ("old.txt", "replaced"), ("same.txt", "same")):
        (staging / name).write_text(text, encoding="utf-8")
    swap = Swap(out, staging)
    assert swap.place(staging / "new.txt", out / "b" / "new.txt") is None  # moved: keeps its staged stamp
    assert swap.place(staging / "old.txt", out / "a" / "old.txt") is None
    (out / "a" / "same.txt").write_text("same", encoding="utf-8")
    kept = swap.place(staging / "same.txt", out / "a" / "same.txt")  # the same bytes: the file there is kept
    assert kept is not None and kept.st_ino == (out / "a" / "same.txt").stat().st_ino
    assert swap.remove(out / "gone.txt") and not (out / "gone.txt").exists()
    (out / "a" / "same.txt").unlink()
    swap.rollback()
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and ".staging" not in p.parts}
    assert after == before
    assert not (out / "b").exists()  # the folder it made is gone too
