"""The satisfaction vote: validation and the outcome rule (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from examsite.reports.voting import SATISFIED, UNSATISFIED, Vote, outcome, vote_problems


def test_counts_over_those_present_are_refused():
    assert vote_problems(Vote(present=30, satisfied=20, basically=8, unsatisfied=3)) == [
        "over_present"
    ]
    assert vote_problems(Vote(present=30, satisfied=20, basically=8, unsatisfied=2)) == []
    assert "no_members" in vote_problems(Vote(present=0, satisfied=0, basically=0, unsatisfied=0))
    assert "negative" in vote_problems(Vote(present=5, satisfied=-1, basically=0, unsatisfied=0))


def test_more_than_half_of_those_present():
    assert outcome(Vote(30, 10, 6, 2)) == SATISFIED  # 16 > 15
    assert outcome(Vote(30, 10, 5, 2)) == UNSATISFIED  # exactly half is not more than half
    assert outcome(Vote(30, 10, 5, 2), threshold_percent=40) == SATISFIED


@given(st.integers(1, 200), st.data())
def test_outcome_matches_the_rule(present, data):
    s = data.draw(st.integers(0, present))
    b = data.draw(st.integers(0, present - s))
    u = data.draw(st.integers(0, present - s - b))
    vote = Vote(present, s, b, u)
    assert vote_problems(vote) == []
    assert (outcome(vote) == SATISFIED) == (2 * (s + b) > present)
