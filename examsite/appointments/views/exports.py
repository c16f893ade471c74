"""The Excel files (a meeting's steps, the statements, a ceremony's attendance); every word
in them in the UI's language. The work report's figures are the statistics page's."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments import records
from examsite.appointments.forms import CHECK_IN_METHOD_LABELS
from examsite.appointments.models import Appointment, Ceremony, Meeting, Statement
from examsite.appointments.views import bp
from examsite.appointments.views.common import MEETING_STEPS, PARTICIPANTS
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.exports import day_text, xlsx_response
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.timeutil import utc_to_local
from examsite.extensions import db


def _meeting_name(meeting_: Meeting) -> str:
    return meeting_.name


def _test_text(a: Appointment, failed: set[int]) -> str:
    """The test in words: a failed test is 未通过, never shown as if it were not taken."""
    if a.exemption_reason and not a.test_attempt_id:
        return _("免考：%(reason)s", reason=a.exemption_reason)
    return str(records.TEST_LABELS[records.test_state(a, failed)])


@bp.get("/meetings/<int:meeting_id>/export.xlsx")
@body_required(ROLE_STAFF)
def meeting_export(body: Body, meeting_id: int) -> Response:
    meeting_ = _get(Meeting, body, meeting_id, MEETING_STEPS)
    failed = records.failed_candidates(list(meeting_.appointments))
    rows = [
        [
            a.candidate.name,
            a.candidate.masked_id,
            a.candidate.work_unit,
            a.proposed_post,
            _test_text(a, failed),
            _("已发言") if a.statement and a.statement.delivered else _("未发言"),
            a.outcome_label,
            _("已宣誓") if a.sworn_in else _("未宣誓"),
            a.kind.label,
        ]
        for a in meeting_.appointments
    ]
    audit.record("appointment.export", target=meeting_, body=body, what="meeting")
    name = _meeting_name(meeting_)
    return xlsx_response(
        _("任免情况-%(meeting)s", meeting=name),
        [
            _("姓名"),
            _("身份证号"),
            _("工作单位"),
            _("职务"),
            _("法律知识考试"),
            _("表态发言"),
            _("表决结果"),
            _("宪法宣誓"),
            _("事项类型"),
        ],
        rows,
        sheet=_("任免情况"),
        title=_("%(meeting)s（%(date)s）任免情况", meeting=name, date=day_text(meeting_.date)),
        body=body.name,
    )


@bp.get("/statements.xlsx")
@body_required(ROLE_STAFF)
def statements_export(body: Body) -> Response:
    rows = [
        [
            s.appointment.candidate.name,
            s.appointment.proposed_post,
            s.appointment.meeting.name if s.appointment.meeting else "",
            s.order,
            _("是") if s.delivered else _("否"),
            day_text(s.delivered_on),
            _("有") if s.file_path else _("无"),
        ]
        for s in db.session.scalars(
            select(Statement)
            .where(Statement.body_id == body.id)
            .order_by(Statement.id)
            .options(
                joinedload(Statement.appointment).options(
                    joinedload(Appointment.candidate), joinedload(Appointment.meeting)
                )
            )
        )
    ]
    audit.record("appointment.export", target=body, body=body, what="statements")
    return xlsx_response(
        _("表态发言"),
        [
            _("姓名"),
            _("拟任职务"),
            _("会议"),
            _("发言顺序"),
            _("已发言"),
            _("发言日期"),
            _("发言稿文件"),
        ],
        rows,
        sheet=_("表态发言"),
        title=_("任前表态发言"),
        body=body.name,
    )


def _local_text(value: Any) -> str:
    local = utc_to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


@bp.get("/ceremonies/<int:ceremony_id>/export.xlsx")
@body_required(ROLE_STAFF)
def ceremony_export(body: Body, ceremony_id: int) -> Response:
    ceremony_ = _get(Ceremony, body, ceremony_id, PARTICIPANTS)
    rows = [
        [
            p.name,  # an elected person (人代会选举产生) has no appointment record
            p.post,
            _("已宣誓") if p.sworn else (_("已签到") if p.checked_in_at else _("未签到")),
            _local_text(p.checked_in_at),
            str(CHECK_IN_METHOD_LABELS.get(p.check_in_method, "")),
        ]
        for p in ceremony_.participants
    ]
    audit.record("appointment.export", target=ceremony_, body=body, what="oath attendance")
    return xlsx_response(
        _("宪法宣誓出席-%(title)s", title=ceremony_.title),
        [_("姓名"), _("职务"), _("出席"), _("签到时间"), _("签到方式")],
        rows,
        sheet=_("宣誓出席"),
        title=_(
            "%(title)s（%(date)s）出席情况",
            title=ceremony_.title,
            date=day_text(utc_to_local(ceremony_.starts_at)),
        ),
        body=body.name,
    )
