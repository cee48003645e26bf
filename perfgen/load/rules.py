"""The rules of reading goals files and perfgen.yaml (PG001-PG021): files, encodings, YAML, the schema,
settings, file names and what discovery refuses.

Records only (see :mod:`perfgen.diagnostics.rule`): the loading modules raise them with
``diag(pos, code, key)``. None of them can be turned off: a file that cannot be read cannot be built.
"""

from __future__ import annotations

from perfgen.diagnostics.rule import Message, Rule

YAML_SYNTAX = Rule(
    "PG001", "error", "YAML 语法错误（含 Tab 缩进、以 > 开头的值）",
    "YAML syntax error (incl. tab indentation, values starting with >)",
    messages=(
        Message("yaml.syntax", "YAML 语法错误：{problem}", "YAML syntax error: {problem}",
                "检查此行及上一行的缩进、冒号和引号",
                "check indentation, colons and quotes on this line and the one before"),
        Message("yaml.tab", "缩进中使用了制表符（Tab）", "tab character used for indentation",
                "YAML 只能用空格缩进：把 Tab 替换为空格（建议每级 2 个空格）",
                "YAML indents with spaces only: replace tabs with spaces (2 per level)"),
        Message("yaml.gt", "值 “{value}” 以 “{first}” 开头：YAML 把开头的 > 或 | 当作多行文本的标记，不当作文字",
                "the value “{value}” starts with “{first}”, which YAML reads as the start of a block of text, "
                "not as text",
                '请加引号，如 target: ">=98%"，或改用全角符号 ≥ / ≤，如 target: ≥98%（无需引号）',
                'quote it, e.g. target: ">=98%", or write ≥ / ≤, e.g. target: ≥98% (no quotes needed)'),
        Message("yaml.multidoc", "一个文件只能包含一个 YAML 文档（出现了 ---）",
                "a file may hold one YAML document only (found ---)", "每个项目单独一个文件",
                "put each project in its own file"),
        Message("yaml.complexkey", "键必须是简单的文字", "keys must be plain text"),
    ))

NOT_UTF8 = Rule(
    "PG002", "error", "文件不是 UTF-8 文本（如 GBK/GB18030）", "file is not UTF-8 text (e.g. GBK/GB18030)",
    messages=(
        Message("enc.gbk", "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 记事本或 WPS 常见）",
                "file is not UTF-8; it looks like GBK/GB18030 (common from Windows editors)",
                "请另存为 UTF-8：在记事本或 WPS 中“另存为”，编码选“UTF-8”；命令行可用 iconv -f GB18030 -t UTF-8 "
                "原文件 > 新文件",
                "re-save as UTF-8: in Notepad or WPS use Save As and choose UTF-8; on a command line: iconv -f "
                "GB18030 -t UTF-8 old > new"),
        Message("enc.utf16", "文件是 UTF-16 编码", "file is UTF-16 encoded",
                "请另存为 UTF-8（iconv -f UTF-16 -t UTF-8）", "re-save as UTF-8 (iconv -f UTF-16 -t UTF-8)"),
        Message("enc.unknown", "文件不是 UTF-8 编码的文本", "file is not UTF-8 text",
                "目标文件须为 UTF-8 编码的 YAML 文本", "goals files must be UTF-8 encoded YAML text"),
        Message("enc.binary", "文件包含 NUL 字节，不是文本文件", "file contains NUL bytes; it is not a text file"),
    ))

DUPLICATE_KEY = Rule(
    "PG003", "error", "重复的键", "duplicate key",
    messages=(
        Message("yaml.dupkey", "键 “{key}” 重复出现", "duplicate key “{key}”",
                "YAML 中后出现的值会覆盖前面的值；请删除或合并其中一个",
                "YAML would silently keep only the last one; remove or merge one of them"),
    ))

ALIAS = Rule(
    "PG004", "error", "使用了锚点别名（*、<<）", "aliases (*, <<) used",
    messages=(
        Message("yaml.alias", "目标文件中不允许使用锚点别名（*、<<）",
                "aliases (*, <<) are not allowed in goals files", "请直接写出值；共用的值放到 _defaults.yaml",
                "write values out; put shared values in _defaults.yaml"),
    ))

