"""Classical item analysis of one question over the candidates who had it on their paper.

* ``facility`` (难度系数, P): the share of candidates who answered it fully correctly.
* ``discrimination`` (区分度, D): Kelley's upper-lower index.  Candidates are ranked by
  their whole score; ``g = round(27% of n)`` (at least 1) form the upper group and as many
  the lower group; ``D = P(upper) - P(lower)``, from -1 to 1.  Candidates tied on score
  keep their input order (the caller passes them in a stable order).  ``None`` under 4
  candidates, where it means nothing.
* ``option_counts``: how many chose each original option (a multiple-choice answer counts
  for every option in it; indexes outside ``0 .. n_options-1`` are ignored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["MIN_FOR_DISCRIMINATION", "ItemStats", "Response", "item_stats"]

MIN_FOR_DISCRIMINATION: Final = 4
_GROUP_PERCENT: Final = 27


@dataclass(frozen=True)
class Response:
    """One candidate's answer to one question."""

    attempt_score: float
    correct: bool
    chosen: frozenset[int]


@dataclass(frozen=True)
class ItemStats:
    n: int
    facility: float | None  # share fully correct (0..1); None when n == 0
    discrimination: float | None  # upper 27% facility minus lower 27%; None when n < 4
    option_counts: tuple[int, ...]  # how many chose each original option index


def item_stats(responses: Sequence[Response], n_options: int) -> ItemStats:
    n = len(responses)
    counts = [0] * max(n_options, 0)
    for response in responses:
        for index in response.chosen:
            if 0 <= index < len(counts):
                counts[index] += 1
    facility = sum(1 for r in responses if r.correct) / n if n else None
    discrimination = None
    if n >= MIN_FOR_DISCRIMINATION:
        group = max(1, (n * _GROUP_PERCENT + 50) // 100)
        ranked = sorted(responses, key=lambda r: r.attempt_score)  # stable for ties
        lower = sum(1 for r in ranked[:group] if r.correct)
        upper = sum(1 for r in ranked[-group:] if r.correct)
        discrimination = (upper - lower) / group
    return ItemStats(
        n=n, facility=facility, discrimination=discrimination, option_counts=tuple(counts)
    )
