"""Benchmark perfgen on generated goals repos and compare with the straightforward python-docx script.

For each size N (default 1,000 and 10,000) a goals repo is generated from the nine examples
(``benchmarks/generate.py``) in a temporary folder, then, as median wall-clock times of ``--runs`` runs:

* ``perfgen validate``, full build (fresh output folder, ``-j JOBS``, and ``-j 1`` up to ``--serial-max``
  projects), no-op rebuild, one-file rebuilds (one goals file's target changed, its project renamed, its
  project moved to another unit, before each run), the output folder's size and the median .docx — each
  a fresh ``python -m perfgen …`` subprocess,
  so the times are what a user sees, interpreter start-up included. Peak memory: the largest process
  (``ru_maxrss`` from ``os.wait4``, the build's workers included) and the sum over the process tree
  (PSS, sampled every 0.1 s from /proc);
* single worker, per project (another subprocess, the same goals): perfgen's Word + HTML
  (``DocxWriter.render`` + ``HtmlRenderer.render_project``) against ``benchmarks/naive_docx.render_naive``
  (python-docx, Word only) on a sample of ``--naive-sample`` projects, and the ratio of the medians.

perfgen is measured as a new user runs it: a snapshot of the working tree, taken at start, is installed
with ``pip install`` (not editable) into a fresh virtual environment, so start-up is what an installed
perfgen costs and no ``.pth`` hooks of the developer's own environment run in every process. The
snapshot also keeps edits made during a run (the build cache's key includes perfgen's own code) from
turning no-op rebuilds into full ones. ``--no-venv`` imports the snapshot with this interpreter instead
(``PYTHONPATH``, for machines where pip cannot install); ``--live`` imports the checkout itself.

The goals table compares sizes 4× apart where both were run (``--sizes 1000,2500,10000``): a one-file
edit and the peak memory must grow by at most 1.5× (issue 16).

    python benchmarks/bench.py [--sizes 1000,10000] [--runs 3] [--jobs N] [--json out.json] [--quick]
    python benchmarks/bench.py --sizes 100000 --runs 1 --no-render --serial-max 0   # the province, once
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SUMMARY = re.compile(r"built (\d+), unchanged (\d+), removed (\d+) file\(s\), (\d+) warning\(s\), ([\d.]+)s")
GOALS = {"full_10k_s": 60.0, "noop_10k_s": 2.0, "render_ratio": 10.0, "incremental_share": 0.1, "noop_share": 0.05,
         "throughput": 1000.0, "parallel": 1.7, "growth_4x": 1.5}
EDITS = ("onefile", "rename", "move")  # the one-file edits: a target, the project's name, its unit


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---- running a command and measuring it --------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(d))
    return out


def _pss_kb(pid: int) -> int:
    for name, key in (("smaps_rollup", b"Pss:"), ("status", b"VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return 0


class _TreeSampler(threading.Thread):
    """Peak of the summed PSS of a process and its descendants, sampled from /proc (Linux only)."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.stopped = threading.Event()
        self.enabled = os.path.exists("/proc/self/stat")

    def run(self) -> None:
        while self.enabled and not self.stopped.is_set():
            kids = _children()
            todo, total = [self.pid], 0
            while todo:
                pid = todo.pop()
                total += _pss_kb(pid)
                todo.extend(kids.get(pid, ()))
            self.peak_kb = max(self.peak_kb, total)
            self.stopped.wait(self.interval)


def cpu_busy(interval: float = 0.5) -> float:
    """Share of all CPUs busy over ``interval`` (0..1), from /proc/stat; 0 where unavailable."""

    def snap() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            vals = [int(x) for x in fh.readline().split()[1:]]
        return sum(vals), vals[3] + vals[4]  # total, idle + iowait

    try:
        t1, i1 = snap()
        time.sleep(interval)
        t2, i2 = snap()
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, 1 - (i2 - i1) / max(1, t2 - t1))


