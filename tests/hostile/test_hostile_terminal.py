"""Terminal safety: text from a goals repository cannot drive the terminal that prints perfgen's report.

A key, a value or a file name can hold an escape sequence (``ESC ] 0 ; title BEL`` sets the window title,
``ESC [ ... m`` colours, OSC 8 makes links, some terminals answer queries into their input), a bidi
override ("Trojan Source": the line reads differently from what it is) or a newline that forges a line of
the report (a fake ``::error file=...`` annotation in GitHub Actions). Every diagnostic prints such
characters escaped (``\\x1b``, ``\\u202e``); control characters in YAML values and keys are an error (PG021)
so NUL or ESC never reach the model, HTML or Word.

Note: click strips ``ESC [ ... m`` sequences itself when stdout is not a terminal, so each test also looks
for the escaped form, which shows the character was there and printed as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, run

FIRST = "goals/2023/01-yuanshuili-buchai.yaml"
SECOND = "goals/2023/02-1995-qian-tuixiu-buzhu.yaml"
UNSAFE = ["\x1b", "\x07", "\x00", "\x9b", "\x85", "\x7f", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def assert_clean(result: Run) -> None:
    """No control character and no bidi override reaches stdout or stderr (newlines and tabs aside)."""
    for stream in (result.out, result.err):
        for ch in UNSAFE:
            assert ch not in stream, (repr(ch), stream)


def append(repo: Path, rel: str, text: str) -> int:
    """Append ``text`` (bytes as str, written as UTF-8) to a goals file; the line number it starts on."""
    path = repo / rel
    data = path.read_bytes()
    assert data.endswith(b"\n")
    path.write_bytes(data + text.encode("utf-8"))
    return data.count(b"\n") + 1


def replace_line(repo: Path, rel: str, line: int, text: str) -> None:
    path = repo / rel
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = text.encode("utf-8")
    path.write_bytes(b"\n".join(lines))


def built_files(repo: Path) -> list[Path]:
    out = repo / "build"
    return [p for p in out.rglob("*") if p.suffix in (".html", ".docx")] if out.exists() else []


# ---- control characters written through YAML escapes: PG021, nothing built ------------------------------

def test_escape_sequence_in_a_key_is_refused_and_printed_escaped(repo: Path) -> None:
    line = append(repo, FIRST, '"\\e]0;PWNED\\a": 1\n')
    result = run(repo, "validate")
    assert result.code == 1
    assert_clean(result)
    assert f"{FIRST}:{line}:1: 错误[PG021]" in result.err
    assert "\\x1b" in result.err  # which character, shown as text


@pytest.mark.parametrize("escape, shown", [
    ("\\0", "\\x00"), ("\\x00", "\\x00"), ("\\e", "\\x1b"), ("\\u001b", "\\x1b"), ("\\a", "\\x07"),
    ("\\x7f", "\\x7f"), ("\\x9b", "\\x9b"), ("\\N", "\\x85"), ("\\U0000009b", "\\x9b"), ("\\b", "\\x08"),
])
def test_control_character_in_a_value_is_pg021_and_nothing_is_built(repo: Path, escape: str, shown: str) -> None:
    replace_line(repo, FIRST, 2, f'name: "项目{escape}名称"')
    result = run(repo, "validate", "--lang", "en")
    assert result.code == 1
    assert_clean(result)
    assert f"{FIRST}:2:7: error[PG021]" in result.err
    assert shown in result.err
    built = run(repo, "build")
    assert built.code == 1
    assert_clean(built)
    assert f"{FIRST}:2:7: 错误[PG021]" in built.err
    assert built_files(repo) == []


def test_tab_newline_and_carriage_return_escapes_stay_allowed(repo: Path) -> None:
    replace_line(repo, FIRST, 2, 'name: "项目\\t名称\\r\\n第二行"')
    result = run(repo, "validate")
    assert "PG021" not in result.text
    assert result.code == 0


def test_control_character_in_defaults(repo: Path) -> None:
    replace_line(repo, "goals/2023/_defaults.yaml", 3, 'leader: "张\\e[2J三"')
    result = run(repo, "validate")
    assert result.code == 1
    assert_clean(result)
    assert "goals/2023/_defaults.yaml:3:9: 错误[PG021]" in result.err


def test_control_character_in_config(repo: Path) -> None:
    (repo / "perfgen.yaml").write_text('rules:\n  "PG1\\x1b]0;x\\x07": off\n', encoding="utf-8")
    result = run(repo, "validate")
    assert result.code == 1
    assert_clean(result)
    assert "perfgen.yaml:2:3: 错误[PG021]" in result.err


# ---- raw control characters in the file ------------------------------------------------------------------

@pytest.mark.parametrize("raw, shown", [("\x1b", "\\x1b"), ("\x7f", "\\x7f"), ("\x9b", "\\x9b"), ("\x07", "\\x07")])
def test_raw_control_character_is_pg021_at_its_place(repo: Path, raw: str, shown: str) -> None:
    replace_line(repo, FIRST, 2, f"name: 项目{raw}]0;PWNED")
    result = run(repo, "validate")
    assert result.code == 1
    assert_clean(result)
    assert f"{FIRST}:2:9: 错误[PG021]" in result.err
    assert shown in result.err


# ---- printing: user text in diagnostics is escaped ---------------------------------------------------------

def test_bidi_override_in_a_key_is_printed_escaped(repo: Path) -> None:
    line = append(repo, FIRST, "name\u202e\u2066x: 1\n")
    result = run(repo, "validate")
    assert result.code == 1
    assert_clean(result)
    assert f"{FIRST}:{line}:1: 错误[PG010]" in result.err
    assert "name\\u202e\\u2066x" in result.err


def test_bidi_override_in_a_value_is_printed_escaped(repo: Path) -> None:
    text = (repo / FIRST).read_text(encoding="utf-8").replace("basis: 历史标准", "basis: 历史\u202e标准", 1)
    (repo / FIRST).write_text(text, encoding="utf-8")
    for fmt in ("text", "github", "json"):
        result = run(repo, "validate", "--format", fmt)
        assert_clean(result)
        shown = "".join(d["message"] for d in json.loads(result.out)["diagnostics"]) if fmt == "json" else result.text
        assert "历史\\u202e标准" in shown


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_file_names_with_escape_sequences_are_printed_escaped(repo: Path, fmt: str) -> None:
    goals = repo / "goals" / "2023"
    (goals / "01-yuanshuili-buchai.yaml").rename(goals / "title\x1b]0;PWNED\x07.yaml")
    (goals / "02-1995-qian-tuixiu-buzhu.yaml").rename(goals / "red\x1b[31m\u202e.yaml")
    result = run(repo, "validate", "--format", fmt)
    assert_clean(result)
    shown = result.text
    if fmt == "json":
        doc = json.loads(result.out)
        files = {d["file"] for d in doc["diagnostics"]}
        assert "goals/2023/red\\x1b[31m\\u202e.yaml" in files
        for d in doc["diagnostics"]:
            for value in d.values():
                assert not any(ch in str(value) for ch in UNSAFE), d
    elif fmt == "github":
        assert "file=goals/2023/red\\x1b[31m\\u202e.yaml" in shown
    else:
        assert "goals/2023/title\\x1b]0;PWNED\\x07.yaml:" in shown
        assert "goals/2023/red\\x1b[31m\\u202e.yaml:" in shown


def test_file_name_with_a_newline_cannot_forge_a_report_line(repo: Path) -> None:
    goals = repo / "goals" / "2023"
    forged = "x\n::error file=README.md,line=1::PWNED\nx.yaml"
    (goals / "02-1995-qian-tuixiu-buzhu.yaml").rename(goals / forged)
    for fmt in ("github", "text"):
        result = run(repo, "validate", "--format", fmt)
        lines = result.text.splitlines()
        assert not any(ln.startswith("::error file=README.md") for ln in lines), result.text
        assert not any(ln.startswith("x.yaml") for ln in lines), result.text
        assert "\\n::error file=README.md" in result.text.replace("%3A", ":").replace("%2C", ",")


def test_build_prints_nothing_raw_either(repo: Path) -> None:
    goals = repo / "goals" / "2023"
    (goals / "02-1995-qian-tuixiu-buzhu.yaml").rename(goals / "title\x1b]0;PWNED\x07.yaml")
    for fmt in ("text", "github", "json"):
        result = run(repo, "build", "--diagnostics", fmt, "--out", f"build-{fmt}")
        assert_clean(result)
        shown = json.dumps(json.loads(result.out), ensure_ascii=False) if fmt == "json" else result.text
        assert "title\\x1b]0;PWNED\\x07.yaml" in shown.replace("\\\\", "\\")


def test_own_message_templates_print_unchanged() -> None:
    """:func:`printable` escapes the whole message: our templates must hold nothing it would escape."""
    from perfgen.diagnostics import catalogue, i18n
    from perfgen.diagnostics.report import printable
    from perfgen.diff import render

    texts = [*catalogue.texts(), *(t for entry in i18n.MESSAGES.values() for t in entry if t),
             *(w for ws in i18n.WORDS.values() for w in ws), *(t for pair in render.TEXTS.values() for t in pair)]
    assert [t for t in texts if printable(t) != t] == []
    assert printable("a\x1b]0;x\x07\n\t\u202e\x9b\ud800") == "a\\x1b]0;x\\x07\\n\\t\\u202e\\x9b\\ud800"
