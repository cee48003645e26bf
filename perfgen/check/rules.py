"""Rules as data: every check has a stable code, a default severity, a one-line summary and messages.

Checks register themselves with :func:`check`; :func:`run` applies perfgen.yaml's severities
(``rules: {PG102: off}``). Codes below PG100 come from reading files and the schema; they are errors
that cannot be turned off, since the project cannot be built without them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from perfgen.diagnostics.i18n import get_lang
from perfgen.diagnostics.report import Diagnostic, Severity
from perfgen.load.config import Config
from perfgen.model import Project


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    zh: str
    en: str
    configurable: bool = True

    def summary(self) -> str:
        return self.en if get_lang() == "en" else self.zh


RULES: dict[str, Rule] = {}


def _r(code: str, severity: Severity, zh: str, en: str, configurable: bool = True) -> None:
    RULES[code] = Rule(code, severity, zh, en, configurable)


# -- reading and schema (not configurable)
_r("PG001", "error", "YAML 语法错误（含 Tab 缩进、以 > 开头的值）", "YAML syntax error (incl. tab indentation, values "
   "starting with >)", False)
_r("PG002", "error", "文件不是 UTF-8 文本（如 GBK/GB18030）", "file is not UTF-8 text (e.g. GBK/GB18030)", False)
_r("PG003", "error", "重复的键", "duplicate key", False)
_r("PG004", "error", "使用了锚点别名（*、<<）", "aliases (*, <<) used", False)
_r("PG005", "error", "文件过大或嵌套过深", "file too large or nested too deeply", False)
_r("PG006", "error", "文件为空或顶层不是映射", "file empty, or its top level is not a mapping", False)
_r("PG007", "error", "找不到文件", "file not found", False)
_r("PG009", "error", "perfgen.yaml 设置无效", "invalid perfgen.yaml setting", False)
_r("PG010", "error", "未知的键（提示最接近的键）", "unknown key (nearest key suggested)", False)
_r("PG011", "error", "缺少必填键", "required key missing", False)
_r("PG012", "error", "值的类型不对", "value of the wrong type", False)
_r("PG013", "error", "数值超出范围", "number out of range", False)
_r("PG014", "error", "值或列表为空", "empty value or list", False)
_r("PG015", "error", "列表项过多", "too many items", False)
_r("PG016", "error", "值不符合格式", "value does not match the format", False)
_r("PG017", "error", "文件名不是 UTF-8 编码", "file name is not UTF-8", False)
_r("PG030", "error", "模板错误", "template error", False)
_r("PG031", "error", "输出目录正被另一次构建使用", "output folder in use by another build", False)
_r("PG032", "error", "无法写入输出目录或其中的构建记录", "the output folder or its build record cannot be written", False)
_r("PG008", "error", "输出路径会落到输出目录之外", "output path would leave the output folder", False)
# [hostile:rules] codes added for hostile input (issue 10)
_r("PG021", "error", "文本中含有控制字符", "control character in text", False)
_r("PG018", "error", "不是普通文件，或是指向仓库之外的链接", "not a regular file, or a link out of the repository", False)
_r("PG019", "error", "两个目标文件会生成同一个输出文件", "two goals files would make the same output file", False)
# -- perfgen fmt / import (reported by those commands)
_r("PG050", "error", "fmt：文件不是规范格式（--check）", "fmt: file not in the canonical layout (--check)", False)
_r("PG051", "error", "fmt：无法写入文件", "fmt: cannot write the file", False)
_r("PG052", "error", "import：文件中没有找到表格", "import: no table found in the file", False)
_r("PG053", "error", "import：文件无法读取、已损坏、过大或类型不支持", "import: unreadable, corrupt, too large or "
   "unsupported file", False)
_r("PG054", "warning", "import：行首丢了一格，已修复", "import: row lost a cell at its start (repaired)", False)
_r("PG055", "warning", "import：行中多了空单元格，已修复", "import: row has an extra empty cell (repaired)", False)
_r("PG056", "warning", "import：行尾缺少单元格，已修复", "import: row is missing trailing cells (repaired)", False)
_r("PG057", "warning", "import：二级指标印在一级指标列，已修复", "import: 二级 printed in the 一级 column (repaired)", False)
_r("PG058", "warning", "import：三级指标名称丢失，以二级指标名称代替", "import: 三级 name lost, set to the 二级 name", False)
_r("PG059", "error", "import：无法放置的行，或缺少一级/二级/名称", "import: row cannot be placed, or lacks 一级/二级/name",
   False)
_r("PG060", "error", "import：缺少表头标签，或数字无法识别", "import: header label missing, or a number that is not one",
   False)
_r("PG061", "error", "import：输出文件已存在（未加 --force）", "import: output file exists (no --force)", False)
_r("PG062", "warning", "import：忽略无法识别的表头行", "import: unrecognised header row ignored", False)
_r("PG063", "error", "import：无法写入输出文件", "import: cannot write an output file", False)
_r("PG064", "warning", "import：同一一级指标的行不相邻，已重新归组", "import: a 一级's rows were not adjacent, regrouped",
   False)
_r("PG065", "warning", "import：Excel 公式没有保存的计算结果", "import: Excel formula with no saved result", False)
_r("PG066", "warning", "import：文字按 GB18030 读取", "import: text read as GB18030", False)
_r("PG067", "warning", "import：工作表超过 10000 行，已截断", "import: sheet longer than 10,000 rows, truncated", False)
# -- perfgen diff / init
_r("PG070", "error", "diff：没有安装 git", "diff: git is not installed", False)
_r("PG071", "error", "diff：不是 git 仓库", "diff: not a git repository", False)
_r("PG072", "error", "diff：版本不存在", "diff: unknown revision", False)
_r("PG073", "error", "diff：仓库还没有提交", "diff: no commits yet", False)
_r("PG074", "error", "diff：读取 git 失败", "diff: reading from git failed", False)
_r("PG075", "error", "diff：没有 goals/ 目录", "diff: no goals/ folder", False)
_r("PG076", "error", "diff：目录与文件不能比较", "diff: a folder compared with a file", False)
_r("PG077", "error", "diff：一侧的目标文件有错误", "diff: one side has invalid goals", False)
_r("PG080", "error", "init：文件已存在", "init: file already exists", False)
_r("PG081", "error", "init：目标不是目录或无法写入", "init: target is not a folder, or cannot be written", False)
# -- domain rules (DOMAIN.md, data-quality checks 1-9)
_r("PG101", "error", "指标分值权重合计不等于表格总分（默认 90）", "weights do not add up to the form's total (90 by default)")
_r("PG102", "warning", "各一级指标分值与惯例（产出+成本 50、效益 30、满意度 10）不同",
   "per-一级 split differs from the convention (output+cost 50, benefit 30, satisfaction 10)")
_r("PG103", "error", "财政拨款 + 其他资金 ≠ 年度预算总额", "fiscal + other ≠ total budget")
_r("PG104", "error", "二级指标放在了错误的一级指标下，或被写成一级指标", "二级 under the wrong 一级, or used as a 一级")
_r("PG105", "error", "未知的一级指标", "unknown 一级 category")
_r("PG106", "warning", "未知的二级指标", "unknown 二级 category")
_r("PG107", "error", "缺少必备的一级指标（产出、效益、满意度）", "mandatory 一级 missing (产出, 效益, 满意度)")
_r("PG108", "warning", "2022 年及以后的表缺少成本指标", "no 成本指标 in a 2022+ table")
_r("PG110", "error", "指标值有运算符但没有数字", "target has an operator but no number")
_r("PG111", "warning", "指标值是数字但没有单位", "number without a unit")
_r("PG112", "warning", "指标值像 Excel 日期序号", "target looks like an Excel date serial")
_r("PG113", "warning", "百分比超过 100% 或写成 ≥100%", "percentage above 100%, or ≥100%")
_r("PG114", "warning", "名称以“率”“度”结尾或为满意度，单位却不是 %", "name is a rate/degree/satisfaction but unit is not %")
_r("PG115", "warning", "成本指标的单位不是元或万元", "cost line's unit is not 元 or 万元")
_r("PG116", "warning", "名称讲次数，单位却是人", "name counts times (次数) but unit is people (人)")
_r("PG117", "error", "成本指标值为 0", "cost target of 0")
_r("PG118", "warning", "成本指标用了 = 或 ≥（通常应为 ≤）", "cost line uses = or ≥ where ≤ is meant")
_r("PG119", "warning", "单位成本 × 数量与年度预算总额相差过大", "cost × quantity differs from the total budget")
_r("PG120", "warning", "非成本指标以“预算支出标准”为依据", "预算支出标准 as the basis of a non-cost line")
_r("PG121", "warning", "定性指标值按照正常比例赋分", "qualitative target scored proportionally")
_r("PG122", "warning", "指标值设置依据不在常用词表中", "basis not in the form's vocabulary")
_r("PG123", "warning", "指标赋分规则不在常用词表中", "scoring rule not in the form's vocabulary")
_r("PG124", "warning", "佐证资料不在常用词表中", "evidence not in the form's vocabulary")
_r("PG125", "warning", "满意度指标放在了满意度指标以外的一级下", "satisfaction indicator outside 满意度指标")
_r("PG126", "error", "金额小数位超过 6 位", "amount with more than 6 decimals")
_r("PG130", "error", "同一二级指标下三级指标重名", "duplicate indicator name within one 二级")
_r("PG131", "warning", "不同二级指标下三级指标重名", "same indicator name in two 二级 groups")
_r("PG132", "warning", "中文中夹有半角句点“.”", "stray half-width '.' inside Chinese text")
_r("PG133", "warning", "括号或引号不配对", "unbalanced brackets or quotes")
_r("PG134", "error", "名称或目标只有空白", "name or objective is blank")

CheckFn = Callable[[Project, Config], Iterable[Diagnostic]]
CHECKS: list[CheckFn] = []


def check(fn: CheckFn) -> CheckFn:
    CHECKS.append(fn)
    return fn


def apply_severity(diags: Iterable[Diagnostic], config: Config) -> list[Diagnostic]:
    """perfgen.yaml may turn a rule off or change its severity; file and schema errors stay errors."""
    out = []
    for d in diags:
        rule = RULES.get(d.code)
        wanted = config.severity.get(d.code)
        if rule is None or not rule.configurable or wanted is None:
            out.append(d)
        elif wanted != "off":
            out.append(d.with_severity("error" if wanted == "error" else "warning"))
    return out


def run(project: Project, config: Config) -> list[Diagnostic]:
    from perfgen.check import domain  # noqa: F401  (registers the domain checks)

    found: list[Diagnostic] = []
    for fn in CHECKS:
        found.extend(fn(project, config))
    return apply_severity(found, config)
