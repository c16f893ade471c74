"""Retiring a municipal question: it leaves the counties' draws at the next publish, like
every other change, or at once through "立即停用" (which says so before it acts)."""

from __future__ import annotations

from sqlalchemy import select

from examsite.bank.models import Question
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.exams.papers import pool_for
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import count

STEM = "市级共享题：宪法何时通过？"


def _drawn_by(app, code: str, qid: int) -> bool:
    """Whether the body's next papers may draw the question."""
    with committing(app):
        body = db.session.scalars(select(Body).where(Body.code == code)).one()
        question = db.session.get(Question, qid)
        revisions = {r.id for r in question.revisions}
        return any(item.revision_id in revisions for item in pool_for(body))


def test_retiring_reaches_the_counties_at_the_next_publish(app, world, login_as, make_question):
    qid = make_question("city", stem=STEM).id
    city, east = login_as("admin"), login_as("east-staff")
    detail = city.get(f"/bodies/city/bank/{qid}").get_data(as_text=True)
    assert "下级机关在下次发布题库后才停止使用" in detail  # the warning of the plain retire
    page = city.post(f"/bodies/city/bank/{qid}/status", follow_redirects=True)
    assert "下级机关在下次发布题库后停止使用" in page.get_data(as_text=True)
    assert not _drawn_by(app, "city", qid)  # the owner's own papers stop at once
    assert _drawn_by(app, "east", qid)  # the county draws it until the publish
    assert STEM in east.get("/bodies/east/bank/").get_data(as_text=True)  # still in use there
    assert 'data-testid="retire-pending"' in city.get(f"/bodies/city/bank/{qid}").get_data(
        as_text=True
    )
    assert "已向下级机关发布 1 道题目" in city.post(
        "/bodies/city/bank/publish", follow_redirects=True
    ).get_data(as_text=True)
    assert not _drawn_by(app, "east", qid)
    assert STEM not in east.get("/bodies/east/bank/").get_data(as_text=True)
    # Restored, it is a change to publish again.
    city.post(f"/bodies/city/bank/{qid}/status")
    assert not _drawn_by(app, "east", qid)
    city.post("/bodies/city/bank/publish")
    assert _drawn_by(app, "east", qid)


def test_retire_now_takes_the_question_from_the_counties_at_once(
    app, world, login_as, make_question
):
    qid = make_question("city", stem=STEM).id
    city = login_as("admin")
    detail = city.get(f"/bodies/city/bank/{qid}").get_data(as_text=True)
    assert "立即停用" in detail and "下级机关的新试卷也立刻不再抽到此题" in detail
    city.post(f"/bodies/city/bank/{qid}/retire-now")
    assert not _drawn_by(app, "city", qid) and not _drawn_by(app, "east", qid)
    assert count(app, AuditEvent, AuditEvent.action == "question.retire_now") == 1
    assert count(app, AuditEvent, AuditEvent.action == "question.retire") == 1
    with committing(app):
        assert db.session.get(Question, qid).status == "retired"
    # Nothing is left to publish: the counties already have the retirement.
    assert 'data-testid="retire-pending"' not in city.get(f"/bodies/city/bank/{qid}").get_data(
        as_text=True
    )


def test_retire_now_is_for_the_owner_admin_only(app, world, login_as, make_question):
    qid = make_question("city", stem=STEM).id
    assert login_as("east-admin").post(f"/bodies/east/bank/{qid}/retire-now").status_code == 403
    assert login_as("city-staff").post(f"/bodies/city/bank/{qid}/retire-now").status_code == 403
    assert _drawn_by(app, "east", qid)
