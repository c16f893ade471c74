"""Reports: what is due soon or overdue, and the reminder e-mails (``flask reports remind``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from examsite.core.controlchars import one_line
from examsite.extensions import db
from examsite.reports.models import ReminderLog, ReportSettings, ReportSubject
from examsite.reports.scheduling import SUBJECT_ROW, due_date


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
                # A proposal may still move: only a confirmed date is worth an e-mail.
                if subject.id in done or not subject.confirmed:
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
                db.session.flush()
                sent += 1
    return sent
