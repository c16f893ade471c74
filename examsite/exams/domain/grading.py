"""Grading a paper against its key: pure, exact to the cent.

Points are floats at the edges (what the templates store) but every sum and comparison is
done in ``Decimal`` from each float's shortest ``repr`` (``0.1`` is exactly one tenth), and
each earned value is rounded half-up to 2 decimals *before* summing, so the score is the sum
of what the candidate sees per question and ``0.1 + 0.2`` style errors never decide a pass.

Schemes:

* ``all_or_nothing``: full points iff the chosen set equals the correct set.
* ``partial``: the same for single choice and true/false; for multiple choice 0 if any
  wrong option is chosen, else ``points * chosen_correct / all_correct``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

__all__ = ["SCHEMES", "GradeResult", "ItemResult", "KeyItem", "grade"]

SCHEMES: Final = ("all_or_nothing", "partial")
_CENT: Final = Decimal("0.01")


@dataclass(frozen=True)
class KeyItem:
    qtype: str
    correct: frozenset[int]  # original option indexes
    points: float
    category: str = ""


@dataclass(frozen=True)
class ItemResult:
    position: int
    earned: float
    points: float
    correct: bool  # full marks: the chosen set is exactly the correct set


@dataclass(frozen=True)
class GradeResult:
    score: float
    max_score: float
    passed: bool
    pass_mark: float
    items: tuple[ItemResult, ...]
    by_category: Mapping[str, tuple[float, float]]  # law -> (earned, possible)
    answered: int
    correct_count: int


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def grade(
    key: Sequence[KeyItem],
    answers: Mapping[int, Collection[int]],
    *,
    scheme: str,
    pass_mark: float,
) -> GradeResult:
    """Grade ``answers`` (position -> chosen original option indexes) against ``key``.

    A missing or empty answer scores 0; positions outside the key are ignored.
    ``by_category`` keeps the key's first-seen order of categories (``""`` included).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scoring scheme {scheme!r}; expected one of {SCHEMES}")
    items: list[ItemResult] = []
    score = Decimal(0)
    max_score = Decimal(0)
    categories: dict[str, list[Decimal]] = {}
    answered = 0
    for position, item in enumerate(key):
        chosen = frozenset(answers.get(position, ()))
        points = _cents(_decimal(item.points))
        if chosen:
            answered += 1
        is_correct = bool(chosen) and chosen == item.correct
        if is_correct:
            earned = points
        elif (
            scheme == "partial"
            and item.qtype == "multiple"
            and chosen
            and item.correct
            and chosen <= item.correct
        ):
            earned = _cents(points * len(chosen) / len(item.correct))
        else:
            earned = Decimal(0)
        score += earned
        max_score += points
        totals = categories.setdefault(item.category, [Decimal(0), Decimal(0)])
        totals[0] += earned
        totals[1] += points
        items.append(ItemResult(position, float(earned), float(points), is_correct))
    mark = _decimal(pass_mark)
    return GradeResult(
        score=float(score),
        max_score=float(max_score),
        passed=score >= mark,
        pass_mark=float(pass_mark),
        items=tuple(items),
        by_category={name: (float(e), float(p)) for name, (e, p) in categories.items()},
        answered=answered,
        correct_count=sum(1 for i in items if i.correct),
    )
