"""Templates from a goals repository: read only from its ``templates/``, and bounded when they run.

A pull request can bring templates. Jinja's sandbox already stops them from reaching Python (attributes,
callables, mutation); this module adds what the sandbox does not bound:

* **What a template may read.** :class:`RepoLoader` serves a name only if the file, links resolved, lies
  inside the repository's ``templates/`` and is a regular UTF-8 file of sane size. A link to ``/``, to
  ``/proc/self/environ`` or to any file outside, a FIFO, a folder or a dangling link named like a
  template: refused with the file and the reason, never a silent fall-back to the built-in template.
* **How much work a page may take.** Output size per page, wall-clock time per page (on systems with
  ``SIGALRM``), the length of ``*`` repetitions, exponents, and format widths (``'%0999999999d'|format(1)``,
  ``'{:>999999999}'.format(x)``, ``center``/``indent`` widths).

The built-in templates are trusted and precompiled: a renderer with no repository templates does not pay
for any of this (see :class:`perfgen.render.html.HtmlRenderer`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import string
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import jinja2
from jinja2.filters import do_center, do_format, do_indent
from jinja2.sandbox import ImmutableSandboxedEnvironment

from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, inside, read_regular

MAX_PAGE_CHARS = 16 * 1024 * 1024  # a form page is ~20 KB; an index page of 10,000 projects ~5 MB
MAX_PAGE_SECONDS = 5.0  # a page renders in milliseconds (the index of 10,000 projects in about a second)
MAX_WIDTH = 1000  # a format width or precision, a centre or indent width
MAX_RANGE_ITEMS = 1_000_000  # items all the range() calls of one page may produce


class TemplateLimit(jinja2.TemplateError):
    """A repository template went over one of the bounds (raised inside its code: the frame gives its line)."""


class TemplateRefused(jinja2.TemplateError):
    """A repository template file perfgen will not read (``file``: its path)."""

    def __init__(self, message: str, file: Path) -> None:
        super().__init__(message)
        self.file = file


# ---- reading ---------------------------------------------------------------------------------------------


_KINDS = {"fifo": ("命名管道（FIFO）", "a named pipe (FIFO)"), "device": ("设备文件", "a device"),
          "directory": ("目录", "a folder"), "socket": ("套接字", "a socket"), "other": ("特殊文件", "a special file")}


def _reason(zh: str, en: str, **args: Any) -> str:
    from perfgen import i18n  # the language is chosen at run time

    return i18n.text(zh, en, **args)


class RepoLoader(jinja2.BaseLoader):
    """Templates from a repository's ``templates/`` folder, none of them from outside it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.repo = folder.parent

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)  # refuses "..", absolute names
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        if not inside(self.repo, self.folder):
            raise TemplateRefused(_reason(
                "templates/ 是指向仓库之外的链接（{t}），不读取其中的模板",
                "templates/ is a link out of the repository ({t}); no template is read from it",
                t=os.path.realpath(self.folder)), self.folder)
        try:
            data = read_regular(path, TEMPLATE_LIMIT, within=self.folder)
        except UnsafeFile as exc:
            raise TemplateRefused(self._refusal(exc, path), path) from None
        except FileNotFoundError:
            raise TemplateRefused(_reason("模板是断开的符号链接（指向不存在的 {t}）",
                                          "the template is a dangling link (to {t}, which does not exist)",
                                          t=os.readlink(path)), path) from None
        except OSError as exc:
            raise TemplateRefused(_reason("无法读取模板：{r}", "cannot read the template: {r}",
                                          r=exc.strerror or str(exc)), path) from None
        try:
            source = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateRefused(_reason("模板不是 UTF-8 编码（第 {at} 字节）；请另存为 UTF-8",
                                          "the template is not UTF-8 (byte {at}); save it as UTF-8",
                                          at=exc.start + 1), path) from None
        return source, str(path), lambda: True  # the environment does not reload templates

    @staticmethod
    def _refusal(exc: UnsafeFile, path: Path) -> str:
        if exc.why == "outside":
            return _reason("模板是指向 templates/ 之外的符号链接（{t}）：不读取仓库模板目录以外的文件",
                           "the template is a link out of templates/ ({t}): no file outside it is read",
                           t=os.path.realpath(path))
        if exc.why == "too_large":
            return _reason("模板过大（上限 {n} 字节）", "the template is too large (limit {n} bytes)", n=exc.limit)
        zh, en = _KINDS.get(exc.kind, _KINDS["other"])
        return _reason("模板不是普通文件，而是{k}", "the template is not a regular file but {k}", k=_pick(zh, en))

    def list_templates(self) -> list[str]:
        return []