def wait_quiet(max_wait: float, threshold: float = 0.1) -> float:
    """Wait (up to ``max_wait`` s) until other processes leave the CPUs idle; the last busy share seen."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(1.0)
    return busy


@dataclass
class Run:
    seconds: float
    cpu_s: float  # user + system time of the process and its workers
    maxrss_mib: float  # the largest single process of the tree
    tree_mib: float  # summed PSS over the tree, sampled (0 where /proc is missing)
    rc: int
    busy_before: float = 0.0  # share of the CPUs other processes used just before the run
    built: int | None = None
    unchanged: int | None = None
    internal_s: float | None = None  # the time perfgen itself reports


def run_cmd(args: list[str], cwd: Path, env: dict[str, str], settle: float = 0.0) -> tuple[Run, str]:
    busy = wait_quiet(settle) if settle > 0 else 0.0
    with tempfile.TemporaryFile("w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stopped.set()
        sampler.join()
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    run = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, sampler.peak_kb / 1024, rc,
              busy)
    if m := SUMMARY.search(stderr):
        run.built, run.unchanged, run.internal_s = int(m.group(1)), int(m.group(2)), float(m.group(5))
    return run, stderr


# ---- perfgen snapshot and the machine ----------------------------------------------------------------

def snapshot(work: Path) -> Path:
    """A copy of the checkout as a source tree (code, templates, schema, pyproject.toml), taken now."""
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("perfgen", "templates", "schema"):
        shutil.copytree(REPO / part, src / part, ignore=ignore)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / part, src / part)
    return src


def import_snapshot(src: Path) -> dict[str, str]:
    """The environment in which this interpreter imports perfgen from ``src`` (its checkout layout)."""
    # Byte-compile as `pip install` does: an installed perfgen starts from .pyc files, even where
    # PYTHONDONTWRITEBYTECODE keeps a checkout from caching them.
    compileall.compile_dir(str(src / "perfgen"), quiet=1)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [env.get("PYTHONPATH")])])
    return env


def install_snapshot(src: Path, work: Path) -> tuple[str, dict[str, str]]:
    """``pip install`` ``src`` into a new virtual environment; its python and environment."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           f"{src}[bench]"],  # with docxtpl, the second yardstick
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError("pip could not install perfgen into a fresh virtual environment (run again with "
                           f"--no-venv to import a snapshot with this interpreter instead):\n{proc.stderr[-2000:]}")
    return python, env


def _sh(args: list[str], **kw: Any) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60, **kw).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def describe_machine(python: str, env: dict[str, str]) -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    probe = ("import importlib.metadata as m, perfgen, perfgen.resources as r;"
             "print(perfgen.__version__, *(m.version(p) for p in ('python-docx','lxml','Jinja2','PyYAML')),"
             " r.builtin_templates_dir())")
    versions = _sh([python, "-c", probe], env=env).split()
    commit = _sh(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _sh(["git", "-C", str(REPO), "status", "--porcelain", "--", "perfgen", "templates", "schema"])
    names = ("perfgen", "python-docx", "lxml", "Jinja2", "PyYAML", "templates")
    info = dict(zip(names, versions, strict=False))
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} logical ({usable} usable)",
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "perfgen": f"{info.get('perfgen', '?')} (git {commit or '?'}{' + uncommitted changes' if dirty else ''})",
        "libraries": ", ".join(f"{k} {info.get(k, '?')}" for k in names[1:5]),
        "templates": info.get("templates", "?"),
    }


# ---- one size ----------------------------------------------------------------------------------------

@dataclass
class SizeResult:
    n: int
    jobs: int
    runs: int
    generate_s: float = 0.0
    validate: list[Run] = field(default_factory=list)
    full: list[Run] = field(default_factory=list)
    noop: list[Run] = field(default_factory=list)
    onefile: list[Run] = field(default_factory=list)  # a target changed (not on any listing)
    rename: list[Run] = field(default_factory=list)  # the project renamed (its unit's page changes)
    move: list[Run] = field(default_factory=list)  # the project moved to another unit (two pages change)
    serial: list[Run] = field(default_factory=list)  # full build with -j 1
    out_bytes: int = 0  # the output folder after a full build (cache excluded)
    docx_median: int = 0  # median .docx size
    render: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    busy: dict[str, list[float]] = field(default_factory=dict)  # measurement -> CPU share others used

    def notes(self) -> list[str]:
        out = list(self.problems)
        for what, shares in self.busy.items():
            out.append(f"{what}: {len(shares)} run(s) started while other processes used up to "
                       f"{max(shares):.0%} of the CPUs")
        return out

    def med(self, name: str, attr: str = "seconds") -> float:
        runs: list[Run] = getattr(self, name)
        return statistics.median(getattr(r, attr) for r in runs) if runs else float("nan")

    def peak(self, name: str, attr: str) -> float:
        runs: list[Run] = getattr(self, name)
        return max(getattr(r, attr) for r in runs) if runs else float("nan")


