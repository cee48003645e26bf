"""The rules of the commands beside the pipeline: fmt (PG050-PG051), import (PG052-PG067), diff (PG070-PG077)
and init (PG080-PG081), with their messages.

Records only (see :mod:`perfgen.diagnostics.rule`): perfgen/fmt/batch.py, perfgen/importers/,
perfgen/load/gitreader.py, perfgen/diff/sides.py and perfgen/scaffold.py raise them with
``diag(pos, code, key)`` (or an error class that does). They are not kept in those packages: perfgen.fmt and
perfgen.importers import the diagnostics in their ``__init__``, which would make the catalogue import itself.
"""

from __future__ import annotations

from perfgen.diagnostics.rule import Message, Rule

# What the limits of perfgen/importers/package.py and readers.py refuse (all PG053): the hints.
_ODD = ("文件可能已损坏，或是有意构造的；用 Excel/Word 打开后另存一份再试",
        "the file may be damaged or built on purpose; open it in Excel/Word, save a copy and retry")
_SOURCE = ("请导入 .docx、.xlsx 或 .txt 文件本身", "import the .docx, .xlsx or .txt file itself")
_CHECK_ROW = ("请核对本行各列的值", "check this row's values")

_HINT_REV = (
    "可用分支名、标签或提交号，如 HEAD~1、main、origin/main；远程分支须先 git fetch"
    "（GitHub Actions 中 actions/checkout 设 fetch-depth: 0）；比较两个目录或文件时请给出两个存在的路径",
    "use a branch, tag or commit such as HEAD~1, main, origin/main; fetch remote branches first "
    "(fetch-depth: 0 in actions/checkout); to compare two folders or files, give two existing paths")

FMT_NOT_CANONICAL = Rule(
    "PG050", "error", "fmt：文件不是规范格式（--check）", "fmt: file not in the canonical layout (--check)",
    messages=(
        Message("fmt.unformatted", "文件未按规范格式化：第 {line} 行 “{old}” 应为 “{new}”",
                "not in the canonical layout: line {line} “{old}” should read “{new}”",
                "运行 perfgen fmt {file} 重新格式化（加 --diff 查看全部改动）",
                "run perfgen fmt {file} to reformat it (add --diff to see every change)"),
    ))

FMT_CANNOT_WRITE = Rule(
    "PG051", "error", "fmt：无法写入文件", "fmt: cannot write the file",
    messages=(
        Message("fmt.write", "无法写入文件：{reason}", "cannot write the file: {reason}"),
        Message("fmt.changed", "文件在格式化期间被修改（编辑器或其他程序刚保存了它），没有写入，以免覆盖这次修改",
                "the file changed while it was being formatted (an editor or another program saved it) and was not "
                "written, so that change is not lost", "再运行一次 perfgen fmt {file}",
                "run perfgen fmt {file} again"),
    ))

IMPORT_NO_TABLE = Rule(
    "PG052", "error", "import：文件中没有找到表格", "import: no table found in the file",
    messages=(
        Message("import.notable", "文件中没有找到项目支出绩效目标表", "no 项目支出绩效目标表 table found in this file",
                "表格应包含“预算单位”“项目名称”等表头和“一级指标 二级指标 三级指标 …”一行",
                "a table needs the header labels (预算单位, 项目名称, …) and the row “一级指标 二级指标 三级指标 …”"),
    ))

