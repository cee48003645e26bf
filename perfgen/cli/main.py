"""The ``perfgen`` command: a click group; each command is a thin wrapper in :mod:`perfgen.cli`.

Commands are imported only when invoked, so ``perfgen build`` does not pay for importing the diff,
fmt and import machinery (start-up time is most of a no-op rebuild).
"""

from __future__ import annotations

import importlib
import os

import click

from perfgen.diagnostics import i18n

# command name -> module in perfgen.cli defining a click command named ``cmd``
COMMANDS = {
    "validate": "validate",
    "build": "build",
    "rules": "rules",
    "forms": "forms",
    "diff": "diff",
    "fmt": "fmt",
    "import": "import_",
    "init": "init",
    "next-year": "next_year",
    "serve": "serve",
    "score": "score",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:  # added in code (plugins, tests)
            return self.commands[cmd_name]
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"perfgen.cli.{module}").cmd
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perfgen", prog_name="perfgen")
def main() -> None:
    """perfgen：把项目支出绩效目标表作为数据管理 —— YAML 目标文件 → 校验 → Word / HTML 表格。"""
    # Every invocation starts from the default language; a command's --lang then overrides it.
    i18n.set_lang(os.environ.get("PERFGEN_LANG", "zh"))


def entry() -> None:
    """Console entry point: a bug in perfgen exits 2 with its traceback and a request to report it."""
    try:
        main(standalone_mode=True)
    except Exception:  # SystemExit and KeyboardInterrupt pass through
        import traceback

        traceback.print_exc()
        click.echo(i18n.message("internal.error", {}), err=True)
        raise SystemExit(2) from None
