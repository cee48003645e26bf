"""Messages in Chinese (default) and English (``--lang en``).

Every diagnostic names a key here; its text is chosen when printed. Placeholders use str.format.
"""

from __future__ import annotations

from typing import Any

_lang = "zh"


def set_lang(lang: str) -> None:
    global _lang
    _lang = "en" if lang.lower().startswith("en") else "zh"


def get_lang() -> str:
    return _lang


WORDS: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "hint": ("提示", "hint"),
    "see": ("参见", "see"),
    "text": ("文字", "text"),
    "number": ("数字", "a number"),
    "integer": ("整数", "an integer"),
    "mapping": ("映射（键: 值）", "a mapping"),
    "list": ("列表", "a list"),
    "bool": ("布尔值", "a boolean"),
    "null": ("空值", "an empty value"),
    "top-level": ("文件顶层", "the file's top level"),
}

# key -> (zh, en, zh hint | None, en hint | None)
MESSAGES: dict[str, tuple[str, str, str | None, str | None]] = {
    # ---- reading files ----
    "enc.gbk": (
        "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 记事本或 WPS 常见）",
        "file is not UTF-8; it looks like GBK/GB18030 (common from Windows editors)",
        "请另存为 UTF-8：在记事本或 WPS 中“另存为”，编码选“UTF-8”；命令行可用 iconv -f GB18030 -t UTF-8 原文件 > 新文件",
        "re-save as UTF-8: in Notepad or WPS use Save As and choose UTF-8; on a command line: "
        "iconv -f GB18030 -t UTF-8 old > new"),
    "enc.utf16": (
        "文件是 UTF-16 编码", "file is UTF-16 encoded",
        "请另存为 UTF-8（iconv -f UTF-16 -t UTF-8）", "re-save as UTF-8 (iconv -f UTF-16 -t UTF-8)"),
    "enc.unknown": (
        "文件不是 UTF-8 编码的文本", "file is not UTF-8 text",
        "目标文件须为 UTF-8 编码的 YAML 文本", "goals files must be UTF-8 encoded YAML text"),
    "enc.binary": ("文件包含 NUL 字节，不是文本文件", "file contains NUL bytes; it is not a text file", None, None),
    "file.toolarge": (
        "文件过大（{size} 字节，上限 {limit} 字节）", "file too large ({size} bytes, limit {limit})",
        "一个目标文件只描述一个项目，通常只有几 KB", "a goals file describes one project and is usually a few KB"),
    "file.toodeep": (
        "文件嵌套过深或节点过多，无法安全读取", "file is nested too deeply or has too many nodes to read safely",
        None, None),
    "file.empty": (
        "文件为空", "file is empty",
        "目标文件至少需要 year、unit、name、funds、objectives、indicators（可由 _defaults.yaml 提供部分）",
        "a goals file needs year, unit, name, funds, objectives, indicators (some may come from _defaults.yaml)"),
    "file.notmap": (
        "文件顶层必须是“键: 值”映射，不能是列表或单个值", "the top level must be a mapping of keys to values",
        "每行写成 键: 值，例如 name: 项目名称", "write key: value lines, e.g. name: project name"),
    "file.missing": ("找不到文件或目录", "no such file or directory", None, None),
    "file.name_encoding": ("文件名不是 UTF-8 编码（常见于 Windows 上打包的 zip），无法处理",
                           "the file name is not UTF-8 (common in zip files made on Windows)",
                           "请把这个文件重新命名（在 Windows 上解压时用支持 UTF-8 的工具，如 7-Zip）；"
                           "在 Linux 上可批量转换：convmv -f gbk -t utf-8 -r --notest goals/",
                           "rename the file (unzip with a tool that keeps UTF-8 names, such as 7-Zip); on Linux, "
                           "convert all names: convmv -f gbk -t utf-8 -r --notest goals/"),
    "yaml.syntax": (
        "YAML 语法错误：{problem}", "YAML syntax error: {problem}",
        "检查此行及上一行的缩进、冒号和引号", "check indentation, colons and quotes on this line and the one before"),
    "yaml.tab": (
        "缩进中使用了制表符（Tab）", "tab character used for indentation",
        "YAML 只能用空格缩进：把 Tab 替换为空格（建议每级 2 个空格）",
        "YAML indents with spaces only: replace tabs with spaces (2 per level)"),
    "yaml.gt": (
        "以 “{value}” 开头的值在 YAML 中有特殊含义（> 和 | 开始多行文本）",
        "a value starting with “{value}” means something else in YAML (> and | start a block of text)",
        "请加引号，如 target: \">=98%\"，或改用全角符号 ≥ / ≤，如 target: ≥98%（无需引号）",
        "quote it, e.g. target: \">=98%\", or write ≥ / ≤, e.g. target: ≥98% (no quotes needed)"),
    "yaml.multidoc": (
        "一个文件只能包含一个 YAML 文档（出现了 ---）", "a file may hold one YAML document only (found ---)",
        "每个项目单独一个文件", "put each project in its own file"),
    "yaml.alias": (
        "目标文件中不允许使用锚点别名（*、<<）", "aliases (*, <<) are not allowed in goals files",
        "请直接写出值；共用的值放到 _defaults.yaml", "write values out; put shared values in _defaults.yaml"),
    "yaml.complexkey": ("键必须是简单的文字", "keys must be plain text", None, None),
    "yaml.dupkey": (
        "键 “{key}” 重复出现", "duplicate key “{key}”",
        "YAML 中后出现的值会覆盖前面的值；请删除或合并其中一个",
        "YAML would silently keep only the last one; remove or merge one of them"),
    # ---- schema ----
    "schema.unknown_near": (
        "未知的键 “{key}”，是否想写 “{near}”？", "unknown key “{key}”; did you mean “{near}”?",
        "此处允许的键：{allowed}", "keys allowed here: {allowed}"),
    "schema.unknown": (
        "未知的键 “{key}”", "unknown key “{key}”",
        "此处允许的键：{allowed}", "keys allowed here: {allowed}"),
    "schema.required": (
        "{at} 缺少必填键 “{key}”", "{at}: required key “{key}” is missing",
        "可在本文件中填写，或在同目录或上级目录的 _defaults.yaml 中提供",
        "add it here, or in a _defaults.yaml in this folder or above"),
    "schema.type": (
        "{at} 应为{want}，实际为{got}", "{at} must be {want}, found {got}", None, None),
    "schema.type_bool": (
        "{at} 应为{want}，但 {raw} 被 YAML 当作布尔值", "{at} must be {want}, but YAML reads {raw} as a boolean",
        "加引号：\"{raw}\"", "quote it: \"{raw}\""),
    "schema.type_null": (
        "{at} 没有填写值", "{at} has no value",
        "在冒号后填写值，或删除这一行", "write a value after the colon, or remove the line"),
    "schema.type_text_for_number": (
        "{at} 应为{want}，“{raw}” 不是数字", "{at} must be {want}; “{raw}” is not a number",
        "请用阿拉伯数字书写，如 10、2023、5.5", "write it in digits, e.g. 10, 2023, 5.5"),
    "schema.minimum": ("{at} 不能小于 {limit}（实际 {value}）", "{at} must be at least {limit} (found {value})",
                       None, None),
    "schema.maximum": ("{at} 不能大于 {limit}（实际 {value}）", "{at} must be at most {limit} (found {value})",
                       None, None),
    "schema.exclusiveMinimum": ("{at} 必须大于 {limit}（实际 {value}）", "{at} must be greater than {limit} "
                                "(found {value})", None, None),
    "schema.exclusiveMaximum": ("{at} 必须小于 {limit}（实际 {value}）", "{at} must be less than {limit} "
                                "(found {value})", None, None),
    "schema.empty": ("{at} 不能为空", "{at} must not be empty", None, None),
    "schema.toomany": ("{at} 最多 {limit} 项", "{at} may have at most {limit} items", None, None),
    "schema.invalid": ("{at} 的值不符合格式（{validator}）", "{at} does not match the format ({validator})",
                       None, None),
    # ---- settings, build, templates, internal failures ----
    "config.unknown": ("perfgen.yaml 中未知的设置 “{key}”", "unknown setting “{key}” in perfgen.yaml",
                       "可用的设置：{allowed}", "settings: {allowed}"),
    "config.invalid": ("perfgen.yaml 中 {key} 的值无效，应为 {expected}",
                       "invalid value for {key} in perfgen.yaml; expected {expected}", None, None),
    "build.escape": ("输出路径 “{path}” 会落到输出目录之外", "output path “{path}” would leave the output folder",
                     "目标文件应放在 goals/ 目录下", "keep goals files under goals/"),
    "build.busy": ("另一次 perfgen build 正在写同一个输出目录，等待 {seconds} 秒后仍未结束",
                   "another perfgen build is writing the same output folder and has not finished after {seconds} s",
                   "等它结束后再运行，或用 --out 写到另一个目录",
                   "run again when it has finished, or build into another folder with --out"),
    "build.cache_unusable": ("无法写入输出目录里的记录文件（它记下哪些项目没有改动、可以跳过）。原因：{reason}",
                             "cannot write the record file in the output folder (it notes which projects are "
                             "unchanged and can be skipped). Reason: {reason}",
                             "检查输出目录能否写入、磁盘是否已满。删掉这个文件也无妨，只是下次要把所有项目重新生成一遍，较慢",
                             "check that the output folder is writable and the disk not full. Deleting the file "
                             "is safe: the next build just makes every project again, which takes longer"),
    "template.reference": ("reference.docx 不是有效的 Word 文件（{why}）",
                           "reference.docx is not a valid Word document ({why})",
                           "用 Word 打开并重新保存为 .docx，或删除它以使用内置的参考文档",
                           "open it in Word and save it again as .docx, or delete it to use the built-in one"),
    "template.error": ("模板错误：{detail}", "template error: {detail}",
                       "检查仓库 templates/ 中覆盖的模板；删除它即恢复内置模板",
                       "check the override in the repo's templates/; delete it to use the built-in one"),
    # ---- hostile input (issue 10): one section per area, to keep concurrent edits apart ----
    # [hostile:files] reading files, discovery, output folder
    "file.name_control": ("文件名含有控制字符或文字方向控制符，无法安全地显示或发布",
                          "the file name holds control or text-direction characters and cannot be shown or "
                          "published safely", "请把文件重新命名，只用普通的文字、数字和标点",
                          "rename the file using ordinary letters, digits and punctuation"),
    "file.fifo": ("这是命名管道（FIFO），不是普通文件：perfgen 不读取它", "a named pipe (FIFO), not a regular file: "
                  "perfgen does not read it", "目标文件、_defaults.yaml、perfgen.yaml 都必须是普通文件；删除它",
                  "goals files, _defaults.yaml and perfgen.yaml must be regular files; delete it"),
    "file.device": ("这是设备文件（或指向设备的链接），不是普通文件：perfgen 不读取它",
                    "a device (or a link to one), not a regular file: perfgen does not read it",
                    "删除它，或换成普通文件", "delete it, or replace it with a regular file"),
    "file.special": ("这不是普通文件（套接字或其他特殊文件）：perfgen 不读取它",
                     "not a regular file (a socket or other special file): perfgen does not read it",
                     "删除它，或换成普通文件", "delete it, or replace it with a regular file"),
    "file.outside": ("这是指向仓库之外的符号链接（{target}）：perfgen 不读取仓库以外的文件",
                     "a symbolic link out of the repository ({target}): perfgen reads no file outside it",
                     "把文件本身放进仓库，或让链接指向仓库内的文件",
                     "put the file itself in the repository, or link to a file inside it"),
    "dir.linked": ("符号链接的目录不会被读取（{target}）", "a linked folder is not followed ({target})",
                   "把目标文件直接放进 goals/；指向仓库之外的链接可能读到不该发布的文件",
                   "put the goals files in goals/ itself; a link out of the repository could publish files "
                   "that are not meant to be"),
    "dir.unreadable": ("无法读取这个目录：{reason}", "cannot read this folder: {reason}",
                       "检查目录权限（chmod a+rx）；目录里的项目无法检查或生成",
                       "check the folder's permissions (chmod a+rx): its projects cannot be checked or built"),
    "build.collision": ("与 {other} 生成同一个输出文件 {path}", "makes the same output file as {other}: {path}",
                        "两个文件名只差扩展名（.yaml/.yml）、大小写或 Unicode 写法时，输出会互相覆盖；请重命名或删除其中一个",
                        "file names that differ only in the suffix (.yaml/.yml), in case or in Unicode normalisation "
                        "overwrite each other's output: rename or delete one of them"),
    "build.out_unusable": ("无法写入输出目录 {path}：{reason}", "cannot write to the output folder {path}: {reason}",
                           "检查它是否是可写的目录、磁盘是否已满；原有输出保持不变",
                           "check that it is a writable folder and the disk is not full; the previous output is "
                           "untouched"),
    "build.out_link": ("输出目录中的 {path} 是指向别处的符号链接：perfgen 不会通过它写文件",
                       "{path} in the output folder is a symbolic link: perfgen writes nothing through it",
                       "删除这个链接（输出目录里的文件和目录都由 perfgen 生成）",
                       "delete the link (perfgen makes every file and folder of the output folder)"),
    # [hostile:templates] templates and reference.docx
    "template.folder_link": ("templates/ 是符号链接（指向 {target}）：perfgen 不使用链接的模板目录", "templates/ is a symbolic link (to {target}): perfgen does not use a linked templates folder",
        "把模板放进仓库中真正的 templates/ 目录",
        "keep the templates in a real templates/ folder of the repository"),
    "template.outside": ("模板是指向 templates/ 之外的符号链接（{target}）：不读取 templates/ 以外的文件", "the template is a link out of templates/ ({target}): no file outside it is read",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.fifo": ("模板不是普通文件，而是命名管道（FIFO）", "the template is not a regular file but a named pipe (FIFO)",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.device": ("模板不是普通文件，而是设备文件", "the template is not a regular file but a device",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.directory": ("模板不是普通文件，而是目录", "the template is not a regular file but a folder",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.special": ("模板不是普通文件", "the template is not a regular file",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.dangling": ("模板是断开的符号链接（指向不存在的 {target}）", "the template is a dangling link (to {target}, which does not exist)",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.encoding": ("模板不是 UTF-8 编码（第 {at} 字节）：请另存为 UTF-8", "the template is not UTF-8 (byte {at}): save it as UTF-8",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.toolarge": ("模板过大（上限 {limit} 字节）", "the template is too large (limit {limit} bytes)",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.unreadable": ("无法读取模板：{reason}", "cannot read the template: {reason}",
        "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
        "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/"),
    "template.limit.time": ("模板渲染一页超过 {seconds} 秒，已停止", "the template took longer than {seconds} s for one page: stopped",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.size": ("模板生成的一页超过 {limit} 个字符，已停止", "the template made a page longer than {limit} characters: stopped",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.memory": ("模板渲染时占用的内存超过上限，已停止", "the template used more memory than allowed: stopped",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.width": ("格式宽度或精度 {value} 超过上限 {limit}", "format width or precision {value} is over the limit {limit}",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.range": ("一页中 range() 产生的项超过 {limit} 个", "range() made more than {limit} items in one page",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.repeat": ("重复（*）的结果超过 {limit} 项", "a repetition (*) would be longer than {limit} items",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.power": ("乘方的指数超过 1000", "an exponent over 1000",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    "template.limit.nested": ("格式说明中不能嵌套替换字段（如 {{:{{w}}}}）", "nested replacement fields in a format spec (such as {{:{{w}}}}) are not allowed",
        "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
        "repository templates run under limits so that a pull request cannot exhaust the build: check the template's loops, repetitions and format widths"),
    # [hostile:cache] the build cache
    # [hostile:import] import sources
    # [hostile:fmt] perfgen fmt
    "fmt.changed": ("文件在格式化期间被修改（编辑器或其他程序刚保存了它），没有写入，以免覆盖这次修改",
                    "the file changed while it was being formatted (an editor or another program saved it) and "
                    "was not written, so that change is not lost", "再运行一次 perfgen fmt {file}",
                    "run perfgen fmt {file} again"),
    "fmt.outside": ("这是指向仓库之外的符号链接（{target}）：perfgen fmt 不读取也不改写它",
                    "a symbolic link out of the repository ({target}): perfgen fmt neither reads nor rewrites it",
                    "链接指向仓库内的文件时，fmt 改写那个文件，链接本身保持不变；请把文件放进仓库，或让链接指向仓库内的文件",
                    "for a link to a file inside the repository, fmt rewrites that file and leaves the link as it "
                    "is: put the file in the repository, or link to a file inside it"),
    # [hostile:terminal] control characters in goals files and in what perfgen prints
    "yaml.control": ("值中含有控制字符 {char}（{code}）", "the value contains the control character {char} ({code})",
                     "控制字符在表格中看不见，还可能操纵显示它的终端；删除它（常来自复制粘贴，或 YAML 转义如 \\e、\\x1b、\\u001b）",
                     "control characters are invisible in the form and can drive the terminal that shows them; delete it "
                     "(it comes from copy and paste, or a YAML escape such as \\e, \\x1b, \\u001b)"),
    "yaml.control.key": ("键中含有控制字符 {char}（{code}）", "the key contains the control character {char} ({code})",
                         "删除它：键只能是目标文件中规定的名称", "delete it: keys are the names a goals file defines"),
    "yaml.control.raw": ("文件中含有控制字符 {char}（{code}）", "the file contains the control character {char} ({code})",
                         "控制字符在表格中看不见，还可能操纵显示它的终端；删除它（编辑器的“显示不可见字符”可以找到它）",
                         "control characters are invisible in the form and can drive the terminal that shows them; "
                         "delete it (an editor's 'show invisible characters' finds it)"),
    # [hostile:end]
    "file.unreadable": ("无法读取文件：{reason}", "cannot read the file: {reason}",
                        "检查文件权限，或它是否是指向自身的符号链接", "check its permissions, or whether it is a looping symlink"),
    "config.rule_unknown": ("perfgen.yaml 中的 “{code}” 不是 perfgen 的规则代码", "no rule “{code}” (in perfgen.yaml)",
                            "perfgen rules 列出全部规则代码", "perfgen rules lists every rule code"),
    "config.rule_fixed": ("规则 “{code}” 不能调整或关闭：没有它无法读取或生成表格",
                          "rule “{code}” cannot be changed or turned off: files cannot be read or built without it",
                          "只有 PG100 及以上的业务规则可以调整", "only the domain rules (PG100 and above) can be changed"),
    "internal.error": ("perfgen 内部错误（这是 perfgen 的缺陷，不是您的输入有误）：请把上面的信息报告给维护者",
                       "perfgen internal error (a bug in perfgen, not in your input): please report the text above",
                       None, None),
}


def add(messages: dict[str, tuple[str, str, str | None, str | None]]) -> None:
    MESSAGES.update(messages)


def text(zh: str, en: str, **args: Any) -> str:
    """A one-off sentence in the current language (for text that has no message key)."""
    return (en if _lang == "en" else zh).format(**args)


def word(key: str) -> str:
    zh, en = WORDS.get(key, (key, key))
    return en if _lang == "en" else zh


def _fmt(template: str, args: dict[str, Any]) -> str:
    localized = args
    if "want" in args or "got" in args or args.get("at") == "top-level":  # words to translate
        localized = dict(args)
        for k in ("want", "got"):
            if isinstance(args.get(k), str):
                localized[k] = "/".join(word(w) for w in args[k].split("/"))
        if args.get("at") == "top-level":
            localized["at"] = word("top-level")
    try:
        return template.format(**localized)
    except (KeyError, IndexError, ValueError):
        return template


def _entry(key: str) -> tuple[str, str, str | None, str | None] | None:
    entry = MESSAGES.get(key)
    if entry is None and key.startswith("PG1"):
        # The domain rules' messages load with the checks, which a build may only have run in worker
        # processes (or not at all, replaying warnings from its cache): load them here too.
        from perfgen.check import messages  # noqa: F401

        entry = MESSAGES.get(key)
    return entry


def message(key: str, args: dict[str, Any]) -> str:
    entry = _entry(key)
    if entry is None:
        return key
    return _fmt(entry[1] if _lang == "en" else entry[0], args)


def hint(key: str, args: dict[str, Any]) -> str | None:
    entry = _entry(key)
    if entry is None:
        return None
    text = entry[3] if _lang == "en" else entry[2]
    return _fmt(text, args) if text else None
