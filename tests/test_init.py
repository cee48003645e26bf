"""perfgen init: every file written, the new repo loads cleanly, nothing is overwritten without --force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from sample_data import ROOT

from perfgen import scaffold
from perfgen.cli.main import main
from perfgen.forms.choice import settle_forms
from perfgen.load.config import load_config
from perfgen.load.loader import FsReader, Loader
from perfgen.resources import schema_path

EXPECTED_FILES = [
    "perfgen.yaml",
    "goals/2024/_defaults.yaml",
    "goals/2024/01-example.yaml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".github/workflows/perfgen.yml",
    ".github/workflows/perfgen-matrix.yml",
    ".vscode/settings.json",
    ".vscode/extensions.json",
    "schema/project.schema.json",
    "schema/defaults.schema.json",
    "schema/form.schema.json",
]



def init(*args: str) -> Result:
    return CliRunner().invoke(main, ["init", *args], catch_exceptions=False)


@pytest.fixture
def new_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    result = init("tmp")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "tmp"


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_creates_every_file(new_repo: Path) -> None:
    assert files_under(new_repo) == sorted(EXPECTED_FILES)
    assert files_under(new_repo) == sorted(f.path for f in scaffold.plan())


def test_reports_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = init("tmp").stdout
    assert out.startswith("已创建目标仓库 tmp（12 个文件）：\n  perfgen.yaml\n")
    assert "cd tmp && git init" in out


def test_every_template_file_is_written() -> None:
    """A file added under templates/init/ but not to the manifest would silently never reach a user."""
    base = scaffold.init_dir()
    assert files_under(base) == sorted(src for src, _ in scaffold.MANIFEST)


def test_the_new_repo_loads_without_errors(new_repo: Path) -> None:
    result = Loader(FsReader(new_repo)).load_all(["goals"])
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    (project,) = result.projects
    assert (project.year, project.unit, project.leader) == (2024, "示例预算单位", "张三")
    assert project.weight_total() == 90
    assert project.funds.total == project.funds.fiscal + project.funds.other
    assert {i.level1 for i in project.indicators} == {"产出指标", "成本指标", "效益指标", "满意度指标"}
    config = load_config(new_repo)
    assert config.form == "xinjiang-2023"
    settle_forms(new_repo, config)
    assert config.weight_total == 90  # the default form's total


def test_goals_files_point_at_the_copied_schemas(new_repo: Path) -> None:
    example = (new_repo / "goals/2024/01-example.yaml").read_text(encoding="utf-8")
    defaults = (new_repo / "goals/2024/_defaults.yaml").read_text(encoding="utf-8")
    assert example.startswith("# yaml-language-server: $schema=../../schema/project.schema.json\n")
    assert defaults.startswith("# yaml-language-server: $schema=../../schema/defaults.schema.json\n")
    assert (new_repo / "schema/project.schema.json").read_bytes() == schema_path().read_bytes()
    derived = json.loads((new_repo / "schema/defaults.schema.json").read_text(encoding="utf-8"))
    assert "required" not in derived
    assert derived["properties"] == json.loads(schema_path().read_text(encoding="utf-8"))["properties"]


def test_editor_settings_map_the_schema(new_repo: Path) -> None:
    settings = json.loads((new_repo / ".vscode/settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    assert schemas["./schema/project.schema.json"] == ["goals/**/*.yaml", "goals/**/*.yml", "!goals/**/_defaults.yaml"]
    assert schemas["./schema/defaults.schema.json"] == ["goals/**/_defaults.yaml"]
    assert all((new_repo / path).is_file() for path in schemas)


def test_gitignore(new_repo: Path) -> None:
    lines = (new_repo / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "build/" in lines and ".perfgen-cache/" in lines


def test_workflow_parses_and_does_the_loop(new_repo: Path) -> None:
    doc = yaml.safe_load((new_repo / ".github/workflows/perfgen.yml").read_text(encoding="utf-8"))
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    assert set(on) == {"push", "pull_request"}
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    runs = "\n".join(s.get("run", "") for s in steps)
    for command in ("perfgen validate --format github", "perfgen fmt --check", "perfgen build",
                    'perfgen diff "origin/${GITHUB_BASE_REF}" --format markdown'):
        assert command in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") and s["with"]["path"] == "build/"
               for s in steps)
    diff_job = doc["jobs"]["diff"]
    assert diff_job["permissions"]["pull-requests"] == "write"
    assert diff_job["steps"][0]["with"]["fetch-depth"] == 0
    assert any(s.get("uses", "").startswith("actions/github-script@") for s in diff_job["steps"])


def test_pre_commit_config_parses(new_repo: Path) -> None:
    doc = yaml.safe_load((new_repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in doc["repos"] for h in repo["hooks"]}
    assert hooks["perfgen-validate"]["entry"] == "perfgen validate"
    assert hooks["perfgen-validate"]["pass_filenames"] is False
    assert hooks["perfgen-fmt"]["entry"] == "perfgen fmt"


def test_this_repository_offers_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"perfgen-validate", "perfgen-fmt"}
    assert hooks["perfgen-validate"]["entry"] == "perfgen validate"
    assert hooks["perfgen-validate"]["pass_filenames"] is False
    assert hooks["perfgen-fmt"]["pass_filenames"] is True
    assert all(h["language"] == "python" for h in hooks.values())


def test_refuses_to_overwrite(new_repo: Path) -> None:
    (new_repo / "perfgen.yaml").write_text("weight_total: 100\n", encoding="utf-8")
    (new_repo / "goals/2024/01-example.yaml").unlink()
    result = init("tmp")
    assert result.exit_code == 1
    assert "tmp/perfgen.yaml: 错误[PG080]: 文件已存在，未覆盖" in result.stderr
    assert "tmp/.gitignore: 错误[PG080]" in result.stderr
    assert "01-example.yaml" not in result.stderr
    # Nothing was written, not even the missing file.
    assert (new_repo / "perfgen.yaml").read_text(encoding="utf-8") == "weight_total: 100\n"
    assert not (new_repo / "goals/2024/01-example.yaml").exists()


def test_force_overwrites(new_repo: Path) -> None:
    (new_repo / "perfgen.yaml").write_text("weight_total: 100\n", encoding="utf-8")
    result = init("tmp", "--force")
    assert result.exit_code == 0, result.stderr
    assert "form: xinjiang-2023" in (new_repo / "perfgen.yaml").read_text(encoding="utf-8")


def test_output_is_deterministic(tmp_path: Path) -> None:
    scaffold.scaffold(tmp_path / "a")
    scaffold.scaffold(tmp_path / "b")
    for name in EXPECTED_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_init_into_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("keep me\n", encoding="utf-8")
    assert init().exit_code == 0
    assert (tmp_path / "goals/2024/01-example.yaml").is_file()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "keep me\n"


def test_a_file_in_the_way_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmp").write_text("", encoding="utf-8")
    result = init("tmp", "--lang", "en")
    assert result.exit_code == 2
    assert "error[PG081]: tmp exists and is not a folder" in result.stderr


def test_a_folder_that_cannot_be_written_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "afile/new", "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr.startswith("perfgen: error[PG081]: cannot write to afile/new (")
    assert "Traceback" not in result.output


def test_the_library_raises_perfgen_errors(tmp_path: Path) -> None:
    scaffold.scaffold(tmp_path / "new")
    with pytest.raises(scaffold.ScaffoldConflict) as conflict:
        scaffold.scaffold(tmp_path / "new")
    assert not conflict.value.usage
    assert [str(d.pos) for d in conflict.value.diagnostics][:2] == [
        f"{tmp_path}/new/.github/workflows/perfgen-matrix.yml", f"{tmp_path}/new/.github/workflows/perfgen.yml"]
    (tmp_path / "file").touch()
    with pytest.raises(scaffold.ScaffoldError) as not_a_folder:
        scaffold.scaffold(tmp_path / "file")
    assert not_a_folder.value.usage and not_a_folder.value.diagnostics[0].code == "PG081"


def test_the_matrix_workflow_builds_every_shard_and_assembles_them_all(new_repo: Path) -> None:
    import yaml

    flow = yaml.safe_load((new_repo / ".github/workflows/perfgen-matrix.yml").read_text(encoding="utf-8"))
    shards = flow["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    (build,) = [s["run"] for s in flow["jobs"]["shard"]["steps"] if "perfgen build" in s.get("run", "")]
    assert f'/{len(shards)}"' in build and "--shard" in build
    (assemble,) = [s["run"] for s in flow["jobs"]["assemble"]["steps"] if "perfgen build" in s.get("run", "")]
    assert [a.strip() for a in assemble.split("--assemble ")[1:]] == [f"shards/shard-{n}" for n in shards]
    assert flow["jobs"]["assemble"]["needs"] == "shard"
    assert list(flow[True]) == ["workflow_dispatch"]  # runs only when asked (YAML 1.1 reads "on" as True)
