"""What a build writes for a project: its output files by kind, and its line on the index page.

An output's *kind* is its format (``docx``, ``html``) for the default form, or ``<form-id>/<format>`` for
another form. The default form's files sit where the goals file's path says (``2023/x.docx`` for
``goals/2023/x.yaml``); another form's mirror them under the form's ID (``hunan-2023/2023/x.docx``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

OUTPUT_FORMATS = ("docx", "html", "xlsx", "pdf")  # what perfgen build can write for each project (and form)
DEFAULT_FORMATS = ("docx", "html")  # what it writes unless --format or perfgen.yaml's formats says otherwise
_KIND = re.compile(r"(?:([a-z0-9][a-z0-9-]*)/)?([a-z]+)\Z")


def parse_formats(text: str) -> tuple[str, ...] | None:
    """``--format docx,html`` as a tuple (repeats dropped); None if empty or naming an unknown format."""
    items = tuple(dict.fromkeys(x.strip().lower() for x in text.split(",") if x.strip()))
    return items if items and set(items) <= set(OUTPUT_FORMATS) else None


def output_kinds(formats: tuple[str, ...], forms: tuple[str, ...], default_form: str) -> tuple[str, ...]:
    """The kinds a project's build writes: each of ``formats`` for each of ``forms``, the default form's plain."""
    return tuple(fmt if form == default_form else f"{form}/{fmt}" for form in forms for fmt in formats)


def output_path(stem: str, kind: str) -> str | None:
    """Where an output of ``kind`` goes, relative to the output folder (None: not a kind perfgen writes)."""
    match = _KIND.match(kind)
    if match is None or match[2] not in OUTPUT_FORMATS:
        return None
    form, fmt = match[1], match[2]
    return f"{form}/{stem}.{fmt}" if form else f"{stem}.{fmt}"


def output_files(stem: str, kinds: tuple[str, ...]) -> dict[str, str]:
    """Kind -> the file a project writes, relative to the output folder (``stem``: loader.output_stem)."""
    return {kind: path for kind in kinds if (path := output_path(stem, kind)) is not None}


@dataclass(frozen=True)
class IndexEntry:
    """One project as the index page lists it; the files are plain relative posix paths (quoted when printed).

    ``files`` are the project's outputs, (kind, path) in the order written, so the build cache keeps this as
    each project's record of what it wrote.
    """

    unit: str
    year: int
    name: str
    total: float
    fiscal: float
    other: float
    files: tuple[tuple[str, str], ...]
    source: str

    @cached_property
    def outputs(self) -> dict[str, str]:
        """Output kind -> file, relative to the output folder."""
        return dict(self.files)

    @property
    def html_href(self) -> str | None:
        return self.outputs.get("html")

    @property
    def docx_href(self) -> str | None:
        return self.outputs.get("docx")

    def other_forms(self) -> list[tuple[str, dict[str, str]]]:
        """The other forms' files: (form ID, format -> file), in the order written."""
        forms: dict[str, dict[str, str]] = {}
        for kind, path in self.files:
            form, _, fmt = kind.rpartition("/")
            if form:
                forms.setdefault(form, {})[fmt] = path
        return list(forms.items())
