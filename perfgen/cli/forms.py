"""perfgen forms"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from perfgen.cli.common import EXIT_INPUT, EXIT_OK, ReportingCommand, format_option, lang_option, msg, repo_config
from perfgen.diagnostics.report import in_order
from perfgen.diagnostics.reporters import Reporter
from perfgen.forms.registry import form_files, read_form


@click.command("forms", cls=ReportingCommand)
@format_option
@lang_option
def cmd(reporter: Reporter) -> None:
    """列出可用的表样（内置的和仓库 forms/ 中的），并检查仓库自己的表样定义。"""
    root = Path.cwd()
    config = repo_config(root)
    errors = warnings = 0
    files = form_files(root)
    for form_id, file in files.items():
        form, diags = read_form(file)
        reporter.report_all(in_order(diags))
        errors += sum(1 for d in diags if d.severity == "error")
        warnings += sum(1 for d in diags if d.severity == "warning")
        mark = "*" if form_id == config.form else " "
        origin = msg("内置", "built-in") if file.builtin else file.shown
        description = form.description if form is not None else msg("（定义有误，见上）", "(broken, see above)")
        reporter.note(f"{mark} {form_id:<16} {description}  [{origin}]", stdout=True)
    reporter.close(len(files), errors, warnings)
    reporter.note(msg("* 为默认表样（perfgen.yaml 的 form）", "* the default form (form in perfgen.yaml)"))
    sys.exit(EXIT_INPUT if errors else EXIT_OK)
