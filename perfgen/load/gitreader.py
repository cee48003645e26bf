"""Readers for ``perfgen diff``: a goals repo as it was at a git revision, or any folder seen as ``goals/``.

A :class:`GitReader` satisfies :class:`perfgen.load.loader.Reader`, so the loader builds the same model from a
commit as from the working tree. File listings come from ``git ls-tree -z`` (``-z`` so that Chinese file
names are not octal-quoted) and contents from ONE long-lived ``git cat-file --batch`` process: a goals repo
has hundreds of small files, and a process per file would dominate the run time.

The goals repo root is the current directory, which may be a subfolder of the git work tree: listings are
relative to it (git's default), and object names are prefixed with ``git rev-parse --show-prefix``.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from perfgen.diagnostics.report import NO_FILE, Diagnostic, PerfgenError, diag
from perfgen.fsutil import UnsafeFile
from perfgen.load.loader import GOALS_DIR, Reader
from perfgen.load.yamlnodes import MAX_BYTES


class GitError(PerfgenError):
    """git is missing, this is not a git repository, or the revision does not exist: a usage problem."""

    def __init__(self, code: str, key: str, **args: Any):
        super().__init__([diag(NO_FILE, code, key, **args)], usage=True)


def _failed(detail: str) -> GitError:
    return GitError("PG074", "diff.git.failed", detail=detail)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("PG070", "diff.git.missing") from None


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    """git's last line of complaint, e.g. ``fatal: not a git repository (or any of the parent ...)``."""
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"git exited with {proc.returncode}"


def repo_prefix(cwd: Path) -> str:
    """The path of ``cwd`` inside its git work tree (``""`` at the top, else ending in ``/``)."""
    proc = _git(cwd, "rev-parse", "--show-prefix")
    if proc.returncode != 0:
        raise GitError("PG071", "diff.git.norepo", detail=_stderr(proc))
    return proc.stdout.decode("utf-8").strip()


def resolve_tree(cwd: Path, rev: str) -> str:
    """The tree id of ``rev``: resolved once, so the reads of one run all see the same snapshot."""
    proc = _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{tree}}")
    if proc.returncode != 0:
        empty = _git(cwd, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0
        if empty and rev == "HEAD":
            raise GitError("PG073", "diff.git.nocommits")
        raise GitError("PG072", "diff.git.badrev", rev=rev)
    return proc.stdout.decode("ascii").strip()


@dataclass
class GitReader:
    """A :class:`perfgen.load.loader.Reader` over the tree of a git revision."""

    rev: str
    cwd: Path = field(default_factory=Path.cwd)
    tree: str = field(default="", init=False)  # the revision's tree, resolved on creation
    prefix: str = field(default="", init=False)  # the working folder's path in the work tree
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _listings: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.prefix = repo_prefix(self.cwd)
        self.tree = resolve_tree(self.cwd, self.rev)

    # ---- the Reader protocol ----------------------------------------------------------------------

    def read(self, rel: str) -> bytes | None:
        kind, data = self._object(rel)
        return data if kind == "blob" else None

    def walk(self, rel: str, problems: list[Diagnostic] | None = None) -> list[str]:
        rel = _clean(rel)
        if rel not in self._listings:
            args = ["ls-tree", "-r", "-z", "--name-only", self.tree, "--", rel or "."]
            proc = _git(self.cwd, *args)
            if proc.returncode != 0:
                raise _failed(_stderr(proc))
            names = [n.decode("utf-8", "surrogateescape") for n in proc.stdout.split(b"\0") if n]
            base = len(rel.split("/")) if rel else 0
            # Hidden folders below ``rel`` are skipped, as FsReader does.
            self._listings[rel] = sorted(n for n in names if not any(
                part.startswith(".") for part in n.split("/")[base:-1]))
        return list(self._listings[rel])

    def is_dir(self, rel: str) -> bool:
        return self._object(rel, want_data=False)[0] == "tree"

    # ---- the cat-file process ---------------------------------------------------------------------

    def _object(self, rel: str, want_data: bool = True) -> tuple[str, bytes | None]:
        rel = _clean(rel)
        if "\n" in rel or "\r" in rel:  # cat-file --batch reads one name per line
            return "missing", None
        name = f"{self.tree}:" + f"{self.prefix}{rel}".rstrip("/")
        proc = self._batch()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            raise _failed(str(exc)) from None
        parts = header.split()
        if len(parts) < 3 or parts[-1] == b"missing":
            if not header:
                raise _failed("git cat-file exited")
            return "missing", None
        kind, size = parts[1].decode("ascii"), int(parts[2])
        if size > MAX_BYTES:  # read past, never held: a blob of gigabytes costs no memory
            _skip(proc.stdout, size + 1)
            if want_data and kind == "blob":
                raise UnsafeFile(rel, "too_large", limit=MAX_BYTES)
            return kind, None
        data = _read_exactly(proc.stdout, size + 1)[:-1]  # contents, then a newline
        return kind, data if want_data else None

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            try:
                self._proc = subprocess.Popen(
                    ["git", "cat-file", "--batch"], cwd=self.cwd,
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except FileNotFoundError:
                raise GitError("PG070", "diff.git.missing") from None
        return self._proc

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> GitReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _clean(rel: str) -> str:
    rel = rel.strip("/")
    while rel.startswith("./"):
        rel = rel[2:]
    return "" if rel == "." else rel


def _skip(stream: IO[bytes], n: int) -> None:
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            raise _failed("short read from git cat-file")
        n -= len(chunk)


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    chunks: list[bytes] = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            raise _failed("short read from git cat-file")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


@dataclass
class MountReader:
    """Shows the folder of ``inner`` as ``goals/``: any goals tree (a checkout elsewhere, a test case) loads
    exactly like a repo's own ``goals/``, with the whole ``_defaults.yaml`` chain and the same file paths."""

    inner: Reader
    mount: str = GOALS_DIR

    def _map(self, rel: str) -> str | None:
        rel = _clean(rel)
        if rel == self.mount:
            return "."
        if rel.startswith(self.mount + "/"):
            return rel[len(self.mount) + 1:]
        return None

    def read(self, rel: str) -> bytes | None:
        inner = self._map(rel)
        return None if inner is None else self.inner.read(inner)

    def walk(self, rel: str, problems: list[Diagnostic] | None = None) -> list[str]:
        inner = self._map(rel)
        if inner is None:
            return []
        return [f"{self.mount}/{_clean(f)}" for f in self.inner.walk(inner, problems)]

    def is_dir(self, rel: str) -> bool:
        inner = self._map(rel)
        return inner is not None and self.inner.is_dir(inner)
