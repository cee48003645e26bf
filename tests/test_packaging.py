"""`pip install .` then `perfgen build` in any other folder: templates and schema ship inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from sample_data import ROOT, make_repo

from perfgen.render import precompiled
from perfgen.render.precompile import jinja_version


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "perfgen").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"


@pytest.mark.slow
def test_installed_wheel_builds_a_goals_repo_elsewhere(tmp_path: Path) -> None:
    # Build from a clean copy: setuptools reuses its build folder, which may hold stale modules.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".venv")

    def ignore(folder: str, names: list[str]) -> set[str]:  # the top-level build/ output, not perfgen/build/
        return set(skip(folder, names)) | ({"build"} if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, source, ignore=ignore)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                   check=True, capture_output=True)
    wheel = next(wheels.glob("perfgen-*.whl"))
    assert not (source / "build").exists()  # setuptools' scratch is not in the folder perfgen build writes to
    assert (source / ".setuptools-build").is_dir()
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("perfgen/schema/project.schema.json", "perfgen/templates/reference.docx",
                   "perfgen/templates/project.html.j2", "perfgen/templates/index.html.j2",
                   "perfgen/cli/build.py", "perfgen/render/precompiled/__init__.py",
                   "perfgen/render/precompiled/project_html_j2.py"):
        assert needed in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # a wheel is installed by unpacking it
    repo = make_repo(tmp_path / "elsewhere")
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run([sys.executable, "-c", "import perfgen, sys; print(perfgen.__file__)"], cwd=repo,
                           env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.startswith(str(site)), "the test must run the unpacked wheel, not the checkout"
    # The installed built-in templates are found precompiled (unless this is another Jinja release).
    fast = ("from perfgen.render.precompile import BuiltinLoader; from perfgen.resources import builtin_templates_dir;"
            "print(BuiltinLoader(builtin_templates_dir()).precompiled_code('project.html.j2') is not None)")
    probe = subprocess.run([sys.executable, "-c", fast], cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == str(jinja_version() == precompiled.JINJA2_VERSION)
    result = subprocess.run([sys.executable, "-m", "perfgen", "build", "-j", "1"], cwd=repo, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(list((repo / "build" / "2023").glob("*.docx"))) == 9
    assert (repo / "build" / "index.html").is_file()
