"""The rules of building: where outputs may go, templates, the output folder, the PDF's font, assembling
shards (PG008, PG020, PG030-PG035).

Records only (see :mod:`perfgen.diagnostics.rule`): the build raises them with ``diag(pos, code, key)``.
"""

from __future__ import annotations

from perfgen.diagnostics.rule import Message, Rule

# A repository's templates come with pull requests: what every refusal to read one says, and every limit.
_READ_ONLY_INSIDE_TEMPLATES = (
    "仓库里的模板来自拉取请求，perfgen 只读取 templates/ 之内的普通 UTF-8 文件",
    "templates come with pull requests: perfgen reads only regular UTF-8 files inside templates/")
_RUN_UNDER_LIMITS = (
    "仓库模板在限制下运行，以免拉取请求拖垮构建：检查模板中的循环、重复和格式宽度",
    "repository templates run under limits so that a pull request cannot exhaust the build: check the template's "
    "loops, repetitions and format widths")

OUTPUT_OUTSIDE = Rule(
    "PG008", "error", "输出路径会落到输出目录之外", "output path would leave the output folder",
    messages=(
        Message("build.escape", "输出路径 “{path}” 会落到输出目录之外",
                "output path “{path}” would leave the output folder", "目标文件应放在 goals/ 目录下",
                "keep goals files under goals/"),
    ))

OUTPUT_RESERVED = Rule(
    "PG020", "error", "输出路径与 perfgen 自己的页面或文件夹同名",
    "output path taken by a page or folder perfgen writes itself",
    messages=(
        Message("build.reserved", "输出 “{path}” 会与 perfgen 自己的输出冲突：{what}",
                "output “{path}” would collide with perfgen's own output: {what}",
                "index（目录页）、units（单位清单页）、combined（合并文件）和各表样的 ID 留给 perfgen 自己的输出："
                "请给这个目标文件或它在 goals/ 下的第一层文件夹改名",
                "index (the index page), units (the units' pages), combined (the combined documents) and the form IDs "
                "are kept for perfgen's own outputs: rename this goals file or its first folder under goals/"),
    ))

TEMPLATE_ERROR = Rule(
    "PG030", "error", "模板错误", "template error",
    messages=(
        Message("template.error", "模板错误：{detail}", "template error: {detail}",
                "检查仓库 templates/ 中覆盖的模板；删除它即恢复内置模板",
                "check the override in the repo's templates/; delete it to use the built-in one"),
        Message("template.reference", "reference.docx 不是有效的 Word 文件（{why}）",
                "reference.docx is not a valid Word document ({why})",
                "用 Word 打开并重新保存为 .docx，或删除它以使用内置的参考文档",
                "open it in Word and save it again as .docx, or delete it to use the built-in one"),
        Message("template.folder_link", "templates/ 是符号链接（指向 {target}）：perfgen 不使用链接的模板目录",
                "templates/ is a symbolic link (to {target}): perfgen does not use a linked templates folder",
                "把模板放进仓库中真正的 templates/ 目录",
                "keep the templates in a real templates/ folder of the repository"),
        Message("template.outside", "模板是指向 templates/ 之外的符号链接（{target}）：不读取 templates/ 以外的文件",
                "the template is a link out of templates/ ({target}): no file outside it is read",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.fifo", "模板不是普通文件，而是命名管道（FIFO）",
                "the template is not a regular file but a named pipe (FIFO)",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.device", "模板不是普通文件，而是设备文件", "the template is not a regular file but a device",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.directory", "模板不是普通文件，而是目录", "the template is not a regular file but a folder",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.special", "模板不是普通文件", "the template is not a regular file",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.dangling", "模板是断开的符号链接（指向不存在的 {target}）",
                "the template is a dangling link (to {target}, which does not exist)",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.encoding", "模板不是 UTF-8 编码（第 {at} 字节）：请另存为 UTF-8",
                "the template is not UTF-8 (byte {at}): save it as UTF-8",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.toolarge", "模板过大（上限 {limit} 字节）",
                "the template is too large (limit {limit} bytes)",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.unreadable", "无法读取模板：{reason}", "cannot read the template: {reason}",
                *_READ_ONLY_INSIDE_TEMPLATES),
        Message("template.limit.time", "模板渲染一页超过 {seconds} 秒，已停止",
                "the template took longer than {seconds} s for one page: stopped",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.size", "模板生成的一页超过 {limit} 个字符，已停止",
                "the template made a page longer than {limit} characters: stopped",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.memory", "模板渲染时占用的内存超过上限，已停止",
                "the template used more memory than allowed: stopped",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.width", "格式宽度或精度 {value} 超过上限 {limit}",
                "format width or precision {value} is over the limit {limit}",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.range", "一页中 range() 产生的项超过 {limit} 个",
                "range() made more than {limit} items in one page",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.repeat", "重复（*）的结果超过 {limit} 项",
                "a repetition (*) would be longer than {limit} items",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.power", "乘方的指数超过 1000", "an exponent over 1000",
                *_RUN_UNDER_LIMITS),
        Message("template.limit.nested", "格式说明中不能嵌套替换字段（如 {{:{{w}}}}）",
                "nested replacement fields in a format spec (such as {{:{{w}}}}) are not allowed",
                *_RUN_UNDER_LIMITS),
    ))