IMPORT_UNREADABLE = Rule(
    "PG053", "error", "import：文件无法读取、已损坏、过大或类型不支持",
    "import: unreadable, corrupt, too large or unsupported file",
    messages=(
        Message("import.unreadable", "无法读取文件：{reason}", "cannot read the file: {reason}",
                "文件可能已损坏，或不是它的扩展名所示的格式；请用 Word/Excel 打开后另存一份再试",
                "the file may be damaged or not what its extension says; open it in Word/Excel, save a copy and retry"),
        Message("import.unsupported", "不支持的文件类型 “{suffix}”", "unsupported file type “{suffix}”",
                "支持 .docx、.xlsx 和 .txt（PDF 中复制出的制表符分隔文字）；.doc/.xls 请先另存为 .docx/.xlsx",
                "supported: .docx, .xlsx and .txt (tab-separated text copied from a PDF); save .doc/.xls as "
                ".docx/.xlsx"),
        Message("import.fifo", "这是命名管道（FIFO），不是普通文件：perfgen 不读取它",
                "a named pipe (FIFO), not a regular file: perfgen does not read it", *_SOURCE),
        Message("import.device", "这是设备文件（或指向设备的链接），不是普通文件：perfgen 不读取它",
                "a device (or a link to one), not a regular file: perfgen does not read it", *_SOURCE),
        Message("import.directory", "这是目录，不是文件", "a folder, not a file",
                "请列出目录中要导入的文件", "name the files in it that are to be imported"),
        Message("import.special", "这不是普通文件（套接字或其他特殊文件）：perfgen 不读取它",
                "not a regular file (a socket or other special file): perfgen does not read it", *_SOURCE),
        Message("import.too_large", "文件超过 {limit} MB 的上限，未读取",
                "the file is larger than the limit of {limit} MB; not read",
                "绩效目标表的文件通常不到 1 MB：请确认选对了文件；Word 文件中的大图片可以先压缩",
                "a goals table is usually well under 1 MB: check that this is the right file; compress large "
                "pictures in a Word file first"),
        Message("import.members", "文件由 {count} 个部件组成，超过上限 {limit}：不像是正常的 Word/Excel 文件",
                "the file is a package of {count} parts, more than the limit of {limit}: not an ordinary "
                "Word/Excel file", *_ODD),
        Message("import.directory_size", "文件的目录有 {size} MB，超过上限 {limit} MB：不像是正常的 Word/Excel 文件",
                "the file's zip directory has {size} MB, more than the limit of {limit} MB: not an ordinary "
                "Word/Excel file", *_ODD),
        Message("import.unpacked", "文件解压后超过 {limit} MB 的上限",
                "the file unpacks to more than the limit of {limit} MB", *_ODD),
        Message("import.part", "文件中的部件 {part} 解压后有 {size} MB，超过上限 {limit} MB",
                "the part {part} of the file unpacks to {size} MB, more than the limit of {limit} MB", *_ODD),
        Message("import.merged",
                "合并单元格共覆盖 {cells} 个单元格（最大的是 {ref}），超过上限 {limit}：未展开，未读取",
                "merged cells cover {cells} cells (the largest range: {ref}), more than the limit of {limit}: "
                "neither expanded nor read",
                "绩效目标表只合并少量单元格；请在 Excel 中取消整行、整列或整个工作表的合并，另存后再试",
                "a goals table merges few cells: unmerge whole rows, columns or the whole sheet in Excel, save and "
                "retry"),
        Message("import.dtd", "部件 {part} 含有 DTD 的实体声明：Office 文件从不使用它，它能把几个字节展开成数 GB 文字",
                "the part {part} declares entities in a DTD: Office files never do, and entities can expand a few "
                "bytes into gigabytes of text", *_ODD),
        Message("import.xml", "部件 {part} 不是可读取的 XML：{reason}", "the part {part} is not readable XML: {reason}",
                *_ODD),
        Message("import.elements", "文件中的 XML 元素超过 {limit} 个：未读取",
                "the file has more than {limit} XML elements: not read", *_ODD),
        Message("import.part_elements", "部件 {part} 中的 XML 元素超过 {limit} 个：未读取",
                "the part {part} has more than {limit} XML elements: not read", *_ODD),
        Message("import.cells", "文件中的单元格超过 {limit} 个：未读取",
                "the file has more than {limit} cells: not read", *_ODD),
        Message("import.rows", "文件超过 {limit} 行：未读取", "the file has more than {limit} lines or rows: not read",
                "绩效目标表不会这么长：请确认选对了文件", "a goals table is never this long: check that this is the "
                "right file"),
        Message("import.row_order", "工作表的第 {row} 行出现在第 {after} 行之后：行的顺序错乱",
                "row {row} of the sheet comes after row {after}: the rows are out of order", *_ODD),
    ))

IMPORT_ROW_SHIFTED = Rule(
    "PG054", "warning", "import：行首丢了一格，已修复", "import: row lost a cell at its start (repaired)",
    messages=(
        Message("import.shift_left", "本行开头少了单元格，已按词表把各列右移对齐",
                "this row lost a cell at its start; columns realigned by the vocabulary", *_CHECK_ROW),
    ))

