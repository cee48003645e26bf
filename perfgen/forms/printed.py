"""What a form's cell prints: its paragraphs, and the number behind it (shared by the names of perfgen.forms)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "money", "number", "list"]


@dataclass(frozen=True, slots=True)
class Printed:
    """A value as a cell prints it: its paragraphs, and the number behind it (money, weights) if any."""

    lines: tuple[str, ...]
    kind: Kind = "text"
    number: float | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
