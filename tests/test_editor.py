"""The schema as editors and other tools see it (issue 15, items 1 and 2): a file perfgen accepts shows no schema
error in check-jsonschema or in yaml-language-server (the YAML server of VS Code and other editors), a broken file
does, and the server offers the form's vocabulary and Chinese help.

yaml-language-server is driven over stdio as an editor drives it (tests/lsp_client.py); it comes from npm
(`npm install -g yaml-language-server`, which .ci/run does). check-jsonschema is a test dependency.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import invoke
from lsp_client import LspClient, server_command
from render_tools import in_ci
from sample_data import EXAMPLE_FILES, EXAMPLES_DIR, ROOT

from perfgen.scaffold import defaults_schema

SCHEMA_DIR = ROOT / "schema"
BROKEN = """\
# yaml-language-server: $schema=../../schema/project.schema.json
name: 测试项目
funds:
  total: 十万
objectives:
  - 完成任务。
indicators:
  产出指标:
    数量指标:
      - name: 发放次数
        target: =12次
        weigth: 10
"""


def check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    return subprocess.run([exe, "--schemafile", str(schema), *map(str, files)], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A goals repository as `perfgen init` makes it."""
    repo = tmp_path_factory.mktemp("editor") / "repo"
    result = invoke(repo.parent, "init", str(repo))
    assert result.exit_code == 0, result.output
    return repo


def test_the_defaults_schema_is_the_one_init_writes() -> None:
    """schema/defaults.schema.json (which the examples' _defaults.yaml names) is what `perfgen init` derives."""
    project = json.loads((SCHEMA_DIR / "project.schema.json").read_text(encoding="utf-8"))
    shipped = (SCHEMA_DIR / "defaults.schema.json").read_text(encoding="utf-8")
    assert shipped == json.dumps(defaults_schema(project), ensure_ascii=False, indent=2) + "\n", (
        "regenerate schema/defaults.schema.json from schema/project.schema.json (perfgen.scaffold.defaults_schema)")
    assert (EXAMPLES_DIR / "_defaults.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schema/defaults.schema.json\n")


def test_check_jsonschema_accepts_what_perfgen_accepts(initialised: Path) -> None:
    assert invoke(initialised, "validate").exit_code == 0
    for repo in (ROOT, initialised):
        goals = sorted((repo / "goals").rglob("*.yaml"))
        projects = [p for p in goals if p.name != "_defaults.yaml"]
        defaults = [p for p in goals if p.name == "_defaults.yaml"]
        assert projects and defaults
        for schema, files in ((repo / "schema" / "project.schema.json", projects),
                              (repo / "schema" / "defaults.schema.json", defaults)):
            done = check_jsonschema(schema, *files)
            assert done.returncode == 0, done.stdout + done.stderr


def test_check_jsonschema_still_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    done = check_jsonschema(SCHEMA_DIR / "project.schema.json", broken)
    assert done.returncode == 1
    assert "weigth" in done.stdout and "十万" in done.stdout


# ---- yaml-language-server ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(initialised: Path) -> Iterator[tuple[LspClient, Path]]:
    command = server_command()
    if command is None:
        if in_ci():
            pytest.fail("yaml-language-server is not installed (npm install -g yaml-language-server)")
        pytest.skip("yaml-language-server is not installed (npm install -g yaml-language-server)")
    work = initialised.parent / "work"
    shutil.copytree(ROOT / "goals", work / "goals")
    shutil.copytree(SCHEMA_DIR, work / "schema")
    client = LspClient(command, work)
    yield client, work
    client.close()


def test_the_yaml_server_accepts_every_valid_file(server: tuple[LspClient, Path], initialised: Path) -> None:
    client, work = server
    files = [work / "goals" / "2023" / p.name for p in EXAMPLE_FILES] + [work / "goals" / "2023" / "_defaults.yaml"]
    files += sorted((initialised / "goals").rglob("*.yaml"))
    found = client.diagnose_all(files)
    assert len(found) == len(files) > 10
    for path, diagnostics in zip(files, found, strict=True):
        assert diagnostics == [], path.name


def test_the_yaml_server_reports_a_broken_file_in_chinese(server: tuple[LspClient, Path]) -> None:
    client, work = server
    broken = work / "goals" / "2023" / "zz-broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    found = {(d["range"]["start"]["line"], d["message"]) for d in client.diagnose(broken)}
    lines = {line for line, _ in found}
    assert {3, 11} <= lines, found  # total: 十万 (a number expected), weigth (no such key)
    messages = " ".join(message for _, message in found)
    assert "数字" in messages and "weight" in messages, found


def _line_of(path: Path, prefix: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if line.strip()
                .startswith(prefix))


@pytest.mark.parametrize(("key", "expected"), [
    ("basis", {"历史标准", "行业标准", "计划标准", "预算支出标准"}),
    ("scoring", {"按照正常比例赋分", "直接赋分", "按评判等级赋分"}),
    ("evidence", {"工作资料", "原始凭证"}),
])
def test_the_yaml_server_completes_the_vocabulary(server: tuple[LspClient, Path], key: str,
                                                  expected: set[str]) -> None:
    client, work = server
    path = work / "goals" / "2023" / "zz-complete.yaml"
    text = (EXAMPLES_DIR / "01-yuanshuili-buchai.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    line = _line_of(path, f"{key}:")
    lines = text.splitlines()
    lines[line] = lines[line].split(":")[0] + ": "
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    client.diagnose(path, settle=0.2)
    labels = {item["label"] for item in client.complete(path, line, len(lines[line]))}
    assert expected <= labels, labels


def test_the_yaml_server_completes_the_categories(server: tuple[LspClient, Path]) -> None:
    client, work = server
    path = work / "goals" / "2023" / "zz-categories.yaml"
    text = (EXAMPLES_DIR / "01-yuanshuili-buchai.yaml").read_text(encoding="utf-8")
    head = text.split("indicators:")[0] + "indicators:\n  \n"
    path.write_text(head, encoding="utf-8")
    line = len(head.splitlines()) - 1
    client.diagnose(path, settle=0.2)
    labels = {item["label"] for item in client.complete(path, line, 2)}
    assert {"产出指标", "成本指标", "效益指标", "满意度指标"} <= labels, labels
    path.write_text(text.split("indicators:")[0] + "indicators:\n  效益指标:\n    \n", encoding="utf-8")
    client.diagnose(path, settle=0.2)
    labels = {item["label"] for item in client.complete(path, line + 1, 4)}
    assert {"社会效益指标", "经济效益指标", "生态效益指标", "可持续影响指标"} <= labels, labels


def test_the_yaml_server_explains_keys_in_chinese(server: tuple[LspClient, Path]) -> None:
    client, work = server
    path = work / "goals" / "2023" / EXAMPLE_FILES[0].name
    client.diagnose(path, settle=0.2)
    line = _line_of(path, "basis:")
    text = client.hover(path, line, 10)
    assert "指标值设置依据" in text and "历史标准" in text


def test_the_schema_is_in_step_with_perfgen() -> None:
    """The vocabulary, messages and defaults schema are generated from perfgen's own lists (tools/sync_schema.py)."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_schema.py"), "--check"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_words_outside_the_vocabulary_are_no_schema_error(server: tuple[LspClient, Path]) -> None:
    """perfgen only warns about other words (PG122-PG124): the editor must not mark them as errors."""
    client, work = server
    path = work / "goals" / "2023" / "zz-words.yaml"
    text = (EXAMPLES_DIR / "01-yuanshuili-buchai.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("历史标准", "本单位自定标准").replace("工作资料", "会议纪要"), encoding="utf-8")
    assert client.diagnose(path) == []
