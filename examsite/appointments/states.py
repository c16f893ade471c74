"""The vote on an appointment and the changes it may go through: the one place that says
which outcome may be recorded from which outcome (``VOTE``).

A vote may be recorded again whatever it was (a re-vote, a correction). What a change also
needs from other records (a passed test or an exemption before 任命; the statement before
a vote, ``AFTER_STATEMENT``; no change away from 任命 once the oath is taken) the service
checks: ``records.record_vote``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from examsite.core.errors import UserError
from examsite.core.states import LabelledEnum, Machine, transition


class AppointmentError(UserError):
    """A step refused by the rules; the message says why (Chinese)."""


class VoteOutcome(LabelledEnum):
    PENDING = "pending"
    APPOINTED = "appointed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {
            "pending": _l("待表决"),
            "appointed": _l("任命"),
            "rejected": _l("未通过"),
            "withdrawn": _l("撤回"),
        }


_ANY = list(VoteOutcome)
# Unreachable while every outcome may follow every other; the words if a row narrows.
_REFUSED = _l("表决结果无效。")

#: What may be recorded as the vote, from which outcome.
VOTE: Machine[VoteOutcome] = Machine(
    "vote",
    {
        "appoint": transition(_ANY, VoteOutcome.APPOINTED, _REFUSED),
        "reject": transition(_ANY, VoteOutcome.REJECTED, _REFUSED),
        "withdraw": transition(_ANY, VoteOutcome.WITHDRAWN, _REFUSED),
        # Back to 待表决: e.g. a vote recorded against the wrong person.
        "reopen": transition(_ANY, VoteOutcome.PENDING, _REFUSED),
    },
    AppointmentError,
)

#: The actions that are a vote at the meeting: where the body's rules require it, the
#: person's statement (任前表态发言) comes first.
AFTER_STATEMENT = frozenset({"appoint", "reject"})
STATEMENT_FIRST = _l("%(name)s 尚未在会议上作任前表态发言，不能记录表决结果：请先记录表态发言。")

#: The action that records each outcome.
RECORDS: Mapping[VoteOutcome, str] = {
    VoteOutcome.APPOINTED: "appoint",
    VoteOutcome.REJECTED: "reject",
    VoteOutcome.WITHDRAWN: "withdraw",
    VoteOutcome.PENDING: "reopen",
}
