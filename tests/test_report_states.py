"""Every (state, action) pair of a report subject, of its vote's outcome and of a
rectification: what the table allows, where it leads, that a refusal changes nothing, and
that the services and pages follow it (reports/states.py is the one place)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from examsite.auth.models import User
from examsite.core.timeutil import utcnow
from examsite.extensions import db
from examsite.reports import deliberation, plans, recording
from examsite.reports.models import Rectification, ReportSubject
from examsite.reports.states import (
    OUTCOME,
    RECTIFICATION,
    SUBJECT,
    RectificationStatus,
    ReportError,
    SubjectStatus,
    VoteOutcome,
)
from examsite.reports.voting import Vote
from tests.fixtures.database import committing
from tests.fixtures.reports import TODAY

P, E, D = SubjectStatus.PENDING, SubjectStatus.EXEMPT, SubjectStatus.DELIVERED
SAT, UNSAT = VoteOutcome.SATISFIED, VoteOutcome.UNSATISFIED
NO_VOTE = None
OPEN, CLOSED = RectificationStatus.OPEN, RectificationStatus.CLOSED
STAY = "stay"

#: action -> {state: where it leads (STAY: allowed, the state stays)}; absent: refused.
SUBJECT_TABLE = {
    "exempt": {P: E},
    "record": {P: D, E: STAY, D: STAY},  # an exemption stands
    "vote": {D: STAY},
    "opinions": {D: STAY},
    "handling": {D: STAY},  # the opinions recorded first (the service's own check)
}
OUTCOME_TABLE = {"rectify": {UNSAT: STAY}}
RECTIFICATION_TABLE = {
    "follow_up": {OPEN: STAY, CLOSED: STAY},
    "close": {OPEN: CLOSED, CLOSED: CLOSED},
}
OUTCOMES = [NO_VOTE, *VoteOutcome]


def pairs(machine, table, states):
    assert set(machine.actions) == set(table), "an action of the machine is not in the table"
    return [(state, action) for action in table for state in states]


# ----------------------------------------------------------------- the tables


@pytest.mark.parametrize(("state", "action"), pairs(SUBJECT, SUBJECT_TABLE, list(SubjectStatus)))
def test_subject_transitions(state, action):
    check(SUBJECT, SUBJECT_TABLE, "status", state, action)


@pytest.mark.parametrize(("state", "action"), pairs(OUTCOME, OUTCOME_TABLE, OUTCOMES))
def test_outcome_transitions(state, action):
    check(OUTCOME, OUTCOME_TABLE, "outcome", state, action)


@pytest.mark.parametrize(
    ("state", "action"), pairs(RECTIFICATION, RECTIFICATION_TABLE, list(RectificationStatus))
)
def test_rectification_transitions(state, action):
    check(RECTIFICATION, RECTIFICATION_TABLE, "status", state, action)


def check(machine, table, field, state, action):
    obj = SimpleNamespace(**{field: state})
    expected = table[action].get(state)
    assert machine.can(obj, action) is (expected is not None)
    if expected is None:
        with pytest.raises(ReportError) as refused:
            machine.apply(obj, action)
        assert str(refused.value)  # a message for the user, not an empty error
        assert getattr(obj, field) == state
    else:
        machine.check(obj, action)
        # The statuses follow from the row: a target the machine names must be the table's
        # (where it names none, the services' test below shows where the row leads).
        assert machine.target(action) in (None, state if expected == STAY else expected)


# ----------------------------------------------------------------- the services follow it


def _subject(app, make_term, make_report_subject, state, outcome=NO_VOTE):
    """A report subject in ``state`` (with the vote ``outcome``, when delivered)."""
    term = make_term("east")
    votes = {SAT: (10, 8, 1, 1), UNSAT: (10, 1, 1, 8)}
    ref = make_report_subject(
        term,
        delivered_on=TODAY if state == D else None,
        vote=votes.get(outcome),
    )
    if state == E:
        with committing(app):
            db.session.get(ReportSubject, ref.id).exempt_reason = "已调离"
    return ref.id


def _snapshot(subject):
    columns = {c.key: getattr(subject, c.key) for c in ReportSubject.__table__.columns}
    return columns, subject.rectification is not None


#: Each action's one service.
SUBJECT_SERVICES = {
    "exempt": lambda app, s: plans.exempt_subject(s, "已调离"),
    "record": lambda app, s: recording.record_report(
        s,
        delivered_on=TODAY,
        mode="written",
        guidance="",
        upload=None,
        instance_path=app.instance_path,
        max_bytes=1,
    ),
    "vote": lambda app, s: recording.record_vote(s, Vote(10, 8, 1, 1)),
    "opinions": lambda app, s: deliberation.record_opinions(
        s, opinions="加强执法监督", sent_on=TODAY, due_on=TODAY + timedelta(days=60), today=TODAY
    ),
    "handling": lambda app, s: (
        deliberation.record_opinions(
            s, opinions="加强执法监督", sent_on=TODAY, due_on=TODAY, today=TODAY
        ),
        deliberation.record_handling(s, text="已研究落实", on=TODAY, today=TODAY),
    ),
    "rectify": lambda app, s: recording.require_rectification(
        s, actions="限期整改", due_on=TODAY + timedelta(days=30)
    ),
}


def _run(app, subject_id, action, machine_table, read):
    """Run the action's service on the row; the table says whether it is refused."""
    with committing(app):
        subject = db.session.get(ReportSubject, subject_id)
        state = read(subject)
        before = _snapshot(subject)
        expected = machine_table[action].get(state)
        if expected is None:
            with pytest.raises(ReportError):
                SUBJECT_SERVICES[action](app, subject)
            db.session.rollback()
            assert _snapshot(db.session.get(ReportSubject, subject_id)) == before
        else:
            SUBJECT_SERVICES[action](app, subject)
            db.session.flush()
            assert read(subject) == (state if expected == STAY else expected)


