"""The rules of the commands beside the pipeline: fmt (PG050-PG051), import (PG052-PG067), diff (PG070-PG077)
and init (PG080-PG081).

Records only (see :mod:`perfgen.diagnostics.rule`). Most of their messages are still registered with
``i18n.add()`` by the modules that raise them (perfgen/fmt/batch.py, perfgen/importers/messages.py,
perfgen/load/gitreader.py, perfgen/diff/sides.py, perfgen/scaffold.py); each moves into its rule's ``messages``
here, and the ``add()`` call goes. (They are not kept in those packages: perfgen.fmt and perfgen.importers
import the diagnostics in their ``__init__``, which would make the catalogue import itself.)
"""

from __future__ import annotations

from perfgen.diagnostics.rule import Message, Rule

FMT_NOT_CANONICAL = Rule(
    "PG050", "error", "fmt：文件不是规范格式（--check）", "fmt: file not in the canonical layout (--check)")

FMT_CANNOT_WRITE = Rule(
    "PG051", "error", "fmt：无法写入文件", "fmt: cannot write the file",
    messages=(
        Message("fmt.changed", "文件在格式化期间被修改（编辑器或其他程序刚保存了它），没有写入，以免覆盖这次修改",
                "the file changed while it was being formatted (an editor or another program saved it) and was not "
                "written, so that change is not lost", "再运行一次 perfgen fmt {file}",
                "run perfgen fmt {file} again"),
    ))

IMPORT_NO_TABLE = Rule(
    "PG052", "error", "import：文件中没有找到表格", "import: no table found in the file")

IMPORT_UNREADABLE = Rule(
    "PG053", "error", "import：文件无法读取、已损坏、过大或类型不支持",
    "import: unreadable, corrupt, too large or unsupported file")

IMPORT_ROW_SHIFTED = Rule(
    "PG054", "warning", "import：行首丢了一格，已修复", "import: row lost a cell at its start (repaired)")

IMPORT_EXTRA_CELL = Rule(
    "PG055", "warning", "import：行中多了空单元格，已修复", "import: row has an extra empty cell (repaired)")

IMPORT_MISSING_CELLS = Rule(
    "PG056", "warning", "import：行尾缺少单元格，已修复", "import: row is missing trailing cells (repaired)")

IMPORT_LEVEL2_IN_LEVEL1 = Rule(
    "PG057", "warning", "import：二级指标印在一级指标列，已修复", "import: 二级 printed in the 一级 column (repaired)")

IMPORT_NAME_LOST = Rule(
    "PG058", "warning", "import：三级指标名称丢失，以二级指标名称代替", "import: 三级 name lost, set to the 二级 name")

IMPORT_UNPLACED_ROW = Rule(
    "PG059", "error", "import：无法放置的行，或缺少一级/二级/名称",
    "import: row cannot be placed, or lacks 一级/二级/name")

IMPORT_BAD_HEADER = Rule(
    "PG060", "error", "import：缺少表头标签，或数字无法识别",
    "import: header label missing, or a number that is not one")

IMPORT_OUTPUT_EXISTS = Rule(
    "PG061", "error", "import：输出文件已存在（未加 --force）", "import: output file exists (no --force)")

IMPORT_HEADER_ROW_IGNORED = Rule(
    "PG062", "warning", "import：忽略无法识别的表头行", "import: unrecognised header row ignored")

IMPORT_CANNOT_WRITE = Rule(
    "PG063", "error", "import：无法写入输出文件", "import: cannot write an output file")

IMPORT_REGROUPED = Rule(
    "PG064", "warning", "import：同一一级指标的行不相邻，已重新归组",
    "import: a 一级's rows were not adjacent, regrouped")

IMPORT_FORMULA_WITHOUT_VALUE = Rule(
    "PG065", "warning", "import：Excel 公式没有保存的计算结果", "import: Excel formula with no saved result")

IMPORT_READ_AS_GB18030 = Rule(
    "PG066", "warning", "import：文字按 GB18030 读取", "import: text read as GB18030")

IMPORT_SHEET_TRUNCATED = Rule(
    "PG067", "warning", "import：工作表超过 10000 行，已截断", "import: sheet longer than 10,000 rows, truncated")

DIFF_NO_GIT = Rule(
    "PG070", "error", "diff：没有安装 git", "diff: git is not installed")

DIFF_NOT_A_REPOSITORY = Rule(
    "PG071", "error", "diff：不是 git 仓库", "diff: not a git repository")

DIFF_UNKNOWN_REVISION = Rule(
    "PG072", "error", "diff：版本不存在", "diff: unknown revision")

DIFF_NO_COMMITS = Rule(
    "PG073", "error", "diff：仓库还没有提交", "diff: no commits yet")

DIFF_GIT_FAILED = Rule(
    "PG074", "error", "diff：读取 git 失败", "diff: reading from git failed")

DIFF_NO_GOALS = Rule(
    "PG075", "error", "diff：没有 goals/ 目录", "diff: no goals/ folder")

DIFF_FOLDER_AND_FILE = Rule(
    "PG076", "error", "diff：目录与文件不能比较", "diff: a folder compared with a file")

DIFF_SIDE_INVALID = Rule(
    "PG077", "error", "diff：一侧的目标文件有错误", "diff: one side has invalid goals")

INIT_FILE_EXISTS = Rule(
    "PG080", "error", "init：文件已存在", "init: file already exists")

INIT_TARGET_UNUSABLE = Rule(
    "PG081", "error", "init：目标不是目录或无法写入", "init: target is not a folder, or cannot be written")

RULES = (FMT_NOT_CANONICAL, FMT_CANNOT_WRITE, IMPORT_NO_TABLE, IMPORT_UNREADABLE, IMPORT_ROW_SHIFTED, IMPORT_EXTRA_CELL,
         IMPORT_MISSING_CELLS, IMPORT_LEVEL2_IN_LEVEL1, IMPORT_NAME_LOST, IMPORT_UNPLACED_ROW, IMPORT_BAD_HEADER,
         IMPORT_OUTPUT_EXISTS, IMPORT_HEADER_ROW_IGNORED, IMPORT_CANNOT_WRITE, IMPORT_REGROUPED,
         IMPORT_FORMULA_WITHOUT_VALUE, IMPORT_READ_AS_GB18030, IMPORT_SHEET_TRUNCATED, DIFF_NO_GIT,
         DIFF_NOT_A_REPOSITORY, DIFF_UNKNOWN_REVISION, DIFF_NO_COMMITS, DIFF_GIT_FAILED, DIFF_NO_GOALS,
         DIFF_FOLDER_AND_FILE, DIFF_SIDE_INVALID, INIT_FILE_EXISTS, INIT_TARGET_UNUSABLE)
