"""The ``perfgen`` command: a click group whose commands live in :mod:`perfgen.commands`."""

from __future__ import annotations

import importlib
import os

import click

from . import __version__, i18n

# Each module defines a click command named ``cmd``.
COMMANDS = ("validate", "build", "rules", "diff", "fmt", "init", "import_")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfgen")
def main() -> None:
    """perfgen：把项目支出绩效目标表作为数据管理 —— YAML 目标文件 → 校验 → Word / HTML 表格。"""
    # Every invocation starts from the default language; a command's --lang then overrides it.
    i18n.set_lang(os.environ.get("PERFGEN_LANG", "zh"))


for _name in COMMANDS:
    try:
        _module = importlib.import_module(f"perfgen.commands.{_name}")
    except ModuleNotFoundError as exc:  # a command still being written
        if exc.name != f"perfgen.commands.{_name}":
            raise
        continue
    main.add_command(_module.cmd)
