"""Rendering tools for tests: outputs opened by the programs people open them with, and checked by validators.

- Word → PDF with LibreOffice (:func:`docx_to_pdf`), HTML → PDF with headless Chromium (:func:`html_to_pdf`);
- the PDF read back with poppler: :func:`pdf_pages`, :func:`pdf_text`, :func:`pdf_fonts`, :func:`pdf_png`;
- validators: the W3C HTML checker (:func:`vnu_errors`, the npm package vnu-jar run with java) and an OOXML
  schema and semantics check in-process (:func:`ooxml_errors`, the PyPI package openxml-audit, a port of the
  Open XML SDK's validator: it checks element order, e.g. ``w:rPr`` after ``w:tblPr`` in a table style).

A test that needs a program says so with ``@needs("soffice")`` (names: :data:`TOOLS`). Where the program is
missing the test is skipped with the reason — except in CI (environment ``CI=true``), where it runs and fails:
``.ci/run`` installs every one of them, so a missing program there is a broken install, not a reason to skip.
Every helper raises :class:`ToolMissing` (saying what to install) when its program is not there.

Install (Debian): ``apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils chromium
default-jre-headless``, ``npm install -g vnu-jar``, ``pip install -e '.[test]'`` (openxml-audit).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def in_ci() -> bool:
    """Whether this is a CI run (environment ``CI=true``, as .ci/run is started)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


# name -> what to install when it is missing
TOOLS = {
    "soffice": "apt-get install libreoffice-writer-nogui fonts-noto-cjk",
    "chromium": "apt-get install chromium fonts-noto-cjk",
    "poppler": "apt-get install poppler-utils",
    "vnu": "apt-get install default-jre-headless && npm install -g vnu-jar",
    "ooxml": "pip install -e '.[test]' (openxml-audit)",
}
_POPPLER = ("pdfinfo", "pdftotext", "pdftoppm", "pdffonts")


class ToolMissing(RuntimeError):
    """A program a rendering helper runs is not installed (the message says how to install it)."""


def _which(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@functools.cache
def _vnu_jar() -> Path | None:
    """vnu.jar: $VNU_JAR, else from npm's global vnu-jar package."""
    candidates = [os.environ.get("VNU_JAR", "")]
    if shutil.which("npm"):
        try:
            root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = ""
        if root:
            candidates.append(f"{root}/vnu-jar/build/dist/vnu.jar")
    candidates += [f"{prefix}/lib/node_modules/vnu-jar/build/dist/vnu.jar" for prefix in ("/usr/local", "/usr")]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def available(tool: str) -> bool:
    """Whether ``tool`` (a name in :data:`TOOLS`, or a poppler program) can run here."""
    if tool == "soffice":
        return _which("soffice", "libreoffice") is not None
    if tool == "chromium":
        return _which("chromium", "chromium-browser", "google-chrome") is not None
    if tool == "poppler" or tool in _POPPLER:
        return all(shutil.which(p) for p in _POPPLER)
    if tool == "vnu":
        return shutil.which("java") is not None and _vnu_jar() is not None
    if tool == "ooxml":
        return importlib.util.find_spec("openxml_audit") is not None
    raise ValueError(f"unknown tool {tool!r}; known: {', '.join(TOOLS)}")


def _require(tool: str) -> None:
    if not available(tool):
        raise ToolMissing(f"{tool} is not installed here: {TOOLS['poppler' if tool in _POPPLER else tool]}")


def needs(*tools: str) -> pytest.MarkDecorator:
    """Mark a test that runs ``tools``: skipped where one is missing, unless in CI (there it runs and fails)."""
    missing = [t for t in tools if not available(t)]
    reason = "not installed: " + "; ".join(f"{t} ({TOOLS['poppler' if t in _POPPLER else t]})" for t in missing)
    return pytest.mark.skipif(bool(missing) and not in_ci(), reason=reason)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{args[0]} took over {timeout} s: {' '.join(map(str, args))}") from exc


def _checked(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    done = _run(args, timeout)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


# -- Word and HTML to PDF ---------------------------------------------------------------------------------


def docx_to_pdf(docx: Path, outdir: Path, timeout: float = 180) -> Path:
    """``docx`` converted by LibreOffice into ``outdir`` (same stem, .pdf); each call has its own profile, so
    calls may run side by side and nothing of a user's LibreOffice settings is used or changed."""
    _require("soffice")
    soffice = _which("soffice", "libreoffice")
    assert soffice is not None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="perfgen-soffice-"))
    try:
        args = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
                "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        done = _checked(args, timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / (Path(docx).stem + ".pdf")
    if not pdf.is_file():  # soffice exits 0 even when it could not load the document
        raise AssertionError(f"LibreOffice wrote no {pdf.name}:\n{done.stdout}{done.stderr}")
    return pdf


