"""perfgen rules"""

from __future__ import annotations

from pathlib import Path

import click

from perfgen.check.rules import RULES
from perfgen.cli.common import lang_option, repo_config
from perfgen.diagnostics import i18n


@click.command("rules")
@lang_option
def cmd() -> None:
    """列出全部检查规则：代码、级别（含 perfgen.yaml 的调整）与说明。"""
    config = repo_config(Path.cwd())
    for code, rule in sorted(RULES.items()):
        sev = config.severity.get(code, rule.severity) if rule.configurable else rule.severity
        label = i18n.word(sev) if sev != "off" else ("关闭" if i18n.get_lang() == "zh" else "off")
        click.echo(f"{code}  {label:<4}  {rule.summary()}")
