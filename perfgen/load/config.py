"""``perfgen.yaml``: the form's settings and rule severities for one goals repo.

Everything is optional; the defaults are the xinjiang-2023 form of docs/goals-format.md.

    weight_total: 90              # 指标分值权重 add up to this (another form may say 100)
    weight_split:                 # the per-一级 convention, checked as a warning (PG102)
      产出指标+成本指标: 50
      效益指标: 30
      满意度指标: 10
    cost_tolerance: 0.05          # cost × quantity may differ from 年度预算总额 by this share (PG119)
    rules:                        # change a rule's severity, or turn it off
      PG102: off
      PG113: error
    vocabulary: {产出指标: [数量指标, 质量指标, 时效指标], ...}   # replaces the form's 一级 → 二级 list
    basis: [...]; scoring: [...]; evidence: [...]                 # replace the allowed words
    formats: [docx, html, xlsx, pdf]   # what perfgen build writes (default docx, html; --format overrides)
    combine: true                      # also one document per unit and year (build/combined/)
    pdf_font: Noto Serif CJK SC        # the PDF's CJK font: a family name or a font file
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from perfgen.build.outputs import OUTPUT_FORMATS
from perfgen.diagnostics import catalogue
from perfgen.diagnostics.pos import Pos
from perfgen.diagnostics.report import Diagnostic, PerfgenError, diag, in_order
from perfgen.fsutil import UnsafeFile, read_regular
from perfgen.load.loader import refusal
from perfgen.load.yamlnodes import MAX_BYTES, Map, Node, Scalar, Seq, load, to_plain

CONFIG_NAME = "perfgen.yaml"

VOCABULARY: dict[str, list[str]] = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["满意度指标", "服务对象满意度指标"],
}
BASIS = ["历史标准", "行业或国家标准", "行业标准", "计划标准", "预算支出标准", "财政部门认可的其他标准"]
SCORING = ["按照正常比例赋分", "直接赋分", "按评判等级赋分", "满意度赋分"]
EVIDENCE = ["工作资料", "原始凭证", "说明材料"]
WEIGHT_SPLIT = {("产出指标", "成本指标"): 50.0, ("效益指标",): 30.0, ("满意度指标",): 10.0}
SEVERITIES = ("error", "warning", "off")


class ConfigError(PerfgenError):
    """perfgen.yaml cannot be used: its diagnostics, in order; read before any goals file (0 checked)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(in_order(diagnostics), files_checked=0)


@dataclass
class Config:
    weight_total: float | None = 90.0  # None: the form has no weights (settle_forms sets it from the form)
    weight_split: dict[tuple[str, ...], float] = field(default_factory=lambda: dict(WEIGHT_SPLIT))
    cost_tolerance: float = 0.05
    severity: dict[str, str] = field(default_factory=dict)
    vocabulary: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in VOCABULARY.items()})
    basis: list[str] = field(default_factory=lambda: list(BASIS))
    scoring: list[str] = field(default_factory=lambda: list(SCORING))
    evidence: list[str] = field(default_factory=lambda: list(EVIDENCE))
    source: str | None = None
    form: str = "xinjiang-2023"  # the default form: validation follows it, its outputs sit at the top
    forms: list[str] | None = None  # the forms to build (None: the default form)
    where: dict[str, Pos] = field(default_factory=dict)  # where perfgen.yaml set form, forms, weight_total
    printed: tuple[tuple[str, str], ...] = ()  # (form ID, header field) of each form built: PG145 warns if empty
    formats: list[str] | None = None  # the formats to build (None: docx and html)
    combine: bool = False  # also write one document per unit and year
    pdf_font: str | None = None  # the PDF's CJK font (a family name or a font file); None: the machine's usual
    scoring_rules: dict[str, str] = field(default_factory=dict)  # year-end scoring: rule -> formula (perfgen.score)

    def fingerprint(self) -> str:
        """Stable text of every setting: part of the build cache key."""
        return repr((self.weight_total, sorted(self.weight_split.items()), self.cost_tolerance,
                     sorted(self.severity.items()), sorted(self.vocabulary.items()), self.basis,
                     self.scoring, self.evidence, self.form, self.forms, self.printed, self.pdf_font,
                     sorted(self.scoring_rules.items())))

    def level2_owner(self) -> dict[str, str]:
        """二级 name -> the 一级 it belongs to (first listed wins)."""
        owner: dict[str, str] = {}
        for l1, l2s in self.vocabulary.items():
            for l2 in l2s:
                owner.setdefault(l2, l1)
        return owner


_KEYS = ("form", "forms", "formats", "combine", "pdf_font", "weight_total", "weight_split", "cost_tolerance", "rules",
         "vocabulary", "basis", "scoring", "evidence", "scoring_rules")
FORMATS = OUTPUT_FORMATS


def _bad(node: Node, key: str, expected: str) -> Diagnostic:
    return diag(node.pos, "PG009", "config.invalid", key=key, expected=expected)


def _str_list(node: Node) -> list[str] | None:
    if isinstance(node, Seq) and all(isinstance(i, Scalar) and isinstance(i.value, str) for i in node.items):
        return [str(to_plain(i)) for i in node.items]
    return None


