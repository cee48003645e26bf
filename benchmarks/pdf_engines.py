"""Which PDF engine: perfgen's own writer against the candidates, on the same projects, in one run.

Candidates (issue 13): LibreOffice converting perfgen's .docx (one ``soffice`` process for the whole batch),
WeasyPrint printing perfgen's HTML page, typst compiling the same table, fpdf2 drawing it, reportlab (which cannot
embed the CFF outlines of fonts-noto-cjk: reported, not timed). Each draws the default form of the nine examples,
``--repeat`` times; per project, medians of ``--runs`` runs. Then perfgen's combined PDF of a unit of 250 and
1,000 projects against the same projects as single PDFs, with the peak memory of each (in a child process).

    python benchmarks/pdf_engines.py [--repeat 5] [--runs 3] [--skip-libreoffice]

Needs the bench extras for the candidates (pip install fpdf2 typst weasyprint reportlab) and LibreOffice; a
candidate that is missing is reported as such. perfgen itself needs none of them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _projects() -> list[Any]:
    from sample_data import example_projects

    return example_projects()


def _layouts(projects: list[Any]) -> list[Any]:
    from perfgen.forms.registry import default_form
    from perfgen.render.layout import layout

    form = default_form()
    return [layout(form, p) for p in projects]


def per_project(fn: Callable[[Any, Any], object], pairs: list[tuple[Any, Any]], runs: int) -> float:
    """Median over ``runs`` of the mean time per project, in ms."""
    fn(*pairs[0])  # warm up (fonts loaded, templates compiled)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for pair in pairs:
            fn(*pair)
        times.append((time.perf_counter() - start) * 1000 / len(pairs))
    return statistics.median(times)


def perfgen_engine() -> Callable[[Any, Any], bytes]:
    from perfgen.render.fonts import find_cjk_font
    from perfgen.render.pdf import PdfWriter

    writer = PdfWriter(find_cjk_font(None))
    return writer.render


def weasyprint_engine() -> Callable[[Any, Any], bytes]:
    import weasyprint

    from perfgen.render.html import HtmlRenderer
    from perfgen.render.view import project_form
    from perfgen.resources import template_search_path

    html = HtmlRenderer(template_search_path(ROOT))
    return lambda p, lay: weasyprint.HTML(string=html.render_project(p, project_form(p, lay)).decode()).write_pdf()


def _typst_source(lay: Any) -> str:
    def esc(text: str) -> str:
        return "".join("\\" + ch if ch in "\\#[]*_`$<>@=-+/\"~" else ch for ch in text)

    cells = []
    for table in lay.tables:
        for row in table.rows:
            for cell in row:
                extra = f"colspan: {cell.span}, rowspan: {cell.rows}, "
                cells.append(f"table.cell({extra})[{esc(cell.text)}]")
    widths = ", ".join(f"{w}fr" for w in lay.form.widths)
    return ('#set page(paper: "a4", flipped: true, margin: (x: 1.8cm, y: 2cm), footer: context align(center)'
            '[第 #counter(page).display() 页 共 #counter(page).final().first() 页])\n'
            '#set text(font: "Noto Serif CJK SC", size: 10.5pt, lang: "zh")\n'
            f"#align(center, text(18pt, weight: \"bold\")[{esc(lay.title)}])\n"
            f"#table(columns: ({widths}), align: center + horizon, {', '.join(cells)})\n")


def typst_engine() -> Callable[[Any, Any], bytes]:
    import typst

    from perfgen.render.fonts import find_cjk_font

    folder = str(find_cjk_font(None).path.parent)

    def compile_one(p: Any, lay: Any) -> bytes:
        source: bytes = _typst_source(lay).encode("utf-8")
        return bytes(typst.compile(source, font_paths=[folder]))  # type: ignore[misc]

    return compile_one


def fpdf2_engine() -> Callable[[Any, Any], bytes]:
    from fpdf import FPDF

    from perfgen.render.fonts import find_cjk_font

    ref = find_cjk_font(None)

    def draw(p: Any, lay: Any) -> bytes:
        pdf = FPDF(orientation="L", format="A4")
        pdf.add_font("cjk", fname=str(ref.path), collection_font_number=ref.index)
        pdf.set_font("cjk", size=10.5)
        pdf.add_page()
        usable = pdf.w - 36
        total = sum(lay.form.widths)
        widths = [usable * w / total for w in lay.form.widths]
        pdf.cell(0, 10, lay.title, align="C", new_x="LMARGIN", new_y="NEXT")
        for table in lay.tables:
            for row in table.rows:
                x = pdf.l_margin
                for cell in row:
                    width = sum(widths[cell.col: cell.col + cell.span])
                    pdf.set_xy(x + sum(widths[: cell.col]), pdf.get_y())
                    pdf.multi_cell(width, 7, cell.text, border=1, align="C", new_x="RIGHT", new_y="TOP")
                pdf.ln(7)
        return bytes(pdf.output())

    return draw


def libreoffice_batch(projects: list[Any], layouts: list[Any], copies: int) -> float | None:
    """ms per project for one soffice process converting perfgen's .docx of every project (``copies`` times)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    from perfgen.render.docx import writer_for
    from perfgen.resources import find_template

    docx = writer_for(find_template("reference.docx", ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = []
        for n in range(copies):
            for i, (p, lay) in enumerate(zip(projects, layouts, strict=True)):
                path = folder / f"{n:03d}-{i}.docx"
                path.write_bytes(docx.render(p, lay))
                files.append(str(path))
        profile = folder / "profile"
        start = time.perf_counter()
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder / "out"), *files], check=True, capture_output=True, timeout=1800)
        return (time.perf_counter() - start) * 1000 / len(files)


