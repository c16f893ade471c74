"""Reports: when each subject reports (schedule.py's proposal, staff's confirmation), when it
is due and what stands in its way."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments.models import Appointment, Meeting
from examsite.core import audit
from examsite.extensions import db
from examsite.reports import schedule
from examsite.reports.models import MODE_ORAL, ReportSubject, Term
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


def propose(
    term: Term, *, max_oral_per_meeting: int, deadline: date, today: date | None = None
) -> schedule.Schedule:
    """Place every open, unconfirmed subject; confirmed ones stay where staff put them."""
    today = today or date.today()
    subjects = open_subjects(term)
    result = schedule.propose_schedule(
        [
            schedule.Subject(
                id=s.id,
                mode=s.mode,
                available_from=s.appointment.vote_date or term.starts_on,
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
    by_id = {s.id: s for s in subjects}
    for placement in result.placements:
        subject = by_id[placement.subject_id]
        if not subject.confirmed:
            subject.meeting_id, subject.due_on = placement.meeting_id, placement.due
    audit.record(
        "report.schedule",
        target=term,
        body=term.body_id,
        placed=len(result.placements),
        problems=len(result.problems),
    )
    db.session.flush()
    return result


def confirm(subject: ReportSubject, *, meeting: Meeting | None, due_on: date | None) -> None:
    """Staff confirm or move one item."""
    if subject.mode == MODE_ORAL:
        if meeting is None:
            raise ReportError(_("口头报告须安排在某次常委会会议上。"))
        subject.meeting_id, subject.due_on = meeting.id, None
    else:
        if due_on is None:
            raise ReportError(_("书面报告须有截止日期。"))
        subject.meeting_id, subject.due_on = None, due_on
    subject.confirmed = True
    audit.record(
        "report.confirm",
        target=subject,
        meeting=meeting.id if meeting else None,
        due=due_on.isoformat() if due_on else None,
    )
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
