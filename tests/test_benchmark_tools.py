"""benchmarks/generate.py and benchmarks/bench.py work (correctness only: no timing assertions)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sample_data import ROOT

BENCH = ROOT / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _perfgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perfgen", *args, "--lang", "en"], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def generate():  # type: ignore[no-untyped-def]
    return _module("generate").generate


def test_generated_repo_validates_without_errors(generate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = generate(tmp_path, n=30, seed=1)
    assert len(files) == 30
    assert all(f.is_file() and f.suffix == ".yaml" for f in files)
    # Units as folders, each with its _defaults.yaml, one folder per year below it.
    assert all(f.parent.parent.parent == tmp_path / "goals" for f in files)
    assert all((f.parent / "_defaults.yaml").is_file() and (f.parent.parent / "_defaults.yaml").is_file()
               for f in files)
    proc = _perfgen(tmp_path, "validate")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "checked 30 file(s): 0 error(s)" in proc.stderr


def test_generated_projects_are_varied_and_consistent(generate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from perfgen.check.runner import check_paths
    from perfgen.load.config import Config
    from perfgen.load.loader import FsReader, Loader

    generate(tmp_path, n=60, seed=3)
    checked = check_paths(tmp_path, None, Config())
    assert checked.files == 60
    assert checked.report.errors == 0
    codes = {d.code for d in checked.report.diagnostics}
    assert "PG119" not in codes  # cost × quantity matches the budget
    loader = Loader(FsReader(tmp_path))
    projects = [loader.load_project(f.relative_to(tmp_path).as_posix())[0]
                for f in sorted((tmp_path / "goals").rglob("0*.yaml"))]
    assert len(projects) == 60
    assert len({p.funds.total for p in projects if p}) > 40
    units = {p.unit for p in projects if p}  # each from its unit's _defaults.yaml
    assert len(units) == _module("generate").unit_count(60) and "" not in units
    for p in projects:
        assert p is not None
        assert abs(p.funds.fiscal + p.funds.other - p.funds.total) < 1e-6
        assert p.weight_total() == 90


def test_generation_is_deterministic_for_a_seed(generate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    generate(tmp_path / "a", n=30, seed=7)
    generate(tmp_path / "b", n=30, seed=7)
    generate(tmp_path / "c", n=30, seed=8)
    a, b, c = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert a == b
    assert a != c


@pytest.mark.slow
def test_bench_quick_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(BENCH / "bench.py"), "--quick", "--sizes", "16,64", "--quiet", "--json",
                           str(out)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout
    for needle in ("## perfgen benchmark", "Machine:", "| **full build**", "| **no-op rebuild**",
                   "| **one-file rebuild**", "naive python-docx", "docxtpl", "| goal |", "no-op ≤ 1/20 of full build",
                   "… the project renamed", "… the project moved to another unit", "-j 1 / -j",
                   "… at 4× the projects ≤ 1.5× as long", "peak memory at 4× the projects"):
        assert needle in table, needle
    goals = table.split("| goal |", 1)[1].splitlines()[2:]
    assert len([row for row in goals if row.startswith("| ")]) >= 3
    assert all("✓" in row or "✗" in row for row in goals if row.startswith("| ") and "10,000" not in row)
    assert "Anomalies" not in table  # the no-op built nothing, the one-file rebuild exactly one project
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [size["n"] for size in data["sizes"]] == [16, 64]
    for size in data["sizes"]:
        assert size["full"][0]["built"] == size["n"]
        assert size["noop"][0]["built"] == 0
        for edit in ("onefile", "rename", "move"):
            assert size[edit][0]["built"] == 1, edit
        assert size["render"]["naive_ms"] > 0 and size["render"]["ours_ms"] > 0
