"""`perfgen validate` never crashes: whatever the goals repo holds, it exits 0 or 1 with diagnostics.

Hypothesis feeds arbitrary bytes, arbitrary YAML documents, project-shaped documents with odd values, and
mutations of the nine example files (lines deleted, characters inserted, indentation changed). The quick
tests run a fixed number of examples in the default run; the costly ones are marked slow and take their number
from the hypothesis profile (conftest.py: 100 by default, 500 with HYPOTHESIS_PROFILE=ci, as .ci/run does).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_data import EXAMPLE_FILES, EXAMPLES_DIR

from perfgen.cli.main import main
from perfgen.diagnostics import i18n

EXAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLE_FILES]
DEFAULTS_TEXT = (EXAMPLES_DIR / "_defaults.yaml").read_text(encoding="utf-8")

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: the profile's


@contextlib.contextmanager
def goals_repo(files: dict[str, bytes]) -> Iterator[Path]:
    """A throwaway goals repo (not tmp_path: function-scoped fixtures and @given do not mix)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield root


def validate_never_crashes(files: dict[str, bytes], *args: str) -> str:
    with goals_repo(files) as root, contextlib.chdir(root):
        i18n.set_lang("zh")
        result = CliRunner().invoke(main, ["validate", *args], prog_name="perfgen")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return result.output


# ---- (a) arbitrary bytes --------------------------------------------------------------------------------

YAMLISH_BYTES = st.lists(st.sampled_from([
    b"\n", b" ", b"  ", b"\t", b":", b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"<<: ", b"!!",
    b"!tag ", b"? ", b"|", b">", b">=", b"'", b'"', b"#", b"---", b"...", b"%YAML 1.2", b"\x00", b"\xef\xbb\xbf",
    b"\xff\xfe", b"\r\n", b"year", b"name", b"weight", b"indicators", b"\xe4\xba\xa7\xe5\x87\xba", b"\xb2\xfa",
    b"1e999", b"0x1F", b"2023-01-01", b"null", b"true", b"~", b"\\u0000", b"1" * 50,
]), max_size=60).map(b"".join)


@settings(FUZZ, max_examples=150)
@given(data=st.one_of(st.binary(max_size=2000), YAMLISH_BYTES))
def test_arbitrary_bytes_as_a_goals_file(data: bytes) -> None:
    validate_never_crashes({"goals/2023/a.yaml": data})


@settings(FUZZ, max_examples=150)
@given(defaults=st.one_of(st.binary(max_size=500), YAMLISH_BYTES),
       config=st.one_of(st.binary(max_size=500), YAMLISH_BYTES))
def test_arbitrary_bytes_as_defaults_and_config(defaults: bytes, config: bytes) -> None:
    validate_never_crashes({"goals/2023/_defaults.yaml": defaults, "perfgen.yaml": config,
                            "goals/2023/a.yaml": EXAMPLE_TEXTS[0].encode()}, "--lang", "en")


# ---- (b) arbitrary YAML documents ----------------------------------------------------------------------

KEYS = ["year", "unit", "name", "leader", "code", "funds", "total", "fiscal", "other", "objectives", "indicators",
        "target", "basis", "last_year", "weight", "scoring", "evidence", "note", "weight_total", "rules", "PG102",
        "产出指标", "成本指标", "效益指标", "满意度指标", "数量指标", "质量指标", "时效指标",
        "经济成本指标", "社会效益指标"]
CHINESE = st.sampled_from("产出成本效益满意度指标率次人元万≥≤＝＞＜.（）【】")
TEXT = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), CHINESE), max_size=20)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True), TEXT, st.sampled_from(["yes", "no", "on", "off", "0755", "1.10",
                                                                          "2023-01-01", "=", "≥", "1e400", ""]),
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), TEXT), inner, max_size=6)),
    max_leaves=40,
)


def dump(doc: object) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


@pytest.mark.slow
@FUZZ
@given(doc=DOCS, flow=st.booleans())
def test_arbitrary_yaml_documents(doc: object, flow: bool) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=flow)
    validate_never_crashes({"goals/2023/a.yaml": text.encode("utf-8")})


# Project-shaped documents get past the schema, so the domain checks see odd values too.
NUMBER = st.one_of(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=1e6),
                   st.sampled_from([0, 0.0000001, 5.1234567, 1e308]))
OPS = st.sampled_from(["", "=", "＝", "==", "≥", ">=", "＞＝", "≧", ">", "＞", "≤", "<=", "＜＝", "≦", "<", "＜"])
UNITS = st.sampled_from(["", "%", "人", "次", "万元", "元", "万元/次", "元/人/月", "元/人/年", "万次", "/",
                         "万元/次/人", "元/季度", "年", "月"])
