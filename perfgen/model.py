"""The one model: a project's goals as typed objects that remember where each value came from.

Every stage — validation, rendering, diff, import, fmt — works on these objects, never on raw dicts.
A value's source position is kept in ``where`` maps (field name -> Pos) beside the value itself, so
the objects stay plain and hashable-free while diagnostics can still point at ``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from perfgen.diagnostics.pos import Pos

# The order keys are written in (docs/goals-format.md; `perfgen fmt` prints them so): the v1 keys in the 2023
# form's order, each v2 key (docs/goals-format.md, 其他表样的表头字段; all optional) after the v1 key it belongs
# with — the other header texts after ``code``, 中长期目标 after ``objectives``, a breakdown after the amount it
# breaks down.
TOP_KEYS = ("year", "unit", "name", "leader", "code", "department", "implementer", "period", "prepared_by", "phone",
            "filed_on", "funds", "objectives", "long_term_objectives", "execution", "midyear", "indicators")
FUNDS_KEYS = ("total", "fiscal", "fiscal_sources", "other", "other_sources", "superior")
FUNDS_AMOUNTS = ("total", "fiscal", "other", "superior")  # the single amounts of ``funds`` (万元)
FUNDS_SOURCES = ("fiscal_sources", "other_sources")  # label → amount breakdowns of ``fiscal`` and ``other``
# The optional header texts ("" when absent): v1's leader and code, then the v2 ones.
HEADER_TEXTS = ("leader", "code", "department", "implementer", "period", "prepared_by", "phone", "filed_on")
INDICATOR_KEYS = ("name", "target", "basis", "last_year", "weight", "scoring", "evidence", "note", "actual",
                  "deviation", "score", "midyear")
# v2, the rest of the year (docs/goals-format.md): year-end execution and mid-year monitoring, all optional
EXECUTION_KEYS = ("initial", "adjusted", "spent", "lines", "achieved")
MIDYEAR_KEYS = ("month", "spent", "forecast_spent", "progress")
INDICATOR_MIDYEAR_KEYS = ("value", "forecast", "likelihood", "causes", "note")
LIKELIHOOD = ("确定能", "有可能", "完全不可能")  # 完成目标可能性
CAUSES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")  # 偏差原因分析

# The nine column titles of the indicator table, shared by every writer.
COLUMN_TITLES = ("一级指标", "二级指标", "三级指标", "指标值", "指标值设置依据", "上年完成值", "指标分值权重",
                 "指标赋分规则", "佐证资料")


@dataclass(slots=True)
class Funds:
    """项目资金（万元）."""

    total: float
    fiscal: float = 0.0
    other: float = 0.0
    superior: float = 0.0  # 该项目支出上级资金 (湖南), not part of total
    # 财政拨款 by source (一般公共预算, 政府性基金, 国有资本经营预算 …) and 其他资金 by source (事业收入 …), in
    # written order; empty when not given. Given, each adds up to its subtotal (PG127, PG128).
    fiscal_sources: dict[str, float] = field(default_factory=dict)
    other_sources: dict[str, float] = field(default_factory=dict)
    # Exactly as written in the YAML (e.g. "52.00"), for diagnostics and decimals checks; a breakdown's
    # amounts under "fiscal_sources.<label>", as in ``where``.
    raw: dict[str, str] = field(default_factory=dict)
    where: dict[str, Pos] = field(default_factory=dict)


@dataclass(slots=True)
class ExecutionLine:
    """One row under 年度资金总额 in the self-evaluation (当年财政拨款, 上年结转资金, 其他资金 …), in 万元."""

    initial: float | None = None
    adjusted: float | None = None
    spent: float | None = None


@dataclass(slots=True)
class Execution:
    """预算执行情况 at year end (万元): 年初预算数, 全年预算数 (adjusted), 全年执行数; the objectives' 实际完成情况."""

    initial: float | None = None  # None: funds.total
    adjusted: float | None = None  # None: the initial budget
    spent: float | None = None
    lines: dict[str, ExecutionLine] = field(default_factory=dict)
    achieved: list[str] = field(default_factory=list)
    where: dict[str, Pos] = field(default_factory=dict)