def _modify_one(path: Path, run: int) -> None:
    """Change the last ``≥NN%`` target of a goals file (the satisfaction line) to a new value."""
    text = path.read_text(encoding="utf-8")
    found = list(re.finditer(r'(target: "?(?:>=|≥))(\d+)(%)', text))
    if not found:
        raise RuntimeError(f"no percentage target to change in {path}")
    m = found[-1]
    path.write_text(f"{text[:m.start(2)]}{90 + run % 5}{text[m.end(2):]}", encoding="utf-8")


def _rename_one(path: Path, run: int) -> None:
    """Give a goals file's project a new name (its line on its unit's page changes)."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(r"^name: (?:（改\d+）)?", f"name: （改{run}）", text, count=1, flags=re.M)
    if not count:
        raise RuntimeError(f"no name to change in {path}")
    path.write_text(new, encoding="utf-8")


def _move_one(path: Path, run: int, units: list[str]) -> None:
    """Move a goals file's project to another unit (a ``unit:`` of its own over its folder's _defaults.yaml)."""
    text = re.sub(r"^unit: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    new, count = re.subn(r"^name: ", f"unit: {units[run % len(units)]}\nname: ", text, count=1, flags=re.M)
    if not count:
        raise RuntimeError(f"no name line in {path}")
    path.write_text(new, encoding="utf-8")


def _output_size(out: Path) -> tuple[int, int]:
    """Bytes in the output folder (its cache excluded) and the median .docx size."""
    total, docx = 0, []
    for p in out.rglob("*"):
        if p.is_file() and ".perfgen" not in p.relative_to(out).parts:
            size = p.stat().st_size
            total += size
            if p.suffix == ".docx":
                docx.append(size)
    return total, int(statistics.median(docx)) if docx else 0


def _check(result: SizeResult, what: str, run: Run, stderr: str, built: int | None = None) -> None:
    if run.rc != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{what} failed (exit {run.rc}) for N={result.n}:\n{tail}")
    if run.busy_before > 0.25:
        result.busy.setdefault(what, []).append(run.busy_before)
    if built is not None and run.built != built:
        result.problems.append(f"{what}: built {run.built} projects, expected {built}")


def bench_size(n: int, args: argparse.Namespace, python: str, env: dict[str, str], work: Path) -> SizeResult:
    generate = _load("perfgen_bench_generate", HERE / "generate.py").generate
    res = SizeResult(n, args.jobs, args.runs)
    repo = work / f"repo-{n}"
    start = time.perf_counter()
    files = generate(repo, n, args.seed)
    res.generate_s = time.perf_counter() - start
    perfgen = [python, "-m", "perfgen"]
    build = [*perfgen, "build", "--lang", "en", "--out", "build", "-j", str(args.jobs)]
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if not args.quiet else (lambda *a: None)
    say(f"N={n}: generated in {res.generate_s:.1f}s under {repo}")

    for _ in range(args.runs):
        run, err = run_cmd([*perfgen, "validate", "--lang", "en"], repo, env, args.settle)
        _check(res, "validate", run, err)
        res.validate.append(run)
    say(f"N={n}: validate {res.med('validate'):.2f}s")
    for _ in range(args.runs):
        shutil.rmtree(repo / "build", ignore_errors=True)
        run, err = run_cmd(build, repo, env, args.settle)
        _check(res, "full build", run, err, built=n)
        res.full.append(run)
    say(f"N={n}: full build {res.med('full'):.2f}s")
    for _ in range(args.runs):
        run, err = run_cmd(build, repo, env, args.settle)
        _check(res, "no-op rebuild", run, err, built=0)
        res.noop.append(run)
    say(f"N={n}: no-op rebuild {res.med('noop'):.2f}s")
    res.out_bytes, res.docx_median = _output_size(repo / "build")
    target = files[len(files) // 2]
    units = [name for name, _ in _load("perfgen_bench_generate", HERE / "generate.py").UNITS]
    edits = {"onefile": lambda i: _modify_one(target, i), "rename": lambda i: _rename_one(target, i),
             "move": lambda i: _move_one(target, i, units)}
    for what, edit in edits.items():
        for i in range(args.runs):
            edit(i)
            run, err = run_cmd(build, repo, env, args.settle)
            _check(res, f"one-file rebuild ({what})", run, err, built=1)
            getattr(res, what).append(run)
        say(f"N={n}: one-file rebuild ({what}) {res.med(what):.2f}s")
    if n <= args.serial_max:
        serial = [*perfgen, "build", "--lang", "en", "--out", "build-j1", "-j", "1"]
        for _ in range(args.runs):
            shutil.rmtree(repo / "build-j1", ignore_errors=True)
            run, err = run_cmd(serial, repo, env, args.settle)
            _check(res, "full build -j 1", run, err, built=n)
            res.serial.append(run)
        shutil.rmtree(repo / "build-j1", ignore_errors=True)
        say(f"N={n}: full build -j 1 {res.med('serial'):.2f}s")
    if args.no_render:
        return res

    sample = [f.relative_to(repo).as_posix() for f in files]
    step = max(1, len(sample) // max(1, args.render_sample))
    sample = sorted(sample[::step][: args.render_sample])
    busy = wait_quiet(args.settle) if args.settle > 0 else 0.0
    if busy > 0.25:
        res.busy.setdefault("render comparison", []).append(busy)
    proc = subprocess.run(
        [python, str(Path(__file__).resolve()), "--render-worker", str(repo),
         "--runs", str(args.runs), "--naive-sample", str(args.naive_sample)],
        input=json.dumps(sample), capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"single-worker render comparison failed:\n{proc.stderr[-3000:]}")
    res.render = json.loads(proc.stdout)
    say(f"N={n}: Word+HTML {res.render['ours_ms']:.2f} ms/project, naive Word {res.render['naive_ms']:.1f} "
        f"ms/project")
    return res


# ---- single worker: ours vs the naive python-docx script (runs in its own process) ---------------------

def render_worker(repo: Path, rels: list[str], runs: int, naive_sample: int) -> dict[str, Any]:
    from perfgen.load.loader import FsReader, Loader
    from perfgen.render.docx import DocxWriter
    from perfgen.render.html import HtmlRenderer
    from perfgen.resources import find_template, template_search_path

    naive = _load("perfgen_bench_naive_docx", HERE / "naive_docx.py")
    loader = Loader(FsReader(repo))
    projects = []
    for rel in rels:
        project, _ = loader.load_project(rel)
        if project is None:
            raise RuntimeError(f"{rel} did not load")
        projects.append(project)
    docx = DocxWriter(find_template("reference.docx", repo))
    html = HtmlRenderer(template_search_path(repo))
    docx.render(projects[0]), html.render_project(projects[0]), naive.render_naive(projects[0])  # warm up

    def per_project(fn: Any, items: list[Any]) -> list[float]:
        """Median over ``runs`` of each project's time, in ms."""
        times: list[list[float]] = [[] for _ in items]
        clock = time.perf_counter
        for _ in range(runs):
            for i, p in enumerate(items):
                t = clock()
                fn(p)
                times[i].append((clock() - t) * 1000)
        return [statistics.median(t) for t in times]

    docx_ms = per_project(docx.render, projects)
    html_ms = per_project(html.render_project, projects)
    from perfgen.forms.registry import default_form
    from perfgen.render.layout import layout
    from perfgen.render.xlsx import XlsxFormWriter

    xlsx, form = XlsxFormWriter(), default_form()
    xlsx_ms = per_project(lambda p: xlsx.render(p, layout(form, p)), projects)  # the form laid out, as docx does

    # The rest of one worker's pipeline per project (build._Worker.run), stage by stage.
    from perfgen.check import rules
    from perfgen.fsutil import atomic_write
    from perfgen.load.config import Config
    from perfgen.load.yamlnodes import load as parse_yaml

    config = Config()
    reader = FsReader(repo)
    data = {rel: reader.read(rel) or b"" for rel in rels}
    outputs = {rel: (docx.render(p), html.render_project(p)) for rel, p in zip(rels, projects, strict=True)}
    by_rel = dict(zip(rels, projects, strict=True))
    scratch = Path(tempfile.mkdtemp(prefix=".bench-", dir=repo))

    def write(rel: str) -> None:
        d, h = outputs[rel]
        atomic_write(scratch / f"{rel}.docx", d)
        atomic_write(scratch / f"{rel}.html", h)

    stages = {
        "read": per_project(reader.read, rels),
        "parse": per_project(lambda rel: parse_yaml(data[rel], rel), rels),
        "load": per_project(loader.load_project, rels),  # read + parse + schema + model
        "rules": per_project(lambda rel: rules.run(by_rel[rel], config), rels),
        "docx": docx_ms,
        "html": html_ms,
        "write": per_project(write, rels),
    }
    shutil.rmtree(scratch, ignore_errors=True)
    stage_ms = {k: statistics.median(v) for k, v in stages.items()}
    stage_ms["schema+model"] = max(0.0, stage_ms.pop("load") - stage_ms["read"] - stage_ms["parse"])
    both_ms = [d + h for d, h in zip(docx_ms, html_ms, strict=True)]
    k = max(1, min(naive_sample, len(projects)))
    idx = sorted({round(i * (len(projects) - 1) / max(1, k - 1)) for i in range(k)})
    naive_ms = per_project(naive.render_naive, [projects[i] for i in idx])
    ours_same = statistics.median(both_ms[i] for i in idx)
    docx_same = statistics.median(docx_ms[i] for i in idx)
    docxtpl_ms = None
    if importlib.util.find_spec("docxtpl") is not None:  # the second baseline: pip install docxtpl
        templated = _load("perfgen_bench_docxtpl", HERE / "docxtpl_form.py")
        templated.render_docxtpl(projects[0])  # warm up (makes its template once)
        docxtpl_ms = statistics.median(per_project(templated.render_docxtpl, [projects[i] for i in idx]))
    return {
        "projects": len(projects),
        "naive_projects": len(idx),
        "docx_ms": statistics.median(docx_ms),
        "html_ms": statistics.median(html_ms),
        "ours_ms": statistics.median(both_ms),
        "ours_ms_naive_sample": ours_same,
        "docx_ms_naive_sample": statistics.median(docx_ms[i] for i in idx),
        "naive_ms": statistics.median(naive_ms),
        "ratio": statistics.median(naive_ms) / ours_same,
        "ratio_docx_only": statistics.median(naive_ms) / docx_same,
        "xlsx_ms": statistics.median(xlsx_ms),
        "ratio_xlsx": statistics.median(xlsx_ms) / statistics.median(docx_ms),
        "docxtpl_ms": docxtpl_ms,
        "ratio_docxtpl": None if docxtpl_ms is None else docxtpl_ms / docx_same,
        "stages_ms": {k: stage_ms[k] for k in ("read", "parse", "schema+model", "rules", "docx", "html", "write")},
    }


