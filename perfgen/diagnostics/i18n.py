"""Texts in Chinese (default) and English (``--lang en``): the current language, words, and message lookup.

Every diagnostic names a message key; its text is chosen when printed, from the rule records of
:mod:`perfgen.diagnostics.catalogue` (or, for the one keyed text that is no rule's, from :data:`MESSAGES`).
Placeholders use str.format. Text that has no key, a module keeps beside the code that prints it and shows
with :func:`text` or :func:`pick`.
"""

from __future__ import annotations

from typing import Any

from perfgen.diagnostics import catalogue

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

# Keyed texts that are no rule's message: key -> (zh, en, zh hint | None, en hint | None). A rule's messages
# live in its record (perfgen.diagnostics.catalogue); this is what perfgen says when it fails itself.
MESSAGES: dict[str, tuple[str, str, str | None, str | None]] = {
    "internal.error": ("perfgen 内部错误（这是 perfgen 的缺陷，不是您的输入有误）：请把上面的信息报告给维护者",
                       "perfgen internal error (a bug in perfgen, not in your input): please report the text above",
                       None, None),
}


def pick(zh: str, en: str) -> str:
    """``zh`` or ``en``, whichever the current language is (the text as it is, not formatted)."""
    return en if _lang == "en" else zh


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
    found = catalogue.message(key)
    if found is not None:
        return found.zh, found.en, found.hint_zh, found.hint_en
    return MESSAGES.get(key)


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
