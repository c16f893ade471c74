"""A signed sitting record is final: every POST under the sitting is refused, for everyone,
and the services behind them refuse too (issue 16, item 7)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from examsite.exams import answering, states
from examsite.exams import signed as signed_module
from examsite.exams import sittings as exam_sittings
from examsite.exams.models import Answer, Attempt, Sitting, sitting_invigilators
from examsite.extensions import db
from examsite.invigilation import services as invigilation_services
from examsite.invigilation.models import Incident, PaperEntry
from tests.fixtures.candidate import save, started
from tests.fixtures.database import committing
from tests.fixtures.web import Browser, csrf_token

LOCKED = "该场次记录已签字确认，不能再作修改。"

#: POSTs under a signed sitting that still go through, and why (examsite/exams/signed.py).
EXEMPT = {
    # Results are announced after the test, at the committee meeting: publishing (or
    # withdrawing) them changes only results_released, not what the record says.
    "exams.sitting_release",
    # A make-up test (补考) is a new sitting; the signed one is only read.
    "exams.sitting_makeup",
    # 补充说明: a later fact in its own signed row beside the record (test_sitting_record.py).
    "invigilation.addendum",
}

#: Routes the walk must find (a walk that found nothing would prove nothing).
KNOWN = {
    "exams.sitting_edit",
    "exams.sitting_enroll",
    "exams.attempt_unenroll",
    "invigilation.open_sitting",
    "invigilation.close_sitting",
    "invigilation.extend",
    "invigilation.reissue",
    "invigilation.seat",
    "invigilation.incident",
    "invigilation.entry",
    "invigilation.grade_paper",
    "invigilation.sign_off",
}


def sitting_posts(app: Flask) -> list[Any]:
    """Every rule that takes POST under a sitting (a route added later is walked too)."""
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or ()) and "sitting_id" in r.arguments
    ]
    return sorted(rules, key=lambda r: r.endpoint)


@pytest.fixture
def signed(app, exam_world, login_as) -> Iterator[Browser]:
    """The sitting as its record is signed: one candidate answered and handed in, an
    incident was noted, the room was closed (the others absent, papers drawn) and signed.
    Yields the body admin's browser."""
    c = started(app, exam_world, 0)
    save(c, 0, [0], 1)
    admin = login_as("east-admin")
    base = f"/bodies/east/invigilate/{exam_world.sitting_id}/"
    assert admin.post(base + "incidents", {"category": "other", "note": "空调故障"}).status_code
    assert admin.post(base + "close").status_code == 302
    assert admin.post(base + "sign-off").status_code == 302
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        assert sitting.signed_off_at is not None and sitting.status == "closed"
    yield admin