def office_to_pdf(files: list[Path], outdir: Path, timeout: float = 300) -> list[Path]:
    """Several documents (.docx, .xlsx) converted by one LibreOffice process into ``outdir`` (same stems)."""
    _require("soffice")
    soffice = _which("soffice", "libreoffice")
    assert soffice is not None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="perfgen-soffice-"))
    try:
        args = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
                "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
        done = _checked(args, timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [outdir / (Path(f).stem + ".pdf") for f in files]
    if missing := [p.name for p in pdfs if not p.is_file()]:
        raise AssertionError(f"LibreOffice wrote no {', '.join(missing)}:\n{done.stdout}{done.stderr}")
    return pdfs


def html_to_pdf(html: Path, pdf: Path, timeout: float = 120) -> Path:
    """``html`` printed to ``pdf`` by headless Chromium (the page's own @page size, no header or footer)."""
    _require("chromium")
    chromium = _which("chromium", "chromium-browser", "google-chrome")
    assert chromium is not None
    pdf.parent.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="perfgen-chromium-"))
    try:
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--no-default-browser-check",
                f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                Path(html).resolve().as_uri()]
        done = _checked(args, timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not pdf.is_file():
        raise AssertionError(f"Chromium wrote no {pdf}:\n{done.stdout}{done.stderr}")
    return pdf


# -- reading PDFs (poppler) -------------------------------------------------------------------------------


def pdf_pages(pdf: Path) -> int:
    """The number of pages of ``pdf``."""
    _require("poppler")
    for line in _checked(["pdfinfo", str(pdf)], 60).stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError(f"pdfinfo gave no page count for {pdf}")


def pdf_text(pdf: Path, layout: bool = True) -> str:
    """The text of ``pdf`` (``layout``: kept in its columns, as pdftotext -layout does)."""
    _require("poppler")
    return _checked(["pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8", str(pdf), "-"], 60).stdout


def pdf_fonts(pdf: Path) -> list[str]:
    """The names of the fonts ``pdf`` uses, subset prefixes (``ABCDEF+``) removed, in pdffonts' order.

    Note: the Noto CJK collections share one CFF table among their faces, so every face of
    NotoSerifCJK-Regular.ttc embeds as ``NotoSerifCJKjp-Regular…``: the name tells serif from sans, not SC from
    JP. Which glyph shapes are drawn follows the text's language (zh-CN → simplified Chinese forms)."""
    _require("poppler")
    lines = _checked(["pdffonts", str(pdf)], 60).stdout.splitlines()[2:]
    return [line.split()[0].split("+", 1)[-1] for line in lines if line.strip()]


def pdf_png(pdf: Path, page: int = 1, dpi: int = 96, out: Path | None = None) -> Path:
    """Page ``page`` (from 1) of ``pdf`` as a PNG at ``dpi`` (default: beside the PDF, ``STEM-PAGE.png``)."""
    _require("poppler")
    out = out or pdf.with_name(f"{pdf.stem}-{page}.png")
    prefix = out.with_suffix("")
    _checked(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
              str(pdf), str(prefix)], 120)
    return prefix.with_suffix(".png")


# -- validators -------------------------------------------------------------------------------------------


def vnu_errors(html_path: Path, *more: Path, timeout: float = 120) -> list[str]:
    """The W3C HTML checker's errors for the given files (``[]`` when valid), as ``file:line:col: message``."""
    _require("vnu")
    jar = _vnu_jar()
    assert jar is not None
    paths = [str(p) for p in (html_path, *more)]
    done = _run(["java", "-jar", str(jar), "--errors-only", "--format", "json", *paths], timeout)
    try:
        messages = json.loads(done.stderr or done.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise AssertionError(f"vnu exited {done.returncode}:\n{done.stdout}{done.stderr}") from exc
    errors = []
    for m in messages:
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal":
            where = Path(str(m.get("url", "")).removeprefix("file:")).name
            errors.append(f"{where}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('message')}")
    if done.returncode not in (0, 1) or (done.returncode == 1 and not errors):
        raise AssertionError(f"vnu exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return errors


@functools.cache
def _ooxml_validator() -> object:
    from openxml_audit import OpenXmlValidator

    return OpenXmlValidator(max_errors=0)


def ooxml_errors(docx_path: Path, warnings: bool = False) -> list[str]:
    """The OOXML schema and semantic errors of a .docx (``[]`` when valid), as ``[kind] /part:xpath: text``;
    ``warnings``: findings of severity warning too (prefixed ``warning:``)."""
    _require("ooxml")
    result = _ooxml_validator().validate(docx_path)  # type: ignore[attr-defined]
    found = []
    for error in result.errors:
        severity = error.severity.value
        if severity == "error":
            found.append(str(error))
        elif warnings and severity == "warning":
            found.append(f"warning: {error}")
    return found
