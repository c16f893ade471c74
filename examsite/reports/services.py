"""Reports: terms, plans and subjects, scheduling, recording, votes, reminders, coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments.models import VOTE_APPOINTED, Appointment, Meeting
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.controlchars import one_line
from examsite.core.errors import UserError
from examsite.core.filecheck import check_upload, store_upload
from examsite.core.timeutil import utcnow
from examsite.core.uploads import upload_folder
from examsite.extensions import db
from examsite.reports import schedule, voting
from examsite.reports.models import (
    MODE_ORAL,
    MODES,
    Rectification,
    ReminderLog,
    ReportPlan,
    ReportSettings,
    ReportSubject,
    Term,
)

#: Loader options of a list of subjects: each row's person, post and meeting (its due date
#: and conflicts) come with the subjects, not in a query per row.
SUBJECT_ROW = (
    joinedload(ReportSubject.appointment).joinedload(Appointment.candidate),
    joinedload(ReportSubject.meeting),
)


class ReportError(UserError):
    """A refused change; the message is for the user (Chinese)."""


def settings_for(body: Body) -> ReportSettings:
    return db.session.get(ReportSettings, body.id) or ReportSettings(
        body_id=body.id, threshold_percent=50, reminder_email=""
    )


def save_settings(body: Body, *, threshold_percent: int, reminder_email: str) -> None:
    row = db.session.get(ReportSettings, body.id)
    if row is None:
        row = ReportSettings(body_id=body.id)
        db.session.add(row)
    row.threshold_percent, row.reminder_email = threshold_percent, reminder_email.strip()
    audit.record("report.settings", target=body, body=body, threshold=threshold_percent)
    db.session.commit()


def save_term(body: Body, *, number: int, starts_on: date, ends_on: date) -> Term:
    if ends_on <= starts_on:
        raise ReportError(_("届期结束日期必须晚于开始日期。"))
    if db.session.scalars(
        select(Term).where(Term.body_id == body.id, Term.number == number)
    ).first():
        raise ReportError(_("已有第 %(n)s 届。", n=number))
    term = Term(body_id=body.id, number=number, starts_on=starts_on, ends_on=ends_on)
    db.session.add(term)
    audit.record("term.create", target=term, body=body, number=number)
    db.session.commit()
    return term


def due_date(subject: ReportSubject) -> date | None:
    """When the report is due: the meeting (oral) or the due date (written)."""
    if subject.mode == MODE_ORAL:
        return subject.meeting.date if subject.meeting else None
    return subject.due_on


# --------------------------------------------------------------------------- plans and subjects


def create_plan(
    body: Body, term: Term, *, name: str, mode: str, post_categories: list[str], post_keyword: str
) -> tuple[ReportPlan, int]:
    """A plan and the subjects it selects: persons appointed in the term that it covers."""
    if mode not in MODES:
        raise ReportError(_("报告方式无效。"))
    plan = ReportPlan(
        body_id=body.id,
        term=term,
        name=name.strip(),
        mode=mode,
        post_categories=post_categories,
        post_keyword=post_keyword.strip(),
    )
    db.session.add(plan)
    db.session.flush()
    added = _generate(plan)
    audit.record("report.plan", target=plan, body=body, name=plan.name, subjects=added)
    db.session.commit()
    return plan, added


def _generate(plan: ReportPlan) -> int:
    term = plan.term
    taken = set(
        db.session.scalars(
            select(ReportSubject.appointment_id).where(ReportSubject.term_id == term.id)
        )
    )
    candidates = db.session.scalars(
        select(Appointment).where(
            Appointment.body_id == plan.body_id,
            Appointment.vote == VOTE_APPOINTED,
            Appointment.vote_date >= term.starts_on,
            Appointment.vote_date <= term.ends_on,
        )
    )
    added = 0
    for appointment in candidates:
        if appointment.id in taken:
            continue
        if plan.post_categories and appointment.candidate.post_category not in plan.post_categories:
            continue
        if plan.post_keyword and plan.post_keyword not in appointment.proposed_post:
            continue
        db.session.add(
            ReportSubject(
                body_id=plan.body_id,
                term_id=term.id,
                plan_id=plan.id,
                appointment_id=appointment.id,
                mode=plan.mode,
            )
        )
        added += 1
    return added


def add_subject(term: Term, appointment: Appointment, mode: str) -> ReportSubject:
    """Staff add a person the plans did not select."""
    exists = db.session.scalars(
        select(ReportSubject).where(
            ReportSubject.term_id == term.id, ReportSubject.appointment_id == appointment.id
        )
    ).first()
    if exists is not None:
        raise ReportError(_("该人员已是本届的报告对象。"))
    subject = ReportSubject(
        body_id=term.body_id, term_id=term.id, appointment_id=appointment.id, mode=mode
    )
    db.session.add(subject)
    audit.record(
        "report.subject_add", target=subject, body=term.body_id, name=appointment.candidate.name
    )
    db.session.commit()
    return subject


def exempt_subject(subject: ReportSubject, reason: str) -> None:
    subject.exempt_reason = reason.strip()
    audit.record("report.subject_exempt", target=subject, reason=reason.strip())
    db.session.commit()


# --------------------------------------------------------------------------- scheduling


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
    db.session.commit()
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
    db.session.commit()


def conflicts(subject: ReportSubject) -> list[str]:
    """Why a scheduled item may no longer stand."""
    found = []
    if subject.delivered_on is None and subject.appointment.left_on is not None:
        found.append(_("已离任"))
    if subject.meeting is not None and subject.meeting.cancelled:
        found.append(_("会议已取消"))
    return found


# --------------------------------------------------------------------------- recording


def record_report(
    subject: ReportSubject,
    *,
    delivered_on: date,
    mode: str,
    guidance: str,
    upload: tuple[str, bytes] | None,
    instance_path: str,
    max_bytes: int,
) -> None:
    if upload:  # checked before anything changes
        check_upload(upload[0], upload[1], max_bytes)
    if mode not in MODES:
        raise ReportError(_("报告方式无效。"))
    subject.delivered_on, subject.mode, subject.guidance = delivered_on, mode, guidance.strip()
    if upload:
        folder = upload_folder(instance_path, "reports")
        name, kind = store_upload(folder, upload[0], upload[1], max_bytes)
        subject.file_path, subject.file_name, subject.file_type = name, upload[0][:255], kind
    audit.record("report.record", target=subject, delivered=delivered_on.isoformat(), mode=mode)
    db.session.commit()


VOTE_MESSAGES = {
    "no_members": _l("出席人数必须大于 0。"),
    "negative": _l("票数不能为负数。"),
    "over_present": _l("满意、基本满意、不满意票数之和不能超过出席人数。"),
}


def record_vote(subject: ReportSubject, vote: voting.Vote) -> str:
    """满意度测评: refuses impossible counts; returns the outcome by the body's rule."""
    problems = voting.vote_problems(vote)
    if problems:
        raise ReportError(" ".join(str(VOTE_MESSAGES[p]) for p in problems))
    threshold = settings_for(db.session.get(Body, subject.body_id)).threshold_percent  # type: ignore[arg-type]
    result = voting.outcome(vote, threshold)
    subject.members_present = vote.present
    subject.votes_satisfied, subject.votes_basically = vote.satisfied, vote.basically
    subject.votes_unsatisfied = vote.unsatisfied
    subject.outcome = result
    audit.record(
        "report.vote",
        target=subject,
        present=vote.present,
        satisfied=vote.satisfied,
        basically=vote.basically,
        unsatisfied=vote.unsatisfied,
        outcome=result,
    )
    db.session.commit()
    return result


