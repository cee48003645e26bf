"""``perfgen import``: 项目支出绩效目标表 from Word, Excel and PDF-extracted text → goals files.

Readers (:mod:`.readers`) turn each file into rows of cells; :mod:`.tables` finds the tables in them and
builds :class:`~perfgen.model.Project` objects (repairing shifted rows, :mod:`.rows`); :mod:`.output`
names and writes the goals files, laid out by :func:`perfgen.fmt.formatter.dump_project`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, diag
from perfgen.fsutil import UnsafeFile, read_regular
from perfgen.importers.output import Output, plan, write
from perfgen.importers.package import megabytes
from perfgen.importers.readers import read, size_limit
from perfgen.importers.rows import Vocab
from perfgen.importers.selfeval import is_self_evaluation, read_section
from perfgen.importers.tables import TableReader
from perfgen.load.config import Config
from perfgen.model import Project

__all__ = ["ImportResult", "Output", "Vocab", "import_files", "read_bytes", "read_projects"]


_REFUSED = {"fifo": "import.fifo", "device": "import.device", "directory": "import.directory"}


@dataclass
class ImportResult:
    projects: list[Project] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def read_bytes(data: bytes, suffix: str, display: str, vocab: Vocab | None = None
               ) -> tuple[list[Project], list[Diagnostic]]:
    """The projects in one file's content (``suffix`` says its kind: .txt, .docx, .xlsx)."""
    sections, diags = read(data, suffix, display)
    if any(d.severity == "error" for d in diags):
        return [], diags
    reader = TableReader(vocab or Vocab.from_config())
    projects: list[Project] = []
    tables = 0
    for section in sections:
        if is_self_evaluation(section):  # a filled 自评表: goals with their year-end data
            found, problems, count = read_section(section, vocab or Vocab.from_config())
            projects += [replace(p, source=display) for p in found]
            diags.extend(problems)
            tables += count
        else:
            reader.read(section, display)
    diags.extend(reader.diags)
    if reader.tables + tables == 0:
        diags.append(diag(Pos(display), "PG052", "import.notable"))
    return [*reader.projects, *projects], diags


def read_projects(files: list[Path], vocab: Vocab | None = None) -> tuple[list[Project], list[Diagnostic]]:
    projects: list[Project] = []
    diags: list[Diagnostic] = []
    for path in dict.fromkeys(files):  # the same file named twice is read once
        display = path.as_posix()
        try:
            data = read_regular(path, size_limit(path.suffix))  # a FIFO, /dev/zero, a huge file: not read
        except UnsafeFile as exc:
            key = "import.too_large" if exc.why == "too_large" else _REFUSED.get(exc.kind, "import.special")
            diags.append(diag(Pos(display), "PG053", key, limit=megabytes(size_limit(path.suffix))))
            continue
        except (FileNotFoundError, NotADirectoryError):
            diags.append(diag(Pos(display), "PG007", "file.missing"))
            continue
        except OSError as exc:  # permissions, a symlink loop
            diags.append(diag(Pos(display), "PG007", "file.unreadable", reason=exc.strerror or str(exc)))
            continue
        found, problems = read_bytes(data, path.suffix, display, vocab)
        projects.extend(found)
        diags.extend(problems)
    return projects, diags


def import_files(files: list[Path], out: Path, root: Path, force: bool = False,
                 config: Config | None = None) -> ImportResult:
    """Read every file, then (only if nothing is wrong) write one goals file per project under ``out``."""
    projects, diags = read_projects(files, Vocab.from_config(config))
    result = ImportResult(projects, [], diags)
    if result.failed:
        return result
    outputs, problems = plan(projects, out, root)
    result.diagnostics.extend(problems)
    if result.failed:
        return result
    result.written, problems = write(outputs, force)
    result.diagnostics.extend(problems)
    return result
