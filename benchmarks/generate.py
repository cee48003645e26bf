"""Generate a goals repo of N realistic projects derived from the nine examples in ``goals/2023``.

Each generated project is one of the examples with its numbers varied: the budget (fiscal + other = total,
all amounts rounded to 0.01 万元), the money in cost lines scaled with the budget so that cost × quantity
still matches the total (rule PG119), head counts scaled together with per-person costs, percentages, the
document number and year in the name, and the weights shuffled within each 一级 (so they still add to 90 and
keep the example's split). Projects are spread over several budget units, laid out as
``goals/<unit-slug>/<year>/NNNNN-<example>.yaml`` with a ``_defaults.yaml`` per unit (unit, leader) and per
unit/year (year). The result validates without errors (the examples' own warnings remain).

Plain text templating — no YAML dumper — so 10,000 projects take a few seconds. Deterministic for a seed.

    python benchmarks/generate.py DEST N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "goals" / "2023"

COUNTIES = (
    ("库尔勒市", "kuerle"), ("轮台县", "luntai"), ("尉犁县", "yuli"), ("若羌县", "ruoqiang"),
    ("且末县", "qiemo"), ("焉耆回族自治县", "yanqi"), ("和静县", "hejing"), ("和硕县", "heshuo"),
    ("博湖县", "bohu"),
)
OFFICES = (
    ("社会保险中心", "shebao"), ("人力资源和社会保障局", "renshe"), ("医疗保障局", "yibao"),
    ("就业服务中心", "jiuye"),
)
UNITS = tuple((c + o, f"{cs}-{os_}") for o, os_ in OFFICES for c, cs in COUNTIES)
YEARS = (2023, 2024)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "琪悦伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志新文斌海燕"

# Keys of the example files, recognised line by line (the examples are written in one fixed layout).
_TOP_NAME = re.compile(r"name: (.*)\Z")
_FUNDS = re.compile(r"  (total|fiscal|other): (.*)\Z")
_OBJECTIVE = re.compile(r"  - (.*)\Z")
_LEVEL1 = re.compile(r"  (\S+):\Z")
_LEVEL2 = re.compile(r"    (\S+):\Z")
_WEIGHT = re.compile(r"(\s+)weight: (\d+(?:\.\d+)?)\Z")
_VALUE = re.compile(r"(\s+)(target|last_year): (.*)\Z")
# A quantity: operator, number, unit (as in perfgen.targets, enough for the examples).
_QUANTITY = re.compile(r"(>=|<=|≥|≤|=|>|<)?(\d+(?:\.\d+)?)(\S*)\Z")
_DOC_NUMBER = re.compile(r"\[(20\d\d)\](\d+)号")
_YEAR_IN_TEXT = re.compile(r"(20\d\d)年")


@dataclass
class _Line:
    """One line of an example; ``kind`` says which slot it is, the rest is what the slot needs."""

    kind: str  # text | name | funds | objective | weight | value
    text: str = ""
    key: str = ""
    indent: str = ""
    level1: str = ""


@dataclass
class _Example:
    stem: str  # file name without the NN- prefix
    lines: list[_Line] = field(default_factory=list)
    total: float = 0.0
    per_person_cost: bool = False  # a cost line in 元/人/...: the budget scales with the head count


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"') and raw.endswith('"'):
        return json.loads(raw)
    return raw


def _parse_example(path: Path) -> _Example:
    ex = _Example(stem=path.stem.split("-", 1)[1])
    section = level1 = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue  # comments describe the original scans, not the generated projects
        if not line.startswith(" "):
            section = line.split(":", 1)[0]
        if m := _TOP_NAME.match(line):
            ex.lines.append(_Line("name", _unquote(m.group(1))))
        elif section == "funds" and (m := _FUNDS.match(line)):
            if m.group(1) == "total":
                ex.total = float(m.group(2))
                ex.lines.append(_Line("funds"))
        elif section == "objectives" and (m := _OBJECTIVE.match(line)):
            ex.lines.append(_Line("objective", _unquote(m.group(1))))
        elif section == "indicators" and (m := _LEVEL1.match(line)):
            level1 = m.group(1)
            ex.lines.append(_Line("text", line))
        elif m := _WEIGHT.match(line):
            ex.lines.append(_Line("weight", m.group(2), indent=m.group(1), level1=level1))
        elif m := _VALUE.match(line):
            value = _unquote(m.group(3))
            if level1 == "成本指标" and "元/人" in value:
                ex.per_person_cost = True
            ex.lines.append(_Line("value", value, key=m.group(2), indent=m.group(1), level1=level1))
        else:
            ex.lines.append(_Line("text", line))
    return ex


_cache: list[_Example] = []


def examples() -> list[_Example]:
    if not _cache:
        files = sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.startswith("_"))
        if not files:
            raise FileNotFoundError(f"no example goals files in {EXAMPLES}")
        _cache.extend(_parse_example(p) for p in files)
    return _cache


# ---- numbers and YAML scalars ------------------------------------------------------------------------

def _num(x: float, decimals: int = 2) -> str:
    """``12.50`` -> ``12.5``, ``630.00`` -> ``630``."""
    text = f"{x:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cents(cents: int) -> str:
    whole, frac = divmod(cents, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".")


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`=<][^#]*\Z")


def _scalar(text: str) -> str:
    """A YAML scalar for ``text``: plain when that is safe (as the examples write it), else double-quoted."""
    if _PLAIN.match(text) and ": " not in text and not text.endswith((" ", ":")) and \
            not re.fullmatch(r"[-+]?[\d.]+|true|false|null|yes|no|on|off|~", text, re.IGNORECASE):
        return text
    return json.dumps(text, ensure_ascii=False)


@dataclass
class _Variation:
    money: float  # scale of money amounts
    heads: float  # scale of head counts (人, 万人, 万次)
    year: int
    percent: dict[str, str]  # original percentage text -> replacement
    numbers: dict[str, str] = field(default_factory=dict)  # original number -> new, for the objectives

    def in_objective(self, text: str) -> str:
        """Objectives quote the targets' numbers (973人, 57560余名, 95%): replace them all at once."""
        changed = {k: v for k, v in self.numbers.items() if k != v}
        if not changed:
            return text
        pattern = "|".join(re.escape(k) for k in sorted(changed, key=len, reverse=True))
        return re.sub(rf"(?<![\d.])(?:{pattern})(?![\d.])", lambda m: changed[m.group(0)], text)


