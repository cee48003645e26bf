"""The HTTP side of ``perfgen serve``: files of the preview's folder, with the pages' banners and reload script.

Standard library only (``http.server.ThreadingHTTPServer``). A request path is resolved inside the folder or
refused (404): it is percent-decoded once, split on ``/``, and any empty, ``.``, ``..`` or backslash-holding
segment, NUL or absolute form is refused before the file system is asked; the file's real path (links followed)
must still lie inside the folder. ``/.perfgen/livereload?since=G`` is the long poll the pages' script makes: it
answers with the current generation as soon as it is past ``G``, or after 25 seconds with the same one.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from perfgen.serve import pages
from perfgen.serve.site import Site

POLL_SECONDS = 25.0
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pdf": "application/pdf"}
_DOWNLOADS = (".docx", ".xlsx")
# The built pages carry their style inline; the preview adds one inline script and polls its own origin.
_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def resolve(folder: Path, url_path: str) -> Path | None:
    """The file ``url_path`` names inside ``folder`` (``/`` and folders: their ``index.html``), or None."""
    path = unquote(urlsplit(url_path).path)
    if "\x00" in path or "\\" in path or not path.startswith("/") or path.startswith("//"):
        return None
    parts = path[1:].split("/")
    if parts and parts[-1] == "":
        parts[-1] = "index.html"
    if any(part in ("", ".", "..") or ":" in part for part in parts):
        return None
    target = folder.joinpath(*parts)
    base = os.path.realpath(folder)
    real = os.path.realpath(target)
    if os.path.commonpath([base, real]) != base:
        return None
    if os.path.isdir(real):
        real = os.path.join(real, "index.html")
    return Path(real) if os.path.isfile(real) else None


class Preview:
    """What the server shows: the folder and the latest round's :class:`Site`; waiters for the next round."""

    def __init__(self, folder: Path, site: Site) -> None:
        self.folder = folder
        self.site = site
        self.changed = threading.Condition()

    def publish(self, site: Site) -> None:
        with self.changed:
            self.site = site
            self.changed.notify_all()

    def wait_past(self, generation: int, timeout: float = POLL_SECONDS) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.site.generation > generation, timeout)
            return self.site.generation


class Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass each server makes
    server_version = "perfgen-serve"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # the base class's signature
        pass  # the console shows one line per rebuild, not one per request

    def do_GET(self) -> None:  # http.server's name for it
        if self.path.startswith(pages.LIVERELOAD):
            query = parse_qs(urlsplit(self.path).query)
            try:
                since = int(query.get("since", ["0"])[0])
            except ValueError:
                since = 0
            self._send(HTTPStatus.OK, str(self.preview.wait_past(since)).encode(), "text/plain; charset=utf-8")
            return
        site = self.preview.site
        found = resolve(self.preview.folder, self.path)
        if found is None:
            self._missing(site)
            return
        data = found.read_bytes()
        suffix = found.suffix.lower()
        if suffix == ".html":
            data = pages.inject(data, self._banner(site, found), site.generation)
        self._send(HTTPStatus.OK, data, _TYPES.get(suffix) or mimetypes.guess_type(found.name)[0]
                   or "application/octet-stream", download=found.name if suffix in _DOWNLOADS else None)

    def _banner(self, site: Site, found: Path) -> str:
        rel = found.relative_to(os.path.realpath(self.preview.folder)).as_posix()
        if rel == "index.html":
            return pages.index_banner(site)
        source = site.pages.get(rel)
        return pages.file_banner(site, source, built=True) if source else ""

    def _missing(self, site: Site) -> None:
        path = unquote(urlsplit(self.path).path).lstrip("/")
        if path in ("", "index.html"):
            self._send(HTTPStatus.OK, pages.empty_index(site), _TYPES[".html"])
        elif (source := site.pages.get(path)) is not None and ".." not in path.split("/"):
            self._send(HTTPStatus.OK, pages.error_page(site, source), _TYPES[".html"])
        else:
            self._send(HTTPStatus.NOT_FOUND, pages.not_found(site), _TYPES[".html"])

    def _send(self, status: HTTPStatus, data: bytes, content_type: str, download: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        if download is not None:
            self.send_header("Content-Disposition", "attachment")
        self.end_headers()
        self.wfile.write(data)


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """A server for ``preview`` on ``host``:``port`` (port 0: any free one). Raises OSError when it is taken."""
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
