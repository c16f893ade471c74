"""Reports: a term's coverage (全覆盖: who has reported, who has not) and the iCalendar file
of the scheduled reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.core.body import Body
from examsite.core.controlchars import one_line
from examsite.core.exports import day_text
from examsite.core.timeutil import utcnow
from examsite.extensions import db
from examsite.reports import ical
from examsite.reports.models import MODE_ORAL, ReportSubject, Term
from examsite.reports.scheduling import SUBJECT_ROW, due_date
from examsite.reports.states import ReportMode


@dataclass(frozen=True)
class Coverage:
    subjects: int
    reported: int
    oral: int
    written: int
    exempt: int
    missing: list[ReportSubject]

    @property
    def percent(self) -> float | None:
        """None for a term without subjects: nothing is covered, nothing is missing."""
        return round(100 * self.reported / self.subjects, 1) if self.subjects else None

    @property
    def percent_text(self) -> str:
        return "—" if self.percent is None else f"{self.percent}%"


def coverage(term: Term) -> Coverage:
    rows = list(
        db.session.scalars(
            select(ReportSubject).where(ReportSubject.term_id == term.id).options(*SUBJECT_ROW)
        )
    )
    active = [s for s in rows if not s.exempt_reason]
    reported = [s for s in active if s.delivered_on is not None]
    return Coverage(
        subjects=len(active),
        reported=len(reported),
        oral=sum(1 for s in reported if s.mode == MODE_ORAL),
        written=sum(1 for s in reported if s.mode != MODE_ORAL),
        exempt=len(rows) - len(active),
        missing=[s for s in active if s.delivered_on is None],
    )


#: The coverage export's columns: every value in words (labels, never stored codes).
COVERAGE_HEADERS = (
    _l("姓名"),
    _l("职务"),
    _l("报告方式"),
    _l("状态"),
    _l("安排"),
    _l("报告日期"),
    _l("出席人数"),
    _l("满意"),
    _l("基本满意"),
    _l("不满意"),
    _l("测评结果"),
    _l("整改"),
    _l("免于报告理由"),
)


def _schedule_text(s: ReportSubject) -> str:
    if s.meeting is not None:
        text = f"{s.meeting.name}（{day_text(s.meeting.date)}）"
    elif s.due_on is not None:
        text = _("截止 %(d)s", d=day_text(s.due_on))
    else:
        return ""
    return text if s.confirmed else text + _("（未确认）")


def _rectification_text(s: ReportSubject) -> str:
    rect = s.rectification
    if rect is None:
        return ""
    if rect.overdue(date.today()):
        return _("已逾期（期限 %(d)s）", d=day_text(rect.due_on))
    return rect.status.label


def coverage_rows(term: Term) -> list[list[Any]]:
    """The term's subjects as the coverage export's rows, in the order they were added."""
    rows = db.session.scalars(
        select(ReportSubject)
        .where(ReportSubject.term_id == term.id)
        .order_by(ReportSubject.id)
        .options(*SUBJECT_ROW, joinedload(ReportSubject.rectification))
    ).unique()
    return [
        [
            s.appointment.candidate.name,
            s.appointment.proposed_post,
            ReportMode(s.mode).label,
            s.status.label,
            _schedule_text(s),
            day_text(s.delivered_on),
            s.members_present,
            s.votes_satisfied,
            s.votes_basically,
            s.votes_unsatisfied,
            s.outcome.label if s.outcome else "",
            _rectification_text(s),
            s.exempt_reason,
        ]
        for s in rows
    ]


#: Meetings have a date only: an oral report shows as the meeting's morning.
_ORAL_HOURS = (time(9, 0), time(12, 0))
#: A written report is due on its day: a short reminder at the start of the working day.
_WRITTEN_HOURS = (time(9, 0), time(9, 30))


def ics(subjects: list[ReportSubject], body: Body) -> str:
    """An iCalendar file of the scheduled reports (``reports.ical``); each event's UID is
    the subject's id and the body's code, the same in every download, so a calendar
    program updates the event it already has."""
    events = []
    for s in sorted(subjects, key=lambda s: s.id):
        due = due_date(s)
        if due is None:
            continue
        oral = s.mode == MODE_ORAL
        start, end = _ORAL_HOURS if oral else _WRITTEN_HOURS
        # The name and the post are one line each; the description's lines are ours.
        name = one_line(s.appointment.candidate.name)
        details = [one_line(s.appointment.proposed_post)]
        if oral and s.meeting is not None:
            details.append(s.meeting.name)
        if not s.confirmed:
            details.append(_("安排尚未确认"))
        events.append(
            ical.Event(
                uid=f"report-{s.id}-{body.code}@examsite",
                start=datetime.combine(due, start),
                end=datetime.combine(due, end),
                summary=f"{_('口头报告') if oral else _('书面报告截止')}：{name}",
                description="\n".join(details),
            )
        )
    return ical.calendar(
        events,
        name=_("履职报告日历-%(body)s", body=body.name),
        stamp=utcnow().replace(microsecond=0),
    )
