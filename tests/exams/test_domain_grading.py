"""Grading: the two schemes, exact cents, categories, what counts as answered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examsite.exams.domain.grading import SCHEMES, ItemResult, KeyItem, grade

KEY = [
    KeyItem("single", frozenset({0}), 2.0, "宪法"),
    KeyItem("multiple", frozenset({0, 2, 3}), 3.0, "监督法"),
    KeyItem("true_false", frozenset({1}), 1.0, "宪法"),
    KeyItem("multiple", frozenset({1, 2}), 2.0, ""),
]


def test_all_or_nothing() -> None:
    result = grade(
        KEY, {0: [0], 1: {0, 2}, 2: (1,), 3: [2, 1]}, scheme="all_or_nothing", pass_mark=5
    )
    assert [i.earned for i in result.items] == [2.0, 0.0, 1.0, 2.0]
    assert result.items[0] == ItemResult(position=0, earned=2.0, points=2.0, correct=True)
    assert result.score == 5.0 and result.max_score == 8.0
    assert result.passed and result.pass_mark == 5
    assert result.answered == 4 and result.correct_count == 3
    assert result.by_category == {"宪法": (3.0, 3.0), "监督法": (0.0, 3.0), "": (2.0, 2.0)}


def test_partial_credit_for_multiple_choice_only() -> None:
    answers = {0: [1], 1: [0, 2], 2: [1], 3: [1, 3]}
    result = grade(KEY, answers, scheme="partial", pass_mark=60)
    # single wrong: 0; multiple 2 of 3 correct, no wrong one: 3 * 2/3; tf right; a wrong
    # option chosen: 0.
    assert [i.earned for i in result.items] == [0.0, 2.0, 1.0, 0.0]
    assert [i.correct for i in result.items] == [False, False, True, False]
    assert result.score == 3.0 and not result.passed
    # A single-choice question with two options chosen is wrong, not half right.
    assert grade(KEY, {0: [0, 1]}, scheme="partial", pass_mark=0).items[0].earned == 0


def test_partial_credit_is_rounded_to_cents() -> None:
    key = [KeyItem("multiple", frozenset({0, 1, 2}), 2.0)] * 3
    result = grade(key, {0: [0], 1: [0, 1], 2: [0, 1, 2]}, scheme="partial", pass_mark=4)
    assert [i.earned for i in result.items] == [0.67, 1.33, 2.0]
    assert result.score == 4.0 and result.passed
    quarter = [KeyItem("multiple", frozenset({0, 1, 2, 3}), p) for p in (0.1, 0.3)]
    half_up = grade(quarter, {0: [0], 1: [0]}, scheme="partial", pass_mark=0)
    # 0.025 -> 0.03 and 0.075 -> 0.08: half up on the exact value (the floats would give
    # 0.03 and 0.07, and round-half-even 0.02 and 0.08).
    assert [i.earned for i in half_up.items] == [0.03, 0.08]
    assert half_up.score == 0.11


def test_decimal_safe_pass_mark() -> None:
    key = [KeyItem("single", frozenset({0}), 0.1), KeyItem("single", frozenset({0}), 0.2)]
    result = grade(key, {0: [0], 1: [0]}, scheme="all_or_nothing", pass_mark=0.3)
    assert 0.1 + 0.2 != 0.3  # the float trap this guards against
    assert result.score == 0.3 and result.passed
    many = [KeyItem("true_false", frozenset({0}), 0.1)] * 10
    result = grade(many, {i: [0] for i in range(10)}, scheme="partial", pass_mark=1.0)
    assert result.score == 1.0 and result.max_score == 1.0 and result.passed


def test_unanswered_and_out_of_range_positions() -> None:
    result = grade(KEY, {0: [], 2: set(), 9: [0], -1: [0]}, scheme="partial", pass_mark=0)
    assert result.answered == 0 and result.score == 0 and result.correct_count == 0
    assert len(result.items) == 4
    assert result.passed  # 0 >= 0
    empty = grade([], {}, scheme="all_or_nothing", pass_mark=0)
    assert empty.score == 0 and empty.max_score == 0 and empty.by_category == {}


def test_unknown_scheme_is_refused() -> None:
    assert SCHEMES == ("all_or_nothing", "partial")
    with pytest.raises(ValueError, match="scheme"):
        grade(KEY, {}, scheme="generous", pass_mark=60)


@st.composite
def keys_and_answers(draw: st.DrawFn) -> tuple[list[KeyItem], dict[int, set[int]]]:
    key = []
    answers: dict[int, set[int]] = {}
    for position in range(draw(st.integers(0, 12))):
        qtype = draw(st.sampled_from(("single", "multiple", "true_false")))
        n = 2 if qtype == "true_false" else draw(st.integers(3, 6))
        size = draw(st.integers(2, n)) if qtype == "multiple" else 1
        correct = frozenset(
            draw(st.lists(st.integers(0, n - 1), min_size=size, max_size=size, unique=True))
        )
        points = draw(st.sampled_from((0.5, 1, 1.5, 2, 0.1, 0.2, 0.3, 3.3, 2.25)))
        key.append(KeyItem(qtype, correct, points, draw(st.sampled_from(("宪法", "监督法", "")))))
        answers[position] = set(draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True)))
    return key, answers


@settings(max_examples=150, deadline=None, database=None)
@given(keys_and_answers(), st.sampled_from(SCHEMES))
def test_grading_invariants(case: tuple[list[KeyItem], dict[int, set[int]]], scheme: str) -> None:
    key, answers = case
    result = grade(key, answers, scheme=scheme, pass_mark=1)
    cents = sum(Decimal(repr(i.earned)) for i in result.items)
    assert Decimal(repr(result.score)) == cents
    assert result.score <= result.max_score
    for item, k in zip(result.items, key, strict=True):
        assert 0 <= item.earned <= item.points == k.points
        assert item.correct == (answers[item.position] == k.correct)
        if scheme == "all_or_nothing" and item.points > 0:
            assert item.correct == (item.earned == item.points)
        assert round(item.earned, 2) == item.earned
    assert sum(e for e, _ in result.by_category.values()) == pytest.approx(result.score)
    perfect = grade(key, {i: k.correct for i, k in enumerate(key)}, scheme=scheme, pass_mark=0)
    assert perfect.score == perfect.max_score and perfect.correct_count == len(key)
    assert (
        grade(key, answers, scheme="partial", pass_mark=0).score
        >= grade(key, answers, scheme="all_or_nothing", pass_mark=0).score
    )