OUTPUT_BUSY = Rule(
    "PG031", "error", "输出目录正被另一次构建使用", "output folder in use by another build",
    messages=(
        Message("build.busy", "另一次 perfgen build 正在写同一个输出目录，等待 {seconds} 秒后仍未结束",
                "another perfgen build is writing the same output folder and has not finished after {seconds} s",
                "等它结束后再运行，或用 --out 写到另一个目录",
                "run again when it has finished, or build into another folder with --out"),
    ))

OUTPUT_UNWRITABLE = Rule(
    "PG032", "error", "无法写入输出目录或其中的构建记录", "the output folder or its build record cannot be written",
    messages=(
        Message("build.cache_unusable",
                "无法写入输出目录里的记录文件（它记下哪些项目没有改动、可以跳过）。原因：{reason}",
                "cannot write the record file in the output folder (it notes which projects are unchanged and can be "
                "skipped). Reason: {reason}",
                "检查输出目录能否写入、磁盘是否已满。删掉这个文件也无妨，只是下次要把所有项目重新生成一遍，较慢",
                "check that the output folder is writable and the disk not full. Deleting the file is safe: the "
                "next build just makes every project again, which takes longer"),
        Message("build.out_unusable", "无法写入输出目录 {path}：{reason}",
                "cannot write to the output folder {path}: {reason}",
                "检查它是否是可写的目录、磁盘是否已满；原有输出保持不变",
                "check that it is a writable folder and the disk is not full; the previous output is untouched"),
        Message("build.out_link", "输出目录中的 {path} 是指向别处的符号链接：perfgen 不会通过它写文件",
                "{path} in the output folder is a symbolic link: perfgen writes nothing through it",
                "删除这个链接（输出目录里的文件和目录都由 perfgen 生成）",
                "delete the link (perfgen makes every file and folder of the output folder)"),
    ))

PDF_NO_FONT = Rule(
    "PG033", "error", "生成 PDF 需要中文字体，本机没有找到", "PDF output needs a CJK font and none was found",
    messages=(
        Message("pdf.no_font", "生成 PDF 需要中文字体，本机没有找到（查找过：{searched}）",
                "PDF output needs a CJK font and none was found (looked for: {searched})",
                "安装中文字体：Windows 自带宋体（SimSun）；macOS 自带宋体-简（Songti SC）；Linux 安装 fonts-noto-cjk"
                "（Debian/Ubuntu: apt install fonts-noto-cjk）；或在 perfgen.yaml 用 pdf_font: 指定字体名称或字体文件",
                "install a CJK font: Windows has SimSun; macOS has Songti SC; on Linux install fonts-noto-cjk "
                "(Debian/Ubuntu: apt install fonts-noto-cjk); or name a font or font file with pdf_font: in "
                "perfgen.yaml"),
    ))

PDF_MISSING_GLYPH = Rule(
    "PG034", "warning", "PDF 字体缺少某些字符", "the PDF font cannot draw some characters",
    messages=(
        Message("pdf.missing_glyph", "PDF 字体 {font} 没有这些字符，PDF 中无法显示：{chars}",
                "the PDF font {font} has no glyph for these characters, which the PDF cannot show: {chars}",
                "换用包含这些字符的字体（perfgen.yaml 的 pdf_font:），或改写这些字符",
                "choose a font that has them (pdf_font: in perfgen.yaml), or write them otherwise"),
    ))

NOT_A_SHARD = Rule(
    "PG035", "error", "--assemble 给出的目录不是分片构建的输出目录",
    "a folder given to --assemble is not a sharded build's output folder",
    messages=(
        Message("build.not_a_shard", "{path} 不是 perfgen build 的输出目录（没有 .perfgen/cache.sqlite）",
                "{path} is not an output folder of perfgen build (no .perfgen/cache.sqlite)",
                "给出各分片任务 perfgen build --shard I/N --out 目录 所写的目录（含隐藏的 .perfgen 文件夹）",
                "give the folders the shard jobs wrote with perfgen build --shard I/N --out DIR (with their hidden "
                ".perfgen folder)"),
        Message("build.shard_damaged", "无法合并分片 {path}：{reason}", "cannot assemble the shard {path}: {reason}",
                "重新运行该分片的构建任务", "run that shard's build job again"),
    ))

RULES = (OUTPUT_OUTSIDE, OUTPUT_RESERVED, TEMPLATE_ERROR, OUTPUT_BUSY, OUTPUT_UNWRITABLE, PDF_NO_FONT,
         PDF_MISSING_GLYPH, NOT_A_SHARD)
