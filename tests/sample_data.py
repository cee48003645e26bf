"""What the tests share: the nine example projects, the seed text they were typed from, a goals repository
made of them, projects built in code, and :func:`project_values` (what a project means, to compare two).

conftest.py hands these out as fixtures (``repo``, ``make_project``, ``seed_text``); a test module that needs
them while it is imported (a ``parametrize`` list, a module constant) imports them from here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from perfgen.fmt.scalars import normalize_target
from perfgen.load.loader import FsReader, Loader
from perfgen.model import Funds, Indicator, Project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "goals" / "2023"
EXAMPLE_FILES = sorted(EXAMPLES_DIR.glob("0*.yaml"))  # the nine projects; beside them, their _defaults.yaml
EXAMPLES_UNIT = "库尔勒市社会保险中心"  # the unit _defaults.yaml gives the nine examples
# The PDF text the examples were typed from: nine printed tables, three of them with misaligned rows. It is
# also the input of the import case of the same name, which is why it lives in that case's folder.
SEED_TEXT = ROOT / "tests" / "cases" / "import" / "seed" / "seed.txt"


def make_repo(dest: Path, units: int = 0) -> Path:
    """A goals repository at ``dest`` holding the nine examples: in ``goals/2023`` as they stand or, given
    ``units``, repeated in that many unit folders ``goals/unitNN/2023`` (each _defaults.yaml naming 单位NN)."""
    if not units:
        shutil.copytree(EXAMPLES_DIR, dest / "goals" / "2023")
        return dest
    defaults = (EXAMPLES_DIR / "_defaults.yaml").read_text(encoding="utf-8")
    for number in range(units):
        folder = dest / "goals" / f"unit{number:02d}" / "2023"
        folder.mkdir(parents=True)
        (folder / "_defaults.yaml").write_text(defaults.replace(EXAMPLES_UNIT, f"单位{number:02d}"), encoding="utf-8")
        for example in EXAMPLE_FILES:
            shutil.copy(example, folder / example.name)
    return dest


def example_projects() -> list[Project]:
    """The nine examples as perfgen loads them, in file order."""
    result = Loader(FsReader(ROOT)).load_all(["goals/2023"])
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.message for d in result.diagnostics]
    assert len(result.projects) == len(EXAMPLE_FILES)
    return result.projects


def make_project(rows: Iterable[Sequence[Any]], **fields: Any) -> Project:
    """A project built in code: ``rows`` in the form's nine columns (一级, 二级, 三级, 指标值, 依据, 上年完成值,
    权重, 赋分规则, 佐证资料) are its indicators; the rest is seed table 1's header unless ``fields`` say otherwise."""
    indicators = [
        Indicator(level1=level1, level2=level2, name=name, target=target, basis=basis, last_year=last_year,
                  weight=float(weight), scoring=scoring, evidence=evidence)
        for level1, level2, name, target, basis, last_year, weight, scoring, evidence in rows
    ]
    header: dict[str, Any] = {
        "source": "goals/2023/seed1.yaml",
        "output_stem": "2023/seed1",
        "year": 2023,
        "unit": EXAMPLES_UNIT,
        "name": "2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资",
        "leader": "张琪悦",
        "funds": Funds(total=5, fiscal=5, other=0),
        "objectives": ["领取退休人员待遇补差3人，发放补助次数12次。", "提高领取退休补差人员生活水平。"],
    }
    return Project(**{**header, **fields, "indicators": indicators})


def project_values(project: Project) -> dict[str, Any]:
    """Everything a project means (no positions), targets with their operator spelling normalised: two
    projects read from different text (fmt's output and its input, an import and its source) compare equal."""
    f = project.funds
    return {
        "year": project.year, "unit": project.unit, "name": project.name, "leader": project.leader,
        "code": project.code, "funds": (f.total, f.fiscal, f.other), "objectives": list(project.objectives),
        "indicators": [(i.level1, i.level2, i.name, normalize_target(i.target), i.basis, i.last_year, i.weight,
                        i.scoring, i.evidence, i.note) for i in project.indicators],
    }
