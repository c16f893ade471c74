"""Who may be sworn at a ceremony: those whose matter was voted through at or before its
meeting and whose kind takes the oath (the body's steps: a removal does not), and, at a
congress session's ceremony, the persons the session elected."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import gettext as _

from examsite.appointments import records
from examsite.appointments.models import (
    KIND_SESSION,
    Appointment,
    Ceremony,
    CeremonyParticipant,
    ElectedPerson,
)
from examsite.appointments.states import AppointmentError
from examsite.core import audit
from examsite.core.timeutil import utc_to_local
from examsite.extensions import db


def local_date(value: datetime) -> date:
    """The site's local calendar day of a stored (naive UTC) time."""
    local = utc_to_local(value)
    assert local is not None
    return local.date()


def ceremony_day(ceremony: Ceremony) -> date:
    """The local calendar day of the ceremony."""
    return local_date(ceremony.starts_at)


def passed_on(appointment: Appointment) -> date | None:
    """The day the appointment was voted through: its meeting's date, else the vote date."""
    if not appointment.appointed:
        return None
    if appointment.meeting is not None:
        return appointment.meeting.date
    return appointment.vote_date


def participant_limit(ceremony: Ceremony) -> date:
    """The last day an appointment may have passed to be sworn at this ceremony."""
    return ceremony.meeting.date if ceremony.meeting is not None else ceremony_day(ceremony)


def oath_takers(body_id: int, appointments: list[Appointment]) -> list[Appointment]:
    """Those of the matters whose kind takes the oath in the body (one query for all)."""
    steps = records.steps_by_kind(body_id)
    return [a for a in appointments if steps[a.kind].oath]


def add_participants(ceremony: Ceremony, appointments: list[Appointment]) -> int:
    """Add people to a ceremony: only those whose appointment was voted through (same body)
    at or before the ceremony's meeting (a session ceremony: on or before its day)."""
    if ceremony.confirmed:
        raise AppointmentError(_("宣誓仪式已确认举行，不能再添加宣誓人员。"))
    mine = [a for a in appointments if a.body_id == ceremony.body_id]
    not_appointed = [a.candidate.name for a in mine if not a.appointed]
    if not_appointed:
        raise AppointmentError(
            _("以下人员尚未被任命，不能参加宪法宣誓：%(names)s", names="、".join(not_appointed))
        )
    no_oath = {a.id for a in mine} - {a.id for a in oath_takers(ceremony.body_id, mine)}
    if no_oath:
        raise AppointmentError(
            _(
                "按任免规则，以下人员的任免事项无须宪法宣誓：%(names)s",
                names="、".join(a.candidate.name for a in mine if a.id in no_oath),
            )
        )
    limit = participant_limit(ceremony)
    late = [a.candidate.name for a in mine if (passed_on(a) or date.max) > limit]
    if late:
        raise AppointmentError(
            _(
                "以下人员的任命在 %(day)s 之后才通过，不能参加本次宪法宣誓：%(names)s",
                day=limit.isoformat(),
                names="、".join(late),
            )
        )
    present = {p.appointment_id for p in ceremony.participants}
    added = 0
    for appointment in mine:
        if appointment.id in present:
            continue
        db.session.add(
            CeremonyParticipant(
                body_id=ceremony.body_id,
                ceremony=ceremony,
                appointment=appointment,
                token=secrets.token_urlsafe(12),
            )
        )
        added += 1
    audit.record("ceremony.participants", target=ceremony, added=added)
    db.session.flush()
    return added


def add_elected(ceremony: Ceremony, name: str, post: str) -> CeremonyParticipant:
    """A person elected by the ceremony's congress session (人代会选举产生的), entered by name
    and post: only at a session ceremony."""
    if ceremony.kind != KIND_SESSION:
        raise AppointmentError(_("只有人民代表大会会议的宣誓仪式才能添加人代会选举产生的人员。"))
    if ceremony.confirmed:
        raise AppointmentError(_("宣誓仪式已确认举行，不能再添加宣誓人员。"))
    name, post = name.strip(), post.strip()
    if not name:
        raise AppointmentError(_("请填写姓名。"))
    person = ElectedPerson(
        body_id=ceremony.body_id, name=name, post=post, session_name=ceremony.session_name
    )
    participant = CeremonyParticipant(
        body_id=ceremony.body_id,
        ceremony=ceremony,
        elected_person=person,
        token=secrets.token_urlsafe(12),
    )
    db.session.add_all([person, participant])
    audit.record("ceremony.elected", target=ceremony, body=ceremony.body_id, name=name, post=post)
    db.session.flush()
    return participant
