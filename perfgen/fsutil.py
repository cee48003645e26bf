"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

# Larger than any file perfgen reads on purpose (a goals file is a few KB, a template a few dozen, a
# reference document a few hundred); reading stops here, so /dev/zero or a huge file costs nothing.
READ_LIMIT = 8 * 1024 * 1024
TEMPLATE_LIMIT = 4 * 1024 * 1024  # a template or reference document (the built-in reference.docx is 40 KB)


class UnsafeFile(OSError):
    """A file perfgen refuses to read. ``why`` is one of ``not_regular``, ``too_large``, ``outside``.

    ``kind`` names what the path is when it is not a regular file (``fifo``, ``device``, ``socket``,
    ``directory``); ``limit`` is the size limit for ``too_large``.
    """

    def __init__(self, path: Path | str, why: str, kind: str = "", limit: int = 0) -> None:
        super().__init__(f"{why}: {path}")
        self.path, self.why, self.kind, self.limit = Path(path), why, kind, limit


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "directory"
    return "other"


# O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a terminal must not become ours.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_regular(path: Path | str, limit: int = READ_LIMIT, within: Path | None = None, nofollow: bool = False
                 ) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    Opened without blocking and checked with ``fstat`` on the open descriptor (no race between a check
    and the read), then read to at most ``limit + 1`` bytes, so a FIFO, a device such as ``/dev/zero``
    or a file that grows while read can neither hang perfgen nor exhaust its memory. With ``within``,
    the file's resolved path (symlinks followed) must lie inside that folder. With ``nofollow``, a symlink
    as the last component fails with ``ELOOP`` (cheap; the caller then decides what a link may do). Raises
    :class:`UnsafeFile` for what it refuses; other :class:`OSError` (missing, permissions) pass through.
    """
    if within is not None and not inside(within, Path(path)):
        raise UnsafeFile(path, "outside")
    fd = os.open(path, _OPEN_FLAGS | (_NOFOLLOW if nofollow else 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(path, "not_regular", kind=_kind(st.st_mode))
        if st.st_size > limit:
            raise UnsafeFile(path, "too_large", limit=limit)
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise UnsafeFile(path, "too_large", limit=limit)
        return data
    finally:
        os.close(fd)


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
        if path.stat().st_size == len(data) and read_regular(path, len(data)) == data:
            return False
    except (FileNotFoundError, UnsafeFile):
        pass
    atomic_write(path, data)
    return True


def shown_path(path: Path, base: Path) -> str:
    """``path`` as a user knows it: relative to ``base`` (the repo, the working folder) when below it.

    Links are not followed in ``path`` itself (a link is named as the link, not as what it points to).
    """
    for resolve in (False, True):
        try:
            whole = Path(os.path.abspath(path)) if not resolve else path.resolve()
            return whole.relative_to(base.resolve() if resolve else Path(os.path.abspath(base))).as_posix()
        except (ValueError, RuntimeError, OSError):
            continue
    return path.as_posix()


def inside(base: Path, target: Path) -> bool:
    """True if ``target`` stays within ``base`` once resolved (no ``..`` or symlink escape).

    Raises ``OSError(ELOOP)`` for a symbolic link loop (``Path.resolve`` raises RuntimeError for it).
    """
    try:
        target.resolve().relative_to(base.resolve())
    except ValueError:
        return False
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(target)) from None
    return True
