"""Every (state, action) pair of a sitting and of an attempt: what the table allows, where it
leads, and that the services and pages follow it (exams/states.py is the one place)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from examsite.auth.models import User
from examsite.exams import sittings as exam_sittings
from examsite.exams.models import Attempt, Sitting
from examsite.exams.states import ATTEMPT, SITTING, AttemptStatus, ExamError, SittingStatus
from examsite.extensions import db
from examsite.invigilation import services as invigilation
from tests.fixtures.database import committing

DRAFT, OPEN, CLOSED = SittingStatus.DRAFT, SittingStatus.OPEN, SittingStatus.CLOSED
E, P, S, G, A = (
    AttemptStatus.ENROLLED,
    AttemptStatus.IN_PROGRESS,
    AttemptStatus.SUBMITTED,
    AttemptStatus.GRADED,
    AttemptStatus.ABSENT,
)
STAY = "stay"

#: action -> {state: where it leads (STAY: allowed, the state stays)}; absent: refused.
SITTING_TABLE = {
    "edit_paper": {DRAFT: STAY},
    "enroll": {DRAFT: STAY, OPEN: STAY},
    "open": {DRAFT: OPEN},
    "close": {OPEN: CLOSED},
    "readmit": {DRAFT: STAY, OPEN: STAY},
    "sign_off": {CLOSED: STAY},
}
ATTEMPT_TABLE = {
    "unenroll": {E: STAY},
    "reset": {E: STAY, P: STAY},
    "reissue": {E: STAY, P: STAY, A: STAY},
    "start": {E: P},
    "save": {P: STAY},
    "submit": {P: S},
    "force_submit": {P: S},
    "grade": {S: G, G: G},
    "extend": {E: STAY, P: STAY},
    "absent": {E: A},
    "readmit": {E: E, A: E},
    "enter_paper": {E: P, P: P, A: P},
}


def pairs(machine, table, states):
    assert set(machine.actions) == set(table), "an action of the machine is not in the table"
    return [(state, action) for action in table for state in states]


@pytest.mark.parametrize(("state", "action"), pairs(SITTING, SITTING_TABLE, list(SittingStatus)))
def test_sitting_transitions(state, action):
    check(SITTING, SITTING_TABLE, state, action)


@pytest.mark.parametrize(("state", "action"), pairs(ATTEMPT, ATTEMPT_TABLE, list(AttemptStatus)))
def test_attempt_transitions(state, action):
    check(ATTEMPT, ATTEMPT_TABLE, state, action)


def check(machine, table, state, action):
    obj = SimpleNamespace(status=state)
    expected = table[action].get(state)
    assert machine.can(obj, action) is (expected is not None)
    if expected is None:
        with pytest.raises(ExamError) as refused:
            machine.apply(obj, action)
        assert str(refused.value)  # a message for the user, not an empty error
        assert obj.status == state
    else:
        machine.apply(obj, action)
        assert obj.status == (state if expected == STAY else expected)


# ----------------------------------------------------------------- the services follow it

#: The invigilator's interventions, each the one service of its action.
INTERVENTIONS = {
    "reset": lambda s, a, u: invigilation.reset_login(s, a, "核实", u),
    "reissue": lambda s, a, u: invigilation.reissue_code(s, a, "核实", u),
    "force_submit": lambda s, a, u: invigilation.force_submit(s, a, "核实", u),
    "absent": lambda s, a, u: invigilation.mark_absent(s, a, "核实", u),
    "readmit": lambda s, a, u: invigilation.readmit(s, a, "核实", u),
    "unenroll": lambda s, a, u: exam_sittings.unenroll(a),
}


@pytest.mark.parametrize("state", [E, A, S, G])
@pytest.mark.parametrize("action", sorted(INTERVENTIONS))
def test_each_intervention_is_refused_exactly_where_the_table_says(app, exam_world, state, action):
    allowed = state in ATTEMPT_TABLE[action]
    with committing(app):
        admin = db.session.scalars(select(User).where(User.username == "east-admin")).one()
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        attempt = db.session.get(Attempt, exam_world.attempt_ids[0])
        attempt.status = state
        db.session.flush()
        if allowed:
            INTERVENTIONS[action](sitting, attempt, admin)
        else:
            with pytest.raises(ExamError):
                INTERVENTIONS[action](sitting, attempt, admin)
            db.session.rollback()
            assert (
                db.session.get(Attempt, exam_world.attempt_ids[0]).status == AttemptStatus.ENROLLED
            )


def test_a_status_is_read_back_as_its_enum_with_a_label(app, exam_world):
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        assert sitting.status is SittingStatus.OPEN
        assert sitting.status.label == "已开放"
        assert sitting.can("close") and not sitting.can("open")


def test_the_sitting_page_offers_only_what_the_state_allows(app, exam_world, login_as):
    admin = login_as("east-admin")
    sid = exam_world.sitting_id
    page = admin.get(f"/bodies/east/exams/sittings/{sid}").get_data(as_text=True)
    assert f"/bodies/east/invigilate/{sid}/close" in page  # open: it can be closed
    assert f"/bodies/east/invigilate/{sid}/open" not in page
    assert admin.post(f"/bodies/east/invigilate/{sid}/close").status_code == 302
    page = admin.get(f"/bodies/east/exams/sittings/{sid}").get_data(as_text=True)
    assert f"/bodies/east/invigilate/{sid}/close" not in page
    assert "已结束" in page
