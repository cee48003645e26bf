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

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

import jinja2
from jinja2.filters import do_center, do_format, do_indent
from jinja2.sandbox import ImmutableSandboxedEnvironment

from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, read_regular

MAX_PAGE_CHARS = 16 * 1024 * 1024  # a form page is ~20 KB; an index page of 10,000 projects ~5 MB
MAX_PAGE_SECONDS = 5.0  # a page renders in milliseconds (the index of 10,000 projects in about a second)
MAX_WIDTH = 1000  # a format width or precision, a centre or indent width
MAX_RANGE_ITEMS = 1_000_000  # items all the range() calls of one page may produce
MAX_PAGE_MEMORY = 1024 * 1024 * 1024  # memory a page may add to the process (where RLIMIT_AS can be set)


class Keyed(jinja2.TemplateError):
    """A template problem with a message key and its arguments: the text is chosen when it is printed
    (in the language of that run, not of the process that found it)."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, args


class TemplateLimit(Keyed):
    """A repository template went over one of the bounds (raised inside its code: the frame gives its line)."""


class TemplateRefused(Keyed):
    """A repository template file perfgen will not read (``file``: its path)."""

    def __init__(self, file: Path, key: str, **args: Any) -> None:
        super().__init__(key, **args)
        self.file = file


# ---- reading ---------------------------------------------------------------------------------------------


def linked_folder(folder: Path) -> str | None:
    """Where a repository's ``templates/`` points, if it is a symbolic link (perfgen then uses none of it)."""
    return os.path.realpath(folder) if os.path.islink(folder) else None


class RepoLoader(jinja2.BaseLoader):
    """Templates from a repository's ``templates/`` folder, none of them from outside it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)  # refuses "..", absolute names
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        try:
            data = read_regular(path, TEMPLATE_LIMIT, within=self.folder)
        except UnsafeFile as exc:
            if exc.why == "outside":
                raise TemplateRefused(path, "template.outside", target=os.path.realpath(path)) from None
            if exc.why == "too_large":
                raise TemplateRefused(path, "template.toolarge", limit=exc.limit) from None
            kind = exc.kind if exc.kind in ("fifo", "device", "directory") else "special"
            raise TemplateRefused(path, f"template.{kind}") from None
        except FileNotFoundError:
            raise TemplateRefused(path, "template.dangling", target=os.readlink(path)) from None
        except OSError as exc:
            raise TemplateRefused(path, "template.unreadable", reason=exc.strerror or str(exc)) from None
        try:
            source = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateRefused(path, "template.encoding", at=exc.start + 1) from None
        return source, str(path), lambda: True  # the environment does not reload templates

    def list_templates(self) -> list[str]:
        return []


# ---- running ---------------------------------------------------------------------------------------------


_PRINTF_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")
# str methods whose first argument is a width: each could allocate gigabytes in one call
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _check_width(value: Any) -> None:
    if value in (None, ""):
        return
    if value == "*" or int(value) > MAX_WIDTH:
        raise TemplateLimit("template.limit.width", value=value, limit=MAX_WIDTH)


def _check_printf(text: str) -> None:
    for m in _PRINTF_WIDTH.finditer(text):
        _check_width(m.group(1))
        _check_width(m.group(2))


def _check_format_spec(text: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(text):
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("template.limit.nested")
        for number in _DIGITS.findall(spec):
            _check_width(number)


_SAFE_MEMO = 4096  # (type, attribute) answers a sandbox remembers


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, its attribute check remembered per (type, name).

    The check (``is_safe_attribute``: no ``_`` names, no function or frame internals, no method that
    mutates a known mutable type) depends only on the object's type and the attribute's name, so its answer is
    kept: a page asks it hundreds of times (every ``cell.text``), and it was most of the time a page took.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe) < _SAFE_MEMO:  # names built at run time (the attr filter) do not grow it forever
                self._safe[key] = safe
        return safe


class Trusted(Sandbox):
    """For perfgen's own templates when the repository overrides none of them: no check of each attribute
    access or call (the precompiled built-ins are compiled for a sandbox, so this keeps its interface and drops
    its checks). A repository's templates never run here (html.HtmlRenderer chooses)."""

    getattr = jinja2.Environment.getattr
    getitem = jinja2.Environment.getitem

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja names the arguments so
        return __context.call(__obj, *args, **kwargs)


