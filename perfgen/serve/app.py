"""``perfgen serve``'s loop: build into a private folder, serve it, poll the sources, rebuild, tell the pages.

Builds go to a new temporary folder (never the repository's ``build/``) that is removed when the preview stops.
The sources are polled every 0.3 s (:class:`perfgen.serve.watch.Watcher`); a change is rebuilt once the files
have been quiet for 0.2 s (an editor's save is often several writes), so an open page reloads well within 2 s of
a save.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path

from perfgen.diagnostics.i18n import text
from perfgen.serve.server import Preview, make_server
from perfgen.serve.site import Site, rebuild
from perfgen.serve.watch import Watcher

POLL = 0.3
QUIET = 0.2
TRIES = 20  # ports tried after the one asked for, when it is taken


def bind(preview: Preview, host: str, port: int, say: Callable[[str], None]) -> tuple[ThreadingHTTPServer, int]:
    """A server on ``port``, or on the next free one (said); port 0: any free port."""
    last: OSError | None = None
    for candidate in [port] if port == 0 else range(port, port + TRIES + 1):
        try:
            server = make_server(preview, host, candidate)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            last = exc
            continue
        chosen = int(server.server_address[1])
        if port and chosen != port:
            say(text("端口 {port} 已被占用，改用 {chosen}", "port {port} is taken: using {chosen}", port=port,
                     chosen=chosen))
        return server, chosen
    assert last is not None
    raise last


def round_line(site: Site) -> str:
    return text("第 {n} 次生成：{e} 个错误，{w} 个警告，用时 {s:.2f} 秒", "build {n}: {e} error(s), {w} warning(s), "
                "{s:.2f} s", n=site.generation, e=site.errors, w=site.warnings, s=site.seconds)


def run(root: Path, host: str, port: int, say: Callable[[str], None], stop: threading.Event | None = None,
        ready: Callable[[str], None] | None = None) -> None:
    """Preview ``root`` until ``stop`` is set (or Ctrl-C: KeyboardInterrupt); the folder is removed either way."""
    stop = stop or threading.Event()
    folder = Path(tempfile.mkdtemp(prefix="perfgen-serve-"))
    try:
        # Snapshot the sources before the first build: a file saved while it runs, or before the loop's first
        # poll, is then seen as a change and built (taken after, such a save would be missed until the next one).
        watcher = Watcher(root, skip=folder)
        site = rebuild(root, folder, Site())
        say(round_line(site))
        preview = Preview(folder, site)
        server, chosen = bind(preview, host, port, say)
        url = f"http://{'[' + host + ']' if ':' in host else host}:{chosen}/"
        say(text("正在预览：{url}（按 Ctrl+C 停止）", "previewing at {url} (Ctrl+C stops)", url=url))
        if ready is not None:
            ready(url)
        thread = threading.Thread(target=server.serve_forever, name="perfgen-serve", daemon=True)
        thread.start()
        try:
            _watch(watcher, root, folder, preview, say, stop)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _watch(watcher: Watcher, root: Path, folder: Path, preview: Preview, say: Callable[[str], None],
           stop: threading.Event) -> None:
    while not stop.wait(POLL):
        if not watcher.changed():
            continue
        while not stop.wait(QUIET) and watcher.changed():
            pass  # still being written: wait for it to settle
        if stop.is_set():
            return
        site = rebuild(root, folder, preview.site)
        preview.publish(site)
        say(round_line(site))
