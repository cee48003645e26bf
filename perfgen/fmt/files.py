"""A goals file on disk for ``perfgen fmt``: read it, then put its new layout in place without losing anything
else — an edit saved meanwhile, the file's mode and owner, a symbolic link."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from perfgen.fsutil import UnsafeFile, read_regular
from perfgen.load.yamlnodes import MAX_BYTES


class ChangedMeanwhile(OSError):
    """The file changed between :func:`read_goals_file` and :func:`replace_goals_file`: nothing was written."""


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid, st.st_gid)


@dataclass(frozen=True)
class GoalsFile:
    """A goals file as it was read: ``path`` as named, ``real`` the file itself (a link's target), its
    bytes, and its stat from just before it was read (to see later whether anything changed it)."""

    path: Path
    real: Path
    data: bytes
    stat: os.stat_result

    @property
    def linked(self) -> bool:
        return os.path.abspath(self.path) != str(self.real)


def _within(base: str, path: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def read_goals_file(path: Path, root: Path) -> GoalsFile:
    """Read ``path`` for formatting, through symbolic links only to a file inside the repository ``root``.

    A link (as the file itself or as a folder on the way to it, below ``root``) is followed only when the
    file it leads to lies inside ``root``: then *that* file is formatted in place and the link stays a link.
    A link out of the repository raises :class:`~perfgen.fsutil.UnsafeFile` (``outside``): such a file is
    neither read nor written. Paths outside ``root`` (named on the command line) are the user's own. Only a
    regular file of at most :data:`~perfgen.load.yamlnodes.MAX_BYTES` is read (no FIFO, device or huge file);
    other :class:`OSError` (missing, permissions, a link loop) pass through.
    """
    named = os.path.abspath(path)
    real = os.path.realpath(path)
    if real != named and _within(os.path.abspath(root), named) and not _within(os.path.realpath(root), real):
        raise UnsafeFile(path, "outside")
    before = os.stat(real, follow_symlinks=False)  # before reading: a change during the read shows later
    data = read_regular(real, MAX_BYTES, nofollow=True)
    return GoalsFile(Path(path), Path(real), data, before)


def _changed(f: GoalsFile) -> bool:
    try:
        if os.path.realpath(f.path) != str(f.real):  # the link now leads elsewhere
            return True
        if _identity(os.stat(f.real, follow_symlinks=False)) != _identity(f.stat):
            return True
        # the clock may not have ticked since the read (same size, same mtime): compare the bytes
        return read_regular(f.real, len(f.data), nofollow=True) != f.data
    except OSError:  # gone, replaced by something else, grown past the old size, ...
        return True


def replace_goals_file(f: GoalsFile, data: bytes, before_replace: Callable[[], None] | None = None) -> None:
    """Put ``data`` in place of the file ``f`` was read from, atomically, unless the file changed meanwhile.

    The new bytes go to a temporary file next to ``f.real`` with the old file's mode (and owner, when
    perfgen may set it); just before ``os.replace`` the file is compared with what was read (device, inode,
    size, mtime, mode, owner, then the bytes themselves): any difference raises :class:`ChangedMeanwhile`
    and leaves the file as the other program wrote it. ``before_replace`` runs right before that last check
    (tests use it to play an editor saving the file at the worst moment). A link is never replaced: its
    target is (``f.real``). Like any save by rename, this gives a file with several hard links a new inode
    under this name only; the other names keep the old bytes.
    """
    import tempfile  # here: importing it costs every other command a few milliseconds

    real = f.real
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        st = f.stat
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # only root may give a file away; before chmod (it clears set-id)
                os.chown(tmp, st.st_uid, st.st_gid)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if before_replace is not None:
            before_replace()
        if _changed(f):
            raise ChangedMeanwhile(f"{f.path}: changed while it was being formatted")
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
