"""``perfgen build --assemble DIR...``: one output folder from the output folders of a sharded build.

A province builds as a CI job matrix: each job runs ``perfgen build --shard I/N --out shard-I`` and uploads its
folder; one more job downloads them all and runs ``perfgen build --assemble shard-1 ... shard-N``. Assembling
moves each shard's files and cache rows into the output folder (staged, then placed all together or not at
all), then an ordinary build runs there: every project is found built and fresh, and what needs all of them —
the index page and the combined documents — is written. The result is byte for byte what one machine building
everything makes (tests/test_assemble.py).

A shard's rows are trusted no more than a cache is: every file a row names must be where its goals file's
outputs go (build.outputs.output_path) and a regular file inside the shard's folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from perfgen.build.cache import CACHE_DIR, CACHE_FILE, Cache, CacheDamaged
from perfgen.build.commit import Swap, make_staging
from perfgen.build.outputs import output_path
from perfgen.fsutil import UnsafeFile, read_regular
from perfgen.load.loader import output_stem

FILE_LIMIT = 512 * 1024 * 1024  # one output file (a combined PDF of a large unit is not among them)


class NotAShard(Exception):
    """A folder given to --assemble is not the output folder of a build (args: the folder)."""


def merge_shards(out: Path, shards: list[Path]) -> int:
    """Move the shards' outputs and cache rows into ``out``; how many projects they held. A goals file in two
    shards is taken from the first. Raises :class:`NotAShard`, :class:`CacheDamaged`, OSError."""
    for shard in shards:
        if not (shard / CACHE_DIR / CACHE_FILE).is_file():
            raise NotAShard(shard)
    out.mkdir(parents=True, exist_ok=True)
    cache = Cache.open(out)
    staging = make_staging(out)
    swap = Swap(out, staging)
    try:
        taken: dict[str, list[tuple[str, str]]] = {}
        for shard in shards:
            _take(cache, shard, staging / "assembled", taken)
        for rel, files in taken.items():
            cache.stamp(rel, {kind: swap.place(staging / "assembled" / path, out / path) or os.lstat(out / path)
                              for kind, path in files})
        cache.drop_meta("index")  # the listings are written again from every row, the adopted ones included
        cache.commit()
    except BaseException:
        swap.rollback()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        cache.close()
    return len(taken)


def _take(cache: Cache, shard: Path, staged: Path, taken: dict[str, list[tuple[str, str]]]) -> None:
    """Copy one shard's outputs into ``staged`` and its rows into ``cache``."""
    source = Cache.open(shard)
    try:
        for row in source.whole_rows():
            rel = row[0]
            if rel in taken:
                continue
            files = source.outputs_of(row)
            stem = output_stem(rel)
            if any(output_path(stem, kind) != path for kind, path in files):
                raise CacheDamaged(f"{shard}: the row of {rel!r} names files elsewhere")
            for _, path in files:
                try:
                    data = read_regular(shard / path, FILE_LIMIT, within=shard)
                except UnsafeFile as exc:
                    raise CacheDamaged(f"{shard / path}: {exc.why}") from None
                target = staged / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            cache.adopt(row)
            taken[rel] = files
    finally:
        source.close()