def require_rectification(subject: ReportSubject, *, actions: str, due_on: date) -> Rectification:
    if subject.outcome != voting.UNSATISFIED:
        raise ReportError(_("只有测评结果为不满意的报告需要整改。"))
    rect = subject.rectification or Rectification(
        body_id=subject.body_id, subject=subject, actions="", due_on=due_on
    )
    rect.actions, rect.due_on = actions.strip(), due_on
    db.session.add(rect)
    audit.record("report.rectification", target=subject, due=due_on.isoformat())
    db.session.commit()
    return rect


def follow_up(rect: Rectification, *, text: str, on: date, close: bool, user: Any) -> None:
    rect.follow_up, rect.follow_up_on = text.strip(), on
    if close:
        rect.closed_at, rect.closed_by_id = utcnow(), user.id
    audit.record("report.follow_up", target=rect.subject, closed=close)
    db.session.commit()


# --------------------------------------------------------------------------- reminders


def upcoming(
    body_ids: list[int], today: date, days: int = 30
) -> tuple[list[ReportSubject], list[ReportSubject]]:
    """(due within `days`, overdue) among open subjects."""
    rows = db.session.scalars(
        select(ReportSubject)
        .where(
            ReportSubject.body_id.in_(body_ids),
            ReportSubject.exempt_reason == "",
            ReportSubject.delivered_on.is_(None),
        )
        .options(*SUBJECT_ROW)
    )
    soon, late = [], []
    for s in rows:
        due = due_date(s)
        if due is None:
            continue
        if due < today:
            late.append(s)
        elif due <= today + timedelta(days=days):
            soon.append(s)
    key = lambda s: (due_date(s), s.id)  # noqa: E731
    return sorted(soon, key=key), sorted(late, key=key)


