"""The ``perfgen`` command: a click group; each command is a thin wrapper in :mod:`perfgen.commands`."""

from __future__ import annotations

import os

import click

from . import __version__, i18n
from .commands import build, diff, fmt, import_, init, rules, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfgen")
def main() -> None:
    """perfgen：把项目支出绩效目标表作为数据管理 —— YAML 目标文件 → 校验 → Word / HTML 表格。"""
    # Every invocation starts from the default language; a command's --lang then overrides it.
    i18n.set_lang(os.environ.get("PERFGEN_LANG", "zh"))


for _module in (validate, build, rules, diff, fmt, import_, init):
    main.add_command(_module.cmd)


def entry() -> None:
    """Console entry point: a bug in perfgen exits 2 with its traceback and a request to report it."""
    try:
        main(standalone_mode=True)
    except Exception:  # SystemExit and KeyboardInterrupt pass through
        import traceback

        traceback.print_exc()
        click.echo(i18n.message("internal.error", {}), err=True)
        raise SystemExit(2) from None
