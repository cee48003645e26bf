"""The writers a build sets up once per process, and the diagnostic for a template that fails.

:class:`Renderers` holds one writer per output format — each draws a form's :class:`Layout` of a project into
the bytes of one file — or the diagnostic that says why they cannot be used: PG030 for a broken reference
document or a ``templates/`` folder that links elsewhere, PG033 when PDF is asked for and the machine has no
CJK font. The Excel and PDF writers are imported only when their format is built.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, read_regular, shown_path
from perfgen.render.docx import BadReference, DocxWriter
from perfgen.render.docx_combined import combined_docx
from perfgen.render.html import HtmlRenderer
from perfgen.render.sandbox import linked_folder
from perfgen.render.view import project_form
from perfgen.resources import find_template, template_search_path

if TYPE_CHECKING:
    from perfgen.model import Project
    from perfgen.render.layout import Layout


class FormWriter(Protocol):
    """Draws a form laid out for a project (:func:`perfgen.render.layout.layout`) as one file's bytes."""

    def render(self, project: Project, lay: Layout) -> bytes: ...


class GlyphWriter(FormWriter, Protocol):
    """A writer that draws text with one font (PDF): it can tell which characters that font lacks."""

    font_name: str

    def missing_chars(self, lay: Layout) -> str: ...

    def write_combined(self, layouts: Iterable[Layout], out: BinaryIO) -> None: ...


class HtmlFormWriter:
    """The HTML renderer as a :class:`FormWriter`."""

    def __init__(self, html: HtmlRenderer) -> None:
        self.html = html

    def render(self, project: Project, lay: Layout) -> bytes:
        return self.html.render_project(project, project_form(project, lay))


class Renderers:
    """The writer of each format asked for (or the diagnostic that says why they cannot be used)."""

    def __init__(self, root: Path, formats: tuple[str, ...], pdf_font: str | None = None) -> None:
        self.root, self.formats = root, formats
        self.html = HtmlRenderer(template_search_path(root)) if "html" in formats else None
        self.docx: DocxWriter | None = None
        self.setup_error: Diagnostic | None = None
        self.writers: dict[str, FormWriter] = {}
        self.pdf: GlyphWriter | None = None
        if (target := linked_folder(root / "templates")) is not None:
            self.setup_error = diag(Pos("templates"), "PG030", "template.folder_link", target=target)
            return
        if "docx" in formats:
            self._load_reference()
        if self.html is not None:
            self.writers["html"] = HtmlFormWriter(self.html)
        if self.docx is not None:
            self.writers["docx"] = self.docx
        if "xlsx" in formats:
            from perfgen.render.xlsx import XlsxFormWriter  # XlsxWriter is loaded only for Excel output

            self.writers["xlsx"] = XlsxFormWriter()
        if "pdf" in formats and self.setup_error is None:
            self._load_pdf(pdf_font)

    def combined(self, fmt: str, layouts: Iterator[Layout], title: str, out: BinaryIO) -> None:
        """One document of several projects' forms (a unit's year, build.combine), written to ``out``: each
        project on new pages, page numbers across the whole document."""
        if fmt == "pdf":
            assert self.pdf is not None
            self.pdf.write_combined(layouts, out)  # streamed: a unit of thousands is never held
        elif fmt == "docx":
            assert self.docx is not None
            out.write(combined_docx(self.docx, list(layouts), title))
        elif fmt == "html":
            assert self.html is not None
            out.write(self.html.render_combined([project_form(lay.project, lay) for lay in layouts], title))
        else:
            out.write(self.writers[fmt].render_combined(list(layouts), title))  # type: ignore[attr-defined]

    def _load_pdf(self, setting: str | None) -> None:
        from perfgen.render.fonts import NoCjkFont, find_cjk_font  # the PDF engine is loaded only for PDF
        from perfgen.render.pdf import PdfWriter

        try:
            font = find_cjk_font(setting, str(self.root))
        except NoCjkFont as exc:
            self.setup_error = diag(Pos("perfgen.yaml" if setting else "."), "PG033", "pdf.no_font",
                                    searched="、".join(map(str, exc.searched)))
            return
        self.pdf = self.writers["pdf"] = PdfWriter(font)

    def _load_reference(self) -> None:
        path = find_template("reference.docx", self.root)
        try:  # a repository's own reference comes with the pull request: read it like any template
            self.docx = DocxWriter(path, read_regular(path, TEMPLATE_LIMIT, within=path.parent))
        except UnsafeFile as exc:
            why = {"outside": f"a link out of templates/ ({os.path.realpath(path)})",
                   "too_large": f"larger than {exc.limit} bytes"}.get(exc.why, f"not a regular file ({exc.kind})")
        except OSError as exc:
            why = exc.strerror or str(exc)
        except (BadReference, ValueError, KeyError, UnicodeDecodeError) as exc:
            why = str(exc) if isinstance(exc, BadReference) else f"{type(exc).__name__}: {exc}"
        else:
            return
        self.setup_error = diag(Pos(shown_path(path, self.root)), "PG030", "template.reference", why=why)


def template_diag(root: Path, exc: Any) -> Diagnostic:
    """PG030 at the template file and line of a :class:`perfgen.render.html.TemplateError`."""
    where = "templates" if exc.file is None else shown_path(exc.file, root)
    pos = Pos(where, exc.line or 0, 1 if exc.line else 0)
    if exc.key is not None:
        return diag(pos, "PG030", exc.key, **exc.params)
    return diag(pos, "PG030", "template.error", detail=exc.message)
