"""A minimal Language Server Protocol client over stdio, to drive yaml-language-server as an editor would.

It speaks JSON-RPC with ``Content-Length`` framing, answers the server's requests (``workspace/configuration``
with the ``yaml`` settings of an editor that has schema validation on), and collects the diagnostics the server
publishes. Enough for tests: open a document, wait for its diagnostics, ask for completion and hover.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

SETTINGS = {"yaml": {"validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False},
                     "format": {"enable": False}, "schemas": {}}}


def server_command() -> list[str] | None:
    """How to start yaml-language-server (installed with npm), or None where it is not installed."""
    found = shutil.which("yaml-language-server")
    return [found, "--stdio"] if found else None


class LspClient:
    def __init__(self, command: list[str], root: Path, settings: dict[str, Any] | None = None) -> None:
        self.settings = settings or SETTINGS
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=root)
        self.next_id = 0
        self.responses: dict[int, Any] = {}
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.opened: dict[str, int] = {}  # uri -> version
        self.events: queue.Queue[str] = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {
            "processId": None, "rootUri": root.as_uri(), "workspaceFolders": [{"uri": root.as_uri(), "name": "r"}],
            "capabilities": {"workspace": {"configuration": True},
                             "textDocument": {"completion": {"completionItem": {"snippetSupport": False}},
                                              "hover": {"contentFormat": ["markdown", "plaintext"]},
                                              "publishDiagnostics": {}}},
        })
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})

    # -- wire ---------------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        with self.lock:
            self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
            self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while (line := out.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:  # the server asks
                self._answer(message)
            elif "id" in message:
                self.responses[message["id"]] = message
                self.events.put(f"response:{message['id']}")
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
                self.events.put(f"diagnostics:{message['params']['uri']}")

    def _answer(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self._section(item.get("section")) for item in message["params"]["items"]]
        self._send({"id": message["id"], "result": result})

    def _section(self, name: str | None) -> Any:
        value: Any = self.settings
        for part in (name or "").split("."):
            if part:
                value = value.get(part) if isinstance(value, dict) else None
        return value

    def request(self, method: str, params: dict[str, Any], timeout: float = 30) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while ident not in self.responses:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method}: no answer in {timeout} s")
            time.sleep(0.01)
        answer = self.responses.pop(ident)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    # -- documents ---------------------------------------------------------------------------------

    def diagnose(self, path: Path, timeout: float = 30, settle: float = 0.3) -> list[dict[str, Any]]:
        """Open ``path`` and return the diagnostics the server publishes for it (the last set, once quiet)."""
        return self.diagnose_all([path], timeout, settle)[0]

    def diagnose_all(self, paths: list[Path], timeout: float = 30,
                     settle: float = 0.3) -> list[list[dict[str, Any]]]:
        """:meth:`diagnose` for several files at once: all opened, then one quiet period for all of them."""
        uris = [self._open(path) for path in paths]
        deadline = time.monotonic() + timeout
        for uri, path in zip(uris, paths, strict=True):
            while uri not in self.diagnostics:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no diagnostics for {path} in {timeout} s")
                time.sleep(0.02)
        quiet_until = time.monotonic() + settle  # the server may publish again once the schema is loaded
        seen = [self.diagnostics[uri] for uri in uris]
        while time.monotonic() < quiet_until:
            time.sleep(0.05)
            now = [self.diagnostics[uri] for uri in uris]
            if any(a is not b for a, b in zip(now, seen, strict=True)):
                seen, quiet_until = now, time.monotonic() + settle
        return seen

    def _open(self, path: Path) -> str:
        """Send ``path``'s text to the server (opened, or changed if it was opened before); its URI."""
        uri = path.resolve().as_uri()
        self.diagnostics.pop(uri, None)
        text = path.read_text(encoding="utf-8")
        if uri in self.opened:  # opened before: the whole text changed, as when an editor reloads the file
            self.opened[uri] += 1
            self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": self.opened[uri]},
                                                   "contentChanges": [{"text": text}]})
        else:
            self.opened[uri] = 1
            self.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        return uri

    def complete(self, path: Path, line: int, character: int) -> list[dict[str, Any]]:
        """The completion items at a 0-based position of an opened document."""
        result = self.request("textDocument/completion", {
            "textDocument": {"uri": path.resolve().as_uri()}, "position": {"line": line, "character": character}})
        return list(result.get("items", []) if isinstance(result, dict) else result or [])

    def hover(self, path: Path, line: int, character: int) -> str:
        result = self.request("textDocument/hover", {
            "textDocument": {"uri": path.resolve().as_uri()}, "position": {"line": line, "character": character}})
        if not result:
            return ""
        contents = result.get("contents")
        return contents.get("value", "") if isinstance(contents, dict) else str(contents)

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=5)
            self.notify("exit", {})
            self.proc.wait(timeout=5)
        except (TimeoutError, RuntimeError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