# ---- report --------------------------------------------------------------------------------------------

def _n(n: int) -> str:
    return f"{n:,}"


def _ok(good: bool) -> str:
    return "✓" if good else "✗"


def table(machine: dict[str, str], everything: list[SizeResult], args: argparse.Namespace) -> str:
    results = everything
    cols = [f"N = {_n(r.n)}" for r in results]
    lines = [
        "## perfgen benchmark",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM, {machine['os']}",
        f"- Python {machine['python']}; perfgen {machine['perfgen']}; {machine['libraries']}",
        f"- perfgen: {machine.get('install', '')}; `-j {args.jobs}`, median of {args.runs} run(s); wall-clock of "
        "`python -m perfgen …` subprocesses (interpreter start-up included, warm file cache); peak memory is the "
        "largest run's",
        "",
        "| | " + " | ".join(cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]

    def row(label: str, fn: Any) -> None:
        if results:
            lines.append(f"| {label} | " + " | ".join(fn(r) for r in results) + " |")

    row("generate goals repo", lambda r: f"{r.generate_s:.1f} s")
    row("`perfgen validate`", lambda r: f"{r.med('validate'):.2f} s")
    row("validate: CPU time", lambda r: f"{r.med('validate', 'cpu_s'):.2f} s")
    row("validate: peak RSS", lambda r: f"{r.peak('validate', 'maxrss_mib'):.0f} MiB")
    row("**full build** (fresh `build/`)", lambda r: f"**{r.med('full'):.2f} s**")
    row("full build: projects / second", lambda r: f"{r.n / r.med('full'):,.0f}")
    row("full build: CPU time, all processes", lambda r: f"{r.med('full', 'cpu_s'):.1f} s")
    row("full build: peak RSS, largest process", lambda r: f"{r.peak('full', 'maxrss_mib'):.0f} MiB")
    row("full build: peak PSS, all processes", lambda r: f"{r.peak('full', 'tree_mib'):.0f} MiB")
    row("**no-op rebuild**", lambda r: f"**{r.med('noop'):.2f} s**")
    row("no-op: time perfgen reports (no start-up)", lambda r: f"{r.med('noop', 'internal_s'):.2f} s")
    row("**one-file rebuild**: a target changed", lambda r: f"**{r.med('onefile'):.2f} s**")
    row("… the project renamed", lambda r: f"{r.med('rename'):.2f} s")
    row("… the project moved to another unit", lambda r: f"{r.med('move'):.2f} s")
    row("no-op / full", lambda r: f"{r.med('noop') / r.med('full'):.3f}")
    row("one-file / full (target, rename, move)",
        lambda r: " / ".join(f"{r.med(e) / r.med('full'):.3f}" for e in EDITS))
    row("full build -j 1", lambda r: f"{r.med('serial'):.2f} s" if r.serial else "not run")
    row("**-j 1 / -j " + str(args.jobs) + "**",
        lambda r: f"**{r.med('serial') / r.med('full'):.2f}×**" if r.serial else "–")
    row("output folder (cache excluded)", lambda r: f"{r.out_bytes / 1024 / 1024:,.0f} MiB")
    row("median .docx", lambda r: f"{r.docx_median / 1024:.1f} KB")
    with_render = [r for r in results if r.render]
    if not with_render:  # every size run with --no-render
        results = []
    elif len(with_render) != len(results):  # some sizes run with --no-render: the per-project comparison apart
        lines.append("")
        lines.append("| | " + " | ".join(f"N = {_n(r.n)}" for r in with_render) + " |")
        lines.append("|---|" + "---:|" * len(with_render))
        results = with_render
    row("1 worker, perfgen Word + HTML per project",
        lambda r: f"{r.render['ours_ms']:.2f} ms ({r.render['docx_ms']:.2f} + {r.render['html_ms']:.2f})")
    row("1 worker, naive python-docx Word per project",
        lambda r: f"{r.render['naive_ms']:.1f} ms ({r.render['naive_projects']} projects)")
    row("**naive Word / perfgen Word+HTML**", lambda r: f"**{r.render['ratio']:.0f}×**")
    row("naive Word / perfgen Word", lambda r: f"{r.render['ratio_docx_only']:.0f}×")
    row("1 worker, docxtpl Word per project (same subset)",
        lambda r: "not installed" if r.render.get("docxtpl_ms") is None else f"{r.render['docxtpl_ms']:.1f} ms")
    row("**docxtpl Word / perfgen Word**",
        lambda r: "–" if r.render.get("ratio_docxtpl") is None else f"**{r.render['ratio_docxtpl']:.0f}×**")
    row("1 worker, perfgen Excel per project (goal ≤ 2× its Word)",
        lambda r: f"{r.render['xlsx_ms']:.2f} ms ({r.render['ratio_xlsx']:.1f}× Word) "
                  f"{_ok(r.render['ratio_xlsx'] <= 2)}")
    row("naive script for all N, 1 worker (extrapolated)",
        lambda r: f"{r.render['naive_ms'] * r.n / 1000:,.0f} s")
    row("1 worker, whole pipeline per project", lambda r: f"{sum(r.render['stages_ms'].values()):.2f} ms")
    row("… read / parse / schema+model / rules", lambda r: " / ".join(
        f"{r.render['stages_ms'][k]:.2f}" for k in ("read", "parse", "schema+model", "rules")) + " ms")
    row("… docx / html / write", lambda r: " / ".join(
        f"{r.render['stages_ms'][k]:.2f}" for k in ("docx", "html", "write")) + " ms")
    if results:
        lines += [
            "",
            "Per-project times: median over the sample of each project's median over the runs, rendering only "
            f"(projects loaded beforehand); perfgen on {results[0].render['projects']} projects, the naive "
            "script on an evenly spaced subset (the ratio uses the same subset). The naive script writes Word "
            "only; perfgen's time includes Word and HTML. Its N-project time is that median × N.",
        ]
    results = everything
    cols = [f"N = {_n(r.n)}" for r in results]
    lines += ["", "| goal | " + " | ".join(cols) + " |", "|---|" + ":---:|" * len(cols)]

    def goal(label: str, fn: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in results) + " |")

    def rendered(fn: Any) -> Any:
        return lambda r: fn(r) if r.render else "–"

    def grown(r: SizeResult, what: str, attr: str = "seconds", peak: bool = False) -> float | None:
        """``what`` at 4× the projects over ``what`` here (None: no size 4× this one was run)."""
        bigger = next((b for b in results if b.n == 4 * r.n), None)
        if bigger is None:
            return None
        if peak:
            return bigger.peak(what, attr) / r.peak(what, attr)
        return bigger.med(what, attr) / r.med(what, attr)

    paired = any(b.n == 4 * r.n for r in results for b in results)  # the growth goals need sizes 4× apart
    goal(f"≥ {GOALS['throughput']:,.0f} projects/s, full build, -j {args.jobs}",
         lambda r: f"{_ok(r.n / r.med('full') >= GOALS['throughput'])} {r.n / r.med('full'):,.0f}")
    goal(f"-j {args.jobs} ≥ {GOALS['parallel']}× faster than -j 1",
         lambda r: f"{_ok(r.med('serial') / r.med('full') >= GOALS['parallel'])} "
                   f"{r.med('serial') / r.med('full'):.2f}×" if r.serial else "–")
    goal("1 worker Word ≤ 1/40 of docxtpl", rendered(
        lambda r: "–" if r.render.get("ratio_docxtpl") is None
        else f"{_ok(r.render['ratio_docxtpl'] >= 40)} {r.render['ratio_docxtpl']:.0f}×"))
    goal("1 worker Word ≤ 1/100 of naive Word", rendered(
        lambda r: f"{_ok(r.render['ratio_docx_only'] >= 100)} {r.render['ratio_docx_only']:.0f}×"))
    goal("1 worker Word+HTML ≤ 1/10 of naive Word", rendered(
        lambda r: f"{_ok(r.render['ratio'] >= GOALS['render_ratio'])} {r.render['ratio']:.0f}×"))
    for edit, label in zip(EDITS, ("a target", "a rename", "a move to another unit"), strict=True):
        goal(f"one-file edit ({label}) ≤ 1/10 of full build",
             lambda r, e=edit: f"{_ok(r.med(e) <= GOALS['incremental_share'] * r.med('full'))} "
                               f"{r.med(e) / r.med('full'):.3f}")
        if paired:
            goal(f"… at 4× the projects ≤ {GOALS['growth_4x']}× as long",
                 lambda r, e=edit: "–" if (g := grown(r, e)) is None else f"{_ok(g <= GOALS['growth_4x'])} {g:.2f}×")
    goal(f"no-op ≤ 1/{1 / GOALS['noop_share']:.0f} of full build",
         lambda r: f"{_ok(r.med('noop') <= GOALS['noop_share'] * r.med('full'))} "
                   f"{r.med('noop') / r.med('full'):.3f}")
    goal("median .docx ≤ 12 KB", lambda r: f"{_ok(r.docx_median <= 12 * 1024)} {r.docx_median / 1024:.1f} KB")
    if paired:
        goal(f"peak memory at 4× the projects ≤ {GOALS['growth_4x']}×",
             lambda r: "–" if (g := grown(r, "full", "maxrss_mib", peak=True)) is None
             else f"{_ok(g <= GOALS['growth_4x'])} {g:.2f}×")
    big = [r for r in results if r.n == 10_000]
    if big:
        goal(f"full build of 10,000 ≤ {GOALS['full_10k_s']:.0f} s (2 cores)",
             lambda r: f"{_ok(r.med('full') <= GOALS['full_10k_s'])} {r.med('full'):.1f} s" if r.n == 10_000
             else "–")
    cores = os.cpu_count()
    if big and cores != 2:
        lines.append(f"\nThe 10,000-project targets are for 2 cores; this machine has {cores}.")
    problems = [f"- N={_n(r.n)}: {p}" for r in results for p in r.notes()]
    if problems:
        lines += ["", "**Anomalies** (the numbers above may not mean what they say):", *problems]
    return "\n".join(lines)