IMPORT_EXTRA_CELL = Rule(
    "PG055", "warning", "import：行中多了空单元格，已修复", "import: row has an extra empty cell (repaired)",
    messages=(
        Message("import.extra_cell", "本行多出 {count} 个空单元格，已删除后对齐",
                "this row has {count} extra empty cell(s); removed and realigned", *_CHECK_ROW),
    ))

IMPORT_MISSING_CELLS = Rule(
    "PG056", "warning", "import：行尾缺少单元格，已修复", "import: row is missing trailing cells (repaired)",
    messages=(
        Message("import.missing_cells", "本行缺少 {fields} 列，已留空", "this row has no cell for {fields}; left empty",
                "请在生成的目标文件中补填", "fill it in the goals file"),
    ))

IMPORT_LEVEL2_IN_LEVEL1 = Rule(
    "PG057", "warning", "import：二级指标印在一级指标列，已修复", "import: 二级 printed in the 一级 column (repaired)",
    messages=(
        Message("import.level2_in_level1", "“{level2}”是二级指标，却印在一级指标列；已按 {level1} → {level2} 录入",
                "“{level2}” is a 二级 category printed in the 一级 column; read as {level1} → {level2}"),
    ))

IMPORT_NAME_LOST = Rule(
    "PG058", "warning", "import：三级指标名称丢失，以二级指标名称代替", "import: 三级 name lost, set to the 二级 name",
    messages=(
        Message("import.name_lost", "本行三级指标名称缺失（“{level2}”印在三级指标列）；名称暂记为“{level2}”",
                "this row's 三级 name is missing (“{level2}” stands in the 三级 column); name set to “{level2}”",
                "请在生成的目标文件中改为正确的名称", "put the right name in the goals file"),
    ))

IMPORT_UNPLACED_ROW = Rule(
    "PG059", "error", "import：无法放置的行，或缺少一级/二级/名称",
    "import: row cannot be placed, or lacks 一级/二级/name",
    messages=(
        Message("import.unplaced", "无法识别本行：{cells}", "cannot place this row: {cells}",
                "本行不符合“一级指标 | 二级指标 | 三级指标 | 指标值 | 设置依据 | 上年完成值 | 权重 | 赋分规则 | "
                "佐证资料”，请在原表中修正后重新导入",
                "the row does not fit the nine indicator columns; fix it in the source and import again"),
        Message("import.no_level1", "本行之前没有一级指标：{cells}", "no 一级 category above this row: {cells}"),
        Message("import.no_level2", "本行没有二级指标：{cells}", "this row has no 二级 category: {cells}",
                "新的一级指标的第一行必须写出二级指标", "the first row of a new 一级 must name its 二级"),
        Message("import.no_name", "本行没有三级指标名称：{cells}", "this row has no 三级 name: {cells}"),
    ))

IMPORT_BAD_HEADER = Rule(
    "PG060", "error", "import：缺少表头标签，或数字无法识别",
    "import: header label missing, or a number that is not one",
    messages=(
        Message("import.header_missing", "表格缺少“{label}”", "the table has no “{label}”",
                "表头应包含预算单位、项目名称、项目资金（年度预算总额）、项目总体目标，表名下方应有“(2023年)”一行",
                "the header needs 预算单位, 项目名称, 项目资金 (年度预算总额), 项目总体目标, and “(2023年)” under the "
                "title"),
        Message("import.bad_number", "“{label}”的值 “{value}” 不是数字",
                "the value “{value}” of “{label}” is not a number"),
        Message("import.formula_value", "“{label}”的单元格是公式 {formula}，文件中没有保存它的计算结果",
                "the cell of “{label}” holds the formula {formula}, and the file has no saved result for it",
                "用 Excel 打开这个文件并保存一次（Excel 会算出并保存结果），再重新导入",
                "open the file in Excel and save it once (Excel computes and stores the results), then import again"),
        Message("import.weight_text", "指标分值权重 “{value}” 不是数字", "the weight “{value}” is not a number",
                "权重应写成阿拉伯数字，如 10；请在原表中改正后重新导入",
                "write weights in Arabic numerals, e.g. 10; fix it in the source and import again"),
    ))

