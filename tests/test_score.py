"""The scoring engine (perfgen/score): every rule and formula at its branches and boundaries, the rounding, and
properties over many values (issue 14 item 2)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from clitools import invoke
from hypothesis import given
from hypothesis import strategies as st
from sample_data import EXAMPLE_FILES, make_repo

from perfgen.model import Execution, Funds, Indicator, Project
from perfgen.score import (
    Settings,
    grade,
    percent,
    round2,
    rule_of,
    score_execution,
    score_line,
    score_project,
)

D = Decimal
CASES = Path(__file__).parent / "cases" / "validate"


def ind(target: str, actual: str = "", weight: float = 10, level1: str = "产出指标", scoring: str = "按照正常比例赋分",
        score: float | None = None) -> Indicator:
    return Indicator(level1=level1, level2="数量指标", name="x", target=target, weight=weight, scoring=scoring,
                     actual=actual, score=score, where={"_": None})  # type: ignore[dict-item]


def line(target: str, actual: str, weight: float = 10, settings: Settings | None = None,
         **kw: object) -> Decimal | None:
    return score_line(ind(target, actual, weight, **kw), settings or Settings()).score  # type: ignore[arg-type]


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("≥57560人", "57600人", D("10.00")),  # exceeded
    ("≥57560人", "57560人", D("10.00")),  # a = t
    ("≥100人", "95人", D("9.50")),  # missed: w × a ÷ t
    ("≥98%", "97.5%", D("9.95")),  # percent targets compare as numbers
    ("≥0人", "0人", D("10.00")),  # t = 0: a ≥ t, nothing to divide
    ("≥10人", "0人", D("0.00")),
])
def test_higher_is_better(target: str, actual: str, expected: Decimal) -> None:
    assert rule_of(ind(target)) == "higher"
    assert line(target, actual) == expected


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("≤0.42万元/次", "0.40万元/次", D("20.00")),  # under target
    ("≤0.42万元/次", "0.42万元/次", D("20.00")),  # a = t
    ("≤100万元", "150万元", D("10.00")),  # t < a < 2t: w × (1 − (a − t) ÷ t)
    ("≤100万元", "200万元", D("0.00")),  # a = 2t
    ("≤100万元", "250万元", D("0.00")),  # a > 2t
    ("=148.41万元", "160万元", D("18.44")),  # a cost line is lower-is-better whatever its operator
    ("≤0万元", "1万元", D("0.00")),  # t = 0 and over
])
def test_lower_is_better_for_cost(target: str, actual: str, expected: Decimal) -> None:
    assert line(target, actual, 20, level1="成本指标") == expected


def test_lower_is_better_by_operator_and_the_ratio_alternative() -> None:
    assert rule_of(ind("<5次")) == "lower"
    assert line("≤100人", "150人") == D("5.00")
    assert line("≤100人", "150人", settings=Settings({"lower": "ratio"})) == D("6.67")  # w × t ÷ a


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("=12次", "12次", D("10.00")), ("=12次", "13次", D("10.00")), ("=12次", "9次", D("7.50")),
    ("=0起", "0起", D("10.00")), ("=0起", "1起", D("0.00")),  # t = 0: a ≤ 0 full, else nothing
])
def test_equal(target: str, actual: str, expected: Decimal) -> None:
    assert rule_of(ind(target)) == "equal"
    assert line(target, actual) == expected


def test_equal_exact_alternative() -> None:
    assert line("=12次", "13次", settings=Settings({"equal": "exact"})) == D("0.00")


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("=100%", "100%", D("10")), ("=100%", "99%", D("0")), ("≥95%", "95%", D("10")), ("≥95%", "94.9%", D("0")),
    ("≤3天", "3天", D("10")), ("≤3天", "4天", D("0")),
])
def test_direct_scoring_follows_the_operator(target: str, actual: str, expected: Decimal) -> None:
    assert rule_of(ind(target, scoring="直接赋分")) == "direct"
    assert line(target, actual, scoring="直接赋分") == expected


def test_qualitative_lines_take_a_persons_score() -> None:
    assert rule_of(ind("有效提升")) == "qualitative"
    assert line("有效提升", "达成年度指标", score=9.5) == D("9.50")
    found = score_line(ind("有效提升", "达成年度指标"), Settings())
    assert found.score is None and found.problem == "yearend.score_missing"


def test_units_must_agree() -> None:
    found = score_line(ind("≥100人", "100次"), Settings())
    assert found.score is None and found.problem == "yearend.unit"
    assert score_line(ind("≥100人", "很多"), Settings()).problem == "yearend.actual_not_number"


@pytest.mark.parametrize(("value", "expected"), [
    (D("2.675"), D("2.68")), (D("2.665"), D("2.67")), (D("0.005"), D("0.01")), (D("9.994999"), D("9.99")),
    (D("9.995"), D("10.00")),
])
def test_rounding_is_half_up(value: Decimal, expected: Decimal) -> None:
    assert round2(value) == expected


def test_a_line_rounds_half_up() -> None:
    assert line("≥200人", "199人", weight=0.5) == D("0.50")  # 0.4975 -> 0.50
    assert line("≥8人", "7人", weight=10) == D("8.75")
    assert line("≥3人", "2人", weight=10) == D("6.67")  # 6.666… -> 6.67


def project(spent: float | None, adjusted: float | None = None, initial: float | None = None,
            lines: list[Indicator] | None = None) -> Project:
    return Project("goals/2023/x.yaml", "2023/x", 2023, "单位", "项目", Funds(100.0, 100.0), ["目标"],
                   lines or [], execution=Execution(initial, adjusted, spent))


@pytest.mark.parametrize(("spent", "adjusted", "initial", "choice", "rate", "points"), [
    (90, None, None, {}, "90.00%", D("9.00")),
    (100, None, None, {}, "100.00%", D("10.00")),
    (110, None, None, {}, "110.00%", D("10.00")),  # capped
    (110, None, None, {"execution": "uncapped"}, "110.00%", D("11.00")),
    (90, 120, None, {}, "75.00%", D("7.50")),  # against the adjusted budget
    (90, 120, None, {"execution_base": "initial"}, "90.00%", D("9.00")),  # against the initial one
    (56.2, None, 100, {}, "56.20%", D("5.62")),
    (10, 0, None, {}, "", D("0.00")),  # no budget
])
def test_execution(spent: float, adjusted: float | None, initial: float | None, choice: dict[str, str], rate: str,
                   points: Decimal) -> None:
    found = score_execution(project(spent, adjusted, initial), Settings(choice))
    assert found is not None
    assert percent(found.rate) == rate and found.score == points


def test_total_is_the_sum_of_rounded_lines_and_the_grade_follows() -> None:
    lines = [ind("≥3人", "2人", 45), ind("≥3人", "2人", 45)]  # 30.00 each (rounded), 60 + 9 = 69
    scored = score_project(project(90, lines=lines))
    assert scored is not None and scored.complete
    assert scored.total == D("69.00") and scored.grade == "中"
    assert [grade(D(x)) for x in ("90", "89.99", "80", "79.99", "60", "59.99")] == ["优", "良", "良", "中", "中", "差"]


def test_a_spring_project_is_not_scored() -> None:
    spring = Project("goals/2023/x.yaml", "2023/x", 2023, "单位", "项目", Funds(1.0), ["目标"], [ind("≥1人")])
    assert score_project(spring) is None


@given(st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
       st.decimals(min_value=D("0"), max_value=D("200000"), places=2),
       st.sampled_from([5, 10, 20]))
def test_scores_stay_within_the_weight(t: Decimal, a: Decimal, w: int) -> None:
    for target, level1 in ((f"≥{t}人", "产出指标"), (f"≤{t}万元", "成本指标"), (f"={t}次", "产出指标")):
        score = line(target, f"{a}{target[-1] if level1 != '成本指标' else '万元'}", w, level1=level1)
        assert score is not None and D(0) <= score <= D(w)


@given(st.decimals(min_value=D("1"), max_value=D("1000"), places=1),
       st.decimals(min_value=D("0"), max_value=D("1000"), places=1),
       st.decimals(min_value=D("0"), max_value=D("1000"), places=1))
def test_higher_is_monotone(t: Decimal, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    first, second = line(f"≥{t}人", f"{low}人"), line(f"≥{t}人", f"{high}人")
    assert first is not None and second is not None and first <= second


# ---- perfgen score ----------------------------------------------------------------------------------------

def score_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    text = (CASES / "yearend-complete-no-findings" / "goals" / "2023" / "a.yaml").read_text(encoding="utf-8")
    (repo / "goals" / "2023" / "10-year-end.yaml").write_text(
        re.sub(r"^name: .*$", "name: 年终示例项目", text, count=1, flags=re.M), encoding="utf-8")
    return repo


def test_the_score_command_lists_every_project(tmp_path: Path) -> None:
    repo = score_repo(tmp_path)
    result = invoke(repo, "score")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("年终示例项目 "))
    assert row.split()[1:] == ["99.47%", "9.95", "88.79", "98.74", "优"]
    assert result.output.count("未计分：没有年终数据") == len(EXAMPLE_FILES)
    doc = json.loads(invoke(repo, "score", "--format", "json").output)
    scored = [p for p in doc["projects"] if p["scored"]]
    assert len(scored) == 1 and scored[0]["total"] == "98.74" and scored[0]["grade"] == "优"
    assert [line["score"] for line in scored[0]["lines"]] == ["10.00", "10.00", "9.79", "10.00", "20.00", "9.00",
                                                              "10.00", "10.00"]
    rows = list(csv.reader(io.StringIO(invoke(repo, "score", "--format", "csv").output.lstrip("\ufeff"))))
    assert rows[0][:3] == ["文件", "项目名称", "执行率"] and rows[-1][-3:] == ["88.79", "98.74", "优"]


def test_scoring_rules_from_perfgen_yaml(tmp_path: Path) -> None:
    repo = score_repo(tmp_path)
    (repo / "perfgen.yaml").write_text("scoring_rules:\n  execution_base: initial\n", encoding="utf-8")
    doc = json.loads(invoke(repo, "score", "--format", "json").output)
    scored = next(p for p in doc["projects"] if p["scored"])
    assert scored["execution_rate"] == "100.54%" and scored["execution_score"] == "10.00"  # 1790.5 ÷ 1780.91, capped
    (repo / "perfgen.yaml").write_text("scoring_rules:\n  lower: nonsense\n", encoding="utf-8")
    bad = invoke(repo, "score")
    assert bad.exit_code == 1 and "scoring_rules" in bad.output


def test_errors_are_reported_not_scored(tmp_path: Path) -> None:
    repo = score_repo(tmp_path)
    path = repo / "goals" / "2023" / "10-year-end.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("actual: 57600人", "actual: 57600次"), encoding="utf-8")
    result = invoke(repo, "score")
    assert result.exit_code == 1 and "[PG150]" in result.output and "98.74" not in result.output


def test_a_warning_found_while_listing_files_does_not_stop_the_scores(tmp_path: Path) -> None:
    repo = score_repo(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (repo / "goals" / "linked").symlink_to(tmp_path / "elsewhere")  # PG018, a warning: the folder is not read
    result = invoke(repo, "score")
    assert result.exit_code == 0, result.output
    assert "98.74" in result.output and "错误" not in result.output


def test_an_error_in_a_shared_defaults_file_is_listed_once(tmp_path: Path) -> None:
    repo = score_repo(tmp_path)
    defaults = repo / "goals" / "2023" / "_defaults.yaml"
    defaults.write_text(defaults.read_text(encoding="utf-8") + "weigth: 10\n", encoding="utf-8")
    result = invoke(repo, "score")
    assert result.exit_code == 1 and "98.74" not in result.output
    assert result.output.count("goals/2023/_defaults.yaml:") == 1, result.output


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    repo = score_repo(tmp_path)
    path = repo / "goals" / "2023" / EXAMPLE_FILES[0].name
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^name: .*$", 'name: "=HYPERLINK(\\"http://x\\")"', text, count=1, flags=re.M),
                    encoding="utf-8")
    out = invoke(repo, "score", "--format", "csv").output
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out
