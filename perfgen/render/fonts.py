"""The CJK font of the PDF output: found on the machine (or named in perfgen.yaml), read once per process.

:func:`find_cjk_font` looks for a font that covers Chinese: the ``pdf_font:`` setting (a family name or a font
file), else the usual ones of each system — SimSun (宋体) or Microsoft YaHei on Windows, Songti or PingFang on
macOS, Noto Serif/Sans CJK SC (Debian's fonts-noto-cjk), WenQuanYi or AR PL elsewhere — in the usual folders
(no fontconfig needed; nothing is fetched). :class:`CjkFont` then answers what the PDF writer asks: which
characters it has, how wide each is, and each glyph's outline as a CFF charstring (converted once per glyph and
process from TrueType or CFF outlines, scaled to 1000 units per em), from which :mod:`perfgen.render.cff` makes
each document's subset.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

FONT_SUFFIXES = (".ttc", ".otc", ".ttf", ".otf")

# Family names in the order perfgen prefers them: a Song/Ming (serif) face first, like the 宋体 of the forms.
PREFERRED = (
    "SimSun", "宋体", "NSimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC",
    "Source Han Serif CN", "AR PL UMing CN", "AR PL SungtiL GB", "Microsoft YaHei", "微软雅黑", "PingFang SC",
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
)
# Characters every CJK font for these forms must have (a font named in perfgen.yaml that lacks them is refused).
PROBE = "项目支出绩效目标表预算单位指标"


def font_folders() -> list[Path]:
    """Where fonts live on this system (those that exist)."""
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        folders = [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        folders = [Path("/System/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"),
                   Path("/Library/Fonts"), home / "Library" / "Fonts",
                   Path("/System/Library/AssetsV2")]
    else:
        data_home = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
        folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data_home / "fonts", home / ".fonts"]
    return [f for f in folders if f.is_dir()]


class NoCjkFont(Exception):
    """No font covering Chinese was found; ``searched`` says what was looked for, and where."""

    def __init__(self, searched: list[str]) -> None:
        super().__init__("no CJK font")
        self.searched = searched


@dataclass(frozen=True, slots=True)
class FontRef:
    """A face in a font file (``index``: its number in a .ttc collection)."""

    path: Path
    index: int
    family: str


def _faces(path: Path) -> list[tuple[int, str]]:
    """(index, family name) of each face of a font file; [] when it cannot be read."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        opened: Any = (TTCollection(str(path), lazy=True) if path.suffix.lower() in (".ttc", ".otc")
                       else TTFont(str(path), lazy=True))
    except (TTLibError, OSError, KeyError, ValueError, AssertionError, IndexError, EOFError):
        return []
    with opened:
        fonts = opened.fonts if isinstance(opened, TTCollection) else [opened]
        try:
            return [(i, _family(f)) for i, f in enumerate(fonts)]
        except (TTLibError, OSError, KeyError, ValueError, AssertionError, IndexError, EOFError):
            return []


def _family(font: Any) -> str:
    names = font["name"]
    for name_id in (16, 1):
        for record in names.names:
            if record.nameID == name_id and record.platformID == 3 and record.langID in (0x409, 0x804):
                return str(record.toUnicode())
    return str(names.getDebugName(1) or "")


def _names_of(font: Any) -> set[str]:
    """Every family name a face gives (English and Chinese), folded."""
    out = set()
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            try:
                out.add(str(record.toUnicode()).casefold())
            except UnicodeDecodeError:
                continue
    return out


# File names of the preferred families: looked at first (opening every font of a machine takes seconds).
LIKELY_FILES = ("simsun", "nsimsun", "songti", "stsong", "notoserifcjk", "sourcehanserif", "uming", "msyh",
                "pingfang", "notosanscjk", "sourcehansans", "wqy-zenhei", "wqy-microhei", "droidsansfallback")


def _candidates(everything: bool) -> list[Path]:
    """Font files of the machine: those named like a preferred family (all of them with ``everything``)."""
    found = []
    for folder in font_folders():
        for dirpath, _, files in os.walk(folder):
            for name in files:
                lower = name.lower()
                if lower.endswith(FONT_SUFFIXES) and (everything or lower.replace("_", "").startswith(LIKELY_FILES)):
                    found.append(Path(dirpath) / name)
    return sorted(found)


def _regular(font: Any) -> bool:
    try:
        return int(font["OS/2"].usWeightClass) <= 400
    except Exception:
        return True