@dataclass(slots=True)
class Midyear:
    """运行监控 of the project: data up to the end of ``month``."""

    month: int
    spent: float | None = None  # 1-M月执行数（万元）
    forecast_spent: float | None = None  # 全年预计执行数
    progress: list[str] = field(default_factory=list)  # 年度总体目标 1-M月执行情况
    where: dict[str, Pos] = field(default_factory=dict)


@dataclass(slots=True)
class IndicatorMidyear:
    """An indicator's mid-year monitoring: 1-M月执行情况, 全年预计完成情况, 完成目标可能性, 偏差原因."""

    value: str = ""
    forecast: str = ""
    likelihood: str = ""
    causes: list[str] = field(default_factory=list)
    note: str = ""
    where: dict[str, Pos] = field(default_factory=dict)


@dataclass(slots=True)
class Indicator:
    """One 三级指标 row of the form, with the 一级/二级 it is grouped under."""

    level1: str
    level2: str
    name: str
    target: str
    weight: float | None  # None: not given (a form without weights)
    basis: str = ""
    last_year: str = ""
    scoring: str = ""
    evidence: str = ""
    note: str = ""
    actual: str = ""  # 实际完成值 at year end ("": not given)
    deviation: str = ""  # 偏差原因分析及改进措施
    score: float | None = None  # a person's score: qualitative lines only (the others are computed)
    midyear: IndicatorMidyear | None = None
    where: dict[str, Pos] = field(default_factory=dict)

    def pos(self, key: str = "name") -> Pos:
        """Where ``key`` was written; falls back to the indicator itself."""
        return self.where.get(key) or self.where["_"]


@dataclass(slots=True)
class Project:
    """One 项目支出绩效目标表."""

    source: str  # path of the goals file as given (posix), e.g. "goals/2023/x.yaml"
    output_stem: str  # where its outputs go: the goals path below goals/ without suffix, e.g. "2023/x"
    year: int
    unit: str
    name: str
    funds: Funds
    objectives: list[str]
    indicators: list[Indicator]
    leader: str = ""
    code: str = ""
    # v2 header fields (docs/goals-format.md, 其他表样的表头字段), printed by other forms; "" / [] when absent.
    department: str = ""  # 主管部门（及代码）
    implementer: str = ""  # 实施单位 as written; :attr:`implementing_unit` is what prints
    period: str = ""  # 项目（支出）实施期
    long_term_objectives: list[str] = field(default_factory=list)  # 实施期（中长期）绩效目标
    prepared_by: str = ""  # 填表人
    phone: str = ""  # 联系电话
    filed_on: str = ""  # 填报日期
    execution: Execution | None = None  # year end (v2)
    midyear: Midyear | None = None  # mid-year monitoring (v2)
    where: dict[str, Pos] = field(default_factory=dict)

    def pos(self, key: str) -> Pos:
        return self.where.get(key) or Pos(self.source)

    @property
    def implementing_unit(self) -> str:
        """实施单位: ``implementer``, or the 预算单位 when the file does not give one."""
        return self.implementer or self.unit

    def groups(self) -> list[tuple[str, list[tuple[str, list[Indicator]]]]]:
        """Indicators grouped 一级 → 二级 in written order (the merged cells of the form)."""
        out: list[tuple[str, list[tuple[str, list[Indicator]]]]] = []
        for ind in self.indicators:
            if not out or out[-1][0] != ind.level1:
                out.append((ind.level1, []))
            l2 = out[-1][1]
            if not l2 or l2[-1][0] != ind.level2:
                l2.append((ind.level2, []))
            l2[-1][1].append(ind)
        return out

    def weight_total(self) -> float:
        return sum(i.weight for i in self.indicators if i.weight is not None)

    @property
    def stem(self) -> str:
        return PurePosixPath(self.output_stem).name


def format_sum(value: float) -> str:
    """A computed sum (weights, amounts) as the form prints it, floating-point noise rounded away."""
    return format_number(round(value, 6))


def format_number(value: float, decimals: int | None = None) -> str:
    """Numbers as the form prints them: whole numbers without decimals, or fixed ``decimals``."""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_money(value: float) -> str:
    """万元 amounts print with two decimals."""
    return format_number(value, 2)