TOO_LARGE = Rule(
    "PG005", "error", "文件过大或嵌套过深", "file too large or nested too deeply",
    messages=(
        Message("file.toolarge", "文件过大（{size} 字节，上限 {limit} 字节）",
                "file too large ({size} bytes, limit {limit})", "一个目标文件只描述一个项目，通常只有几 KB",
                "a goals file describes one project and is usually a few KB"),
        Message("file.toodeep", "文件嵌套过深或节点过多，无法安全读取",
                "file is nested too deeply or has too many nodes to read safely"),
    ))

EMPTY_OR_NOT_MAPPING = Rule(
    "PG006", "error", "文件为空或顶层不是映射", "file empty, or its top level is not a mapping",
    messages=(
        Message("file.empty", "文件为空", "file is empty",
                "目标文件至少需要 year、unit、name、funds、objectives、indicators（可由 _defaults.yaml 提供部分）",
                "a goals file needs year, unit, name, funds, objectives, indicators (some may come from "
                "_defaults.yaml)"),
        Message("file.notmap", "文件顶层必须是“键: 值”映射，不能是列表或单个值",
                "the top level must be a mapping of keys to values", "每行写成 键: 值，例如 name: 项目名称",
                "write key: value lines, e.g. name: project name"),
    ))

NOT_FOUND = Rule(
    "PG007", "error", "找不到文件", "file not found",
    messages=(
        Message("file.missing", "找不到文件或目录", "no such file or directory"),
        Message("file.unreadable", "无法读取文件：{reason}", "cannot read the file: {reason}",
                "检查文件权限，或它是否是指向自身的符号链接",
                "check its permissions, or whether it is a looping symlink"),
        Message("dir.unreadable", "无法读取这个目录：{reason}", "cannot read this folder: {reason}",
                "检查目录权限（chmod a+rx）；目录里的项目无法检查或生成",
                "check the folder's permissions (chmod a+rx): its projects cannot be checked or built"),
    ))

BAD_SETTING = Rule(
    "PG009", "error", "perfgen.yaml 设置无效", "invalid perfgen.yaml setting",
    messages=(
        Message("config.unknown", "perfgen.yaml 中未知的设置 “{key}”", "unknown setting “{key}” in perfgen.yaml",
                "可用的设置：{allowed}", "settings: {allowed}"),
        Message("config.invalid", "perfgen.yaml 中 {key} 的值无效，应为 {expected}",
                "invalid value for {key} in perfgen.yaml; expected {expected}"),
        Message("config.rule_unknown", "perfgen.yaml 中的 “{code}” 不是 perfgen 的规则代码",
                "no rule “{code}” (in perfgen.yaml)", "perfgen rules 列出全部规则代码",
                "perfgen rules lists every rule code"),
        Message("config.rule_fixed", "规则 “{code}” 不能调整或关闭：没有它无法读取或生成表格",
                "rule “{code}” cannot be changed or turned off: files cannot be read or built without it",
                "只有 PG100 及以上的业务规则可以调整", "only the domain rules (PG100 and above) can be changed"),
    ))

UNKNOWN_KEY = Rule(
    "PG010", "error", "未知的键（提示最接近的键）", "unknown key (nearest key suggested)",
    messages=(
        Message("schema.unknown_near", "未知的键 “{key}”，是否想写 “{near}”？",
                "unknown key “{key}”; did you mean “{near}”?", "此处允许的键：{allowed}",
                "keys allowed here: {allowed}"),
        Message("schema.unknown", "未知的键 “{key}”", "unknown key “{key}”", "此处允许的键：{allowed}",
                "keys allowed here: {allowed}"),
    ))

MISSING_KEY = Rule(
    "PG011", "error", "缺少必填键", "required key missing",
    messages=(
        Message("schema.required", "文件顶层缺少必填键 “{key}”", "required key “{key}” is missing at the top level",
                "可在本文件中填写，或在同目录或上级目录的 _defaults.yaml 中提供",
                "add it here, or in a _defaults.yaml in this folder or above"),
        # inside the file (an indicator, funds): _defaults.yaml gives only top-level keys, so the hint says so
        Message("schema.required_in", "{at} 中缺少必填键 “{key}”", "{at}: required key “{key}” is missing",
                "在这一项中补上 {key}", "add {key} to this item"),
    ))

