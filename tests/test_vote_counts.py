"""A vote records 应到 / 实到 and the counts; it is held only with more than half of all
members present and passes only with more than half of ALL members for; the outcome is
computed. The statement comes before the vote where the body's rules say so."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from examsite.appointments import records
from examsite.appointments.ballot import (
    NEGATIVE,
    NO_MEMBERS,
    NO_QUORUM,
    OVER_MEMBERS,
    OVER_PRESENT,
    Ballot,
    ballot_problems,
    majority,
    passes,
)
from examsite.appointments.matters import MatterKind
from examsite.appointments.models import Appointment, MatterRule
from examsite.core.audit import AuditEvent
from examsite.extensions import db
from tests.fixtures.appointments import appointing_steps, rules_form
from tests.fixtures.database import committing
from tests.fixtures.factories import body_row

# ----------------------------------------------------------------- the rule (pure)


def _b(present=16, f=16, a=0, ab=0, members=30):
    return Ballot(members=members, present=present, votes_for=f, votes_against=a, abstentions=ab)


def test_majority_of_all_members():
    assert [majority(n) for n in (1, 2, 3, 29, 30, 31)] == [1, 2, 2, 15, 16, 16]


@pytest.mark.parametrize(
    ("ballot", "problems"),
    [
        (_b(present=16), []),
        (_b(present=15, f=15), [NO_QUORUM]),
        (_b(present=30), []),
        (_b(present=31), [OVER_MEMBERS]),
        (_b(present=16, f=10, a=4, ab=2), []),
        (_b(present=16, f=10, a=4, ab=3), [OVER_PRESENT]),
        (_b(present=16, f=-1), [NEGATIVE]),
        (_b(present=-1), [NEGATIVE]),
        (_b(members=0), [NO_MEMBERS]),
        (_b(present=15, f=10, a=4, ab=3), [NO_QUORUM, OVER_PRESENT]),
    ],
)
def test_when_a_vote_may_be_recorded(ballot, problems):
    assert ballot_problems(ballot) == problems


def test_it_passes_with_more_than_half_of_all_members_not_of_those_present():
    assert passes(_b(present=16, f=16))
    assert not passes(_b(present=16, f=15))
    # 20 of 25 present is a big majority of those present, but not of the 30 members.
    assert not passes(_b(present=25, f=15, a=5, ab=5))
    assert passes(_b(present=25, f=16, a=4, ab=5))
    assert not passes(_b(present=31, f=15, members=31))


# ----------------------------------------------------------------- through the pages


@pytest.fixture
def vote_world(app, world, make_meeting, make_appointment, make_statement):
    """A meeting of the 17th term of east, whose committee has 30 members; one exempted
    person who made the statement, one who did not."""
    meeting = make_meeting("east", term=17, number=20, date=date(2026, 11, 20))
    stated = make_appointment(body="east", meeting=meeting, exempt="本届内已考试合格").id
    silent = make_appointment(body="east", meeting=meeting, exempt="本届内已考试合格").id
    make_statement(stated, delivered_on=date(2026, 11, 20))
    with committing(app):
        records.save_committee_term(body_row("east"), 17, 30)
    return {"meeting": meeting.id, "stated": stated, "silent": silent}


def _vote(b, aid, present, f, a=0, ab=0, vote="ballot"):
    r = b.post(
        f"/bodies/east/appointments/{aid}/vote",
        {
            "vote": vote,
            "vote_date": "2026-11-20",
            "present": str(present),
            "votes_for": str(f),
            "votes_against": str(a),
            "abstentions": str(ab),
        },
    )
    assert r.status_code == 302
    return b.get(r.headers["Location"]).get_data(as_text=True)


def _east_id(app) -> int:
    with committing(app):
        return body_row("east").id


def _record(app, aid) -> Appointment:
    with committing(app):
        a = db.session.get(Appointment, aid)
        db.session.expunge(a)
        return a


def test_16_of_30_for_appoints_and_the_counts_are_shown(app, vote_world, login_as):
    b = login_as("east-staff")
    page = _vote(b, vote_world["stated"], present=16, f=16)
    assert "已记录表决结果：任命" in page
    assert "应到：30" in page and "实到：16" in page and "赞成：16" in page
    record = _record(app, vote_world["stated"])
    assert record.vote == "appointed"
    assert (record.vote_members, record.vote_present, record.votes_for) == (30, 16, 16)
    meeting = b.get(f"/bodies/east/appointments/meetings/{vote_world['meeting']}")
    assert "16/30，16/0/0" in meeting.get_data(as_text=True)
    with committing(app):
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "appointment.ballot")
        ).one()
        assert '"votes_for": 16' in event.details


def test_15_for_of_30_is_not_passed_however_many_are_present(app, vote_world, login_as):
    page = _vote(login_as("east-staff"), vote_world["stated"], present=20, f=15, a=3, ab=2)
    assert "已记录表决结果：未通过" in page
    assert _record(app, vote_world["stated"]).vote == "rejected"


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"present": 15, "f": 15}, "实到人数未超过常委会组成人员的半数"),
        ({"present": 16, "f": 10, "a": 5, "ab": 2}, "赞成、反对、弃权票数之和不能多于实到人数"),
        ({"present": 31, "f": 20}, "实到人数不能多于应到人数"),
        ({"present": 20, "f": -1}, "请填写不小于 0 的整数"),
    ],
)
def test_a_vote_that_does_not_add_up_is_refused(app, vote_world, login_as, counts, message):
    page = _vote(login_as("east-staff"), vote_world["stated"], **counts)
    assert message in page
    record = _record(app, vote_world["stated"])
    assert record.vote == "pending" and record.vote_members is None


def test_counts_are_required_for_a_vote(app, vote_world, login_as):
    b = login_as("east-staff")
    r = b.post(
        f"/bodies/east/appointments/{vote_world['stated']}/vote",
        {"vote": "ballot", "vote_date": "2026-11-20", "present": "20"},
    )
    assert "表决请填写实到人数和赞成、反对、弃权票数" in b.get(r.headers["Location"]).get_data(
        as_text=True
    )
    assert _record(app, vote_world["stated"]).vote == "pending"


def test_no_vote_without_the_member_count_of_the_term(
    app, world, login_as, make_meeting, make_appointment, make_statement
):
    meeting = make_meeting("east", term=18, number=1)
    aid = make_appointment(body="east", meeting=meeting, exempt="免考").id
    make_statement(aid)
    page = _vote(login_as("east-staff"), aid, present=20, f=20)
    assert "尚未设置本届常委会组成人员数" in page
    assert _record(app, aid).vote == "pending"


def test_no_counted_vote_at_a_meeting_without_its_term(
    app, world, login_as, make_meeting, make_appointment, make_statement
):
    meeting = make_meeting("east", term=0, number=4)
    aid = make_appointment(body="east", meeting=meeting, exempt="免考").id
    make_statement(aid)
    page = _vote(login_as("east-staff"), aid, present=20, f=20)
    assert "会议未填写届次，无法确定应到人数" in page
    assert _record(app, aid).vote == "pending"


def test_withdrawal_needs_no_counts_and_clears_them(app, vote_world, login_as):
    b = login_as("east-staff")
    _vote(b, vote_world["stated"], present=16, f=16)
    r = b.post(
        f"/bodies/east/appointments/{vote_world['stated']}/vote",
        {"vote": "withdrawn", "vote_date": "2026-11-21"},
    )
    page = b.get(r.headers["Location"]).get_data(as_text=True)
    record = _record(app, vote_world["stated"])
    assert record.vote == "withdrawn" and record.vote_members is None
    assert "应到：—" in page


def test_an_older_vote_without_counts_shows_dashes(app, world, login_as, make_appointment):
    aid = make_appointment(body="east", exempt="免考", vote="appointed").id
    page = login_as("east-staff").get(f"/bodies/east/appointments/{aid}").get_data(as_text=True)
    assert "任命" in page and "应到：—" in page and "赞成：—" in page


# ----------------------------------------------------------------- the statement first


def test_no_vote_before_the_statement(app, vote_world, login_as):
    page = _vote(login_as("east-staff"), vote_world["silent"], present=20, f=20)
    assert "尚未在会议上作任前表态发言，不能记录表决结果" in page
    assert _record(app, vote_world["silent"]).vote == "pending"


def test_the_statement_rule_is_on_by_default_and_can_be_switched_off(app, vote_world, login_as):
    with committing(app):
        assert records.steps_for(body_row("east"), MatterKind.APPOINT).statement
    admin = login_as("east-admin")
    rules = admin.get("/bodies/east/appointments/rules").get_data(as_text=True)
    assert "未勾选“表态发言”的，无须先作任前表态发言即可记录表决结果" in rules
    admin.post(
        "/bodies/east/appointments/rules",
        rules_form(appointing_steps(require_statement=False)),
    )
    with committing(app):
        rule = db.session.get(MatterRule, (_east_id(app), MatterKind.APPOINT))
        assert rule is not None and rule.needs_statement is False
    _vote(admin, vote_world["silent"], present=20, f=20)
    assert _record(app, vote_world["silent"]).vote == "appointed"


def test_a_withdrawal_needs_no_statement(app, vote_world):
    with committing(app):
        record = db.session.get(Appointment, vote_world["silent"])
        records.record_vote(record, "withdrawn", date(2026, 11, 20))
        assert record.vote == "withdrawn"


# ----------------------------------------------------------------- the member count


def test_the_member_count_is_set_per_term_on_the_rules_page(app, world, login_as):
    admin = login_as("east-admin")
    r = admin.post("/bodies/east/appointments/rules/terms", {"term": "17", "members": "45"})
    page = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "已保存组成人员数" in page and "第十七届" in page and "<td>45</td>" in page
    admin.post("/bodies/east/appointments/rules/terms", {"term": "17", "members": "44"})
    r = admin.post("/bodies/east/appointments/rules/terms", {"term": "17", "members": "0"})
    page = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "组成人员数" in page and "<td>44</td>" in page and "<td>0</td>" not in page
    with committing(app):
        assert records.committee_members(body_row("east").id, 17) == 44
        assert records.committee_members(body_row("west").id, 17) is None
    assert (
        login_as("east-staff")
        .post("/bodies/east/appointments/rules/terms", {"term": "17", "members": "1"})
        .status_code
        == 403
    )
