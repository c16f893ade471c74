"""Item analysis: facility, upper-lower discrimination, option counts."""

from __future__ import annotations

import pytest

from examsite.exams.domain.analysis import ItemStats, Response, item_stats


def r(score: float, correct: bool, *chosen: int) -> Response:
    return Response(attempt_score=score, correct=correct, chosen=frozenset(chosen))


def test_no_responses() -> None:
    assert item_stats([], 4) == ItemStats(
        n=0, facility=None, discrimination=None, option_counts=(0, 0, 0, 0)
    )


def test_discrimination_needs_four_candidates() -> None:
    stats = item_stats([r(90, True, 0), r(40, False, 1), r(70, True, 0)], 4)
    assert stats.n == 3
    assert stats.facility == pytest.approx(2 / 3)
    assert stats.discrimination is None
    assert stats.option_counts == (2, 1, 0, 0)


def test_good_item_discriminates() -> None:
    # 10 candidates: the group is round(2.7) = 3 at each end.
    responses = [r(score, score >= 60, 0 if score >= 60 else 2) for score in range(10, 101, 10)]
    stats = item_stats(responses, 4)
    assert stats.n == 10
    assert stats.facility == pytest.approx(0.5)
    assert stats.discrimination == pytest.approx(1.0)
    assert stats.option_counts == (5, 0, 5, 0)


def test_bad_item_discriminates_negatively() -> None:
    responses = [r(score, score < 30, 1) for score in (10, 20, 80, 90, 50, 60, 70, 40)]
    stats = item_stats(responses, 2)
    assert stats.discrimination == pytest.approx(-1.0)  # groups of round(2.16) = 2
    assert stats.facility == pytest.approx(0.25)


def test_the_group_is_at_least_one_and_input_order_breaks_ties() -> None:
    responses = [r(50, False), r(50, True), r(50, True), r(50, False)]
    stats = item_stats(responses, 3)
    # group 1: lowest is the first response, highest the last; both wrong.
    assert stats.discrimination == 0.0
    assert item_stats([r(1, False), r(2, False), r(3, False), r(4, True)], 3).discrimination == 1.0


def test_option_counts_for_multiple_choice_and_stray_indexes() -> None:
    responses = [r(5, True, 0, 2), r(4, False, 0, 1, 2, 3), r(3, False, 7, -1), r(2, False)]
    assert item_stats(responses, 4).option_counts == (2, 1, 2, 1)
    assert item_stats(responses, 0).option_counts == ()
