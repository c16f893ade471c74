"""The codes and states of reports, and every transition between them: the one place that
says which action is allowed when (``SUBJECT``, ``OUTCOME``, ``RECTIFICATION``).

A report subject's status and a rectification's have no column: they follow from the row
(an exemption, the report's date; the closing time), so the services ``check`` the machine
and then set those fields. The vote's outcome is a stored column (``VoteOutcome``).

A new action: add its row here, call ``check`` in its one service function, and let its
template ask ``obj.can("action")``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from examsite.core.errors import UserError
from examsite.core.states import LabelledEnum, Machine, transition
from examsite.reports import schedule, voting


class ReportError(UserError):
    """A refused change; the message is for the user (Chinese)."""


class ReportMode(LabelledEnum):
    """How a subject reports: at a meeting (口头) or in writing by a due date (书面)."""

    ORAL = schedule.ORAL
    WRITTEN = schedule.WRITTEN

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {"oral": _l("口头报告"), "written": _l("书面报告")}


class SubjectStatus(LabelledEnum):
    """Where a report subject stands: an exemption first, then whether the report was
    given (``ReportSubject.status``)."""

    PENDING = "pending"
    EXEMPT = "exempt"
    DELIVERED = "delivered"

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {"pending": _l("未报告"), "exempt": _l("免于报告"), "delivered": _l("已报告")}


class VoteOutcome(LabelledEnum):
    """The satisfaction vote's outcome (满意度测评), by the body's rule (voting.outcome)."""

    SATISFIED = voting.SATISFIED
    UNSATISFIED = voting.UNSATISFIED

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {"satisfied": _l("满意"), "unsatisfied": _l("不满意")}


class RectificationStatus(LabelledEnum):
    """Open until staff close it with a follow-up (``Rectification.status``)."""

    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {"open": _l("整改中"), "closed": _l("整改已完成")}


#: The refusal of an action every state allows (never shown; a transition needs one).
_ANY_STATE = _l("当前状态下不能进行此操作。")

_P, _E, _D = SubjectStatus.PENDING, SubjectStatus.EXEMPT, SubjectStatus.DELIVERED

#: What may happen to a report subject in each state.
SUBJECT: Machine[SubjectStatus] = Machine(
    "status",
    {
        "exempt": transition([_P], _E, _l("只有尚未报告的人员可以免于报告。")),
        # Recording or correcting the report: its date makes a pending subject delivered;
        # an exemption stands (the subject stays exempt).
        "record": transition([_P, _E, _D], None, _ANY_STATE),
        # A new vote replaces the counts and the outcome (a miscount is corrected so).
        "vote": transition([_D], None, _l("报告尚未记录，不能记录测评结果。")),
        # 审议意见 on the report, then the reporter's answer on their handling; each may be
        # corrected (recorded again).
        "opinions": transition([_D], None, _l("报告尚未记录，不能记录审议意见。")),
        "handling": transition([_D], None, _l("报告尚未记录，不能记录研究处理情况。")),
    },
    ReportError,
)

#: What the vote's outcome (``ReportSubject.outcome``; none before the vote) allows.
OUTCOME: Machine[VoteOutcome] = Machine(
    "outcome",
    {
        # Requiring the rectification, or revising what it requires.
        "rectify": transition(
            [VoteOutcome.UNSATISFIED], None, _l("只有测评结果为不满意的报告需要整改。")
        ),
    },
    ReportError,
)

_O, _C = RectificationStatus.OPEN, RectificationStatus.CLOSED

#: What may happen to a rectification in each state: a closed one may still be followed up
#: (and closed again, which records the new closing).
RECTIFICATION: Machine[RectificationStatus] = Machine(
    "status",
    {
        "follow_up": transition([_O, _C], None, _ANY_STATE),
        "close": transition([_O, _C], _C, _ANY_STATE),
    },
    ReportError,
)


def subject_machine(action: str) -> Machine[Any]:
    """The machine of a report subject's action (its status's, or its outcome's)."""
    return OUTCOME if action in OUTCOME.transitions else SUBJECT
