"""perfgen serve (perfgen/serve/): path resolution, the watcher, the live preview over HTTP, and a real headless
Chromium that reloads by itself when a goals file changes (driven through the DevTools protocol on a pipe)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from render_tools import needs
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.serve.app import run
from perfgen.serve.server import resolve
from perfgen.serve.watch import Watcher

PAGE = "2023/" + EXAMPLE_FILES[0].with_suffix(".html").name


# ---- what a request may name ---------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "2023").mkdir(parents=True)
    (out / "index.html").write_text("index", encoding="utf-8")
    (out / "2023" / "a.html").write_text("a", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (out / "link.txt").symlink_to(tmp_path / "secret.txt")
    (out / "linked").symlink_to(tmp_path)
    return out


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/2023/../../secret.txt", "/2023/%2E%2E/%2E%2E/secret.txt",
    "/..%2fsecret.txt", "/..%5csecret.txt", "/%2F..%2Fsecret.txt", "//etc/passwd", "/etc/passwd", "/link.txt",
    "/linked/secret.txt", "/index.html%00.txt", "/C:/Windows/win.ini", "/2023/./a.html", "/2023//a.html",
    "/nothing.html", "relative",
])
def test_nothing_outside_the_folder(folder: Path, path: str) -> None:
    assert resolve(folder, path) is None


def test_files_and_indexes(folder: Path) -> None:
    assert resolve(folder, "/") == folder / "index.html"
    assert resolve(folder, "/2023/a.html?x=1") == folder / "2023" / "a.html"
    assert resolve(folder, "/%32023/a.html".replace("%3", "")) == folder / "2023" / "a.html"


def test_the_watcher_sees_changes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    watcher = Watcher(repo)
    assert not watcher.changed()
    target = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert watcher.changed() and not watcher.changed()
    (repo / "perfgen.yaml").write_text("combine: false\n", encoding="utf-8")
    assert watcher.changed()
    (repo / "templates").mkdir()
    (repo / "templates" / "style.css").write_text("body{}", encoding="utf-8")
    assert watcher.changed()


# ---- the preview, end to end ---------------------------------------------------------------------------

class Running:
    def __init__(self, repo: Path) -> None:
        self.repo, self.stop = repo, threading.Event()
        self.lines: list[str] = []
        self.url_ready = threading.Event()
        self.url = ""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.url_ready.wait(30), self.lines

    def _run(self) -> None:
        run(self.repo, "127.0.0.1", 0, self.lines.append, self.stop, self._ready)

    def _ready(self, url: str) -> None:
        self.url = url
        self.url_ready.set()

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def generation(self, since: int = -1) -> int:
        return int(self.get(f".perfgen/livereload?since={since}"))


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Running]:
    running = Running(make_repo(tmp_path / "repo"))
    yield running
    running.stop.set()
    running.thread.join(10)


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_serves_the_index_and_pages_with_the_reload_script(preview: Running) -> None:
    index = preview.get("")
    assert "项目支出绩效目标表目录" in index and ".perfgen/livereload" in index
    page = preview.get(PAGE)
    assert "2022年-巴财企[2022]38号" in page and "XMLHttpRequest" in page
    assert preview.url.startswith("http://127.0.0.1:")
    assert any("正在预览" in line for line in preview.lines)


def test_a_change_is_rebuilt_and_announced_within_two_seconds(preview: Running) -> None:
    before = preview.generation()
    edit(preview.repo, "提高领取退休补差人员生活水平。", "提高领取退休补差人员生活水平和满意度。")
    started = time.monotonic()
    after = preview.generation(before)  # the long poll returns when the next build is out
    assert after > before and time.monotonic() - started < 2.0
    assert "提高领取退休补差人员生活水平和满意度。" in preview.get(PAGE)


class SavedAtStart(Running):
    """A preview whose goals file is saved the moment the server is up, before its loop's first poll."""

    def _ready(self, url: str) -> None:
        edit(self.repo, "提高领取退休补差人员生活水平。", "启动时保存的新目标。")
        super()._ready(url)


def test_a_save_while_the_preview_starts_is_not_missed(tmp_path: Path) -> None:
    running = SavedAtStart(make_repo(tmp_path / "repo"))
    try:
        assert running.generation(1) > 1  # the long poll returns once the save is built
        assert "启动时保存的新目标。" in running.get(PAGE)
    finally:
        running.stop.set()
        running.thread.join(10)


def test_a_broken_file_shows_its_diagnostics_then_recovers(preview: Running) -> None:
    before = preview.generation()
    edit(preview.repo, "weight: 20", "weight: 二十")
    preview.generation(before)
    page = preview.get(PAGE)
    assert 'id="perfgen-serve"' in page and "PG012" in page  # the last good page under its errors
    assert "PG012" in preview.get("")
    before = preview.generation()
    edit(preview.repo, "weight: 二十", "weight: 20")
    preview.generation(before)
    assert "PG012" not in preview.get(PAGE)


def test_traversal_over_the_wire(preview: Running) -> None:
    host, port = preview.url.removeprefix("http://").rstrip("/").split(":")
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd"):
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 404"), answer[:80]
        assert b"root:" not in answer


def test_stopping_removes_the_private_folder(tmp_path: Path) -> None:
    def folders() -> set[str]:
        return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("perfgen-serve-")}

    before = folders()
    running = Running(make_repo(tmp_path / "repo"))
    mine = folders() - before
    assert len(mine) == 1  # built into a folder of its own
    running.stop.set()
    running.thread.join(10)
    assert not running.thread.is_alive()
    assert not mine & folders()  # gone once stopped
    assert not (tmp_path / "repo" / "build").exists()  # it never writes into the repository


# ---- a real browser --------------------------------------------------------------------------------------

class Chromium:
    """Headless Chromium driven through the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages
    ending in NUL, commands on the child's fd 3, answers and events on fd 4) — no driver package needed."""

    def __init__(self, profile: Path) -> None:
        from render_tools import _which

        exe = _which("chromium", "chromium-browser", "google-chrome")
        assert exe is not None
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--no-default-browser-check",
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]

        def fds() -> None:
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=fds, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message: dict = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_child, 65536)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(answer["error"])
                return dict(answer.get("result", {}))

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)


@needs("chromium")
def test_the_open_page_reloads_itself_in_a_browser(preview: Running, tmp_path: Path) -> None:
    browser = Chromium(tmp_path / "profile")
    try:
        target = browser.send("Target.createTarget", {"url": preview.url + PAGE})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

        def body() -> str:
            found = browser.send("Runtime.evaluate", {"expression": "document.body ? document.body.innerText : ''",
                                                      "returnByValue": True}, session)
            return str(found.get("result", {}).get("value", ""))

        deadline = time.monotonic() + 30
        while "提高领取退休补差人员生活水平" not in body():
            assert time.monotonic() < deadline, "the page did not load"
            time.sleep(0.1)
        edit(preview.repo, "提高领取退休补差人员生活水平。", "浏览器中自动刷新的新目标。")
        saved = time.monotonic()
        while "浏览器中自动刷新的新目标。" not in body():  # no reload from the test: the page's script does it
            assert time.monotonic() - saved < 5, "the page did not reload by itself"
            time.sleep(0.1)
        assert time.monotonic() - saved < 2.5
    finally:
        browser.close()
