"""What ``perfgen serve`` adds to the pages it serves, and the pages it makes up.

Added when a page is served, never written to the folder: a banner listing the page's diagnostics (after
``<body>``) and a small script (before ``</body>``) that long-polls :data:`LIVERELOAD` and reloads the page
when the server's generation passes the one the page was served at — the way ``mkdocs serve`` does it. Made
up: the page of a goals file that has errors and no page yet, the index before any build succeeded, and 404.
Everything taken from the repository (messages quote keys and values, file names) is HTML-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from perfgen.diagnostics.i18n import text
from perfgen.diagnostics.report import Diagnostic, where
from perfgen.serve.site import Site, general

LIVERELOAD = "/.perfgen/livereload"

# Asks for the generation after ``g``; the server answers when there is one (or after a while, with the same
# one: ask again). A failed request (the server restarting, stopped) is retried a second later.
_SCRIPT = """<script>
(function () {
  var g = %d, timer;
  function poll() {
    var req = new XMLHttpRequest();
    req.onloadend = function () {
      var now = parseInt(req.responseText, 10);
      if (req.status === 200 && now > g) { location.reload(); return; }
      timer = setTimeout(poll, req.status === 200 ? 0 : 1000);
    };
    req.open("GET", "%s?since=" + g);
    req.send();
  }
  window.addEventListener("beforeunload", function () { clearTimeout(timer); });
  poll();
})();
</script>
"""

_BOX = "margin:0 0 1em;padding:.5em 1em;font:14px/1.6 sans-serif;color:#222;border:2px solid {border};" \
       "background:{background}"
_ERROR_COLOURS = {"border": "#c00", "background": "#fff0f0"}
_WARNING_COLOURS = {"border": "#b8860b", "background": "#fffbe6"}
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def script(generation: int) -> str:
    return _SCRIPT % (generation, LIVERELOAD)


def inject(page: bytes, banner: str, generation: int) -> bytes:
    """``page`` with ``banner`` at the top of its body and the reload script at the end of it."""
    opening = _BODY.search(page)
    at = opening.end() if opening else 0
    page = page[:at] + banner.encode("utf-8") + page[at:]
    closing = page.lower().rfind(b"</body>")
    end = closing if closing >= 0 else len(page)
    return page[:end] + script(generation).encode("utf-8") + page[end:]


def _severity(d: Diagnostic) -> str:
    return text("错误", "error") if d.severity == "error" else text("警告", "warning")


def diagnostic_items(items: Iterable[Diagnostic]) -> str:
    lines = []
    for d in items:
        hint = f"<br><span style=\"color:#555\">{escape(d.hint)}</span>" if d.hint else ""
        lines.append(f"<li><code>{escape(where(d.pos))}</code> {_severity(d)} {escape(d.code)}："
                     f"{escape(d.message)}{hint}</li>")
    return "<ul style=\"margin:.3em 0;padding-left:1.5em\">\n" + "\n".join(lines) + "\n</ul>"


def _box(heading: str, body: str, errors: bool) -> str:
    style = _BOX.format(**(_ERROR_COLOURS if errors else _WARNING_COLOURS))
    return (f"<div id=\"perfgen-serve\" role=\"{'alert' if errors else 'status'}\" style=\"{style}\">\n"
            f"<p style=\"margin:0\"><strong>{heading}</strong></p>\n{body}\n</div>\n")


def _counts(items: list[Diagnostic]) -> tuple[int, int]:
    errors = sum(1 for d in items if d.severity == "error")
    return errors, len(items) - errors


def file_banner(site: Site, rel: str, built: bool) -> str:
    """The banner of a goals file's page: its diagnostics; empty if it has none. ``built``: the page shown is
    a build's (for a file with errors now: the last one that built)."""
    items = site.of_file(rel)
    if not items:
        return ""
    errors, warnings = _counts(items)
    heading = text("{file}：{e} 个错误，{w} 个警告", "{file}: {e} error(s), {w} warning(s)",
                   file=escape(rel), e=errors, w=warnings)
    if rel in site.failing and built:
        heading += text("。有错误，未重新生成：下面是上次生成成功的版本", ". Not rebuilt because of the errors: "
                        "below is the last version that built")
    return _box(heading, diagnostic_items(items), errors > 0)


def index_banner(site: Site) -> str:
    """The index's banner: the files with errors (linked to their pages), then every diagnostic."""
    if not site.diagnostics:
        return ""
    heading = text("perfgen serve：{e} 个错误，{w} 个警告", "perfgen serve: {e} error(s), {w} warning(s)",
                   e=site.errors, w=site.warnings)
    parts = []
    if site.failing:
        links = []
        for rel in sorted(site.failing):
            page = site.page_of(rel)
            label = escape(rel)
            links.append(f"<li><a href=\"/{escape(quote(page))}\">{label}</a></li>" if page else f"<li>{label}</li>")
        parts.append(text("<p style=\"margin:.3em 0\">有错误、未重新生成的文件：</p>",
                          "<p style=\"margin:.3em 0\">Files with errors, not rebuilt:</p>"))
        parts.append("<ul style=\"margin:.3em 0;padding-left:1.5em\">\n" + "\n".join(links) + "\n</ul>")
    if not site.ok:
        parts.append(text("<p style=\"margin:.3em 0\">本次生成未写出文件：下面是上次生成的结果。</p>",
                          "<p style=\"margin:.3em 0\">This build wrote nothing: below is an earlier build.</p>"))
    parts.append(diagnostic_items(site.diagnostics))
    return _box(heading, "\n".join(parts), site.errors > 0)


def document(title: str, banner: str, body: str, generation: int) -> bytes:
    """A page of the server's own (HTML5, Chinese unless ``--lang en``), with the reload script."""
    lang = text("zh-CN", "en")
    return (f"<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n</head>\n<body style=\"font:15px/1.6 sans-serif;margin:1.5em\">\n"
            f"{banner}{body}\n{script(generation)}</body>\n</html>\n").encode()


def error_page(site: Site, rel: str) -> bytes:
    """The page of a goals file that has errors and has never built: its errors, a link to the index."""
    body = text("<p>{file} 有错误，还没有生成过页面。改正后此页会自动刷新。</p>\n<p><a href=\"/\">返回目录</a></p>",
                "<p>{file} has errors and has never been built. This page reloads once they are fixed.</p>\n"
                "<p><a href=\"/\">Back to the index</a></p>", file=escape(rel))
    return document(rel, file_banner(site, rel, built=False), body, site.generation)


def empty_index(site: Site) -> bytes:
    """The index before any build succeeded."""
    body = text("<p>还没有生成任何页面。</p>", "<p>Nothing has been built yet.</p>")
    return document("perfgen serve", index_banner(site), body, site.generation)


def not_found(site: Site) -> bytes:
    body = text("<p>没有这个页面。<a href=\"/\">返回目录</a></p>",
                "<p>No such page. <a href=\"/\">Back to the index</a></p>")
    banner = "" if not any(general(d) for d in site.diagnostics) else index_banner(site)
    return document(text("没有这个页面", "Not found"), banner, body, site.generation)
