"""The satisfaction vote (满意度测评): checks and the outcome rule (pure)."""

from __future__ import annotations

from dataclasses import dataclass

SATISFIED = "satisfied"
UNSATISFIED = "unsatisfied"


@dataclass(frozen=True)
class Vote:
    present: int
    satisfied: int
    basically: int
    unsatisfied: int


def vote_problems(vote: Vote) -> list[str]:
    """Codes of what is wrong with a vote; empty when it may be recorded."""
    problems = []
    if vote.present <= 0:
        problems.append("no_members")
    if min(vote.satisfied, vote.basically, vote.unsatisfied) < 0:
        problems.append("negative")
    if vote.satisfied + vote.basically + vote.unsatisfied > vote.present:
        problems.append("over_present")
    return problems


def outcome(vote: Vote, threshold_percent: int = 50) -> str:
    """Satisfied when 满意 + 基本满意 exceed ``threshold_percent`` of the members present.

    The default is the common rule: more than half of those present.
    """
    approving = vote.satisfied + vote.basically
    return SATISFIED if approving * 100 > threshold_percent * vote.present else UNSATISFIED
