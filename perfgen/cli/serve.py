"""``perfgen serve [--port N] [--host H]``: a live preview of the goals repository (perfgen.serve)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from perfgen.cli.common import EXIT_OK, ReportingCommand, lang_option, msg, usage_error


@click.command("serve", cls=ReportingCommand)
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="端口（被占用时依次改用下一个；0：任一空闲端口）")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址；默认只有本机能访问，0.0.0.0 向整个网络开放（请谨慎）")
@lang_option
def cmd(port: int, host: str) -> None:
    """实时预览：生成到临时目录并在本机打开网页服务，目标文件、_defaults.yaml、perfgen.yaml、模板或表样一改就
    重新生成，打开的网页自动刷新；每个页面顶部列出该文件的诊断。按 Ctrl+C 停止。"""
    from perfgen.serve.app import run  # the server's modules are loaded only for this command

    root = Path.cwd()
    if not (root / "goals").is_dir():
        usage_error(msg("这里没有 goals/ 目录：请在目标仓库的根目录运行，或用 perfgen init 新建一个",
                        "no goals/ folder here: run in a goals repo's root, or create one with perfgen init"))
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(msg("注意：预览向 {host} 开放，同一网络中的其他人也能看到这些表格",
                       "note: the preview listens on {host}; others on the network can see these tables", host=host),
                   err=True)
    signal.signal(signal.SIGTERM, _interrupt)  # stopped by a service manager: clean up as for Ctrl-C
    try:
        run(root, host, port, lambda line: click.echo(line, err=True))
    except KeyboardInterrupt:
        click.echo(msg("已停止预览", "preview stopped"), err=True)
    except OSError as exc:
        usage_error(msg("无法在 {host}:{port} 打开网页服务：{why}", "cannot serve on {host}:{port}: {why}",
                        host=host, port=port, why=exc.strerror or str(exc)))
    sys.exit(EXIT_OK)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