def _rows(stmt: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def snapshot(app: Flask, sitting_id: int) -> dict[str, Any]:
    """Everything the signed record is made of, read afresh from the database."""
    with committing(app):
        attempts = select(Attempt.id).where(Attempt.sitting_id == sitting_id)
        attempt_ids = [str(i) for i in db.session.scalars(attempts)]
        return {
            "sitting": _rows(select(Sitting.__table__).where(Sitting.id == sitting_id)),
            "invigilators": _rows(
                select(sitting_invigilators).where(sitting_invigilators.c.sitting_id == sitting_id)
            ),
            "attempts": _rows(
                select(Attempt.__table__)
                .where(Attempt.sitting_id == sitting_id)
                .order_by(Attempt.id)
            ),
            "answers": _rows(
                select(Answer.__table__).where(Answer.attempt_id.in_(attempts)).order_by(Answer.id)
            ),
            "incidents": _rows(
                select(Incident.__table__)
                .where(Incident.sitting_id == sitting_id)
                .order_by(Incident.id)
            ),
            "paper_entries": _rows(
                select(PaperEntry.__table__)
                .where(PaperEntry.attempt_id.in_(attempts))
                .order_by(PaperEntry.id)
            ),
            # The record's 处置记录 lists the audit events on the sitting and its attempts.
            "events": _rows(
                select(AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id)
                .where(
                    (
                        (AuditEvent.target_type == "Sitting")
                        & (AuditEvent.target_id == str(sitting_id))
                    )
                    | (
                        (AuditEvent.target_type == "Attempt")
                        & AuditEvent.target_id.in_(attempt_ids)
                    )
                )
                .order_by(AuditEvent.id)
            ),
        }


def _url(app: Flask, rule: Any, exam_world) -> str:
    """The rule's URL for the signed sitting, other arguments filled with real rows under it."""
    with committing(app):
        attempt = db.session.get(Attempt, exam_world.attempt_ids[1])  # absent, paper drawn
        known = {
            "code": "east",
            "sitting_id": exam_world.sitting_id,
            "attempt_id": attempt.id,
            "candidate_id": attempt.candidate_id,
        }
    values = {name: known.get(name, 1) for name in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _form(exam_world) -> dict[str, Any]:
    """A body every sitting form would accept, so the old code would have acted on it."""
    later = utcnow() + timedelta(days=3)
    return {
        "reason": "签字后更正",
        "minutes": "5",
        "category": "other",
        "note": "签字后补记",
        "seat": "09",
        "attempt_id": str(exam_world.attempt_ids[1]),
        "candidate_ids": "1",
        "title": "签字后改名",
        "room": "第二考场",
        "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "template_id": str(exam_world.template_id),
        "late_entry_minutes": "30",
        "show_score": "at_submit",
        "scoring": "all_or_nothing",
        "second_login": "refuse",
        "q0": "1",
        "q1": "1",
    }


def _page(sitting_id: int, endpoint: str) -> str:
    if endpoint.startswith("invigilation."):
        return f"/bodies/east/invigilate/{sitting_id}/"
    return f"/bodies/east/exams/sittings/{sitting_id}"


def test_the_walk_finds_every_known_route_and_the_exemptions_are_the_apps(app):
    walked = {r.endpoint for r in sitting_posts(app)}
    assert walked >= KNOWN
    assert set(signed_module.ALLOWED_AFTER_SIGNOFF) == EXEMPT
    assert walked >= EXEMPT


def test_every_post_under_a_signed_sitting_is_refused(app, exam_world, signed):
    sid = exam_world.sitting_id
    before = snapshot(app, sid)
    refused = []
    for rule in sitting_posts(app):
        if rule.endpoint in EXEMPT:
            continue
        url = _url(app, rule, exam_world)
        r = signed.post(url, _form(exam_world))
        assert r.status_code == 303, (rule.endpoint, r.status_code)
        assert r.headers["Location"] == _page(sid, rule.endpoint), rule.endpoint
        assert LOCKED in signed.get(r.headers["Location"]).get_data(as_text=True), rule.endpoint
        assert snapshot(app, sid) == before, rule.endpoint
        refused.append(rule.endpoint)
    assert set(refused) >= KNOWN


def test_a_json_post_under_a_signed_sitting_is_a_409(app, exam_world, signed):
    sid = exam_world.sitting_id
    before = snapshot(app, sid)
    token = csrf_token(signed.client, "/")
    for rule in sitting_posts(app):
        if rule.endpoint in EXEMPT:
            continue
        r = signed.client.post(
            _url(app, rule, exam_world),
            json={"reason": "x", "minutes": 5},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        assert r.status_code == 409, (rule.endpoint, r.status_code)
        assert r.json == {"code": "sitting_signed", "error": LOCKED}
    assert snapshot(app, sid) == before


def test_staff_assigned_to_the_room_are_refused_too(app, exam_world, signed, login_as):
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        east_staff = db.session.scalars(select(User).where(User.username == "east-staff")).one()
        sitting.invigilators = [east_staff]
        db.session.commit()
    before = snapshot(app, exam_world.sitting_id)
    staff = login_as("east-staff")
    base = f"/bodies/east/invigilate/{exam_world.sitting_id}/"
    aid = exam_world.attempt_ids[1]
    for path in ("incidents", "extend", f"attempts/{aid}/reissue", f"attempts/{aid}/seat"):
        assert staff.post(base + path, _form(exam_world)).status_code == 303, path
    assert snapshot(app, exam_world.sitting_id) == before


def test_other_bodies_still_get_404_not_the_lock(app, exam_world, signed, login_as):
    """The hook says nothing about a sitting the user may not reach."""
    west = login_as("west-admin")
    sid = exam_world.sitting_id
    assert west.post(f"/bodies/east/invigilate/{sid}/close").status_code == 404
    assert west.post(f"/bodies/west/invigilate/{sid}/close").status_code == 404


def test_results_may_still_be_published_and_nothing_else_changes(app, exam_world, signed):
    sid = exam_world.sitting_id
    before = snapshot(app, sid)
    r = signed.post(f"/bodies/east/exams/sittings/{sid}/release")
    assert r.status_code == 302
    after = snapshot(app, sid)
    assert after["sitting"][0].pop("results_released") is True
    assert before["sitting"][0].pop("results_released") is False
    after["events"] = [e for e in after["events"] if e["action"] != "sitting.release"]
    assert after == before


def test_a_makeup_is_a_new_sitting_and_leaves_the_signed_one_alone(app, exam_world, signed):
    sid = exam_world.sitting_id
    before = snapshot(app, sid)
    later = utcnow() + timedelta(days=3)
    r = signed.post(
        f"/bodies/east/exams/sittings/{sid}/makeup",
        {
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    new_id = int(re.search(r"/sittings/(\d+)$", r.headers["Location"]).group(1))
    assert new_id != sid
    with committing(app):
        assert db.session.get(Sitting, new_id).makeup_of_id == sid
    assert snapshot(app, sid) == before


def test_the_services_refuse_a_signed_sitting_whoever_calls_them(app, exam_world, signed):
    """The CLI and any other caller meet the same rule as the web."""
    sid = exam_world.sitting_id
    before = snapshot(app, sid)
    with committing(app):
        admin = db.session.scalars(select(User).where(User.username == "east-admin")).one()
        sitting = db.session.get(Sitting, sid)
        graded = db.session.get(Attempt, exam_world.attempt_ids[0])
        absent = db.session.get(Attempt, exam_world.attempt_ids[1])
        calls = [
            lambda: exam_sittings.save_sitting(sitting.body, sitting, title="改"),
            lambda: exam_sittings.enroll(sitting, []),
            lambda: exam_sittings.unenroll(absent),
            lambda: exam_sittings.open_sitting(sitting),
            lambda: exam_sittings.close_sitting(sitting),
            lambda: answering.finish_attempt(graded, reason="x"),
            lambda: invigilation_services.extend(sitting, [absent], 5, "x", admin),
            lambda: invigilation_services.reset_login(sitting, absent, "x", admin),
            lambda: invigilation_services.force_submit(sitting, absent, "x", admin),
            lambda: invigilation_services.mark_absent(sitting, absent, "x", admin),
            lambda: invigilation_services.readmit(sitting, absent, "x", admin),
            lambda: invigilation_services.reissue_code(sitting, absent, "x", admin),
            lambda: invigilation_services.set_seat(sitting, absent, "09", admin),
            lambda: invigilation_services.add_incident(sitting, None, "other", "x", admin),
            lambda: invigilation_services.save_entry(sitting, absent, {0: [1]}, admin),
            lambda: invigilation_services.grade_from_paper(sitting, absent, admin),
            lambda: invigilation_services.sign_off(sitting, admin),
        ]
        for call in calls:
            with pytest.raises(states.SittingLocked):
                call()
            db.session.rollback()
    assert snapshot(app, sid) == before


def test_a_sitting_is_signed_only_once_closed(app, exam_world, login_as):
    admin = login_as("east-admin")
    r = admin.post(f"/bodies/east/invigilate/{exam_world.sitting_id}/sign-off")
    assert "考试结束后才能签字确认考场记录" in admin.get(r.headers["Location"]).get_data(
        as_text=True
    )
    with committing(app):
        assert db.session.get(Sitting, exam_world.sitting_id).signed_off_at is None


def test_a_candidate_cannot_change_a_signed_sitting(app, exam_world, login_as):
    """Closing ends every paper, so a candidate still logged in saves nothing, and one who
    never came cannot log in; neither leaves a trace on the signed rows."""
    c = started(app, exam_world, 0)
    save(c, 0, [0], 1)
    admin = login_as("east-admin")
    base = f"/bodies/east/invigilate/{exam_world.sitting_id}/"
    admin.post(base + "close")
    admin.post(base + "sign-off")
    before = snapshot(app, exam_world.sitting_id)
    token = csrf_token(c.client, "/exam/")
    assert save(c, 0, [1], 2).status_code == 403
    headers = {"X-CSRFToken": token}
    c.client.post("/exam/api/event", json={"type": "blur"}, headers=headers)
    assert c.client.get("/exam/api/state").status_code == 200
    c.post("/exam/submit")
    c.post("/exam/start")
    late = Browser(app.test_client())
    r = late.post("/exam/login", {"code": exam_world.codes[1], "id_tail": exam_world.tails[1]})
    assert r.status_code == 200  # refused: the test has ended
    after = snapshot(app, exam_world.sitting_id)
    # Login refusals are audited (on the attempt); nothing else may change.
    after["events"] = [e for e in after["events"] if e["action"] != "candidate.login_refused"]
    assert after == before


def test_the_grading_job_skips_a_signed_sitting(app, exam_world):
    """A sitting signed while open (before sign-off needed a closed room) is left alone."""
    c = started(app, exam_world, 0)
    save(c, 0, [0], 1)
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        sitting.signed_off_at = utcnow()
        db.session.commit()
    before = snapshot(app, exam_world.sitting_id)
    with committing(app):
        assert answering.grade_expired(now=utcnow() + timedelta(days=1)) == 0
    assert snapshot(app, exam_world.sitting_id) == before
