"""A person's timeline (one Candidate of a body over the term): every matter, test attempt,
statement, oath and report, in date order, loaded in a fixed number of queries.

Reports are the reports feature's, which is above this one: it registers the function
that lists a person's reports (``provide_reports``), as exams does for the bank's
question statistics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from examsite.appointments.models import Appointment, CeremonyParticipant
from examsite.core.body import Body
from examsite.core.timeutil import utc_to_local
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db

#: Same-day entries in the order of one appointment (DOMAIN.md): test, statement, vote,
#: oath, then reports.
STEP_ORDER = {"test": 0, "statement": 1, "matter": 2, "oath": 3, "report": 4}


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: ``kind`` is a key of STEP_ORDER; ``record`` the row it
    shows (an Appointment, Attempt, Statement, CeremonyParticipant or the reports' row);
    ``on`` None for what has no date yet (listed last)."""

    on: date | None
    kind: str
    record: Any
    #: The matter the entry belongs to (None for a test attempt).
    matter: Appointment | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: reports(body, appointments) -> the person's report entries, in a fixed number of queries.
ReportsProvider = Callable[[Body, Sequence[Appointment]], list[Entry]]
_reports: list[ReportsProvider] = []


def provide_reports(provider: ReportsProvider) -> ReportsProvider:
    """Register the function that lists a person's reports (one, the last wins)."""
    _reports[:] = [provider]
    return provider


def _day(value: datetime | None) -> date | None:
    local = utc_to_local(value)
    return local.date() if local is not None else None


def person_timeline(body: Body, person: Candidate) -> list[Entry]:
    """Everything recorded about the person in the body, oldest first."""
    matters = list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.body_id == body.id, Appointment.candidate_id == person.id)
            .options(
                joinedload(Appointment.meeting),
                joinedload(Appointment.statement),
                selectinload(Appointment.oaths).joinedload(CeremonyParticipant.ceremony),
            )
            .order_by(Appointment.id)
        ).unique()
    )
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.body_id == body.id, Attempt.candidate_id == person.id)
        .options(joinedload(Attempt.sitting))
        .order_by(Attempt.id)
    )
    entries: list[Entry] = []
    for attempt in attempts:
        entries.append(Entry(_day(attempt.sitting.starts_at), "test", attempt))
    for matter in matters:
        on = matter.meeting.date if matter.meeting else matter.vote_date
        entries.append(Entry(on, "matter", matter, matter))
        if matter.statement is not None:
            statement = matter.statement
            entries.append(Entry(statement.delivered_on or on, "statement", statement, matter))
        for oath in matter.oaths:
            entries.append(Entry(_day(oath.ceremony.starts_at), "oath", oath, matter))
    if _reports and matters:
        entries.extend(_reports[0](body, matters))
    return sorted(
        entries,
        key=lambda e: (e.on is None, e.on or date.min, STEP_ORDER[e.kind]),
    )