WRONG_TYPE = Rule(
    "PG012", "error", "值的类型不对", "value of the wrong type",
    messages=(
        Message("schema.type", "{at} 应为{want}，实际为{got}", "{at} must be {want}, found {got}"),
        Message("schema.type_bool", "{at} 应为{want}，但 {raw} 被 YAML 当作布尔值",
                "{at} must be {want}, but YAML reads {raw} as a boolean", '加引号："{raw}"', 'quote it: "{raw}"'),
        Message("schema.type_null", "{at} 没有填写值", "{at} has no value", "在冒号后填写值，或删除这一行",
                "write a value after the colon, or remove the line"),
        Message("schema.type_text_for_number", "{at} 应为{want}，“{raw}” 不是数字",
                "{at} must be {want}; “{raw}” is not a number", "请用阿拉伯数字书写，如 10、2023、5.5",
                "write it in digits, e.g. 10, 2023, 5.5"),
    ))

OUT_OF_RANGE = Rule(
    "PG013", "error", "数值超出范围", "number out of range",
    messages=(
        Message("schema.minimum", "{at} 不能小于 {limit}（实际 {value}）",
                "{at} must be at least {limit} (found {value})"),
        Message("schema.maximum", "{at} 不能大于 {limit}（实际 {value}）",
                "{at} must be at most {limit} (found {value})"),
        Message("schema.exclusiveMinimum", "{at} 必须大于 {limit}（实际 {value}）",
                "{at} must be greater than {limit} (found {value})"),
        Message("schema.exclusiveMaximum", "{at} 必须小于 {limit}（实际 {value}）",
                "{at} must be less than {limit} (found {value})"),
    ))

EMPTY_VALUE = Rule(
    "PG014", "error", "值或列表为空", "empty value or list",
    messages=(
        Message("schema.empty", "{at} 不能为空", "{at} must not be empty"),
    ))

TOO_MANY_ITEMS = Rule(
    "PG015", "error", "列表项过多", "too many items",
    messages=(
        Message("schema.toomany", "{at} 最多 {limit} 项", "{at} may have at most {limit} items"),
    ))

BAD_FORMAT = Rule(
    "PG016", "error", "值不符合格式", "value does not match the format",
    messages=(
        Message("schema.invalid", "{at} 的值不符合格式（{validator}）",
                "{at} does not match the format ({validator})"),
        Message("schema.enum", "{at} 只能是 {allowed} 之一（实际为 “{value}”）",
                "{at} must be one of {allowed} (found “{value}”)"),
    ))

BAD_FILE_NAME = Rule(
    "PG017", "error", "文件名不是 UTF-8 编码", "file name is not UTF-8",
    messages=(
        Message("file.name_encoding", "文件名不是 UTF-8 编码（常见于 Windows 上打包的 zip），无法处理",
                "the file name is not UTF-8 (common in zip files made on Windows)",
                "请把这个文件重新命名（在 Windows 上解压时用支持 UTF-8 的工具，如 7-Zip）；在 Linux 上可批量转换："
                "convmv -f gbk -t utf-8 -r --notest goals/",
                "rename the file (unzip with a tool that keeps UTF-8 names, such as 7-Zip); on Linux, convert all "
                "names: convmv -f gbk -t utf-8 -r --notest goals/"),
        Message("file.name_control", "文件名含有控制字符或文字方向控制符，无法安全地显示或发布",
                "the file name holds control or text-direction characters and cannot be shown or published safely",
                "请把文件重新命名，只用普通的文字、数字和标点",
                "rename the file using ordinary letters, digits and punctuation"),
    ))

