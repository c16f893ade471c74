"""Appointment records: the body's rules, committee meetings, a person's record, the test
it rests on (or an exemption) and the vote."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from examsite.appointments.models import Appointment, AppointmentRules, Meeting
from examsite.appointments.states import RECORDS, VOTE, AppointmentError, VoteOutcome
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db


def rules_for(body: Body) -> AppointmentRules:
    return db.session.get(AppointmentRules, body.id) or AppointmentRules(
        body_id=body.id, require_test=True, require_appointed_for_oath=True
    )


def save_rules(body: Body, *, require_test: bool, require_appointed_for_oath: bool) -> None:
    rules = db.session.get(AppointmentRules, body.id)
    if rules is None:
        rules = AppointmentRules(body_id=body.id)
        db.session.add(rules)
    rules.require_test = require_test
    rules.require_appointed_for_oath = require_appointed_for_oath
    audit.record(
        "appointment.rules",
        target=body,
        body=body,
        require_test=require_test,
        require_appointed_for_oath=require_appointed_for_oath,
    )
    db.session.flush()


# --------------------------------------------------------------------------- meetings


def save_meeting(body: Body, meeting: Meeting | None, **fields: Any) -> Meeting:
    clash = db.session.scalars(
        select(Meeting).where(
            Meeting.body_id == body.id,
            Meeting.term == fields["term"],
            Meeting.number == fields["number"],
            *([Meeting.id != meeting.id] if meeting else []),
        )
    ).first()
    if clash is not None:
        raise AppointmentError(_("本届已有第 %(n)s 次会议。", n=fields["number"]))
    if meeting is None:
        meeting = Meeting(body_id=body.id, **fields)
        db.session.add(meeting)
        action = "meeting.create"
    else:
        for key, value in fields.items():
            setattr(meeting, key, value)
        action = "meeting.update"
    audit.record(action, target=meeting, body=body, number=meeting.number)
    db.session.flush()
    return meeting


# --------------------------------------------------------------------------- appointment record


def passed_attempt(candidate: Candidate) -> Attempt | None:
    """The candidate's latest passed test in the body."""
    return db.session.scalars(
        select(Attempt)
        .where(Attempt.candidate_id == candidate.id, Attempt.passed.is_(True))
        .order_by(Attempt.graded_at.desc())
    ).first()


def create_appointment(
    body: Body, candidate: Candidate, meeting: Meeting | None, proposed_post: str
) -> Appointment:
    passed = passed_attempt(candidate)
    appointment = Appointment(
        body_id=body.id,
        candidate=candidate,
        meeting=meeting,
        proposed_post=proposed_post or candidate.proposed_post,
        test_attempt_id=passed.id if passed else None,
    )
    db.session.add(appointment)
    audit.record("appointment.create", target=appointment, body=body, name=candidate.name)
    db.session.flush()
    return appointment


def exempt(appointment: Appointment, reason: str, user: Any) -> None:
    """Record that no test is needed (e.g. re-appointment to the same post)."""
    appointment.exemption_reason = reason.strip()
    appointment.exempted_by_id = user.id
    appointment.exempted_at = utcnow()
    audit.record("appointment.exempt", target=appointment, reason=reason.strip())
    db.session.flush()


def test_done(appointment: Appointment) -> bool:
    return appointment.test_attempt_id is not None or bool(appointment.exemption_reason)


def record_vote(appointment: Appointment, outcome: str, on: date) -> None:
    """任命 / 未通过 / 撤回 (or back to 待表决), as states.VOTE allows; an appointment needs a
    passed test or an exemption, and a sworn-in person stays appointed."""
    try:
        vote = VoteOutcome(outcome)
    except ValueError:
        raise AppointmentError(_("表决结果无效。")) from None
    if appointment.test_attempt_id is None:
        passed = passed_attempt(appointment.candidate)
        appointment.test_attempt_id = passed.id if passed else None
    if (
        vote is VoteOutcome.APPOINTED
        and rules_for(appointment.body).require_test
        and not test_done(appointment)
    ):
        raise AppointmentError(
            _(
                "%(name)s 尚未通过任前法律知识考试，也没有免考记录，不能记为已任命。",
                name=appointment.candidate.name,
            )
        )
    if vote is not VoteOutcome.APPOINTED and appointment.sworn_in:
        raise AppointmentError(_("该人员已进行宪法宣誓，不能改为未任命。"))
    VOTE.apply(appointment, RECORDS[vote])
    appointment.vote_date = on
    audit.record("appointment.vote", target=appointment, outcome=vote.value, date=on.isoformat())
    db.session.flush()


audit.register_actions(
    {
        "appointment.rules": _l("修改任免规则"),
        "meeting.create": _l("新建常委会会议"),
        "meeting.update": _l("修改常委会会议"),
        "appointment.create": _l("新建任免记录"),
        "appointment.exempt": _l("记录免考"),
        "appointment.vote": _l("记录表决结果"),
        "appointment.export": _l("导出任免数据"),
    }
)
# The log names the outcome (任命), not its stored value.
audit.register_values("outcome", dict(VoteOutcome.labels()), action="appointment.vote")
