"""Each project's cache key: a hash of everything its outputs depend on.

The key hashes the global fingerprint (perfgen, templates, settings, formats: :func:`perfgen.build.cache.
fingerprint`), then the goals file and every ``_defaults.yaml`` that reaches it. Like git's index, a file
whose size and mtime are as recorded is not read again, so a no-op rebuild of ten thousand projects reads no
goals file — unless the row was made with another global fingerprint, or the file changed so recently that
it could change again within the same mtime (its stamp is then marked ``?`` and it is always read).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from perfgen.build.cache import RACY_NS
from perfgen.build.records import Cached
from perfgen.fsutil import UnsafeFile
from perfgen.load.loader import FsReader, ReadError, defaults_chain


class SourceKeys:
    """The stamps and keys of a build's projects; each shared ``_defaults.yaml`` is stamped and read once."""

    def __init__(self, root: Path, global_fp: str):
        self.root, self.global_fp = root, global_fp
        self.racy_after = time.time_ns() - RACY_NS
        self.reader = FsReader(root)
        self._defaults: dict[str, str] = {}  # stamp of each _defaults.yaml (shared by many projects)
        self._content: dict[str, bytes] = {}  # content of each _defaults.yaml

    def _stamp(self, rel: str) -> str:
        try:
            st = os.stat(os.path.join(self.root, rel))
        except OSError:
            return "-"
        return f"{st.st_size}:{st.st_mtime_ns}{'?' if st.st_mtime_ns >= self.racy_after else ''}"

    def stamps(self, rel: str) -> list[str]:
        """``size:mtime`` of each input, the defaults chain then ``rel`` (``-`` if absent)."""
        stamps = []
        for f in defaults_chain(rel):
            if f not in self._defaults:
                self._defaults[f] = self._stamp(f)
            stamps.append(self._defaults[f])
        stamps.append(self._stamp(rel))
        return stamps

    def key(self, rel: str, stamps: list[str], cached: Cached | None) -> str:
        """``rel``'s key: the cached one if every stamp is as recorded (and trusted), else hashed afresh."""
        sources = ";".join(stamps)
        if cached is not None and cached.fp == self.global_fp and cached.sources == sources and "?" not in sources:
            return cached.key
        h = hashlib.sha256(self.global_fp.encode())
        for f, stamp in zip((*defaults_chain(rel), rel), stamps, strict=True):
            if f in self._content:
                content = self._content[f]
            else:
                content = self._read(f) if stamp != "-" else b"\0missing"
                if f != rel:
                    self._content[f] = content  # goals files are read once; keep only the shared defaults
            h.update(f.encode() + b"\0" + content + b"\0")
        return h.hexdigest()

    def _read(self, rel: str) -> bytes:
        """The file's content for its key; what cannot be read is reported when the project is loaded."""
        try:
            return self.reader.read(rel) or b"\0missing"
        except (UnsafeFile, ReadError):
            return b"\0unreadable"