# ---- main ----------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="perfgen-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=None, help="project counts, comma-separated (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=None, help="runs per measurement; medians (default 3)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="perfgen build -j (default: CPUs)")
    ap.add_argument("--naive-sample", type=int, default=None,
                    help="projects the slow naive script renders per run (default 50); per-project median")
    ap.add_argument("--render-sample", type=int, default=None,
                    help="projects perfgen's renderers are timed on, single worker (default 500)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--settle", type=float, default=None,
                    help="before each run wait up to this many seconds for other processes to leave the CPUs "
                         "idle (default 15; 0 in --quick)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    ap.add_argument("--quick", action="store_true", help="smoke run: 40 projects, 1 run, small samples")
    ap.add_argument("--live", action="store_true", help="import perfgen from the checkout, not a snapshot")
    ap.add_argument("--no-venv", action="store_true",
                    help="import the snapshot with this interpreter (PYTHONPATH) instead of pip-installing it")
    ap.add_argument("--keep", action="store_true", help="keep the temporary goals repos")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--serial-max", type=int, default=20_000,
                    help="also time a -j 1 full build at sizes up to this many projects (default 20,000)")
    ap.add_argument("--no-render", action="store_true",
                    help="skip the single-worker comparison with python-docx and docxtpl (e.g. for 100,000)")
    ap.add_argument("--render-worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    quick = args.quick
    args.sizes = [int(x) for x in (args.sizes or ("40" if quick else "1000,10000")).split(",") if x.strip()]
    args.runs = args.runs or (1 if quick else 3)
    args.naive_sample = args.naive_sample or (2 if quick else 50)
    args.render_sample = args.render_sample or (10 if quick else 500)
    args.settle = (0.0 if quick else 15.0) if args.settle is None else args.settle
    if min(args.sizes) < 16 or args.runs < 1 or args.jobs < 1:
        ap.error("sizes must be ≥ 16, --runs and --jobs ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_worker is not None:
        rels = json.loads(sys.stdin.read())
        json.dump(render_worker(args.render_worker, rels, args.runs, args.naive_sample), sys.stdout)
        return 0
    with _workdir(args.keep) as work:
        python = sys.executable
        if args.live:
            env = dict(os.environ)
        elif args.no_venv:
            env = import_snapshot(snapshot(work))
        else:
            python, env = install_snapshot(snapshot(work), work)
        machine = describe_machine(python, env)
        machine["install"] = ("the checkout" if args.live else "a snapshot on PYTHONPATH" if args.no_venv
                              else "a snapshot pip-installed into a fresh venv")
        results = [bench_size(n, args, python, env, work) for n in args.sizes]
    report = table(machine, results, args)
    print(report)
    if args.json:
        data = {"machine": machine, "jobs": args.jobs, "runs": args.runs, "goals": GOALS,
                "sizes": [asdict(r) for r in results], "table": report}
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
