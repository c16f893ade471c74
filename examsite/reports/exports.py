"""Reports: a term's coverage (全覆盖: who has reported, who has not) and the iCalendar file
of the scheduled reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from examsite.core.body import Body
from examsite.core.controlchars import one_line
from examsite.core.timeutil import utcnow
from examsite.extensions import db
from examsite.reports.models import MODE_ORAL, ReportSubject, Term
from examsite.reports.scheduling import SUBJECT_ROW, due_date


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
