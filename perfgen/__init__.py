"""perfgen: 项目支出绩效目标表 as data — YAML goals, validated, rendered to Word and HTML."""

from __future__ import annotations

from functools import cache


@cache
def _version() -> str:
    # pyproject.toml is the one source of the version; reading it costs ~40 ms, so only when asked.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("perfgen")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+src"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(name)
