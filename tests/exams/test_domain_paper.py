"""The drawn paper: its stored versions, reading them back, displayed <-> original options."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from examsite.exams.domain.paper import VERSION, Paper, PaperFormatError, PaperItem
from examsite.exams.domain.paper_spec import QTYPES, DrawnItem

PAPER = Paper(
    (
        PaperItem(12, "single", 2.0, (2, 0, 3, 1)),
        PaperItem(7, "multiple", 3.5, (1, 0, 2)),
        PaperItem(30, "true_false", 1.0, (0, 1)),
    )
)


def test_round_trip_through_json_text() -> None:
    stored = json.loads(json.dumps(PAPER.to_json()))  # as the JSON column gives it back
    assert stored["v"] == VERSION == 2
    assert stored["items"][0] == {
        "revision_id": 12,
        "qtype": "single",
        "points": 2.0,
        "option_order": [2, 0, 3, 1],
    }
    assert Paper.from_json(stored) == PAPER


def test_version_1_rows_are_read() -> None:
    v1 = [
        {"r": 12, "t": "single", "p": 2.0, "o": [2, 0, 3, 1]},
        {"r": 7, "t": "multiple", "p": 3.5, "o": [1, 0, 2]},
        {"r": 30, "t": "true_false", "p": 1, "o": [0, 1]},  # integer points, as JSON may hold
    ]
    paper = Paper.from_json(v1)
    assert paper == PAPER
    assert isinstance(paper[2].points, float)
    # Read in the old form, written in the new one.
    assert Paper.from_json(paper.to_json()) == PAPER


def test_an_empty_paper_is_falsy() -> None:
    assert not Paper.from_json({"v": 2, "items": []})
    assert not Paper.from_json([])
    assert PAPER


def test_helpers() -> None:
    assert len(PAPER) == 3
    assert [i.revision_id for i in PAPER] == PAPER.revision_ids == [12, 7, 30]
    assert PAPER[1].n_options == 3
    # The candidate clicked the 1st and 3rd displayed options of question 2.
    assert PAPER.displayed_to_original(1, [0, 2]) == [1, 2]
    assert PAPER.displayed_to_original(1, [2, 0, 2]) == [1, 2]  # sorted, no repeats
    assert PAPER.displayed_to_original(0, []) == []
    assert PAPER[0].original_to_displayed([0, 1]) == [1, 3]
    assert PAPER[0].displayed_options(["A", "B", "C", "D"]) == ["C", "A", "D", "B"]


def test_displayed_indexes_off_the_paper_raise_index_error() -> None:
    with pytest.raises(IndexError):
        PAPER.displayed_to_original(3, [0])
    with pytest.raises(IndexError):
        PAPER.displayed_to_original(-1, [0])
    for bad in ([4], [-1], [True], ["0"]):
        with pytest.raises(IndexError):
            PAPER.displayed_to_original(0, bad)


def test_from_drawn() -> None:
    drawn = [DrawnItem(12, "single", 2.0, (2, 0, 3, 1)), DrawnItem(7, "multiple", 3.5, (1, 0, 2))]
    assert Paper.from_drawn(drawn).items == PAPER.items[:2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"v": 3, "items": []}, "unknown paper version 3"),
        ({"v": 1, "items": []}, "unknown paper version 1"),
        ({"v": "2", "items": []}, "unknown paper version '2'"),
        ({"v": True, "items": []}, "unknown paper version True"),
        ({"items": []}, "versioned object"),
        ("paper", "versioned object"),
        (None, "versioned object"),
        ({"v": 2}, "list of items"),
        ({"v": 2, "items": [[12, "single", 2.0, [0]]]}, "item 0: not an object"),
        ([{"r": 12, "t": "single", "p": 2.0}], "item 0: missing o"),
        ({"v": 2, "items": [{"r": 1, "t": "single", "p": 1, "o": [0]}]}, "missing revision_id"),
        ([{"r": "12", "t": "single", "p": 2, "o": [0]}], "revision id '12'"),
        ([{"r": True, "t": "single", "p": 2, "o": [0]}], "revision id True"),
        ([{"r": 1, "t": "essay", "p": 2, "o": [0]}], "unknown question type 'essay'"),
        ([{"r": 1, "t": "single", "p": -1, "o": [0]}], "points -1"),
        ([{"r": 1, "t": "single", "p": "2", "o": [0]}], "points '2'"),
        ([{"r": 1, "t": "single", "p": float("nan"), "o": [0]}], "points nan"),
        ([{"r": 1, "t": "single", "p": 2, "o": [0, 0]}], "not a permutation"),
        ([{"r": 1, "t": "single", "p": 2, "o": [1, 2]}], "not a permutation"),
        ([{"r": 1, "t": "single", "p": 2, "o": "01"}], "not a permutation"),
    ],
)
def test_bad_input_is_refused_clearly(data: object, message: str) -> None:
    with pytest.raises(PaperFormatError, match=re.escape(message)):
        Paper.from_json(data)


def test_format_error_is_a_value_error() -> None:
    assert issubclass(PaperFormatError, ValueError)


_items = st.builds(
    PaperItem,
    revision_id=st.integers(min_value=1, max_value=2**31),
    qtype=st.sampled_from(QTYPES),
    points=st.floats(min_value=0, max_value=100, allow_nan=False),
    option_order=st.integers(min_value=2, max_value=8).flatmap(
        lambda n: st.permutations(range(n)).map(tuple)
    ),
)


@given(st.lists(_items, max_size=20))
def test_any_paper_survives_storage(items: list[PaperItem]) -> None:
    paper = Paper(tuple(items))
    assert Paper.from_json(json.loads(json.dumps(paper.to_json()))) == paper


@given(_items, st.data())
def test_displayed_and_original_are_inverse(item: PaperItem, data: st.DataObject) -> None:
    displayed = data.draw(st.lists(st.integers(0, item.n_options - 1), unique=True))
    original = item.displayed_to_original(displayed)
    assert item.original_to_displayed(original) == sorted(displayed)
