"""任免事项: the kinds of decision the committee (or the congress session) takes on a
person, the post kinds the statistics group them by, and which steps each kind needs by
default (a body may change the steps per kind: ``MatterRule``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from examsite.core.states import LabelledEnum


class MatterKind(LabelledEnum):
    APPOINT = "appoint"
    DECIDE_APPOINT = "decide_appoint"
    REMOVE = "remove"
    DISMISS = "dismiss"
    ACCEPT_RESIGNATION = "accept_resignation"
    APPROVE_APPOINT = "approve_appoint"
    APPROVE_REMOVE = "approve_remove"
    DECIDE_ACTING = "decide_acting"
    ELECT = "elect"

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {
            "appoint": _l("任命"),
            "decide_appoint": _l("决定任命"),
            "remove": _l("免职"),
            "dismiss": _l("撤职"),
            "accept_resignation": _l("接受辞职"),
            "approve_appoint": _l("批准任命"),
            "approve_remove": _l("批准免职"),
            "decide_acting": _l("决定代理"),
            "elect": _l("选举"),
        }


#: Kinds that put a person into a post (the 任命人次 of a work report). 选举 is the
#: congress session's, not the committee's: it is not among the 任免人次.
APPOINTING = frozenset(
    {
        MatterKind.APPOINT,
        MatterKind.DECIDE_APPOINT,
        MatterKind.APPROVE_APPOINT,
        MatterKind.DECIDE_ACTING,
    }
)
#: Kinds that take a person out of a post.
REMOVING = frozenset(
    {
        MatterKind.REMOVE,
        MatterKind.DISMISS,
        MatterKind.ACCEPT_RESIGNATION,
        MatterKind.APPROVE_REMOVE,
    }
)
#: The committee's 任免事项 (what 任免人次 counts).
COMMITTEE_KINDS = APPOINTING | REMOVING

#: A passed vote on a matter that is no appointment (免职, 接受辞职, ...): the stored
#: outcome stays VoteOutcome.APPOINTED, only the words differ.
PASSED_LABEL = _l("通过")

#: The post kinds every body has (a body adds its own: ``PostKind``), in the order the
#: work reports list them: the stored name (Appointment.post_kind, the Chinese source
#: string whatever the page's language) and its label.
BUILTIN_POST_KIND_LABELS: Mapping[str, Any] = {
    "专门委员会组成人员": _l("专门委员会组成人员"),
    "常委会工作机构负责人": _l("常委会工作机构负责人"),
    "政府组成人员": _l("政府组成人员"),
    "监察委员会组成人员": _l("监察委员会组成人员"),
    "法院法职人员": _l("法院法职人员"),
    "检察院法职人员": _l("检察院法职人员"),
    "下级人民检察院检察长": _l("下级人民检察院检察长"),
}
BUILTIN_POST_KINDS: tuple[Any, ...] = tuple(BUILTIN_POST_KIND_LABELS.values())


@dataclass(frozen=True)
class Steps:
    """Which records a matter of a kind needs: the test before the vote, the statement at
    the meeting, the oath after it, and reports later in the term."""

    test: bool
    statement: bool
    oath: bool
    reports: bool


NO_STEPS = Steps(test=False, statement=False, oath=False, reports=False)
ALL_STEPS = Steps(test=True, statement=True, oath=True, reports=True)

#: The steps of each kind when the body has not set its own (``MatterRule``).
DEFAULT_STEPS: Mapping[MatterKind, Steps] = {
    MatterKind.APPOINT: ALL_STEPS,
    MatterKind.DECIDE_APPOINT: ALL_STEPS,
    MatterKind.DECIDE_ACTING: NO_STEPS,
    MatterKind.APPROVE_APPOINT: NO_STEPS,
    MatterKind.ELECT: Steps(test=False, statement=False, oath=True, reports=True),
    MatterKind.REMOVE: NO_STEPS,
    MatterKind.DISMISS: NO_STEPS,
    MatterKind.ACCEPT_RESIGNATION: NO_STEPS,
    MatterKind.APPROVE_REMOVE: NO_STEPS,
}


def kind_choices() -> list[tuple[str, Any]]:
    """(value, label) of every kind, in the order of the enum: the form's select."""
    return [(kind.value, kind.label) for kind in MatterKind]