@pytest.mark.parametrize("state", list(SubjectStatus))
@pytest.mark.parametrize("action", sorted(SUBJECT_TABLE))
def test_each_subject_service_follows_the_table(
    app, world, make_term, make_report_subject, state, action
):
    sid = _subject(app, make_term, make_report_subject, state)
    _run(app, sid, action, SUBJECT_TABLE, lambda s: s.status)


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_a_rectification_is_required_exactly_where_the_table_says(
    app, world, make_term, make_report_subject, outcome
):
    sid = _subject(app, make_term, make_report_subject, D, outcome)
    _run(app, sid, "rectify", OUTCOME_TABLE, lambda s: s.outcome)


@pytest.mark.parametrize("state", list(RectificationStatus))
@pytest.mark.parametrize("action", sorted(RECTIFICATION_TABLE))
def test_each_follow_up_follows_the_table(
    app, world, make_term, make_report_subject, state, action
):
    term = make_term("east")
    sid = make_report_subject(
        term, delivered_on=TODAY, vote=(10, 1, 1, 8), rectification="限期整改"
    ).id
    with committing(app):
        admin = db.session.scalars(select(User).where(User.username == "east-admin")).one()
        rect = db.session.scalars(
            select(Rectification).where(Rectification.subject_id == sid)
        ).one()
        if state == CLOSED:
            rect.closed_at, rect.closed_by_id = utcnow() - timedelta(days=1), admin.id
            db.session.flush()
        assert rect.status == state and rect.can(action)
        recording.follow_up(rect, text="已整改", on=TODAY, close=action == "close", user=admin)
        expected = RECTIFICATION_TABLE[action][state]
        assert rect.status == (state if expected == STAY else expected)


def test_the_outcome_is_read_back_as_its_enum_with_a_label(
    app, world, make_term, make_report_subject
):
    sid = _subject(app, make_term, make_report_subject, D, UNSAT)
    with committing(app):
        subject = db.session.get(ReportSubject, sid)
        assert subject.outcome is VoteOutcome.UNSATISFIED and subject.outcome.label == "不满意"
        assert subject.status is SubjectStatus.DELIVERED and subject.status.label == "已报告"
        assert subject.can("vote") and subject.can("rectify") and not subject.can("exempt")


# ----------------------------------------------------------------- the pages follow it


def test_the_subject_page_offers_only_what_the_state_allows(
    app, world, make_term, make_report_subject, login_as
):
    staff = login_as("east-staff")
    term = make_term("east")
    pending = make_report_subject(term).id
    voted = make_report_subject(term, delivered_on=TODAY, vote=(10, 1, 1, 8)).id
    base = "/bodies/east/reports/subjects"
    page = staff.get(f"{base}/{pending}").get_data(as_text=True)
    assert f"{base}/{pending}/exempt" in page
    assert f"{base}/{pending}/vote" not in page and f"{base}/{pending}/rectification" not in page
    page = staff.get(f"{base}/{voted}").get_data(as_text=True)
    assert f"{base}/{voted}/exempt" not in page
    assert f"{base}/{voted}/vote" in page and f"{base}/{voted}/rectification" in page
    assert '<p class="result fail">不满意</p>' in page
    # A form the page does not offer is refused, with the table's words, and changes nothing.
    response = staff.post(f"{base}/{voted}/exempt", {"reason": "已调离"})
    assert "只有尚未报告的人员可以免于报告。" in staff.get(response.headers["Location"]).get_data(
        as_text=True
    )
    response = staff.post(f"{base}/{pending}/vote", {"present": "10", "satisfied": "9"})
    assert "报告尚未记录" in staff.get(response.headers["Location"]).get_data(as_text=True)
    with committing(app):
        assert db.session.get(ReportSubject, voted).exempt_reason == ""
        assert db.session.get(ReportSubject, pending).outcome is None


def test_the_term_page_and_the_log_name_statuses_modes_and_outcomes_in_words(
    app, world, make_term, make_report_subject, login_as
):
    term = make_term("east")
    make_report_subject(term)
    make_report_subject(term, mode="written", delivered_on=TODAY, vote=(10, 8, 1, 1))
    admin = login_as("east-admin")
    page = admin.get(f"/bodies/east/reports/terms/{term.id}").get_data(as_text=True)
    assert "<td>未报告</td>" in page
    assert '<td>已报告 <span class="badge badge-ok">满意</span></td>' in page
    log = admin.get("/audit").get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>")[0]
    assert "报告方式：书面报告" in log and "测评结果：满意" in log
    assert "written" not in log and "satisfied" not in log