def parse_config(root: Map, source: str) -> Config:
    cfg = Config(source=source)
    errors: list[Diagnostic] = []
    for key, (kpos, node) in root.items.items():
        if key not in _KEYS:
            errors.append(diag(kpos, "PG009", "config.unknown", key=key, allowed=", ".join(_KEYS)))
        elif (problem := _SETTERS.get(key, _set_words)(cfg, key, node, errors)) is not None:
            errors.append(_bad(node, key, problem))
        else:
            cfg.where[key] = node.pos
    if errors:
        raise ConfigError(errors)
    return cfg


# Each setting's parser: sets ``cfg`` and returns None, or returns what was expected (PG009 config.invalid),
# or appends its own diagnostics to ``errors``.
def _set_number(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return "> 0"
    setattr(cfg, key, float(value))
    return None


def _set_form(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    if not isinstance(value, str) or not value:
        return "表样 ID / a form ID"
    cfg.form = value
    return None


def _set_forms(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    forms = [value] if isinstance(value, str) else _str_list(node)
    if not forms:
        return "[表样 ID, ...] / [form ID, ...]"
    cfg.forms = forms
    return None


def _set_formats(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    items = [value] if isinstance(value, str) else _str_list(node)
    if not items or not set(items) <= set(FORMATS):
        return "[" + ", ".join(FORMATS) + "]"
    cfg.formats = list(dict.fromkeys(items))
    return None


def _set_combine(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    if not isinstance(value, bool):
        return "true | false"
    cfg.combine = value
    return None


def _set_font(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    if not isinstance(value, str) or not value.strip():
        return "字体名称或字体文件路径 / a font family name or a font file"
    cfg.pdf_font = value.strip()
    return None


def _set_scoring_rules(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    from perfgen.score import options

    value = to_plain(node)
    known = options()
    expected = "；".join(f"{rule}: {' | '.join(names)}" for rule, names in known.items())
    if not isinstance(value, dict) or not all(isinstance(v, str) and v in known.get(str(k), ()) for k, v in
                                              value.items()):
        return expected
    cfg.scoring_rules = {str(k): str(v) for k, v in value.items()}
    return None


def _set_split(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    value = to_plain(node)
    if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()):
        return "{一级指标: 分值}"
    cfg.weight_split = {tuple(p.strip() for p in str(k).split("+")): float(v) for k, v in value.items()}
    return None


def _set_rules(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    if not isinstance(node, Map):
        return "{PG###: error|warning|off}"
    for code, (cpos, sev) in node.items.items():
        text = "off" if isinstance(sev, Scalar) and sev.value is False else str(to_plain(sev)).lower()
        rule = catalogue.RULES.get(code.upper())
        if rule is None:
            errors.append(diag(cpos, "PG009", "config.rule_unknown", code=code))
        elif not rule.configurable:
            errors.append(diag(cpos, "PG009", "config.rule_fixed", code=code))
        elif text not in SEVERITIES:
            errors.append(_bad(sev, f"rules.{code}", "error | warning | off"))
        else:
            cfg.severity[code.upper()] = text
    return None


def _set_vocabulary(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    if not isinstance(node, Map) or not all(_str_list(v) is not None for _, v in node.items.values()):
        return "{一级指标: [二级指标, ...]}"
    cfg.vocabulary = {k: _str_list(v) or [] for k, (_, v) in node.items.items()}
    return None


def _set_words(cfg: Config, key: str, node: Node, errors: list[Diagnostic]) -> str | None:
    words = _str_list(node)
    if words is None:
        return "[...]"
    setattr(cfg, key, words)
    return None


_SETTERS = {"weight_total": _set_number, "cost_tolerance": _set_number, "form": _set_form, "forms": _set_forms,
            "formats": _set_formats, "combine": _set_combine, "pdf_font": _set_font,
            "scoring_rules": _set_scoring_rules, "weight_split": _set_split,
            "rules": _set_rules, "vocabulary": _set_vocabulary}


def load_config(root: Path) -> Config:
    path = root / CONFIG_NAME
    if not os.path.lexists(path):
        return Config()
    try:
        data = read_regular(path, MAX_BYTES, within=root)
    except UnsafeFile as exc:
        raise ConfigError([refusal(CONFIG_NAME, exc)]) from None
    except FileNotFoundError:  # a dangling link
        raise ConfigError([diag(Pos(CONFIG_NAME), "PG007", "file.missing")]) from None
    except OSError as exc:
        raise ConfigError([diag(Pos(CONFIG_NAME), "PG007", "file.unreadable", reason=exc.strerror or str(exc))]
                          ) from None
    node, diags = load(data, CONFIG_NAME)
    if node is None and all(d.code == "PG006" and d.key == "file.empty" for d in diags):
        return Config(source=CONFIG_NAME)  # an empty (or comments-only) perfgen.yaml: all defaults
    if node is None or any(d.severity == "error" for d in diags):
        raise ConfigError(diags)
    return parse_config(node, CONFIG_NAME)
