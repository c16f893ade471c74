"""Every (state, action) pair of an appointment's vote: what the table allows, where it
leads, and that the service and pages follow it (appointments/states.py is the one place;
the guards on other records, a test and the oath, are the service's)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from examsite.appointments import records
from examsite.appointments.models import Appointment
from examsite.appointments.states import (
    AFTER_STATEMENT,
    RECORDS,
    VOTE,
    AppointmentError,
    VoteOutcome,
)
from examsite.extensions import db
from tests.fixtures.database import committing

P, A, R, W = (
    VoteOutcome.PENDING,
    VoteOutcome.APPOINTED,
    VoteOutcome.REJECTED,
    VoteOutcome.WITHDRAWN,
)
ALL = (P, A, R, W)

#: action -> {state: where it leads}; absent: refused. Any vote may be recorded again.
VOTE_TABLE = {
    "appoint": dict.fromkeys(ALL, A),
    "reject": dict.fromkeys(ALL, R),
    "withdraw": dict.fromkeys(ALL, W),
    "reopen": dict.fromkeys(ALL, P),
}


def pairs():
    assert set(VOTE.actions) == set(VOTE_TABLE), "an action of the machine is not in the table"
    return [(state, action) for action in VOTE_TABLE for state in VoteOutcome]


@pytest.mark.parametrize(("state", "action"), pairs())
def test_vote_transitions(state, action):
    obj = SimpleNamespace(vote=state)
    expected = VOTE_TABLE[action].get(state)
    assert VOTE.can(obj, action) is (expected is not None)
    if expected is None:
        with pytest.raises(AppointmentError) as refused:
            VOTE.apply(obj, action)
        assert str(refused.value)
        assert obj.vote == state
    else:
        VOTE.apply(obj, action)
        assert obj.vote == expected


def test_each_outcome_is_recorded_by_the_action_that_leads_to_it():
    assert set(RECORDS) == set(VoteOutcome)
    for outcome, action in RECORDS.items():
        assert VOTE.target(action) is outcome


def test_a_vote_at_the_meeting_comes_after_the_statement():
    # 任命 and 未通过 are votes at the meeting; a withdrawal or back to 待表决 is not.
    assert {RECORDS[A], RECORDS[R]} == AFTER_STATEMENT
    assert set(VOTE.actions) >= AFTER_STATEMENT


def test_every_outcome_has_its_label():
    assert {o.value: o.label for o in VoteOutcome} == {
        "pending": "待表决",
        "appointed": "任命",
        "rejected": "未通过",
        "withdrawn": "撤回",
    }


# ----------------------------------------------------------------- the service follows it


@pytest.fixture
def exempted(world, make_appointment, make_statement):
    """An appointment whose test is settled (an exemption) and whose statement is made:
    only the table decides."""
    aid = make_appointment(body="east", exempt="本届内已考试合格").id
    make_statement(aid)
    return aid


@pytest.mark.parametrize("state", list(VoteOutcome))
def test_record_vote_moves_as_the_table_says(app, exempted, state):
    for outcome in VoteOutcome:
        with committing(app):
            record = db.session.get(Appointment, exempted)
            record.vote = state
            db.session.flush()
            action = RECORDS[outcome]
            assert record.can(action) is (state in VOTE_TABLE[action])
            records.record_vote(record, outcome.value, date(2026, 11, 20))
        with committing(app):
            record = db.session.get(Appointment, exempted)
            assert record.vote is VOTE_TABLE[action][state]
            assert record.vote_date == date(2026, 11, 20)


def test_an_unknown_outcome_is_refused(app, exempted):
    with committing(app):
        record = db.session.get(Appointment, exempted)
        with pytest.raises(AppointmentError):
            records.record_vote(record, "elected", date(2026, 11, 20))
        assert record.vote is P


@pytest.mark.parametrize("outcome", [P, R, W])
def test_a_sworn_in_person_stays_appointed(app, exempted, make_ceremony, outcome):
    with committing(app):
        records.record_vote(db.session.get(Appointment, exempted), "appointed", date.today())
    make_ceremony("east", participants=[exempted], checked_in=True, confirmed=True)
    with committing(app):
        record = db.session.get(Appointment, exempted)
        assert record.sworn_in
        with pytest.raises(AppointmentError, match="已进行宪法宣誓"):
            records.record_vote(record, outcome.value, date.today())
        db.session.rollback()
        record = db.session.get(Appointment, exempted)
        records.record_vote(record, "appointed", date.today())  # recording it again is fine
        assert record.vote is A


@pytest.mark.parametrize("outcome", list(VoteOutcome))
def test_only_appointing_needs_a_test(app, world, make_appointment, make_statement, outcome):
    untested = make_appointment(body="east").id
    make_statement(untested)
    with committing(app):
        record = db.session.get(Appointment, untested)
        if outcome is A:
            with pytest.raises(AppointmentError, match="尚未通过任前法律知识考试"):
                records.record_vote(record, outcome.value, date.today())
        else:
            records.record_vote(record, outcome.value, date.today())
            assert record.vote is outcome


# ----------------------------------------------------------------- read back, shown in words


def test_a_vote_is_read_back_as_its_enum(app, exempted):
    with committing(app):
        records.record_vote(db.session.get(Appointment, exempted), "rejected", date.today())
    with committing(app):
        record = db.session.get(Appointment, exempted)
        assert record.vote is R and record.vote.label == "未通过"
        assert record.voted and not record.appointed


def test_the_pages_show_the_vote_by_its_label(app, world, make_meeting, make_appointment, login_as):
    meeting = make_meeting("east")
    aid = make_appointment(body="east", meeting=meeting, exempt="免考", vote="withdrawn").id
    staff = login_as("east-staff")
    assert "<p>撤回（" in staff.get(f"/bodies/east/appointments/{aid}").get_data(as_text=True)
    page = staff.get(f"/bodies/east/appointments/meetings/{meeting.id}").get_data(as_text=True)
    assert "<td>撤回</td>" in page
