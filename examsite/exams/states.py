"""The states of a sitting and of a candidate's attempt, and every transition between them:
the one place that says which action is allowed when (``SITTING``, ``ATTEMPT``), plus the
signed-sitting lock that refuses every change, whatever the state.

A new action on a sitting or an attempt: add its row here, call ``apply`` (or ``check``)
in its one service function, and let its template ask ``obj.can("action")``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from examsite.core.errors import UserError
from examsite.core.states import LabelledEnum, Machine, transition

if TYPE_CHECKING:
    from examsite.exams.models import Sitting


class ExamError(UserError):
    """A refused exam operation; the message is for the user (Chinese)."""


class SittingLocked(ExamError):
    """A change to a sitting whose record has been signed off (考场记录签字确认)."""


class SittingStatus(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {"draft": _l("准备中"), "open": _l("已开放"), "closed": _l("已结束")}


class AttemptStatus(LabelledEnum):
    ENROLLED = "enrolled"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    GRADED = "graded"
    ABSENT = "absent"

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {
            "enrolled": _l("未开始"),
            "in_progress": _l("答题中"),
            "submitted": _l("已交卷"),
            "graded": _l("已评分"),
            "absent": _l("缺考"),
        }


_D, _O, _C = SittingStatus.DRAFT, SittingStatus.OPEN, SittingStatus.CLOSED

#: What may happen to a sitting in each state.
SITTING: Machine[SittingStatus] = Machine(
    "status",
    {
        # The paper, the scoring and the start are fixed once papers are drawn.
        "edit_paper": transition(
            [_D], None, _l("考试已开放，不能再修改试卷方案、评分方式或开始时间。")
        ),
        "enroll": transition([_D, _O], None, _l("考试已结束，不能再报名。")),
        "open": transition([_D], _O, _l("只有未开放的考试可以开放。")),
        "close": transition([_O], _C, _l("只有进行中的考试可以结束。")),
        "readmit": transition([_D, _O], None, _l("考试已结束。")),
        # Signing an open room would freeze candidates mid-paper: the record is of the end.
        "sign_off": transition([_C], None, _l("考试结束后才能签字确认考场记录。")),
    },
    ExamError,
)

_E, _P, _S, _G, _A = (
    AttemptStatus.ENROLLED,
    AttemptStatus.IN_PROGRESS,
    AttemptStatus.SUBMITTED,
    AttemptStatus.GRADED,
    AttemptStatus.ABSENT,
)

#: What may happen to a candidate's attempt in each state.
ATTEMPT: Machine[AttemptStatus] = Machine(
    "status",
    {
        "unenroll": transition([_E], None, _l("考生已开始答题，不能取消报名。")),
        # The invigilator's interventions (a reason is asked and audited for each).
        "reset": transition([_E, _P], None, _l("该考生已交卷或缺考，无需重置登录。")),
        "reissue": transition([_E, _P, _A], None, _l("该考生已交卷，不能再更换准考证号。")),
        "start": transition([_E], _P, _l("尚未开始答题。")),
        "save": transition([_P], None, _l("尚未开始答题。")),
        # Handing in: the candidate, the deadline, the invigilator, the end of the sitting.
        "submit": transition([_P], _S, _l("该考生不在答题中。")),
        "force_submit": transition([_P], _S, _l("该考生不在答题中。")),
        "grade": transition([_S, _G], _G, _l("试卷尚未提交。")),  # a regrade is allowed
        "extend": transition([_E, _P], None, _l("该考生已交卷。")),
        "absent": transition([_E], _A, _l("只有尚未开始答题的考生可以记为缺考。")),
        # Let a late candidate begin after the cutoff, or undo a mark of absence.
        "readmit": transition([_E, _A], _E, _l("该考生已开始答题。")),
        # A paper answered on paper (the fallback) is entered as if answered online.
        "enter_paper": transition([_E, _P, _A], _P, _l("该考生的试卷已评分。")),
    },
    ExamError,
)


LOCKED_MESSAGE = _l("该场次记录已签字确认，不能再作修改。")


def sitting_locked(sitting: Sitting) -> bool:
    """Whether the sitting record is signed: from then on nothing changes the sitting.

    The one rule. Every service that changes a sitting, its attempts or answers (and the
    invigilation services: incidents, paper entries) calls ``ensure_unlocked``; every
    non-GET request under a signed sitting's URL is refused before its view runs
    (``examsite.exams.signed``), which also lists the two actions the rule allows."""
    return sitting.signed_off_at is not None


def ensure_unlocked(sitting: Sitting) -> None:
    """Refuse any change to a signed sitting, for everyone: there is no override."""
    if sitting_locked(sitting):
        raise SittingLocked(str(LOCKED_MESSAGE))
