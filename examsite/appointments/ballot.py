"""The committee's vote on an appointment: when it may be held and whether it passes
(pure). A meeting is held only when more than half of all members are present; an
appointment passes with the votes of more than half of ALL members, not of those present."""

from __future__ import annotations

from dataclasses import dataclass

#: Problem codes, worded by ``records.BALLOT_MESSAGES``.
NO_MEMBERS = "no_members"
NEGATIVE = "negative"
OVER_MEMBERS = "over_members"
NO_QUORUM = "no_quorum"
OVER_PRESENT = "over_present"


@dataclass(frozen=True)
class Ballot:
    #: 应到: the committee's members in the term.
    members: int
    #: 实到.
    present: int
    votes_for: int
    votes_against: int
    abstentions: int


def majority(members: int) -> int:
    """The smallest number that is more than half of ``members``."""
    return members // 2 + 1


def ballot_problems(ballot: Ballot) -> list[str]:
    """Codes of what makes the vote invalid; empty when it may be recorded."""
    counts = (ballot.present, ballot.votes_for, ballot.votes_against, ballot.abstentions)
    if ballot.members <= 0:
        return [NO_MEMBERS]
    if min(counts) < 0:
        return [NEGATIVE]
    problems = []
    if ballot.present > ballot.members:
        problems.append(OVER_MEMBERS)
    elif ballot.present < majority(ballot.members):
        problems.append(NO_QUORUM)
    if ballot.votes_for + ballot.votes_against + ballot.abstentions > ballot.present:
        problems.append(OVER_PRESENT)
    return problems


def passes(ballot: Ballot) -> bool:
    """Passed: more than half of all members voted for (of a valid ballot)."""
    return ballot.votes_for >= majority(ballot.members)