IMPORT_OUTPUT_EXISTS = Rule(
    "PG061", "error", "import：输出文件已存在（未加 --force）", "import: output file exists (no --force)",
    messages=(
        Message("import.exists", "文件已存在，未覆盖", "the file exists; not overwritten",
                "加 --force 覆盖已有文件（本次未写入任何文件）", "add --force to overwrite (nothing was written)"),
        Message("import.not_file", "输出路径已存在且不是文件", "the output path exists and is not a file"),
    ))

IMPORT_HEADER_ROW_IGNORED = Rule(
    "PG062", "warning", "import：忽略无法识别的表头行", "import: unrecognised header row ignored",
    messages=(
        Message("import.ignored_row", "未识别的表头行，已忽略：{cells}", "unrecognised header row ignored: {cells}"),
    ))

IMPORT_CANNOT_WRITE = Rule(
    "PG063", "error", "import：无法写入输出文件", "import: cannot write an output file",
    messages=(
        Message("import.write", "无法写入文件：{reason}", "cannot write the file: {reason}"),
    ))

IMPORT_REGROUPED = Rule(
    "PG064", "warning", "import：同一一级指标的行不相邻，已重新归组",
    "import: a 一级's rows were not adjacent, regrouped",
    messages=(
        Message("import.regrouped", "一级指标“{level1}”的行在表中不相邻，已合并到第一次出现的位置",
                "the rows of 一级 “{level1}” are not adjacent in the table; grouped where it first appears"),
    ))

IMPORT_FORMULA_WITHOUT_VALUE = Rule(
    "PG065", "warning", "import：Excel 公式没有保存的计算结果", "import: Excel formula with no saved result",
    messages=(
        Message("import.formula", "单元格是没有保存计算结果的公式 {formula}，按空白读取",
                "the cell holds a formula without a saved result ({formula}); read as empty",
                "在 Excel 中打开并保存一次即可保存计算结果", "open and save it once in Excel to store the results"),
    ))

IMPORT_READ_AS_GB18030 = Rule(
    "PG066", "warning", "import：文字按 GB18030 读取", "import: text read as GB18030",
    messages=(
        Message("import.encoding", "文本文件不是 UTF-8，已按 GB18030 读取",
                "the text file is not UTF-8; read it as GB18030"),
    ))

IMPORT_SHEET_TRUNCATED = Rule(
    "PG067", "warning", "import：工作表超过 10000 行，已截断", "import: sheet longer than 10,000 rows, truncated",
    messages=(
        Message("import.too_many_rows", "工作表超过 {limit} 行，只读取了前 {limit} 行",
                "the sheet has more than {limit} rows; read the first {limit}"),
    ))

DIFF_NO_GIT = Rule(
    "PG070", "error", "diff：没有安装 git", "diff: git is not installed",
    messages=(
        Message("diff.git.missing", "找不到 git 命令", "git is not installed",
                "安装 git，或给出两个路径比较两个目录", "install git, or give two paths to compare two folders"),
    ))

DIFF_NOT_A_REPOSITORY = Rule(
    "PG071", "error", "diff：不是 git 仓库", "diff: not a git repository",
    messages=(
        Message("diff.git.norepo", "当前目录不在 git 仓库中（{detail}）", "not inside a git repository ({detail})",
                "在目标仓库（含 goals/ 的 git 仓库）的根目录运行，或给出两个路径：perfgen diff 旧目录 新目录",
                "run it at the root of a goals repo under git, or give two paths: perfgen diff OLD NEW"),
    ))

DIFF_UNKNOWN_REVISION = Rule(
    "PG072", "error", "diff：版本不存在", "diff: unknown revision",
    messages=(
        Message("diff.git.badrev", "找不到版本 “{rev}”", "unknown revision “{rev}”", *_HINT_REV),
    ))

DIFF_NO_COMMITS = Rule(
    "PG073", "error", "diff：仓库还没有提交", "diff: no commits yet",
    messages=(
        Message("diff.git.nocommits", "仓库还没有任何提交，无法与 HEAD 比较",
                "the repository has no commits to compare with",
                "先提交一次，或给出两个版本或两个路径", "commit first, or give two revisions or two paths"),
    ))

