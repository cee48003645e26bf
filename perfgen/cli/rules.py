"""perfgen rules"""

from __future__ import annotations

from pathlib import Path

import click

from perfgen.cli.common import ReportingCommand, lang_option, repo_config
from perfgen.diagnostics import catalogue, i18n


@click.command("rules", cls=ReportingCommand)
@lang_option
def cmd() -> None:
    """列出全部检查规则：代码、级别（含 perfgen.yaml 的调整）与说明。"""
    config = repo_config(Path.cwd())
    for code, rule in catalogue.RULES.items():
        sev = config.severity.get(code, rule.severity) if rule.configurable else rule.severity
        label = i18n.word(sev) if sev != "off" else i18n.pick("关闭", "off")
        click.echo(f"{code}  {label:<4}  {i18n.pick(rule.summary_zh, rule.summary_en)}")
