"""What paper drawing works with: the pool it draws from (``PoolItem``), the spec it
draws to (``PaperSpec`` of ``Section``s), what it gives (``DrawnItem``) and what the bank
lacks (``Shortfall``, raised as ``DrawError``).  Pure; the drawing is ``drawing``'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

__all__ = [
    "QTYPES",
    "DrawError",
    "DrawnItem",
    "PaperSpec",
    "PoolItem",
    "Section",
    "Shortfall",
]

QTYPES: Final = ("single", "multiple", "true_false")


@dataclass(frozen=True, slots=True)
class PoolItem:
    """One active question revision available for drawing."""

    revision_id: int
    qtype: str  # "single" | "multiple" | "true_false"
    category: str  # the law, e.g. "宪法"
    difficulty: int  # 1..5
    n_options: int  # number of options (2 for true_false)


@dataclass(frozen=True)
class Section:
    """``count`` questions of ``qtype`` at ``points`` each.

    ``law_quotas``: exactly this many from each named law; the rest of ``count`` comes from
    laws not named.  ``difficulty_quotas`` likewise per difficulty.  Each sum must be at
    most ``count``; a quota of 0 excludes that law/difficulty from the section.
    """

    qtype: str
    count: int
    points: float
    law_quotas: Mapping[str, int] = field(default_factory=dict)
    difficulty_quotas: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.qtype not in QTYPES:
            raise ValueError(f"unknown question type {self.qtype!r}")
        if not isinstance(self.count, int) or self.count < 0:
            raise ValueError(f"count must be a non-negative integer, not {self.count!r}")
        if not math.isfinite(self.points) or self.points < 0:
            raise ValueError(f"points must be a non-negative number, not {self.points!r}")
        for name, quotas in (("law", self.law_quotas), ("difficulty", self.difficulty_quotas)):
            if any(not isinstance(n, int) or n < 0 for n in quotas.values()):
                raise ValueError(f"{name} quotas must be non-negative integers")
            if sum(quotas.values()) > self.count:
                raise ValueError(f"{name} quotas add up to more than count ({self.count})")
        # Private copies: the caller's dicts can change afterwards without affecting us.
        object.__setattr__(self, "law_quotas", dict(self.law_quotas))
        object.__setattr__(self, "difficulty_quotas", dict(self.difficulty_quotas))


@dataclass(frozen=True)
class PaperSpec:
    sections: tuple[Section, ...]
    shuffle_options: bool = True  # true_false options are never shuffled

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))

    @property
    def total_points(self) -> float:
        total = sum((Decimal(repr(s.points)) * s.count for s in self.sections), Decimal(0))
        return float(round(total, 2))

    @property
    def question_count(self) -> int:
        return sum(s.count for s in self.sections)


@dataclass(frozen=True, slots=True)
class DrawnItem:
    revision_id: int
    qtype: str
    points: float
    option_order: tuple[int, ...]  # displayed position -> original option index


@dataclass(frozen=True)
class Shortfall:
    """What the bank lacks, e.g. ``Shortfall("true_false", "法官法", None, 5, 3)`` for
    "判断题 法官法 needs 5, bank has 3".  ``law``/``difficulty`` ``None``: not specific."""

    qtype: str
    law: str | None
    difficulty: int | None
    needed: int
    available: int


class DrawError(ValueError):
    """The bank cannot satisfy the spec; ``shortfalls`` says where."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        detail = "; ".join(
            f"{s.qtype}"
            + (f" {s.law}" if s.law is not None else "")
            + (f" difficulty {s.difficulty}" if s.difficulty is not None else "")
            + f" needs {s.needed}, bank has {s.available}"
            for s in shortfalls
        )
        super().__init__(f"the question bank cannot fill the paper: {detail}")
