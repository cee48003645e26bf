"""Moving a build's staged files into the output folder: all of them, or none.

The build renders into a private staging folder inside the output folder. :class:`Swap` then moves each
staged file into place, keeping every file it replaces or removes (hard-linked, or moved) in the staging
folder, so that a failure part-way — a read-only subfolder, a full disk, a name that cannot be created —
puts every previous file back. Every path it writes is checked first: no folder between the output
folder and the file may be a symbolic link, so nothing is ever written outside the output folder.
:func:`promote` does all that for one build, and commits the cache once the files are in place.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import stat
from pathlib import Path

from perfgen.build.cache import Cache
from perfgen.build.outputs import output_files
from perfgen.build.records import Job
from perfgen.fsutil import inside, private_dir
from perfgen.load.loader import output_stem

STAGING_PREFIX = ".perfgen-staging-"


class OutputLink(OSError):
    """A folder inside the output folder is a symbolic link (args: the link's path)."""


class Swap:
    """One build's changes to the output folder, undone by :meth:`rollback` until the build is done."""

    def __init__(self, out: Path, staging: Path) -> None:
        self.out, self.kept = out, staging / ".replaced"
        # Each file placed (a path: it was new) or replaced or removed (its path, where the old one is kept); as
        # strings, not Paths: a province's build places hundreds of thousands (issue 16, memory).
        self._undo: list[str | tuple[str, str]] = []
        self._created: list[Path] = []
        self._safe: set[Path] = {out}

    def folder(self, folder: Path) -> None:
        """Make sure ``folder`` (below the output folder) exists as a real folder, not through a link."""
        if folder in self._safe:
            return
        self.folder(folder.parent)
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            folder.mkdir()
            self._created.append(folder)
        else:
            if stat.S_ISLNK(st.st_mode):
                raise OutputLink(folder)
            if not stat.S_ISDIR(st.st_mode):
                raise NotADirectoryError(20, os.strerror(20), str(folder))
        self._safe.add(folder)

    def place(self, staged: Path, final: Path) -> os.stat_result | None:
        """Move ``staged`` to ``final`` (None: it keeps the size and mtime it was staged with) unless ``final``
        already holds the same bytes: that file is kept, and its stat returned (its mtime is not the staged one)."""
        self.folder(final.parent)
        try:
            old = os.lstat(final)
        except FileNotFoundError:
            old = None
        if old is not None and stat.S_ISREG(old.st_mode) and filecmp.cmp(staged, final, shallow=False):
            return old
        kept = self._keep(final, old) if old is not None else None
        os.replace(staged, final)
        self._undo.append(os.fspath(final) if kept is None else (os.fspath(final), os.fspath(kept)))
        return None

    def remove(self, final: Path) -> bool:
        """Take ``final`` away (kept until the build is done); False if there was nothing to remove."""
        if not os.path.lexists(final):
            return False
        kept = self._kept_path()
        os.replace(final, kept)
        self._undo.append((os.fspath(final), os.fspath(kept)))
        return True

    def rollback(self) -> None:
        """Put every replaced or removed file back, and take away what this build added."""
        for done in reversed(self._undo):
            with contextlib.suppress(OSError):
                if isinstance(done, str):
                    os.unlink(done)
                else:
                    os.replace(done[1], done[0])
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._undo.clear()
        self._created.clear()

    def _kept_path(self) -> Path:
        self.kept.mkdir(exist_ok=True)
        return self.kept / str(len(self._undo))

    def _keep(self, final: Path, old: os.stat_result) -> Path:
        """A copy of ``final`` to restore on failure: a hard link (no data copied) where possible."""
        kept = self._kept_path()
        if stat.S_ISREG(old.st_mode):
            try:
                os.link(final, kept, follow_symlinks=False)
                return kept
            except OSError:
                pass
            shutil.copy2(final, kept, follow_symlinks=False)
            return kept
        os.replace(final, kept)  # a link or a special file where an output goes: moved aside, never read
        return kept


def remove_empty_folders(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and its parents up to ``stop`` while they are empty."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def make_staging(out: Path) -> Path:
    """A new private staging folder in ``out``, after removing those of builds that were killed (``kill -9``,
    a power cut) before they could clean up. Call it holding the cache's lock: no other build is staging."""
    with os.scandir(out) as entries:
        stale = [e.path for e in entries if e.name.startswith(STAGING_PREFIX) and e.is_dir(follow_symlinks=False)]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return private_dir(out, STAGING_PREFIX)


def promote(out: Path, staging: Path, cache: Cache, built: list[Job], kinds: tuple[str, ...],
            index_staged: Path | None, dropped: list[list[str]], extra: list[str] | None = None) -> int:
    """Move every staged output (and the index page, if staged, and the ``extra`` files staged: combined
    documents) into place, remove the outputs ``dropped`` (those of goals files that are gone), record the new
    outputs in the cache and commit it: all of it, or — if anything fails — none of it. How many files were
    removed."""
    swap = Swap(out, staging)
    try:
        for job in built:
            kept: dict[str, os.stat_result] = {}
            for kind, rel_out in output_files(output_stem(job.rel), kinds).items():
                staged = staging / rel_out
                if os.path.isfile(staged):  # a form the project lacks the data for: not built
                    found = swap.place(staged, out / rel_out)
                    if found is not None:
                        kept[kind] = found
            if kept:  # the row holds the staged files' stamps: those of the files kept instead
                cache.stamp(job.rel, kept)
        for rel_out in extra or ():
            swap.place(staging / rel_out, out / rel_out)
        if index_staged is not None:
            swap.place(index_staged, out / "index.html")
        removed = [out / rel_out for outputs in dropped for rel_out in outputs]
        count = sum(swap.remove(f) for f in removed if inside(out, f))
        cache.commit()
    except BaseException:
        swap.rollback()  # every previous output back in place; the cache rolls back with it
        raise
    for folder in sorted({f.parent for f in removed}, reverse=True):
        remove_empty_folders(folder, out)
    return count