TARGETS = st.one_of(
    st.builds(lambda op, n, u: f"{op}{n}{u}", OPS, st.one_of(st.integers(0, 100000), st.decimals(0, 1000, places=3)),
              UNITS),
    st.sampled_from(["有效提高", "优良", "2021年1月-12月", "44561", "≥%", "= 8", "", " "]), TEXT, NUMBER,
)
LEVEL1 = st.sampled_from(["产出指标", "成本指标", "效益指标", "满意度指标", "时效指标", "其他"])
LEVEL2 = st.sampled_from(["数量指标", "质量指标", "时效指标", "成本指标", "经济成本指标", "社会效益指标",
                          "满意度指标", "x"])
INDICATOR = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["发放补助次数", "受益人员满意度", "每次发放", "每月发放", "每季度拨付",
                                        "资金到位率"]), TEXT.filter(bool)),
     "target": TARGETS,
     "weight": st.one_of(st.integers(1, 90), st.floats(min_value=0.001, max_value=1e6))},
    optional={"basis": st.sampled_from(["历史标准", "预算支出标准", "其他"]),
              "scoring": st.sampled_from(["按照正常比例赋分", "直接赋分", "按评判等级赋分", "?"]),
              "evidence": TEXT, "last_year": TARGETS, "note": TEXT},
)
PROJECT = st.fixed_dictionaries({
    "year": st.integers(2000, 2100),
    "unit": st.just("库尔勒市社会保险中心"),
    "name": TEXT.filter(bool),
    "funds": st.fixed_dictionaries({"total": NUMBER}, optional={"fiscal": NUMBER, "other": NUMBER}),
    "objectives": st.lists(TEXT.filter(bool), min_size=1, max_size=3),
    "indicators": st.dictionaries(LEVEL1, st.dictionaries(LEVEL2, st.lists(INDICATOR, min_size=1, max_size=3),
                                                          min_size=1, max_size=3), min_size=1, max_size=4),
})
CONFIGS = st.fixed_dictionaries({}, optional={
    "weight_total": st.sampled_from([90, 100, 0.5]),
    "cost_tolerance": st.sampled_from([0.05, 0.000001, 10]),
    "rules": st.dictionaries(st.sampled_from(["PG101", "PG102", "PG118", "PG119", "PG001", "pg113"]),
                             st.sampled_from(["off", "error", "warning"]), max_size=3),
})


@pytest.mark.slow
@FUZZ
@given(project=PROJECT, config=CONFIGS, args=st.sampled_from([(), ("--strict",), ("--lang", "en"),
                                                              ("--format", "json"), ("--format", "github")]))
def test_project_shaped_documents(project: dict[str, object], config: dict[str, object],
                                  args: tuple[str, ...]) -> None:
    validate_never_crashes({"goals/2023/a.yaml": dump(project), "perfgen.yaml": dump(config)}, *args)


# ---- mutations of the example files --------------------------------------------------------------------

INSERTS = st.sampled_from([":", " ", "  ", "\t", "-", "- ", "[", "]", "{", "}", "\"", "'", "#", ">", "|", "&", "*",
                           "!", "?", ",", "\n", "\r", "产", "≥", "％", "\u3000", "\ufeff", "\x00", "\x85", "\u2028"])


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(EXAMPLE_TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "insert", "indent", "dedent", "duplicate", "swap"]))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "insert":
            col = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + draw(INSERTS) + lines[i][col:]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 4)) + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 4)):]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "\n".join(lines)


@pytest.mark.slow
@FUZZ
@given(text=mutated_example(), with_defaults=st.booleans())
def test_mutated_examples(text: str, with_defaults: bool) -> None:
    files = {"goals/2023/a.yaml": text.encode("utf-8")}
    if with_defaults:
        files["goals/2023/_defaults.yaml"] = DEFAULTS_TEXT.encode("utf-8")
    validate_never_crashes(files)


@settings(FUZZ, max_examples=100)
@given(text=mutated_example())
def test_mutated_defaults(text: str) -> None:
    validate_never_crashes({"goals/2023/_defaults.yaml": text.encode("utf-8"),
                            "goals/2023/a.yaml": EXAMPLE_TEXTS[1].encode("utf-8"),
                            "goals/2023/b.yaml": EXAMPLE_TEXTS[2].encode("utf-8")}, "--format", "json")


def test_the_examples_themselves_pass() -> None:
    """The mutations start from files that validate (warnings only): a crash is the mutation's doing."""
    files = {f"goals/2023/{p.name}": p.read_bytes() for p in EXAMPLE_FILES}
    files["goals/2023/_defaults.yaml"] = DEFAULTS_TEXT.encode("utf-8")
    out = validate_never_crashes(files, "--lang", "en")
    assert out.splitlines()[-1].startswith(f"checked {len(EXAMPLE_FILES)} file(s): 0 error(s), ")