def _pick(zh: str, en: str) -> str:
    from perfgen import i18n

    return en if i18n.get_lang() == "en" else zh


# ---- running ---------------------------------------------------------------------------------------------


_PRINTF_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _check_width(value: int | str | None) -> None:
    if value in (None, ""):
        return
    if value == "*" or int(value) > MAX_WIDTH:
        raise TemplateLimit(f"format width or precision over {MAX_WIDTH}: {value}")


def _check_printf(text: str) -> None:
    for m in _PRINTF_WIDTH.finditer(text):
        _check_width(m.group(1))
        _check_width(m.group(2))


def _check_format_spec(text: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(text):
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("nested replacement fields in a format spec are not allowed")
        for number in _DIGITS.findall(spec):
            _check_width(number)


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with the work a template may ask for bounded."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = self._range
        self.filters["format"] = self._format
        self.filters["center"] = lambda value, width=80: do_center(value, self._width(width))
        self.filters["indent"] = self._indent
        self.range_left = MAX_RANGE_ITEMS

    @staticmethod
    def _width(width: Any) -> Any:
        if isinstance(width, int) and width > MAX_WIDTH:
            raise TemplateLimit(f"width over {MAX_WIDTH}: {width}")
        if isinstance(width, str) and len(width) > MAX_WIDTH:
            raise TemplateLimit(f"indent text longer than {MAX_WIDTH}")
        return width

    def _indent(self, value: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        return do_indent(value, self._width(width), first, blank)

    @staticmethod
    def _format(value: str, *args: Any, **kwargs: Any) -> str:
        _check_printf(str(value))
        return do_format(value, *args, **kwargs)

    def _range(self, *args: int) -> Iterator[int]:
        numbers = range(*args)
        if len(numbers) > self.range_left:
            raise TemplateLimit(f"range() over {MAX_RANGE_ITEMS} items in one page")
        self.range_left -= len(numbers)
        return iter(numbers)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _sized(seq)
                if size is not None and isinstance(times, int) and size * times > MAX_PAGE_CHARS:
                    raise TemplateLimit(f"repetition longer than {MAX_PAGE_CHARS} items")
        elif operator == "**":
            if isinstance(right, int | float) and abs(right) > 1000 and isinstance(left, int | float) \
                    and abs(left) > 1:
                raise TemplateLimit("exponent over 1000")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format_spec(str(value.__self__))
        return wrapped


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`TemplateLimit` in the running template after ``seconds`` (where SIGALRM exists)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TemplateLimit(f"the page took longer than {seconds:g} s to render")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def generate_bounded(env: BoundedSandbox, template: jinja2.Template, context: Mapping[str, Any]) -> Iterator[str]:
    """The page's text in chunks, within the page bounds (size, time, range items)."""
    env.range_left = MAX_RANGE_ITEMS
    size = 0
    started = time.monotonic()
    with _deadline(MAX_PAGE_SECONDS):
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_PAGE_CHARS:
                raise TemplateLimit(f"the page is longer than {MAX_PAGE_CHARS} characters")
            if time.monotonic() - started > MAX_PAGE_SECONDS:  # where there is no SIGALRM
                raise TemplateLimit(f"the page took longer than {MAX_PAGE_SECONDS:g} s to render")
            yield chunk