NOT_A_REGULAR_FILE = Rule(
    "PG018", "error", "不是普通文件，或是指向仓库之外的链接", "not a regular file, or a link out of the repository",
    messages=(
        Message("file.fifo", "这是命名管道（FIFO），不是普通文件：perfgen 不读取它",
                "a named pipe (FIFO), not a regular file: perfgen does not read it",
                "目标文件、_defaults.yaml、perfgen.yaml 都必须是普通文件；删除它",
                "goals files, _defaults.yaml and perfgen.yaml must be regular files; delete it"),
        Message("file.device", "这是设备文件（或指向设备的链接），不是普通文件：perfgen 不读取它",
                "a device (or a link to one), not a regular file: perfgen does not read it", "删除它，或换成普通文件",
                "delete it, or replace it with a regular file"),
        Message("file.special", "这不是普通文件（套接字或其他特殊文件）：perfgen 不读取它",
                "not a regular file (a socket or other special file): perfgen does not read it",
                "删除它，或换成普通文件", "delete it, or replace it with a regular file"),
        Message("file.outside", "这是指向仓库之外的符号链接（{target}）：perfgen 不读取仓库以外的文件",
                "a symbolic link out of the repository ({target}): perfgen reads no file outside it",
                "把文件本身放进仓库，或让链接指向仓库内的文件",
                "put the file itself in the repository, or link to a file inside it"),
        Message("dir.linked", "符号链接的目录不会被读取（{target}）", "a linked folder is not followed ({target})",
                "把目标文件直接放进 goals/；指向仓库之外的链接可能读到不该发布的文件",
                "put the goals files in goals/ itself; a link out of the repository could publish files that are "
                "not meant to be"),
        Message("fmt.outside", "这是指向仓库之外的符号链接（{target}）：perfgen fmt 不读取也不改写它",
                "a symbolic link out of the repository ({target}): perfgen fmt neither reads nor rewrites it",
                "链接指向仓库内的文件时，fmt 改写那个文件，链接本身保持不变；请把文件放进仓库，"
                "或让链接指向仓库内的文件",
                "for a link to a file inside the repository, fmt rewrites that file and leaves the link as it is: "
                "put the file in the repository, or link to a file inside it"),
    ))

SAME_OUTPUT_FILE = Rule(
    "PG019", "error", "两个目标文件会生成同一个输出文件", "two goals files would make the same output file",
    messages=(
        Message("build.collision", "与 {other} 生成同一个输出文件 {path}",
                "makes the same output file as {other}: {path}",
                "两个文件名只差扩展名（.yaml/.yml）、大小写或 Unicode 写法时，输出会互相覆盖；请重命名或删除其中一个",
                "file names that differ only in the suffix (.yaml/.yml), in case or in Unicode normalisation "
                "overwrite each other's output: rename or delete one of them"),
    ))

CONTROL_CHARACTER = Rule(
    "PG021", "error", "文本中含有控制字符", "control character in text",
    messages=(
        Message("yaml.control", "值中含有控制字符 {char}（{code}）",
                "the value contains the control character {char} ({code})",
                "控制字符在表格中看不见，还可能操纵显示它的终端；删除它（常来自复制粘贴，或 YAML 转义如 \\e、\\x1b、"
                "\\u001b）",
                "control characters are invisible in the form and can drive the terminal that shows them; delete it "
                "(it comes from copy and paste, or a YAML escape such as \\e, \\x1b, \\u001b)"),
        Message("yaml.control.key", "键中含有控制字符 {char}（{code}）",
                "the key contains the control character {char} ({code})", "删除它：键只能是目标文件中规定的名称",
                "delete it: keys are the names a goals file defines"),
        Message("yaml.control.raw", "文件中含有控制字符 {char}（{code}）",
                "the file contains the control character {char} ({code})",
                "控制字符在表格中看不见，还可能操纵显示它的终端；删除它（编辑器的“显示不可见字符”可以找到它）",
                "control characters are invisible in the form and can drive the terminal that shows them; delete it "
                "(an editor's 'show invisible characters' finds it)"),
    ))

RULES = (YAML_SYNTAX, NOT_UTF8, DUPLICATE_KEY, ALIAS, TOO_LARGE, EMPTY_OR_NOT_MAPPING, NOT_FOUND, BAD_SETTING,
         UNKNOWN_KEY, MISSING_KEY, WRONG_TYPE, OUT_OF_RANGE, EMPTY_VALUE, TOO_MANY_ITEMS, BAD_FORMAT, BAD_FILE_NAME,
         NOT_A_REGULAR_FILE, SAME_OUTPUT_FILE, CONTROL_CHARACTER)
