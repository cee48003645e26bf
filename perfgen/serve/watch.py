"""What ``perfgen serve`` watches, by polling: the sizes and mtimes of the files a build reads.

Watched: ``goals/`` (goals files and ``_defaults.yaml``), ``perfgen.yaml``, ``templates/`` and ``forms/``
of the repository. A poll is one ``os.scandir`` walk (no file is opened): about 1 ms per 1,000 files on a
local disk (measured in tests/test_serve.py's notes and README), so polling three times a second costs
nothing noticeable and needs no file-watcher package.
"""

from __future__ import annotations

import os
from pathlib import Path

WATCHED = ("goals", "templates", "forms", "perfgen.yaml")

Snapshot = dict[str, tuple[int, int]]  # path -> (mtime in ns, size)


def snapshot(root: Path, skip: Path | None = None) -> Snapshot:
    """The size and mtime of every file under the watched paths of ``root`` (links are not followed;
    ``skip``: a folder left out, the output folder if it lies inside)."""
    found: Snapshot = {}
    left_out = os.path.realpath(skip) if skip is not None else None
    for name in WATCHED:
        path = os.path.join(root, name)
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            _walk(path, found, left_out)
        else:
            found[path] = (st.st_mtime_ns, st.st_size)
    return found


def _walk(folder: str, found: Snapshot, left_out: str | None) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__" and (left_out is None or os.path.realpath(entry.path) != left_out):
                    _walk(entry.path, found, left_out)
                continue
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue  # gone while walking: the next poll sees it
        found[entry.path] = (st.st_mtime_ns, st.st_size)


class Watcher:
    """Tells whether anything watched changed since it was last asked."""

    def __init__(self, root: Path, skip: Path | None = None) -> None:
        self.root, self.skip = root, skip
        self.last = snapshot(root, skip)

    def changed(self) -> bool:
        now = snapshot(self.root, self.skip)
        if now == self.last:
            return False
        self.last = now
        return True