Sender = Callable[[str, str, str], None]


def send_reminders(today: date, send: Sender) -> int:
    """E-mail each due-soon and overdue item once; what was sent is recorded."""
    sent = 0
    for settings in db.session.scalars(
        select(ReportSettings).where(ReportSettings.reminder_email != "")
    ):
        soon, late = upcoming([settings.body_id], today)
        for kind, items in (("due_soon", soon), ("overdue", late)):
            done = set(
                db.session.scalars(
                    select(ReminderLog.subject_id).where(
                        ReminderLog.body_id == settings.body_id, ReminderLog.kind == kind
                    )
                )
            )
            for subject in items:
                if subject.id in done:
                    continue
                # A name stored before control characters were refused must not break the
                # e-mail's Subject header.
                name = one_line(subject.appointment.candidate.name)
                due = due_date(subject)
                title = (
                    f"[任后履职报告] {name} 的报告将于 {due} 到期"
                    if kind == "due_soon"
                    else f"[任后履职报告] {name} 的报告已于 {due} 逾期"
                )
                send(
                    settings.reminder_email,
                    title,
                    f"{name}（{subject.appointment.proposed_post}）\n截止：{due}\n",
                )
                db.session.add(
                    ReminderLog(
                        body_id=settings.body_id,
                        subject_id=subject.id,
                        kind=kind,
                        recipient=settings.reminder_email,
                    )
                )
                db.session.commit()
                sent += 1
    return sent


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    subjects: int
    reported: int
    oral: int
    written: int
    exempt: int
    missing: list[ReportSubject]

    @property
    def percent(self) -> float:
        return round(100 * self.reported / self.subjects, 1) if self.subjects else 100.0


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


def ics(subjects: list[ReportSubject], body: Body) -> str:
    """An iCalendar file of the scheduled reports (all-day events)."""

    def esc(text: str) -> str:
        # One line whatever is stored (a CR/LF in a name would start a property of its own).
        return one_line(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//examsite//reports//ZH",
        "CALSCALE:GREGORIAN",
    ]
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    for s in subjects:
        due = due_date(s)
        if due is None:
            continue
        kind = "口头报告" if s.mode == MODE_ORAL else "书面报告截止"
        lines += [
            "BEGIN:VEVENT",
            f"UID:report-{s.id}@{body.code}.examsite",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{esc(f'{kind}：{s.appointment.candidate.name}')}",
            f"DESCRIPTION:{esc(s.appointment.proposed_post)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(one_line(line)) + "\r\n" for line in lines)


def _ics_fold(line: str, limit: int = 75) -> str:
    """RFC 5545 (3.1): a line longer than 75 octets goes on after CRLF and a space."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


audit.register_actions(
    {
        "report.settings": _l("修改履职报告设置"),
        "term.create": _l("新建届期"),
        "report.plan": _l("新建报告计划"),
        "report.subject_add": _l("添加报告对象"),
        "report.subject_exempt": _l("免于报告"),
        "report.schedule": _l("生成报告安排"),
        "report.confirm": _l("确认报告安排"),
        "report.record": _l("记录履职报告"),
        "report.vote": _l("记录满意度测评"),
        "report.rectification": _l("提出整改要求"),
        "report.follow_up": _l("记录整改情况"),
        "report.download": _l("下载履职报告文件"),
    }
)
