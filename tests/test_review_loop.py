"""Issue-level acceptance: the review loop in a repo made by `perfgen init`, and a goals folder written
from docs/goals-format.md alone by someone else."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from clitools import git, invoke


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".perfgen" not in p.parts}


@pytest.fixture
def init_repo(tmp_path: Path) -> Iterator[Path]:
    """A goals repository made by ``perfgen init`` and committed (not the shared ``repo`` of the examples)."""
    root = tmp_path / "goals-repo"
    assert invoke(tmp_path, "init", str(root)).exit_code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    yield root


def test_pull_request_loop(init_repo: Path) -> None:
    example = init_repo / "goals" / "2024" / "01-example.yaml"
    example.write_text(example.read_text(encoding="utf-8").replace('target: "=12次"', 'target: "=11次"'),
                       encoding="utf-8")
    git(init_repo, "commit", "-qam", "change one target")

    diff = invoke(init_repo, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert diff.exit_code == 0, diff.output
    assert "补差发放次数" in diff.output and "=12次" in diff.output and "=11次" in diff.output
    assert re.search(r"^\| .*补差发放次数 \| 指标值 \| =12次 \| =11次 \|$", diff.output, re.M)  # a table row

    check = invoke(init_repo, "fmt", "--check")
    assert check.exit_code == 0, check.output

    annotations = invoke(init_repo, "validate", "--format", "github")
    assert annotations.exit_code == 0, annotations.output
    assert "Traceback" not in annotations.output

    assert invoke(init_repo, "build", "--out", "first").exit_code == 0
    assert invoke(init_repo, "build", "--out", "second", "--force").exit_code == 0
    assert hashes(init_repo / "first") == hashes(init_repo / "second")
    assert len(list((init_repo / "first").rglob("*.docx"))) == 1


def test_github_annotations_point_at_the_line(init_repo: Path) -> None:
    example = init_repo / "goals" / "2024" / "01-example.yaml"
    text = example.read_text(encoding="utf-8")
    example.write_text(text.replace("weight: 20", "weight: 25", 1), encoding="utf-8")
    result = invoke(init_repo, "validate", "--format", "github")
    assert result.exit_code == 1
    line = next(ln for ln in result.output.splitlines() if "PG101" in ln)
    assert line.startswith("::error file=goals/2024/01-example.yaml,line=")


FORMAT_STYLE = """\
# yaml-language-server: $schema=../../schema/project.schema.json
name: 部门专项-城乡居民社会养老保险财政配套
code: "652801-23-0007"
funds:
  total: 1780.91
  fiscal: 1780.91
  other: 0
objectives:
  - 保障57560余名城乡居民养老保险参保人员正常领取待遇，发放补助12次。
  - 社会保险履职服务保障工作水平得到提升，社会保险政策知晓率达到95%以上。
indicators:
  产出指标:
    数量指标:
      - name: 核定城乡居民养老保险
        target: ≥57560人
        basis: 历史标准
        last_year: 52000人
        weight: 30
        scoring: 按照正常比例赋分
        evidence: 工作资料
      - {name: 发放补助次数, target: "=12次", basis: 历史标准, weight: 10, scoring: 按照正常比例赋分,
         evidence: 工作资料}
  成本指标:
    经济成本指标:
      - {name: 每次发放(补助), target: "≤148.41万元", basis: 预算支出标准, last_year: 136.71万元,
         weight: 20, scoring: 按照正常比例赋分, evidence: 原始凭证}
  效益指标:
    社会效益指标:
      - {name: 社会保险履职服务, target: 有效提升, basis: 历史标准, weight: 20, scoring: 按评判等级赋分,
         evidence: 工作资料}
  满意度指标:
    满意度指标:
      - {name: 受益人员满意度, target: "≥98%", basis: 历史标准, weight: 10, scoring: 满意度赋分, evidence: 说明材料}
"""


def test_a_repo_written_from_format_md_alone(tmp_path: Path) -> None:
    goals = tmp_path / "goals"
    (goals / "xj" / "2023").mkdir(parents=True)
    (goals / "_defaults.yaml").write_text("unit: 某某单位\nleader: 张琪悦\n", encoding="utf-8")
    (goals / "xj" / "_defaults.yaml").write_text("year: 2023\nunit: 库尔勒市社会保险中心\n", encoding="utf-8")
    (goals / "xj" / "2023" / "配套.yaml").write_text(FORMAT_STYLE, encoding="utf-8")
    result = invoke(tmp_path, "validate")
    assert result.exit_code == 0, result.output
    assert invoke(tmp_path, "build").exit_code == 0
    document = docx.Document(str(tmp_path / "build" / "xj" / "2023" / "配套.docx"))
    head, table = document.tables
    assert head.rows[0].cells[2].text == "库尔勒市社会保险中心"  # the nearer _defaults.yaml wins
    assert head.rows[1].cells[7].text == "张琪悦"  # inherited from the outer one
    assert [p.text for p in document.paragraphs if p.text][1] == "(2023年)"
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows[1] == ["产出指标", "数量指标", "发放补助次数", "=12次", "历史标准", "", "10", "按照正常比例赋分",
                       "工作资料"]
    assert rows[2][:4] == ["成本指标", "经济成本指标", "每次发放(补助)", "≤148.41万元"]
    assert len(rows) == 5
