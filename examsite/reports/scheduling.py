"""Reports: when each subject reports (schedule.py's proposal, staff's confirmation), when it
is due and what stands in its way."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments.models import Appointment, Meeting
from examsite.core import audit
from examsite.core.body import Body
from examsite.extensions import db
from examsite.reports import schedule
from examsite.reports.models import MODE_ORAL, ReportSubject, Term
from examsite.reports.plans import settings_for
from examsite.reports.states import ReportError

#: Loader options of a list of subjects: each row's person, post and meeting (its due date
#: and conflicts) come with the subjects, not in a query per row.
SUBJECT_ROW = (
    joinedload(ReportSubject.appointment).joinedload(Appointment.candidate),
    joinedload(ReportSubject.meeting),
)


def due_date(subject: ReportSubject) -> date | None:
    """When the report is due: the meeting (oral) or the due date (written)."""
    if subject.mode == MODE_ORAL:
        return subject.meeting.date if subject.meeting else None
    return subject.due_on


def meetings_of(term: Term) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.body_id == term.body_id,
                Meeting.date >= term.starts_on,
                Meeting.date <= term.ends_on,
            )
            .order_by(Meeting.date)
        )
    )


def open_subjects(term: Term) -> list[ReportSubject]:
    return list(
        db.session.scalars(
            select(ReportSubject)
            .where(
                ReportSubject.term_id == term.id,
                ReportSubject.exempt_reason == "",
                ReportSubject.delivered_on.is_(None),
            )
            .order_by(ReportSubject.id)
        )
    )


def first_day(subject: ReportSubject, months: int) -> date:
    """The first day the subject may report (``schedule.first_report_day``)."""
    return schedule.first_report_day(subject.appointment.vote_date, months, subject.term.starts_on)


def propose(
    term: Term, *, max_oral_per_meeting: int, deadline: date, today: date | None = None
) -> schedule.Schedule:
    """Place every open, unconfirmed subject; confirmed ones stay where staff put them.

    Every earlier proposal is replaced: a subject that cannot be placed now loses its old
    meeting or due date rather than keep a stale one. The request's transaction holds all of
    it, so a proposal that fails half-way leaves the old proposals untouched."""
    today = today or date.today()
    settings = settings_for(db.session.get(Body, term.body_id))  # type: ignore[arg-type]
    if deadline < today:
        raise ReportError(_("完成全覆盖的日期不能早于今天。"))
    deadline = min(deadline, term.ends_on)  # reports fall within the term
    subjects = open_subjects(term)
    result = schedule.propose_schedule(
        [
            schedule.Subject(
                id=s.id,
                mode=s.mode,
                available_from=first_day(s, settings.first_report_months),
                available_until=s.appointment.left_on,
                fixed_meeting_id=s.meeting_id if s.confirmed and s.mode == MODE_ORAL else None,
                fixed_due=s.due_on if s.confirmed and s.mode != MODE_ORAL else None,
            )
            for s in subjects
        ],
        [
            schedule.MeetingSlot(id=m.id, date=m.date, cancelled=m.cancelled)
            for m in meetings_of(term)
        ],
        max_oral_per_meeting=max_oral_per_meeting,
        deadline=deadline,
        today=today,
    )
    placed = {p.subject_id: p for p in result.placements}
    for subject in subjects:
        if subject.confirmed:
            continue
        placement = placed.get(subject.id)
        subject.meeting_id = placement.meeting_id if placement else None
        subject.due_on = placement.due if placement else None
    audit.record(
        "report.schedule",
        target=term,
        body=term.body_id,
        placed=len(result.placements),
        problems=len(result.problems),
        cap=max_oral_per_meeting,
        deadline=deadline.isoformat(),
    )
    db.session.flush()
    return result


def meeting_load(meeting: Meeting, *, besides: ReportSubject) -> int:
    """How many other reports (not exempted) are set at the meeting."""
    return len(
        db.session.scalars(
            select(ReportSubject.id).where(
                ReportSubject.meeting_id == meeting.id,
                ReportSubject.id != besides.id,
                ReportSubject.exempt_reason == "",
            )
        ).all()
    )


def _check_window(subject: ReportSubject, day: date) -> None:
    """What staff may confirm: after the appointing meeting and within the term. (Staff may
    confirm sooner than the first-report period, which binds proposals only: a committee can
    call a report early.)"""
    appointed, term = subject.appointment.vote_date, subject.term
    if appointed is not None and day <= appointed:
        raise ReportError(_("报告须安排在任命（%(d)s）之后。", d=appointed.isoformat()))
    if not term.starts_on <= day <= term.ends_on:
        raise ReportError(
            _(
                "报告须在本届届期内（%(start)s 至 %(end)s）。",
                start=term.starts_on.isoformat(),
                end=term.ends_on.isoformat(),
            )
        )


def confirm(
    subject: ReportSubject,
    *,
    meeting: Meeting | None,
    due_on: date | None,
    over_cap_reason: str = "",
) -> None:
    """Staff confirm or move one item. A meeting already holding the body's cap takes one
    more only with a reason, which is kept with the item and in the log."""
    settings = settings_for(db.session.get(Body, subject.body_id))  # type: ignore[arg-type]
    reason = over_cap_reason.strip()
    over_cap = False
    if subject.mode == MODE_ORAL:
        if meeting is None:
            raise ReportError(_("口头报告须安排在某次常委会会议上。"))
        if meeting.cancelled:
            raise ReportError(_("该次会议已取消。"))
        _check_window(subject, meeting.date)
        load = meeting_load(meeting, besides=subject)
        over_cap = load >= settings.max_oral_per_meeting
        if over_cap and not reason:
            raise ReportError(
                _(
                    "该次会议已安排 %(n)s 人报告，已达上限 %(cap)s 人；超过上限须填写理由。",
                    n=load,
                    cap=settings.max_oral_per_meeting,
                )
            )
        subject.meeting_id, subject.due_on = meeting.id, None
    else:
        if due_on is None:
            raise ReportError(_("书面报告须有截止日期。"))
        _check_window(subject, due_on)
        subject.meeting_id, subject.due_on = None, due_on
    subject.confirmed = True
    subject.over_cap_reason = reason if over_cap else ""
    details: dict[str, Any] = {
        "meeting": meeting.id if meeting else None,
        "due": due_on.isoformat() if due_on else None,
    }
    if over_cap:
        details["over_cap_reason"] = reason
    audit.record("report.confirm", target=subject, **details)
    db.session.flush()


def conflicts(subject: ReportSubject) -> list[str]:
    """Why a scheduled item may no longer stand."""
    found = []
    if subject.delivered_on is None and subject.appointment.left_on is not None:
        found.append(_("已离任"))
    if subject.meeting is not None and subject.meeting.cancelled:
        found.append(_("会议已取消"))
    return found


audit.register_actions(
    {
        "report.schedule": _l("生成报告安排"),
        "report.confirm": _l("确认报告安排"),
    }
)
audit.register_details(
    {"cap": _l("每次会议最多口头报告人数"), "deadline": _l("完成全覆盖的日期")},
    action="report.schedule",
)
audit.register_details({"over_cap_reason": _l("超过人数上限的理由")}, action="report.confirm")
