"""A person's reports on their timeline (appointments.timeline shows them: this feature,
above it, registers the provider)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments.models import Appointment
from examsite.appointments.timeline import Entry, provide_reports
from examsite.core.body import Body
from examsite.extensions import db
from examsite.reports.models import ReportSubject


@provide_reports
def person_reports(body: Body, matters: Sequence[Appointment]) -> list[Entry]:
    """The reports of these matters (one query): dated by delivery, else by due date."""
    by_id = {m.id: m for m in matters}
    subjects = db.session.scalars(
        select(ReportSubject)
        .where(ReportSubject.body_id == body.id, ReportSubject.appointment_id.in_(by_id))
        .options(joinedload(ReportSubject.plan), joinedload(ReportSubject.term))
        .order_by(ReportSubject.id)
    )
    return [
        Entry(s.delivered_on or s.due_on, "report", s, by_id[s.appointment_id]) for s in subjects
    ]
