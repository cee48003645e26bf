"""The rules of ``perfgen next-year`` (PG170-PG172), raised by :mod:`perfgen.rollover`.

Records only (see :mod:`perfgen.diagnostics.rule`), kept apart from perfgen.rollover, which imports the formatter
and through it the diagnostics (the catalogue must not import itself).
"""

from __future__ import annotations

from perfgen.diagnostics.rule import Message, Rule

NEXT_YEAR_EXISTS = Rule(
    "PG170", "error", "next-year：目标目录中已有同名文件", "next-year: the destination already has the file",
    messages=(
        Message("rollover.exists", "文件已存在，未生成下一年度的文件（一个也没有写入）",
                "the file exists; next year's files were not written (none of them)",
                "确认可以替换后加 --force，或换一个目标目录", "add --force once you are sure it may be replaced, "
                "or choose another destination"),
    ))

NEXT_YEAR_UNUSABLE = Rule(
    "PG171", "error", "next-year：无法读取源文件或无法写入目标",
    "next-year: a source cannot be read or the target written",
    messages=(
        Message("rollover.unreadable", "无法读取：{reason}", "cannot read it: {reason}",
                "next-year 只读取仓库内的普通 UTF-8 文件", "next-year reads only regular UTF-8 files inside the "
                "repository"),
        Message("rollover.outside", "目标不在仓库之内，或是符号链接、目录：不写入",
                "the target is outside the repository, or a link or a folder: not written",
                "把目标目录放在仓库的 goals/ 下", "put the destination under the repository's goals/"),
    ))

NEXT_YEAR_NO_ACTUAL = Rule(
    "PG172", "warning", "next-year：指标没有实际完成值，上年完成值留空", "next-year: no actual, last_year left empty",
    messages=(
        Message("rollover.no_actual", "“{name}” 没有实际完成值（actual），下一年度表中的上年完成值留空",
                "“{name}” has no actual value, so next year's last_year is left empty",
                "在 {file} 中补上 actual 后重新生成，或在新文件中直接填写 last_year",
                "add actual in {file} and run again, or fill in last_year in the new file"),
    ))

RULES = (NEXT_YEAR_EXISTS, NEXT_YEAR_UNUSABLE, NEXT_YEAR_NO_ACTUAL)