def _vary_value(value: str, key: str, level1: str, var: _Variation) -> str:
    m = _QUANTITY.match(value)
    if not m:
        return value
    op, number, unit = m.group(1) or "", m.group(2), m.group(3)
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    x = float(number)
    if "元" in unit:
        new = _num(x * var.money, 2)
    elif unit in ("人", "万人", "万次") or (unit == "人次" and x >= 100):
        scaled = x * var.heads
        new = _num(scaled, decimals) if decimals else str(max(1, round(scaled)))
    elif unit == "%" and key == "target" and level1 != "成本指标" and x < 100:
        new = var.percent.get(number, number)
    else:
        return value
    if key == "target":
        var.numbers.setdefault(number + unit, new + unit)
        if unit in ("人", "万人") and len(number) >= 3:
            var.numbers.setdefault(number, new)  # "57560余名"
    return f"{op}{new}{unit}"


# ---- one project ---------------------------------------------------------------------------------------

def _project_text(ex: _Example, rng: random.Random, year: int) -> str:
    money = round(rng.uniform(0.5, 6.0), 2)
    heads = round(rng.uniform(0.6, 1.8), 2) if rng.random() < 0.7 else 1.0
    percent = {p: str(rng.choice((95, 96, 97, 98, 99))) for p in ("95", "96", "98")}
    var = _Variation(money, heads, year, percent)
    total_cents = round(ex.total * money * (heads if ex.per_person_cost else 1.0) * 100)
    other_cents = 0
    if rng.random() < 0.2:
        other_cents = round(total_cents * rng.choice((0.1, 0.2, 0.25, 0.3, 0.5)))
    fiscal_cents = total_cents - other_cents

    # Weights: shuffle within each 一级 so the total (90) and the per-一级 split stay the same.
    weights: dict[str, list[str]] = {}
    for line in ex.lines:
        if line.kind == "weight":
            weights.setdefault(line.level1, []).append(line.text)
    for group in weights.values():
        rng.shuffle(group)

    body: list[str] = []
    objectives: list[int] = []
    name, name_at = "", 0
    for line in ex.lines:
        if line.kind == "text":
            body.append(line.text)
        elif line.kind == "name":
            name, name_at = line.text, len(body)
            body.append("")  # filled in below, once the name is varied
        elif line.kind == "funds":
            body.append(f"  total: {_cents(total_cents)}")
            body.append(f"  fiscal: {_cents(fiscal_cents)}")
            body.append(f"  other: {_cents(other_cents)}")
        elif line.kind == "objective":
            objectives.append(len(body))
            body.append(line.text)
        elif line.kind == "weight":
            body.append(f"{line.indent}weight: {weights[line.level1].pop()}")
        elif line.kind == "value":
            new = _vary_value(line.text, line.key, line.level1, var)
            body.append(f"{line.indent}{line.key}: {_scalar(new)}")

    # The name: another document number of the year before; years shifted to this table's year.
    shift = year - 2023  # the examples are 2023 tables
    num = rng.randint(1, 240)
    name = _DOC_NUMBER.sub(lambda m: f"[{year - 1}]{num}号", name)
    name = _YEAR_IN_TEXT.sub(lambda m: f"{int(m.group(1)) + shift}年", name)
    body[name_at] = f"name: {_scalar(name)}"
    for i in objectives:
        body[i] = f"  - {_scalar(var.in_objective(body[i]))}"
    return "\n".join(body) + "\n"


def _leader(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def unit_count(n: int) -> int:
    return max(1, min(len(UNITS), round(n / 250) or 1))


def generate(dest: Path, n: int, seed: int = 0) -> list[Path]:
    """Write a goals repo with ``n`` projects under ``dest``; returns the goals files, in order."""
    rng = random.Random(seed)
    exs = examples()
    dest = Path(dest)
    units = UNITS[: unit_count(n)]
    folders: list[Path] = []
    for unit, slug in units:
        (dest / "goals" / slug).mkdir(parents=True, exist_ok=True)
        (dest / "goals" / slug / "_defaults.yaml").write_text(
            f"unit: {unit}\nleader: {_leader(rng)}\n", encoding="utf-8")
        for year in YEARS:
            folder = dest / "goals" / slug / str(year)
            folder.mkdir(exist_ok=True)
            (folder / "_defaults.yaml").write_text(f"year: {year}\n", encoding="utf-8")
            folders.append(folder)
    files = []
    for i in range(n):
        folder = folders[i % len(folders)]
        ex = exs[rng.randrange(len(exs))]
        path = folder / f"{i + 1:05d}-{ex.stem}.yaml"
        path.write_bytes(_project_text(ex, rng, int(folder.name)).encode("utf-8"))
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    files = generate(args.dest, args.n, args.seed)
    print(f"wrote {len(files)} projects under {args.dest / 'goals'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
