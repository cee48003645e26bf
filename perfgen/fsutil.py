"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # here: importing it costs a no-op build several milliseconds

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def private_dir(parent: Path, prefix: str) -> Path:
    """A new, empty folder below ``parent`` that no other process uses (like ``tempfile.mkdtemp``)."""
    while True:
        folder = parent / f"{prefix}{os.getpid()}-{os.urandom(4).hex()}"
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return folder


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly these bytes; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data)
    return True


def shown_path(path: Path, base: Path) -> str:
    """``path`` as a user knows it: relative to ``base`` (the repo, the working folder) when below it."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def inside(base: Path, target: Path) -> bool:
    """True if ``target`` stays within ``base`` once resolved (no ``..`` or symlink escape)."""
    try:
        target.resolve().relative_to(base.resolve())
    except ValueError:
        return False
    return True