@lru_cache(maxsize=8)
def find_cjk_font(setting: str | None, root: str | None = None) -> FontRef:
    """The font the PDF is drawn with: ``setting`` (perfgen.yaml's ``pdf_font``: a font file, relative to the
    repository ``root``, or a family name), else the first family of :data:`PREFERRED` found on the machine.
    Raises :class:`NoCjkFont` when there is none that covers Chinese."""
    from fontTools.ttLib import TTCollection, TTFont

    if setting:
        as_path = Path(setting).expanduser()
        if not as_path.is_absolute() and root is not None:
            as_path = Path(root) / as_path
        if as_path.suffix.lower() in FONT_SUFFIXES:
            if as_path.is_file():
                for index, family in _faces(as_path):
                    ref = FontRef(as_path, index, family)
                    if _covers(ref):
                        return ref
            raise NoCjkFont([str(as_path)])
    wanted = [setting] if setting else list(PREFERRED)
    folded = [w.casefold() for w in wanted]
    ranked: list[tuple[tuple[int, bool, str, int], FontRef]] = []
    for path in _candidates(everything=bool(setting)):
        try:
            opened: Any = (TTCollection(str(path), lazy=True) if path.suffix.lower() in (".ttc", ".otc")
                           else TTFont(str(path), lazy=True))
        except Exception:  # any font file that cannot be read is skipped
            continue
        with opened:
            for index, font in enumerate(opened.fonts if isinstance(opened, TTCollection) else [opened]):
                try:
                    names = _names_of(font)
                    rank = min((i for i, w in enumerate(folded) if w in names), default=None)
                    if rank is not None:
                        order = (rank, not _regular(font), str(path), index)
                        ranked.append((order, FontRef(path, index, _family(font))))
                except Exception:  # a face whose names cannot be read is skipped
                    continue
    for _, ref in sorted(ranked, key=lambda item: item[0]):
        if _covers(ref):  # the best ranked that really has Chinese (only it is loaded, usually)
            return ref
    where = ", ".join(str(f) for f in font_folders()) or "-"
    raise NoCjkFont([*(wanted if setting else ["SimSun", "Songti SC", "Noto Serif CJK SC"]), where])


def _covers(ref: FontRef) -> bool:
    try:
        font = load_font(ref)
    except Exception:  # a font that cannot be read covers nothing
        return False
    return all(font.has(ch) for ch in PROBE)


@cache
def load_font(ref: FontRef) -> CjkFont:
    """The face of ``ref``, read lazily from its open file for the rest of the process (a few per process)."""
    return CjkFont(ref)


class CjkFont:
    """One face, read lazily: its characters, advances (1000 units per em) and glyphs as CFF charstrings."""

    def __init__(self, ref: FontRef) -> None:
        from fontTools.ttLib import TTFont

        self.ref = ref
        self.font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
        self.cmap: dict[int, str] = self.font.getBestCmap() or {}
        self.units = int(self.font["head"].unitsPerEm)
        self.scale = 1000 / self.units
        self.hmtx = self.font["hmtx"]
        self.glyphs = self.font.getGlyphSet()
        hhea = self.font["hhea"]
        self.ascent = round(hhea.ascent * self.scale)
        self.descent = round(hhea.descent * self.scale)
        head = self.font["head"]
        self.bbox = tuple(round(v * self.scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
        self.ps_name = "".join(ch for ch in (self.font["name"].getDebugName(6) or ref.family) if ch.isalnum()
                               or ch == "-")[:40] or "PerfgenCJK"
        self._widths: dict[int, int] = {}
        self._programs: dict[str, bytes] = {}

    def has(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def glyph_name(self, ch: str) -> str | None:
        return self.cmap.get(ord(ch))

    def width(self, ch: str) -> int:
        """The advance of ``ch`` in 1000 units per em (a character the font lacks: half an em)."""
        code = ord(ch)
        found = self._widths.get(code)
        if found is None:
            name = self.cmap.get(code)
            found = round(self.hmtx[name][0] * self.scale) if name is not None else 500
            self._widths[code] = found
        return found

    def program(self, name: str) -> bytes:
        """The glyph ``name`` as a Type 2 charstring (no subroutines), in 1000 units per em, with its width."""
        found = self._programs.get(name)
        if found is None:
            from fontTools.pens.t2CharStringPen import T2CharStringPen
            from fontTools.pens.transformPen import TransformPen

            advance = round(self.hmtx[name][0] * self.scale)
            pen = T2CharStringPen(advance, None)
            target = pen if self.units == 1000 else TransformPen(pen, (self.scale, 0, 0, self.scale, 0, 0))
            self.glyphs[name].draw(target)
            charstring = pen.getCharString()
            charstring.compile()
            found = self._programs[name] = bytes(charstring.bytecode)
        return found