class BoundedSandbox(Sandbox):
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
            raise TemplateLimit("template.limit.width", value=width, limit=MAX_WIDTH)
        if isinstance(width, str) and len(width) > MAX_WIDTH:
            raise TemplateLimit("template.limit.width", value=len(width), limit=MAX_WIDTH)
        return width

    def _indent(self, value: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        return do_indent(value, self._width(width), first, blank)

    @staticmethod
    def _format(value: str, *args: Any, **kwargs: Any) -> str:
        _check_printf(str(value))
        return do_format(value, *args, **kwargs)

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.range_left:
            raise TemplateLimit("template.limit.range", limit=MAX_RANGE_ITEMS)
        self.range_left -= len(numbers)
        return numbers

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "__name__", None) in _WIDTH_METHODS and isinstance(getattr(__obj, "__self__", None), str):
            for value in (*args[:1], *kwargs.values()):
                __self._width(value)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                # a list is bounded by items: its items may be long strings (the memory limit is the backstop)
                most = MAX_PAGE_CHARS if isinstance(seq, str) else MAX_RANGE_ITEMS
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and max(len(seq), 1) * times > most:
                    raise TemplateLimit("template.limit.repeat", limit=most)
        elif operator == "**":
            if isinstance(right, int | float) and abs(right) > 1000 and isinstance(left, int | float) \
                    and abs(left) > 1:
                raise TemplateLimit("template.limit.power")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format_spec(str(value.__self__))
        return wrapped


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


@contextlib.contextmanager
def page_bounds(env: BoundedSandbox) -> Iterator[None]:
    """Around one page of a repository template: a wall-clock limit (where ``SIGALRM`` exists) and a memory
    limit (where ``RLIMIT_AS`` can be set: the current size plus :data:`MAX_PAGE_MEMORY`), so that text built
    where the output-size check cannot see it (``{% set %}`` blocks, macros, joins) cannot exhaust the machine."""
    env.range_left = MAX_RANGE_ITEMS
    main = threading.current_thread() is threading.main_thread()
    timer = main and hasattr(signal, "setitimer")
    limit = _memory_limit() if main else None
    if timer:
        def expired(signum: int, frame: FrameType | None) -> None:
            raise TemplateLimit("template.limit.time", seconds=f"{MAX_PAGE_SECONDS:g}")

        previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, MAX_PAGE_SECONDS)
    try:
        yield
    except MemoryError:
        raise TemplateLimit("template.limit.memory") from None
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, limit)


def _memory_limit() -> tuple[int, int] | None:
    """Lower the address-space limit for a page; the limits to restore afterwards (None: not possible)."""
    if resource is None:
        return None
    size = _address_space()
    if size is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = size + MAX_PAGE_MEMORY
    if soft != resource.RLIM_INFINITY and soft <= want:
        return None
    try:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError):
        return None
    return soft, hard


def generate_bounded(template: jinja2.Template, context: Mapping[str, Any]) -> Iterator[str]:
    """The page's text in chunks, within the output-size bound (run it inside :func:`page_bounds`)."""
    size = 0
    started = time.monotonic()
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_PAGE_CHARS:
            raise TemplateLimit("template.limit.size", limit=MAX_PAGE_CHARS)
        if time.monotonic() - started > MAX_PAGE_SECONDS:  # where there is no SIGALRM
            raise TemplateLimit("template.limit.time", seconds=f"{MAX_PAGE_SECONDS:g}")
        yield chunk
