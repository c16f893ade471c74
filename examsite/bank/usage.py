"""A question's item statistics, shown on its page in the bank but computed from graded
papers, which are the exams feature's (above the bank): exams registers the provider."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

StatsProvider = Callable[[int, Iterable[int]], Any]

_provider: list[StatsProvider] = []


def provide_question_stats(provider: StatsProvider) -> StatsProvider:
    """Register the function that computes a question's statistics (one, the last wins)."""
    _provider[:] = [provider]
    return provider


def question_stats(question_id: int, body_ids: Iterable[int]) -> Any:
    """The statistics over these bodies' graded papers; None when no provider is installed."""
    return _provider[0](question_id, body_ids) if _provider else None
