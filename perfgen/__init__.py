"""perfgen: 项目支出绩效目标表 as data — YAML goals, validated, rendered to Word and HTML."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("perfgen")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"
