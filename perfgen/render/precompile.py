"""Built-in HTML templates, compiled to Python ahead of time and shipped inside the package.

Compiling a Jinja template (lexing, parsing, code generation) costs more than rendering one, and a
one-file rebuild renders a single project: compiling the built-ins at every run was a quarter of its
time. ``python tools/precompile_templates.py`` writes each built-in template's compiled module into
``perfgen/render/precompiled/`` with a manifest of the Jinja version and each source's hash;
:class:`BuiltinLoader` uses a module only while both still match (otherwise, e.g. in an edited checkout
or under another Jinja release, it compiles the source as before). The modules are part of perfgen's
own code, reviewed and installed like it: nothing compiled is ever read from a writable folder.

This module is the reading side only (it is imported by :mod:`perfgen.render.html`); the writing side,
which needs the environment ``html`` makes, lives in the tool.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import warnings
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2

PACKAGE = "perfgen.render.precompiled"


def jinja_version() -> str:
    with warnings.catch_warnings():  # a later Jinja may deprecate __version__, as Flask did
        warnings.simplefilter("ignore")
        return str(getattr(jinja2, "__version__", ""))


def module_name(template: str) -> str:
    return re.sub(r"\W", "_", template)


def source_hash(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


class BuiltinLoader(jinja2.FileSystemLoader):
    """The built-in templates folder; templates come precompiled when the shipped modules are current."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder
        self._codes: dict[str, CodeType | None] = {}

    def precompiled_code(self, name: str) -> CodeType | None:
        """The shipped compiled module of template ``name``, or None when it is not current (or not shipped)."""
        if name not in self._codes:
            self._codes[name] = _precompiled_code(self.folder, name)
        return self._codes[name]

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        code = self.precompiled_code(name)
        if code is None:
            return super().load(environment, name, globals)
        # A fresh namespace per environment: the module's functions read `environment` from it.
        namespace: dict[str, Any] = {"__file__": str(self.folder / name), "__name__": f"{PACKAGE}.{name}"}
        exec(code, namespace)
        return environment.template_class.from_module_dict(environment, namespace, globals or {})


def _precompiled_code(folder: Path, name: str) -> CodeType | None:
    try:
        manifest = importlib.import_module(PACKAGE)
    except ImportError:
        return None
    expected = manifest.SOURCES.get(name)
    if expected is None or jinja_version() != manifest.JINJA2_VERSION:
        return None
    try:
        if source_hash((folder / name).read_bytes()) != expected:
            return None
        spec = importlib.util.find_spec(f"{PACKAGE}.{module_name(name)}")
    except (OSError, ImportError):
        return None
    # The module's code object (from its .pyc when there is one), run later in a namespace of our own.
    get_code: Callable[[str], CodeType | None] | None = getattr(spec.loader, "get_code", None) if spec else None
    return get_code(spec.name) if spec and get_code else None

