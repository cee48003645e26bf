"""Messages and hints of the domain rules (key -> zh, en, zh hint, en hint)."""

from __future__ import annotations

from perfgen.diagnostics.i18n import add

add({
    "PG101": (
        "指标分值权重合计为 {total}，应为 {want}（{parts}）",
        "weights add up to {total}, not {want} ({parts})",
        "各指标权重之和须等于表格总分 {want}（90 分的表中，另 10 分属于预算执行率）；总分在 perfgen.yaml 的 weight_total 中设置",
        "weights must add up to the form's total, {want} (on a 90-point form the other 10 points belong to the "
        "budget execution rate); the total is weight_total in perfgen.yaml"),
    "PG102": (
        "各一级指标分值与惯例不同：{diffs}", "per-一级 weights differ from the convention: {diffs}",
        "惯例为 {convention}；这是惯例而非硬性规定，可在 perfgen.yaml 的 weight_split 中修改",
        "the convention is {convention}; a convention, not a rule: change it with weight_split in perfgen.yaml"),
    "PG103": (
        "财政拨款 {fiscal} + 其他资金 {other} = {sum}，不等于年度预算总额 {total}",
        "fiscal {fiscal} + other {other} = {sum}, not the total {total}",
        "年度预算总额 = 其中：财政拨款 + 其他资金", "total = fiscal + other"),
    "PG103.blank": (
        "年度预算总额为 0，但财政拨款 {fiscal}、其他资金 {other} 已填写",
        "total is 0 although fiscal {fiscal} and other {other} are filled in",
        "把 total 写成 {sum}", "set total to {sum}"),
    "PG104": (
        "二级指标 “{name}” 不属于一级指标 “{l1}”，应放在 “{owner}” 下",
        "二级 “{name}” does not belong under “{l1}”; it belongs under “{owner}”",
        "把这一组移到 {owner} 下", "move this group under {owner}"),
    "PG104.as_l1": (
        "“{name}” 是二级指标，被写成了一级指标", "“{name}” is a 二级 category written as a 一级",
        "把它作为二级指标放到 “{owner}” 下（原表常见的错位）",
        "put it under “{owner}” as a 二级 (a common misalignment in printed tables)"),
    "PG105": (
        "未知的一级指标 “{name}”", "unknown 一级 category “{name}”",
        "可用的一级指标：{allowed}", "allowed: {allowed}"),
    "PG106": (
        "一级指标 “{l1}” 下未知的二级指标 “{name}”", "unknown 二级 “{name}” under “{l1}”",
        "常用的二级指标：{allowed}", "usual 二级 categories: {allowed}"),
    "PG107": (
        "缺少一级指标 “{name}”", "一级 category “{name}” is missing",
        "每个项目都应有产出、效益和满意度指标", "every project needs output, benefit and satisfaction indicators"),
    "PG108": (
        "{year} 年的表没有成本指标", "the {year} table has no 成本指标",
        "财预〔2021〕101号起成本指标为一级指标", "since 财预〔2021〕101号 cost is a 一级 category"),
    "PG110": (
        "指标值 “{value}” 有运算符但没有数字", "target “{value}” has an operator but no number",
        "写成 运算符+数字+单位，如 ≥98%", "write operator + number + unit, e.g. ≥98%"),
    "PG111": (
        "指标值 “{value}” 没有单位", "target “{value}” has no unit",
        "补上单位，如 =8次、≥95%", "add the unit, e.g. =8次, ≥95%"),
    "PG112": (
        "“{value}” 像是 Excel 日期序号（{date}）", "“{value}” looks like an Excel date serial ({date})",
        "从 Excel 复制时日期变成了数字；请直接写日期文字", "a date became a number when copied from Excel; write the date as text"),
    "PG113": (
        "指标值 “{value}” 的百分比超过 100% 或写成了 ≥100%", "target “{value}” is above 100% or ≥100%",
        "百分比不会超过 100%；要求全部达成时写 =100%", "a percentage cannot exceed 100%; write =100% for all"),
    "PG114": (
        "“{name}” 是比率或程度，指标值 “{value}” 的单位却不是 %", "“{name}” is a rate or degree but “{value}” is not in %",
        "名称以“率”“度”结尾或为满意度时，指标值一般写成百分比，如 ≥95%",
        "names ending in 率/度 and satisfaction take a percentage, e.g. ≥95%"),
    "PG115": (
        "成本指标的指标值 “{value}” 单位不是元或万元", "cost target “{value}” is not in 元 or 万元",
        "成本指标写金额，如 ≤0.42万元/次", "cost lines state an amount, e.g. ≤0.42万元/次"),
    "PG116": (
        "“{name}” 讲的是次数，指标值 “{value}” 的单位却是人", "“{name}” counts times but “{value}” counts people",
        "检查名称与单位是否对应（人 / 次）", "check that the name and the unit agree (人 / 次)"),
    "PG117": (
        "成本指标值为 0（“{value}”）", "cost target is 0 (“{value}”)",
        "金额过小时换用元为单位，不要四舍五入成 0 万元", "use 元 instead of rounding a small amount to 0 万元"),
    "PG118": (
        "成本指标用了 “{op}”（“{value}”），成本一般应为上限 ≤", "cost line uses “{op}” (“{value}”); costs are "
        "normally a ceiling ≤",
        "成本越低越好，写成 ≤，如 ≤0.42万元/次", "lower is better for cost: write ≤, e.g. ≤0.42万元/次"),
    "PG119": (
        "{calc} = {product}万元，与年度预算总额 {total}万元 相差 {off}%（容差 {tol}%）",
        "{calc} = {product}万元, {off}% away from the total budget {total}万元 (tolerance {tol}%)",
        "单位成本乘以数量应接近预算总额；检查单价、次数或人数",
        "unit cost times quantity should be close to the total; check the rate and the counts"),
    "PG120": (
        "“{name}” 不是成本指标，却以“预算支出标准”为依据", "“{name}” is not a cost line but its basis is 预算支出标准",
        "预算支出标准只用于成本指标；其他指标常用 历史标准、行业或国家标准、计划标准",
        "预算支出标准 is for cost lines; others use 历史标准, 行业或国家标准, 计划标准"),
    "PG121": (
        "定性指标值 “{value}” 按照正常比例赋分", "qualitative target “{value}” is scored proportionally",
        "定性指标一般 按评判等级赋分；比例赋分需要数字目标",
        "qualitative targets are scored 按评判等级赋分; proportional scoring needs a number"),
    "PG122": (
        "指标值设置依据 “{value}” 不在常用词表中", "basis “{value}” is not in the form's vocabulary",
        "常用：{allowed}", "usual: {allowed}"),
    "PG123": (
        "指标赋分规则 “{value}” 不在常用词表中", "scoring rule “{value}” is not in the form's vocabulary",
        "常用：{allowed}", "usual: {allowed}"),
    "PG124": (
        "佐证资料 “{value}” 不在常用词表中", "evidence “{value}” is not in the form's vocabulary",
        "常用：{allowed}", "usual: {allowed}"),
    "PG125": (
        "满意度指标 “{name}” 放在了 “{l1}” 下", "satisfaction indicator “{name}” is under “{l1}”",
        "满意度只放在 满意度指标 下", "satisfaction indicators belong under 满意度指标"),
    "PG126": (
        "金额 {value} 的小数超过 6 位", "amount {value} has more than 6 decimals", "金额单位为万元，最多 6 位小数（即精确到分）",
        "amounts are in 万元, at most 6 decimals (one fen)"),
    "PG130": (
        "三级指标 “{name}” 在 “{l2}” 下重复", "indicator “{name}” appears twice under “{l2}”",
        "删除或改名其中一个", "remove or rename one of them"),
    "PG131": (
        "三级指标 “{name}” 同时出现在 “{other}” 和 “{l2}” 下", "indicator “{name}” appears under both “{other}” and "
        "“{l2}”",
        "同名指标会让审阅和自评对不上号；若原表如此可保留", "same names confuse review and self-evaluation; keep them if the "
        "original table has them"),
    "PG132": (
        "中文中夹有半角句点 “.”：{text}", "stray half-width '.' in Chinese text: {text}",
        "中文句末用 “。”；顿号用 “、”", "Chinese sentences end with 。; lists use 、"),
    "PG133": (
        "括号或引号不配对：{text}", "unbalanced brackets or quotes: {text}",
        "原表被截断时常见；检查是否漏了一半括号", "common when the original was truncated; check for a missing half"),
    "PG134": (
        "三级指标名称只有空白", "the indicator's name is blank",
        "填写名称或删除这一项", "fill in the name or remove the indicator"),
    "PG134.objective": (
        "这条项目总体目标只有空白", "this objective is blank",
        "填写内容或删除这一条", "fill it in or remove it"),
})