def combined_child(count: int, mode: str) -> None:
    """In a child process: ``count`` projects as one combined PDF or as single PDFs; prints seconds and peak KB."""
    projects = _projects()
    layouts = _layouts(projects)
    from perfgen.render.fonts import find_cjk_font
    from perfgen.render.pdf import PdfWriter

    writer = PdfWriter(find_cjk_font(None))
    writer.render(projects[0], layouts[0])  # font loaded before the clock starts
    pairs = [(projects[i % len(projects)], layouts[i % len(layouts)]) for i in range(count)]
    start = time.perf_counter()
    if mode == "combined":
        with open(Path(tempfile.gettempdir()) / f"perfgen-bench-{count}.pdf", "wb") as out:
            writer.write_combined((lay for _, lay in pairs), out)
    else:
        for p, lay in pairs:
            writer.render(p, lay)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_kb": _peak_kb()}))


def _peak_kb() -> int:
    """This process's peak resident memory: VmHWM (ru_maxrss would count the parent's image from before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _child(count: int, mode: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(count), mode], capture_output=True, text=True,
                         check=True, timeout=1800)
    return dict(json.loads(out.stdout.splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-libreoffice", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        combined_child(int(args.child[0]), args.child[1])
        return
    projects = _projects()
    layouts = _layouts(projects)
    pairs = list(zip(projects, layouts, strict=True)) * args.repeat
    rows: list[tuple[str, str]] = []
    ours = per_project(perfgen_engine(), pairs, args.runs)
    rows.append(("perfgen (its own writer, fontTools for the font)", f"{ours:.2f} ms"))
    lo = None if args.skip_libreoffice else libreoffice_batch(projects, layouts, args.repeat)
    rows.append(("LibreOffice converting perfgen's .docx (one process)",
                 "not run" if lo is None else f"{lo:.1f} ms (perfgen: 1/{lo / ours:.0f})"))
    for name, make in (("WeasyPrint printing perfgen's HTML", weasyprint_engine), ("typst", typst_engine),
                       ("fpdf2", fpdf2_engine)):
        try:
            ms = per_project(make(), pairs[: max(3, len(pairs) // 3)], args.runs)
            rows.append((name, f"{ms:.1f} ms ({ms / ours:.0f}× perfgen)"))
        except ImportError as exc:
            rows.append((name, f"not installed ({exc.name})"))
    try:
        from reportlab.pdfbase.ttfonts import TTFError, TTFont

        from perfgen.render.fonts import find_cjk_font

        ref = find_cjk_font(None)
        try:
            TTFont("cjk", str(ref.path), subfontIndex=ref.index)
            rows.append(("reportlab", "loads the font (not timed)"))
        except TTFError as exc:
            rows.append(("reportlab", f"cannot embed it: {str(exc)[:80]}"))
    except ImportError:
        rows.append(("reportlab", "not installed"))
    print("| engine | per project (median) |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("\n| combined PDF of a unit | time | peak memory |\n|---|---|---|")
    for count in (250, 1000):
        single, combined = _child(count, "single"), _child(count, "combined")
        print(f"| {count} projects as single PDFs | {single['seconds']:.2f} s | {single['peak_kb'] / 1024:.0f} MiB |")
        print(f"| {count} projects as one PDF | {combined['seconds']:.2f} s "
              f"({combined['seconds'] / single['seconds']:.2f}× the singles) | {combined['peak_kb'] / 1024:.0f} MiB |")


if __name__ == "__main__":
    main()
