"""What the appointment pages share: how their lists load, the check-in settings, the way
back to a person's record."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, url_for
from sqlalchemy.orm import joinedload, selectinload

from examsite.appointments.ceremonies import OathSettings
from examsite.appointments.models import Appointment, Ceremony, CeremonyParticipant, Meeting
from examsite.core.body import Body

# Loader options of the pages that list people: each row's related records come in one
# query for all the rows, not one query per row.

#: A meeting's appointments with what its table shows of each step.
MEETING_STEPS = selectinload(Meeting.appointments).options(
    joinedload(Appointment.candidate),
    joinedload(Appointment.statement),
    selectinload(Appointment.oaths),
)
#: A ceremony's participants with their names and posts.
PARTICIPANTS = (
    selectinload(Ceremony.participants)
    .joinedload(CeremonyParticipant.appointment)
    .joinedload(Appointment.candidate)
)


def oath_settings() -> OathSettings:
    cfg = current_app.config
    return OathSettings(
        open_before_minutes=cfg["EXAMSITE_OATH_OPEN_BEFORE_MINUTES"],
        close_after_minutes=cfg["EXAMSITE_OATH_CLOSE_AFTER_MINUTES"],
        max_failures=cfg["EXAMSITE_OATH_MAX_FAILURES"],
        failure_window_minutes=cfg["EXAMSITE_OATH_FAILURE_WINDOW_MINUTES"],
    )


def back_to_record(body: Body, record: Appointment) -> Any:
    """Back to the person's record, where each step's form is."""
    return redirect(url_for("appointments.appointment", code=body.code, appointment_id=record.id))
