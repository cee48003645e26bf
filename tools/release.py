"""Make a release of perfgen: ``python tools/release.py 0.2.0 [--dry-run]``.

A release is a commit whose pyproject.toml says the version and whose CHANGELOG.md has that version's section,
tagged ``v<version>`` (annotated) — the tag that ``perfgen init``'s pre-commit configuration and GitHub workflows
name, so that pre-commit can pin it. The step:

1. refuses unless the working tree is clean, the version is new (no tag ``v<version>`` yet) and CHANGELOG.md
   has an ``## [Unreleased]`` section with something in it;
2. sets ``version = "<version>"`` in pyproject.toml (the one place the version is written; perfgen reads it from
   the installed package's metadata);
3. renames the ``## [Unreleased]`` section to ``## [<version>] - <date>`` and opens a new empty one above it;
4. commits both files ("Release <version>") and tags the commit ``v<version>``.

Push with ``git push --follow-tags``. ``--dry-run`` checks and says what it would do, changing nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

VERSION = re.compile(r"\d+\.\d+\.\d+")
UNRELEASED = "## [Unreleased]"


class Refused(Exception):
    pass


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Refused(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def plan(root: Path, version: str, today: dt.date) -> tuple[str, str]:
    """The new pyproject.toml and CHANGELOG.md; raises :class:`Refused` when a release cannot be made."""
    if not VERSION.fullmatch(version):
        raise Refused(f"{version!r} is not a release version (MAJOR.MINOR.PATCH)")
    if git(root, "status", "--porcelain", "--untracked-files=no").strip():
        raise Refused("the working tree has uncommitted changes: commit or stash them first")
    if git(root, "tag", "--list", f"v{version}").strip():
        raise Refused(f"tag v{version} exists already")
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    if not re.search(r'(?m)^version = "[^"]+"$', pyproject):
        raise Refused("pyproject.toml has no version line")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    if UNRELEASED not in changelog:
        raise Refused(f"CHANGELOG.md has no '{UNRELEASED}' section")
    body = changelog.split(UNRELEASED, 1)[1].split("\n## ", 1)[0]
    if not body.strip():
        raise Refused(f"CHANGELOG.md's '{UNRELEASED}' section is empty: say what this release brings")
    if f"## [{version}]" in changelog:
        raise Refused(f"CHANGELOG.md has a [{version}] section already")
    new_pyproject = re.sub(r'(?m)^version = "[^"]+"$', f'version = "{version}"', pyproject, count=1)
    new_changelog = changelog.replace(UNRELEASED, f"{UNRELEASED}\n\n## [{version}] - {today.isoformat()}", 1)
    return new_pyproject, new_changelog


def release(root: Path, version: str, dry_run: bool, today: dt.date | None = None) -> str:
    pyproject, changelog = plan(root, version, today or dt.date.today())
    if dry_run:
        return f"would set version {version}, date the changelog section, commit and tag v{version}"
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    git(root, "commit", "-q", "-m", f"Release {version}", "--", "pyproject.toml", "CHANGELOG.md")
    git(root, "tag", "-a", f"v{version}", "-m", f"perfgen {version}")
    return f"released {version}: tagged v{version} (push with git push --follow-tags)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("version")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = ap.parse_args(argv)
    try:
        print(release(args.root, args.version, args.dry_run))
    except Refused as why:
        print(f"release refused: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
