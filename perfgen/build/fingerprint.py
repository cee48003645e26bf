"""The build's global fingerprint: everything outside the goals files that shapes the output.

perfgen's own source, the schema, the templates (the repository's, then the built-ins), the repository's
form definitions, the settings and the output kinds. The code's content hash is remembered in the cache
against the files' sizes and mtimes, like the goals files' keys (:mod:`perfgen.build.keys`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time
from pathlib import Path

from perfgen.build.cache import CACHE_VERSION, RACY_NS, Cache
from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, inside, read_regular
from perfgen.load.config import Config
from perfgen.resources import FORMS_DIR, schema_path, template_search_path


def _tree(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[tuple[str, Path, os.stat_result]]:
    """Every file below ``folder`` (``__pycache__`` left out): its posix path there, its path and its stat."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if suffixes is None or os.path.splitext(name)[1] in suffixes:
                path = Path(dirpath, name)
                try:
                    st = path.stat()
                except OSError:  # a dangling or looping link: reported when the template is used
                    st = path.lstat()
                found.append((path.relative_to(folder).as_posix(), path, st))
    return found


def _within(root: Path, folder: Path) -> bool:
    try:
        return inside(root, folder)
    except OSError:  # a loop
        return False


def _content(path: Path, folder: Path) -> bytes:
    """A file's bytes for the fingerprint; for what perfgen will not read (a FIFO, a device, a link out of
    its folder, a huge file), a marker instead: the template renderer reports the file when it is used."""
    try:
        return read_regular(path, TEMPLATE_LIMIT, within=folder)
    except UnsafeFile as exc:
        return f"\0refused:{exc.why}:{exc.kind}".encode()
    except OSError as exc:
        return f"\0unreadable:{exc.errno}".encode()


def fingerprint(root: Path, config: Config, kinds: tuple[str, ...], cache: Cache | None = None) -> str:
    """Everything outside the goals files that shapes the output.

    perfgen's own source (which covers its version, and an edited checkout) and the templates are
    hashed by content. With a ``cache``, that hash is remembered against the files' sizes and mtimes,
    like the goals files' keys, so an unchanged install is not read again on every build.
    """
    schema = schema_path()
    trees: list[tuple[Path, tuple[str, ...] | None]] = [(Path(__file__).resolve().parents[1], (".py",)),
                                                        (schema.parent, (".json",))]
    forms = root / FORMS_DIR  # the repository's form definitions (read only from a real folder: registry)
    if forms.is_dir() and not forms.is_symlink() and _within(root, forms):
        trees.append((forms, (".yaml",)))
    linked_out = ""
    for folder in template_search_path(root):
        if folder == root / "templates" and not _within(root, folder):
            linked_out = "templates:outside"  # a link out of the repository: not walked (it could be /)
        else:
            trees.append((folder, None))
    files = [(base, *found) for base, suffixes in trees for found in _tree(base, suffixes)]
    jinja = importlib.util.find_spec("jinja2")  # found, not imported: its __init__ holds __version__
    if jinja is not None and jinja.origin:
        init = Path(jinja.origin)
        files.append((init.parent, init.name, init, init.stat()))
    stats = hashlib.sha256()
    racy = time.time_ns() - RACY_NS
    trusted = cache is not None
    for base, rel, _, st in files:
        trusted = trusted and st.st_mtime_ns < racy
        stats.update(f"{base}\0{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    signature = stats.hexdigest()
    code = cache.remembered(signature) if cache is not None and trusted else None
    if code is None:
        h = hashlib.sha256()
        for base, rel, path, _ in files:
            h.update(rel.encode() + b"\0" + _content(path, base) + b"\0")
        code = h.hexdigest()
        if cache is not None and trusted:
            cache.remember(signature, code)
    return hashlib.sha256(f"{CACHE_VERSION}\0{','.join(kinds)}\0{config.fingerprint()}\0{code}\0{linked_out}"
                          .encode()).hexdigest()
