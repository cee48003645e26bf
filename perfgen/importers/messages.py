"""Messages of ``perfgen import`` (codes PG052–PG067), registered with :mod:`perfgen.diagnostics.i18n`."""

from __future__ import annotations

from perfgen.diagnostics import i18n

# What the limits of perfgen/importers/package.py and readers.py refuse (all PG053).
_ODD = ("文件可能已损坏，或是有意构造的；用 Excel/Word 打开后另存一份再试",
        "the file may be damaged or built on purpose; open it in Excel/Word, save a copy and retry")
_SOURCE = ("请导入 .docx、.xlsx 或 .txt 文件本身", "import the .docx, .xlsx or .txt file itself")

i18n.add({
    "import.fifo": ("这是命名管道（FIFO），不是普通文件：perfgen 不读取它",
                    "a named pipe (FIFO), not a regular file: perfgen does not read it", *_SOURCE),
    "import.device": ("这是设备文件（或指向设备的链接），不是普通文件：perfgen 不读取它",
                      "a device (or a link to one), not a regular file: perfgen does not read it", *_SOURCE),
    "import.directory": ("这是目录，不是文件", "a folder, not a file",
                         "请列出目录中要导入的文件", "name the files in it that are to be imported"),
    "import.special": ("这不是普通文件（套接字或其他特殊文件）：perfgen 不读取它",
                       "not a regular file (a socket or other special file): perfgen does not read it", *_SOURCE),
    "import.too_large": (
        "文件超过 {limit} MB 的上限，未读取", "the file is larger than the limit of {limit} MB; not read",
        "绩效目标表的文件通常不到 1 MB：请确认选对了文件；Word 文件中的大图片可以先压缩",
        "a goals table is usually well under 1 MB: check that this is the right file; compress large pictures "
        "in a Word file first"),
    "import.members": ("文件由 {count} 个部件组成，超过上限 {limit}：不像是正常的 Word/Excel 文件",
                       "the file is a package of {count} parts, more than the limit of {limit}: not an ordinary "
                       "Word/Excel file", *_ODD),
    "import.directory_size": ("文件的目录有 {size} MB，超过上限 {limit} MB：不像是正常的 Word/Excel 文件",
                              "the file's zip directory has {size} MB, more than the limit of {limit} MB: not an "
                              "ordinary Word/Excel file", *_ODD),
    "import.unpacked": ("文件解压后超过 {limit} MB 的上限", "the file unpacks to more than the limit of {limit} MB",
                        *_ODD),
    "import.part": ("文件中的部件 {part} 解压后有 {size} MB，超过上限 {limit} MB",
                    "the part {part} of the file unpacks to {size} MB, more than the limit of {limit} MB", *_ODD),
    "import.merged": (
        "合并单元格共覆盖 {cells} 个单元格（最大的是 {ref}），超过上限 {limit}：未展开，未读取",
        "merged cells cover {cells} cells (the largest range: {ref}), more than the limit of {limit}: neither "
        "expanded nor read",
        "绩效目标表只合并少量单元格；请在 Excel 中取消整行、整列或整个工作表的合并，另存后再试",
        "a goals table merges few cells: unmerge whole rows, columns or the whole sheet in Excel, save and retry"),
    "import.dtd": ("部件 {part} 含有 DTD 的实体声明：Office 文件从不使用它，它能把几个字节展开成数 GB 文字",
                   "the part {part} declares entities in a DTD: Office files never do, and entities can expand a "
                   "few bytes into gigabytes of text", *_ODD),
    "import.xml": ("部件 {part} 不是可读取的 XML：{reason}", "the part {part} is not readable XML: {reason}", *_ODD),
    "import.elements": ("文件中的 XML 元素超过 {limit} 个：未读取", "the file has more than {limit} XML elements: "
                        "not read", *_ODD),
    "import.part_elements": ("部件 {part} 中的 XML 元素超过 {limit} 个：未读取",
                             "the part {part} has more than {limit} XML elements: not read", *_ODD),
    "import.cells": ("文件中的单元格超过 {limit} 个：未读取", "the file has more than {limit} cells: not read", *_ODD),
    "import.rows": ("文件超过 {limit} 行：未读取", "the file has more than {limit} lines or rows: not read",
                    "绩效目标表不会这么长：请确认选对了文件", "a goals table is never this long: check that this is "
                    "the right file"),
    "import.row_order": ("工作表的第 {row} 行出现在第 {after} 行之后：行的顺序错乱",
                         "row {row} of the sheet comes after row {after}: the rows are out of order", *_ODD),
    "import.notable": (
        "文件中没有找到项目支出绩效目标表", "no 项目支出绩效目标表 table found in this file",
        "表格应包含“预算单位”“项目名称”等表头和“一级指标 二级指标 三级指标 …”一行",
        "a table needs the header labels (预算单位, 项目名称, …) and the row “一级指标 二级指标 三级指标 …”"),
    "import.unreadable": (
        "无法读取文件：{reason}", "cannot read the file: {reason}",
        "文件可能已损坏，或不是它的扩展名所示的格式；请用 Word/Excel 打开后另存一份再试",
        "the file may be damaged or not what its extension says; open it in Word/Excel, save a copy and retry"),
    "import.unsupported": (
        "不支持的文件类型 “{suffix}”", "unsupported file type “{suffix}”",
        "支持 .docx、.xlsx 和 .txt（PDF 中复制出的制表符分隔文字）；.doc/.xls 请先另存为 .docx/.xlsx",
        "supported: .docx, .xlsx and .txt (tab-separated text copied from a PDF); save .doc/.xls as .docx/.xlsx"),
    "import.encoding": (
        "文本文件不是 UTF-8，已按 GB18030 读取", "the text file is not UTF-8; read it as GB18030", None, None),
    "import.shift_left": (
        "本行开头少了单元格，已按词表把各列右移对齐", "this row lost a cell at its start; columns realigned "
        "by the vocabulary", "请核对本行各列的值", "check this row's values"),
    "import.extra_cell": (
        "本行多出 {count} 个空单元格，已删除后对齐", "this row has {count} extra empty cell(s); removed and "
        "realigned", "请核对本行各列的值", "check this row's values"),
    "import.missing_cells": (
        "本行缺少 {fields} 列，已留空", "this row has no cell for {fields}; left empty",
        "请在生成的目标文件中补填", "fill it in the goals file"),
    "import.level2_in_level1": (
        "“{level2}”是二级指标，却印在一级指标列；已按 {level1} → {level2} 录入",
        "“{level2}” is a 二级 category printed in the 一级 column; read as {level1} → {level2}", None, None),
    "import.name_lost": (
        "本行三级指标名称缺失（“{level2}”印在三级指标列）；名称暂记为“{level2}”",
        "this row's 三级 name is missing (“{level2}” stands in the 三级 column); name set to “{level2}”",
        "请在生成的目标文件中改为正确的名称", "put the right name in the goals file"),
    "import.unplaced": (
        "无法识别本行：{cells}", "cannot place this row: {cells}",
        "本行不符合“一级指标 | 二级指标 | 三级指标 | 指标值 | 设置依据 | 上年完成值 | 权重 | 赋分规则 | 佐证资料”"
        "，请在原表中修正后重新导入", "the row does not fit the nine indicator columns; fix it in the source "
        "and import again"),
    "import.no_level1": (
        "本行之前没有一级指标：{cells}", "no 一级 category above this row: {cells}", None, None),
    "import.no_level2": (
        "本行没有二级指标：{cells}", "this row has no 二级 category: {cells}",
        "新的一级指标的第一行必须写出二级指标", "the first row of a new 一级 must name its 二级"),
    "import.no_name": (
        "本行没有三级指标名称：{cells}", "this row has no 三级 name: {cells}", None, None),
    "import.header_missing": (
        "表格缺少“{label}”", "the table has no “{label}”",
        "表头应包含 预算单位、项目名称、项目资金（年度预算总额）、项目总体目标，表名下方应有“(2023年)”一行",
        "the header needs 预算单位, 项目名称, 项目资金 (年度预算总额), 项目总体目标, and “(2023年)” under the title"),
    "import.bad_number": (
        "“{label}”的值 “{value}” 不是数字", "the value “{value}” of “{label}” is not a number", None, None),
    "import.ignored_row": (
        "未识别的表头行，已忽略：{cells}", "unrecognised header row ignored: {cells}", None, None),
    "import.exists": (
        "文件已存在，未覆盖", "the file exists; not overwritten",
        "加 --force 覆盖已有文件（本次未写入任何文件）", "add --force to overwrite (nothing was written)"),
    "import.not_file": ("输出路径已存在且不是文件", "the output path exists and is not a file", None, None),
    "import.write": ("无法写入文件：{reason}", "cannot write the file: {reason}", None, None),
    "import.regrouped": (
        "一级指标“{level1}”的行在表中不相邻，已合并到第一次出现的位置",
        "the rows of 一级 “{level1}” are not adjacent in the table; grouped where it first appears", None, None),
    "import.formula": (
        "单元格是没有保存计算结果的公式 {formula}，按空白读取", "the cell holds a formula without a saved result "
        "({formula}); read as empty", "在 Excel 中打开并保存一次即可保存计算结果", "open and save it once in Excel "
        "to store the results"),
    "import.too_many_rows": (
        "工作表超过 {limit} 行，只读取了前 {limit} 行", "the sheet has more than {limit} rows; read the first "
        "{limit}", None, None),
})