DIFF_GIT_FAILED = Rule(
    "PG074", "error", "diff：读取 git 失败", "diff: reading from git failed",
    messages=(
        Message("diff.git.failed", "读取 git 数据失败（{detail}）", "reading from git failed ({detail})"),
    ))

DIFF_NO_GOALS = Rule(
    "PG075", "error", "diff：没有 goals/ 目录", "diff: no goals/ folder",
    messages=(
        Message("diff.nogoals", "当前目录没有 goals/ 文件夹，不是目标仓库的根目录",
                "no goals/ folder here: not a goals repo root",
                "在目标仓库根目录运行 perfgen diff；新建目标仓库用 perfgen init",
                "run perfgen diff at the root of a goals repo; perfgen init creates one"),
        Message("diff.nogoals.revs", "两个版本中都没有 goals/ 文件夹", "neither revision has a goals/ folder"),
    ))

DIFF_FOLDER_AND_FILE = Rule(
    "PG076", "error", "diff：目录与文件不能比较", "diff: a folder compared with a file",
    messages=(
        Message("diff.paths.mixed", "不能比较目录 “{a}” 与文件 “{b}”", "cannot compare folder “{a}” with file “{b}”",
                "给出两个目录或两个文件", "give two folders or two files"),
    ))

DIFF_SIDE_INVALID = Rule(
    "PG077", "error", "diff：一侧的目标文件有错误", "diff: one side has invalid goals",
    messages=(
        Message("diff.invalid", "{side}的目标文件有错误，无法比较",
                "the goals files of {side} have errors; cannot compare",
                "修正下列错误后重试（perfgen validate 可逐项检查）",
                "fix the errors below and retry (perfgen validate checks them one by one)"),
    ))

INIT_FILE_EXISTS = Rule(
    "PG080", "error", "init：文件已存在", "init: file already exists",
    messages=(
        Message("init.exists", "文件已存在，未覆盖", "file exists; not overwritten",
                "换一个空目录，或加 --force 覆盖这些文件", "choose an empty folder, or add --force to overwrite"),
    ))

INIT_TARGET_UNUSABLE = Rule(
    "PG081", "error", "init：目标不是目录或无法写入", "init: target is not a folder, or cannot be written",
    messages=(
        Message("init.notdir", "{dest} 已存在且不是目录", "{dest} exists and is not a folder"),
        Message("init.unwritable", "无法写入 {dest}（{reason}）", "cannot write to {dest} ({reason})"),
    ))

IMPORT_EMPTY_TARGET = Rule(
    "PG068", "warning", "import：指标值为空", "import: empty 指标值",
    messages=(
        Message("import.empty_target", "“{name}” 的指标值为空", "“{name}” has an empty 指标值 (target)",
                "原表此格为空；导入后请在目标文件中填写 target", "the cell is empty in the source; fill in target in "
                "the goals file"),
    ))

RULES = (FMT_NOT_CANONICAL, FMT_CANNOT_WRITE, IMPORT_NO_TABLE, IMPORT_UNREADABLE, IMPORT_ROW_SHIFTED, IMPORT_EXTRA_CELL,
         IMPORT_MISSING_CELLS, IMPORT_LEVEL2_IN_LEVEL1, IMPORT_NAME_LOST, IMPORT_UNPLACED_ROW, IMPORT_BAD_HEADER,
         IMPORT_OUTPUT_EXISTS, IMPORT_HEADER_ROW_IGNORED, IMPORT_CANNOT_WRITE, IMPORT_REGROUPED,
         IMPORT_FORMULA_WITHOUT_VALUE, IMPORT_READ_AS_GB18030, IMPORT_SHEET_TRUNCATED, IMPORT_EMPTY_TARGET, DIFF_NO_GIT,
         DIFF_NOT_A_REPOSITORY, DIFF_UNKNOWN_REVISION, DIFF_NO_COMMITS, DIFF_GIT_FAILED, DIFF_NO_GOALS,
         DIFF_FOLDER_AND_FILE, DIFF_SIDE_INVALID, INIT_FILE_EXISTS, INIT_TARGET_UNUSABLE)
