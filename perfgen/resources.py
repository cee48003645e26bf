"""Where perfgen's built-in data lives once installed: templates and the JSON Schema.

In a checkout they are the top-level ``templates/`` and ``schema/`` folders; installed, setuptools maps
them to the packages ``perfgen.templates`` and ``perfgen.schema`` (see pyproject.toml).
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path

FORMS_DIR = "forms"  # a goals repository's own form definitions, forms/<id>.yaml


def _package_dir(package: str, checkout_dir: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            return Path(loc)
    # Running from a source tree without installation.
    return Path(__file__).resolve().parent.parent / checkout_dir


@cache
def builtin_templates_dir() -> Path:
    return _package_dir("perfgen.templates", "templates")


@cache
def schema_path() -> Path:
    return _package_dir("perfgen.schema", "schema") / "project.schema.json"


@cache
def form_schema_path() -> Path:
    return _package_dir("perfgen.schema", "schema") / "form.schema.json"


@cache
def builtin_forms_dir() -> Path:
    return builtin_templates_dir() / "forms"


def template_search_path(repo_root: Path | None) -> list[Path]:
    """A goals repo's own ``templates/`` first, then the built-ins: overrides go file by file."""
    dirs: list[Path] = []
    # A templates/ that is a link is not used (it could point at the repository root, .git included, or
    # anywhere on the machine); the build reports it (``Renderers``), nothing reads from it.
    folder = repo_root / "templates" if repo_root is not None else None
    if folder is not None and folder.is_dir() and not folder.is_symlink():
        dirs.append(folder)
    dirs.append(builtin_templates_dir())
    return dirs


def find_template(name: str, repo_root: Path | None) -> Path:
    """The first ``name`` on the search path. Whatever stands there under that name is chosen, even a link or
    a FIFO: the caller reads it with :func:`perfgen.fsutil.read_regular` and refuses it, rather than falling
    back to the built-in one without a word."""
    for d in template_search_path(repo_root):
        if os.path.lexists(d / name):
            return d / name
    raise FileNotFoundError(name)
