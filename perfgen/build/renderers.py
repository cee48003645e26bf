"""The renderers a build sets up once per process, and the diagnostic for a template that fails.

:class:`Renderers` holds the HTML renderer (Jinja) and the Word writer (the reference document) of a goals
repository, or the PG030 diagnostic that says why they cannot be used (a broken reference document, a
``templates/`` folder that links elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.fsutil import TEMPLATE_LIMIT, UnsafeFile, read_regular, shown_path
from perfgen.render.docx import BadReference, DocxWriter
from perfgen.render.html import HtmlRenderer
from perfgen.render.sandbox import linked_folder
from perfgen.resources import find_template, template_search_path


class Renderers:
    """The HTML renderer and the Word writer for a goals repo (or the diagnostic that its reference is broken)."""

    def __init__(self, root: Path, formats: tuple[str, ...]) -> None:
        self.root, self.formats = root, formats
        self.html = HtmlRenderer(template_search_path(root)) if "html" in formats else None
        self.docx: DocxWriter | None = None
        self.setup_error: Diagnostic | None = None
        if (target := linked_folder(root / "templates")) is not None:
            self.setup_error = diag(Pos("templates"), "PG030", "template.folder_link", target=target)
        elif "docx" in formats:
            self._load_reference()

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
