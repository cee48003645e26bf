"""Find goals files, apply ``_defaults.yaml`` inheritance, validate against the schema, build the model.

Files are read through a :class:`Reader` so the same code loads the working tree or a git revision
(``perfgen diff``). Paths in diagnostics are relative to the goals repo root, in posix form.
"""

from __future__ import annotations

import errno
import os
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Protocol

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag, printable
from perfgen.fsutil import UnsafeFile, read_regular
from perfgen.load import schema as schemacheck
from perfgen.load.construct import build_project
from perfgen.load.recover import recovered
from perfgen.load.yamlnodes import MAX_BYTES, Map, load
from perfgen.model import Project

DEFAULTS_NAME = "_defaults.yaml"
GOALS_DIR = "goals"
SUFFIXES = (".yaml", ".yml")


def _utf8_name(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name, kept by the OS as lone surrogates
        return False
    return True


class ReadError(Exception):
    """A file exists but cannot be read; the message says why (for the user)."""


class Reader(Protocol):
    """Read access to a goals repo: the working tree, or a git revision."""

    def read(self, rel: str) -> bytes | None:
        """The file's bytes; None if there is none. Raises ReadError, or UnsafeFile for what is refused."""
        ...

    def walk(self, rel: str, problems: list[Diagnostic] | None = None) -> list[str]:
        """Every file below folder ``rel`` (posix paths relative to the root), sorted.

        Folders that cannot be listed, or are not followed, are added to ``problems``.
        """
        ...

    def is_dir(self, rel: str) -> bool: ...


@dataclass
class FsReader:
    """The working tree. Only regular files inside ``root`` are read, never more than the size limit."""

    root: Path

    def read(self, rel: str) -> bytes | None:
        path = os.path.join(self.root, rel)
        try:
            try:  # the usual file: no symlink to resolve (one open, one fstat)
                return read_regular(path, MAX_BYTES, nofollow=True)
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
            return read_regular(path, MAX_BYTES, within=self.root)  # a link: only to a file in the repo
        except UnsafeFile:
            raise
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as exc:  # permissions, symlink loops, ...
            raise ReadError(exc.strerror or str(exc)) from None

    def walk(self, rel: str, problems: list[Diagnostic] | None = None) -> list[str]:
        # Plain strings, not Path objects: a province has tens of thousands of files.
        root = str(self.root)
        out: list[str] = []

        def shown(path: str) -> str:
            return os.path.relpath(path, root).replace(os.sep, "/")

        def unreadable(exc: OSError) -> None:
            if problems is not None and exc.filename is not None:
                problems.append(diag(Pos(shown(exc.filename)), "PG007", "dir.unreadable",
                                     reason=exc.strerror or str(exc)))

        for dirpath, dirnames, filenames in os.walk(os.path.join(root, rel), onerror=unreadable):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            prefix = shown(dirpath)
            prefix = "" if prefix == "." else prefix + "/"
            for d in dirnames:
                if os.path.islink(os.path.join(dirpath, d)) and problems is not None:
                    problems.append(diag(Pos(prefix + d), "PG018", "dir.linked", "warning",
                                         target=os.readlink(os.path.join(dirpath, d))))
            out.extend(prefix + f for f in filenames)
        return sorted(out)

    def is_dir(self, rel: str) -> bool:
        return (self.root / rel).is_dir()


_REFUSED = {"fifo": "file.fifo", "device": "file.device"}


def refusal(rel: str, exc: UnsafeFile) -> Diagnostic:
    """The diagnostic for a file perfgen refuses to read."""
    if exc.why == "too_large":
        return diag(Pos(rel), "PG005", "file.toolarge", size=f"> {exc.limit}", limit=exc.limit)
    if exc.why == "outside":
        return diag(Pos(rel), "PG018", "file.outside", target=os.path.realpath(exc.path))
    return diag(Pos(rel), "PG018", _REFUSED.get(exc.kind, "file.special"))


def is_goals_file(rel: str) -> bool:
    name = rel.rpartition("/")[2]
    return name.endswith(SUFFIXES) and name != DEFAULTS_NAME and not name.startswith(".")


def goals_root_of(rel: str) -> str:
    """The folder a project's output path is relative to: the nearest enclosing ``goals/``."""
    parts = [p for p in rel.split("/")[:-1] if p not in ("", ".")]
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == GOALS_DIR:
            return "/".join(parts[: i + 1])
    return "/".join(parts)


def output_escapes(rel: str) -> str | None:
    """The output path of ``rel`` if it would be empty or leave the output folder, else None.

    A plain relative path (no ``..``, no leading ``/``, a name not starting with ``.``) never does, and is
    answered without working out the path (this runs for every goals file of every build).
    """
    if not (".." in rel or rel.startswith("/") or rel.rpartition("/")[2].startswith(".")):
        return None
    stem = output_stem(rel)
    return stem if not stem or stem.startswith("/") or ".." in stem.split("/") else None


def output_key(stem: str) -> str:
    """What an output path is to a file system that ignores case or Unicode normalisation (NTFS, APFS, a
    web server on one of them): two goals files with the same key would publish one document."""
    if stem.isascii():
        return stem.lower()
    return unicodedata.normalize("NFC", stem).casefold()


def collisions(files: list[str]) -> list[Diagnostic]:
    """PG019 for each goals file whose outputs would be another one's (``x.yaml`` and ``x.yml``, ``X.yaml``)."""
    first: dict[str, str] = {}
    found = []
    for rel in files:
        stem = output_stem(rel)
        other = first.setdefault(output_key(stem), rel)
        if other != rel:
            found.append(diag(Pos(rel), "PG019", "build.collision", related=Pos(other), other=other, path=stem))
    return found


def output_stem(rel: str) -> str:
    """``goals/2023/x.yaml`` -> ``2023/x``: where the documents of a project go under build/."""
    folder, _, name = rel.rpartition("/")
    if name in ("", "."):
        return _output_stem(rel)
    inner = _stem_folder(folder) + name  # the folder part is worked out once per folder
    stem, dot, suffix = inner.rpartition(".")
    return stem if dot and stem and "/" not in suffix else inner


@cache
def _stem_folder(folder: str) -> str:
    """The output folder (with a trailing ``/``, or empty) of the goals files in ``folder``."""
    inner = _output_stem(f"{folder}/_" if folder else "_")
    return inner[:-1]


def _output_stem(rel: str) -> str:
    rel = "/".join(p for p in rel.split("/") if p not in ("", "."))
    inner = rel.rpartition("/")[2]
    root = goals_root_of(rel)
    folder = rel.rpartition("/")[0]
    if root and folder.startswith(root) and len(folder) > len(root):
        inner = folder[len(root) + 1:] + "/" + inner
    stem, dot, suffix = inner.rpartition(".")
    return stem if dot and stem and "/" not in suffix else inner


def defaults_chain(rel: str) -> tuple[str, ...]:
    """The _defaults.yaml files that may reach ``rel``, outermost first (worked out once per folder)."""
    return _folder_chain(rel.rpartition("/")[0])


@cache
def _folder_chain(folder: str) -> tuple[str, ...]:
    rel = f"{folder}/_" if folder else "_"
    root = goals_root_of(rel)
    parts = PurePosixPath(rel).parts[:-1]
    start = len(PurePosixPath(root).parts) if root else 0
    chain = []
    for i in range(start, len(parts) + 1):
        sub = "/".join(parts[:i])
        chain.append(f"{sub}/{DEFAULTS_NAME}" if sub else DEFAULTS_NAME)
    return tuple(chain)


@dataclass
class LoadResult:
    projects: list[Project] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


class Loader:
    """Loads projects; parses each ``_defaults.yaml`` once however many projects it reaches."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self._defaults: dict[str, tuple[Map | None, list[Diagnostic]]] = {}

    def discover(self, paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
        files: list[str] = []
        diags: list[Diagnostic] = []
        for p in paths:
            p = p.rstrip("/") or "."
            if self.reader.is_dir(p):
                found = [f for f in self.reader.walk(p, diags) if is_goals_file(f)]
                files.extend(f[2:] if f.startswith("./") else f for f in found)
                continue
            data, problem = self._read(p)
            if problem is not None:
                diags.append(problem)
            elif data is None:
                diags.append(diag(Pos(p), "PG007", "file.missing"))
            elif PurePosixPath(p).name == DEFAULTS_NAME:
                diags.extend(self._defaults_file(p)[1])  # checked on its own
            else:
                files.append(p)
        for f in [f for f in files if not _utf8_name(f)]:
            files.remove(f)  # a name like this cannot be printed, linked or cached reliably
            shown = f.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            diags.append(diag(Pos(shown), "PG017", "file.name_encoding"))
        for f in [f for f in files if printable(f) != f]:
            files.remove(f)  # an output file or link named with ESC or a bidi override would mislead its readers
            diags.append(diag(Pos(f), "PG017", "file.name_control"))
        files = sorted(set(files))
        diags.extend(collisions(files))
        return files, diags

    def _read(self, rel: str) -> tuple[bytes | None, Diagnostic | None]:
        try:
            return self.reader.read(rel), None
        except UnsafeFile as exc:
            return None, refusal(rel, exc)
        except ReadError as exc:
            return None, diag(Pos(rel), "PG007", "file.unreadable", reason=str(exc))

    def _defaults_file(self, rel: str) -> tuple[Map | None, list[Diagnostic]]:
        if rel not in self._defaults:
            data, problem = self._read(rel)
            if data is None:
                self._defaults[rel] = (None, [problem] if problem else [])
            else:
                node, diags = load(data, rel)
                if node is None and [d.key for d in diags] == ["file.empty"]:
                    diags = []  # an empty or comments-only _defaults.yaml gives no defaults
                if node is not None:
                    diags = diags + schemacheck.check(node, partial=True)
                self._defaults[rel] = (node, diags)
        return self._defaults[rel]

    def load_project(self, rel: str, recover: bool = False) -> tuple[Project | None, list[Diagnostic]]:
        """The project of one goals file, with its own diagnostics and those of the defaults reaching it.

        ``recover``: where the file has errors, still return a project made of its well-formed parts
        (:mod:`perfgen.load.recover`), for the domain rules to check — never to be built — or None if none can be
        made. A caller asking for it must look at the diagnostics' severities."""
        data, problem = self._read(rel)
        if data is None:
            return None, [problem or diag(Pos(rel), "PG007", "file.missing")]
        node, diags = load(data, rel)
        merged = Map(node.pos if node else Pos(rel, 1, 1))
        defaults_ok = True
        for d in defaults_chain(rel):
            dnode, ddiags = self._defaults_file(d)
            if dnode is None and not ddiags:
                continue
            if ddiags:
                diags = diags + ddiags
                defaults_ok = defaults_ok and not any(x.severity == "error" for x in ddiags)
            if dnode is not None:
                merged.items.update(dnode.items)
        if node is None:
            return None, diags
        merged.items.update(node.items)
        # Errors inside inherited values were reported against their _defaults.yaml; while one is
        # broken, "key missing" here would only repeat that.
        own = [x for x in schemacheck.check(merged)
               if (x.pos.file == rel and x.code != "PG011") or (x.code == "PG011" and defaults_ok)]
        diags = diags + own
        if any(x.severity == "error" for x in diags) or not defaults_ok:
            if recover and defaults_ok and (repaired := recovered(merged, schemacheck.validator())) is not None:
                return build_project(repaired, rel, output_stem(rel)), diags
            return None, diags
        return build_project(merged, rel, output_stem(rel)), diags

    def load_all(self, paths: list[str]) -> LoadResult:
        files, diags = self.discover(paths)
        result = LoadResult(diagnostics=diags, files=len(files))
        for rel in files:
            project, pdiags = self.load_project(rel)
            result.diagnostics.extend(pdiags)
            if project is not None:
                result.projects.append(project)
        # A _defaults.yaml reaching many projects reports its problems once.
        result.diagnostics = list(dict.fromkeys(result.diagnostics))
        return result
