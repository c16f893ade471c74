"""Invigilation: who may open the panel, what it shows, and every intervention's effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from examsite.exams.models import Answer, Attempt, Sitting
from examsite.extensions import db
from examsite.invigilation.models import Incident, PaperEntry
from tests.fixtures.candidate import candidate, save, started
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt
from tests.fixtures.factories import count


def panel_url(exam_world, suffix: str = "") -> str:
    return f"/bodies/east/invigilate/{exam_world.sitting_id}/{suffix}"


@pytest.fixture
def assigned(app, exam_world):
    """Make east-staff an invigilator of the sitting."""
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        sitting.invigilators = [
            db.session.scalars(select(User).where(User.username == "east-staff")).one()
        ]
        db.session.commit()


def test_panel_is_for_assigned_staff_and_body_admins(app, exam_world, login_as, make_user):
    make_user("east", username="east-other")
    assert login_as("east-admin").get(panel_url(exam_world)).status_code == 200
    other = login_as("east-other")
    assert other.get(panel_url(exam_world)).status_code == 404
    assert other.get(panel_url(exam_world, "data")).status_code == 404
    aid = exam_world.attempt_ids[0]
    assert (
        other.post(panel_url(exam_world, f"attempts/{aid}/reset"), {"reason": "x"}).status_code
        == 404
    )
    west = login_as("west-admin")
    assert west.get(panel_url(exam_world)).status_code == 404
    assert west.get(f"/bodies/west/invigilate/{exam_world.sitting_id}/").status_code == 404
    assert count(app, AuditEvent, AuditEvent.action == "attempt.reset_login") == 0


def test_panel_shows_the_room(app, exam_world, assigned, login_as):
    b = started(app, exam_world, 0)
    save(b, 0, [1], 1)
    candidate(app, exam_world, 1)
    data = login_as("east-staff").get(panel_url(exam_world, "data")).json
    assert data["counts"] == {
        "enrolled": 3,
        "present": 2,
        "answering": 1,
        "submitted": 0,
        "absent": 0,
    }
    first = next(r for r in data["rows"] if r["id"] == exam_world.attempt_ids[0])
    assert first["state"] == "in_progress" and first["answered"] == 1 and first["total"] == 10
    assert 0 < first["seconds_left"] <= 3600
    page = login_as("east-staff").get(panel_url(exam_world)).get_data(as_text=True)
    assert "考生0" in page and "110101********" in page


def test_panel_refresh_costs_the_same_for_any_room_size(
    app, exam_world, assigned, login_as, enroll, count_queries
):
    b = login_as("east-staff")
    b.get(panel_url(exam_world, "data"))  # warm up
    with count_queries() as small:
        b.get(panel_url(exam_world, "data"))
    assert len(enroll(exam_world, 30).attempts) == 33
    with count_queries() as large:
        b.get(panel_url(exam_world, "data"))
    assert large.count == small.count
    assert len(large.matching("answers")) == 1


def test_extend_one_candidate(app, exam_world, assigned, login_as):
    c = started(app, exam_world, 0)
    before = get_attempt(app, exam_world.attempt_ids[0]).deadline
    b = login_as("east-staff")
    r = b.post(
        panel_url(exam_world, "extend"),
        {"attempt_id": exam_world.attempt_ids[0], "minutes": "15", "reason": "电脑死机"},
    )
    assert r.status_code == 302
    after = get_attempt(app, exam_world.attempt_ids[0])
    assert after.deadline - before == timedelta(minutes=15) and after.extra_minutes == 15
    assert "延长 15 分钟" in c.get("/exam/api/state").json["notice"]
    event_ = _last_event(app, "attempt.extend")
    assert event_.details_dict["reason"] == "电脑死机" and event_.actor == "east-staff"


def test_extend_everyone_credits_only_those_answering(app, exam_world, assigned, login_as):
    done = started(app, exam_world, 1)
    done.post("/exam/submit")
    started(app, exam_world, 0)
    staff = login_as("east-staff")
    staff.post(panel_url(exam_world, "extend"), {"minutes": "5", "reason": "停电"})
    extras = [get_attempt(app, a).extra_minutes for a in exam_world.attempt_ids]
    assert extras == [5, 0, 0]  # the finished and the one not yet started get nothing
    with staff.client.session_transaction() as session:
        assert [m for _c, m in session["_flashes"]] == [
            "已为 1 名正在答题的考生延长 5 分钟；1 名尚未开始答题或缺考的考生未延长。"
        ]


def test_extension_needs_a_reason(app, exam_world, assigned, login_as):
    started(app, exam_world, 0)
    login_as("east-staff").post(
        panel_url(exam_world, "extend"), {"attempt_id": exam_world.attempt_ids[0], "minutes": "5"}
    )
    assert get_attempt(app, exam_world.attempt_ids[0]).extra_minutes == 0


def test_reset_login_ends_the_old_session_and_allows_another_computer(
    app, exam_world, assigned, login_as
):
    old = started(app, exam_world, 0)
    aid = exam_world.attempt_ids[0]
    login_as("east-staff").post(panel_url(exam_world, f"attempts/{aid}/reset"), {"reason": "换机"})
    assert save(old, 0, [1], 1).status_code == 401
    new = candidate(app, exam_world, 0)
    assert new.get("/exam/").headers["Location"] == "/exam/paper"  # resumes
    assert _last_event(app, "attempt.reset_login").details_dict["reason"] == "换机"


def test_force_submit_grades_the_saved_answers(app, exam_world, assigned, login_as):
    c = started(app, exam_world, 0)
    save(c, 0, [1], 1)
    aid = exam_world.attempt_ids[0]
    login_as("east-staff").post(
        panel_url(exam_world, f"attempts/{aid}/force-submit"), {"reason": "违纪"}
    )
    attempt = get_attempt(app, aid)
    assert attempt.status == "graded" and attempt.score is not None
    assert save(c, 1, [1], 2).status_code == 403


def test_mark_absent_then_readmit_a_late_candidate(app, exam_world, assigned, login_as):
    from tests.fixtures.web import Browser

    aid = exam_world.attempt_ids[2]
    staff = login_as("east-staff")
    staff.post(panel_url(exam_world, f"attempts/{aid}/absent"), {"reason": "未到"})
    assert get_attempt(app, aid).status == "absent"
    refused = Browser(app.test_client()).post(
        "/exam/login", {"code": exam_world.codes[2], "id_tail": exam_world.tails[2]}
    )
    assert refused.status_code == 200  # an absent candidate cannot log in
    staff.post(panel_url(exam_world, f"attempts/{aid}/readmit"), {"reason": "堵车迟到"})
    late = candidate(app, exam_world, 2)
    with time_machine.travel(utcnow() + timedelta(minutes=40), tick=False):
        # Past the 30-minute late-entry cutoff, yet let in by the invigilator.
        assert late.post("/exam/start").headers["Location"] == "/exam/paper"
    assert get_attempt(app, aid).status == "in_progress"


def test_reissue_code(app, exam_world, assigned, login_as):
    aid = exam_world.attempt_ids[0]
    login_as("east-staff").post(
        panel_url(exam_world, f"attempts/{aid}/reissue"), {"reason": "准考证遗失"}
    )
    assert get_attempt(app, aid).admission_code != exam_world.codes[0]


def test_incidents_for_a_candidate_and_for_the_room(app, exam_world, assigned, login_as):
    b = login_as("east-staff")
    b.post(
        panel_url(exam_world, "incidents"),
        {"attempt_id": str(exam_world.attempt_ids[0]), "category": "equipment", "note": "鼠标失灵"},
    )
    b.post(panel_url(exam_world, "incidents"), {"category": "other", "note": "<b>空调</b>故障"})
    assert count(app, Incident) == 2
    page = b.get(panel_url(exam_world)).get_data(as_text=True)
    assert "鼠标失灵" in page and "&lt;b&gt;空调&lt;/b&gt;故障" in page
    # The incident table names the candidate, or no one for the whole room.
    assert '<td>考生0</td><td class="pre">鼠标失灵</td>' in page
    assert '<td>—</td><td class="pre">&lt;b&gt;空调&lt;/b&gt;故障</td>' in page
    empty = b.post(panel_url(exam_world, "incidents"), {"category": "other", "note": ""})
    assert empty.status_code == 302 and count(app, Incident) == 2


def test_signed_record_is_locked_for_everyone(app, exam_world, assigned, login_as):
    started(app, exam_world, 0)
    staff = login_as("east-staff")
    staff.post(panel_url(exam_world, "sign-off"))  # not while the room is still sitting
    with committing(app):
        assert db.session.get(Sitting, exam_world.sitting_id).signed_off_at is None
    staff.post(panel_url(exam_world, "close"))
    staff.post(panel_url(exam_world, "sign-off"))
    record = staff.get(panel_url(exam_world, "record")).get_data(as_text=True)
    assert "记录已锁定" in record
    for who in ("east-staff", "east-admin"):  # no administrator override
        r = login_as(who).post(
            panel_url(exam_world, "incidents"), {"category": "other", "note": "补记"}
        )
        assert r.status_code == 303
        assert count(app, Incident) == 0


def test_record_lists_roster_incidents_and_interventions(app, exam_world, assigned, login_as):
    started(app, exam_world, 0)
    b = login_as("east-staff")
    b.post(panel_url(exam_world, "incidents"), {"category": "discipline", "note": "交头接耳"})
    b.post(
        panel_url(exam_world, "extend"),
        {"attempt_id": exam_world.attempt_ids[0], "minutes": "5", "reason": "补时"},
    )
    page = b.get(panel_url(exam_world, "record")).get_data(as_text=True)
    for text in ("考生0", "交头接耳", "延长考试时间", "监考人员签名"):
        assert text in page


def test_paper_fallback_with_double_entry(app, exam_world, assigned, login_as, create_user):
    c = started(app, exam_world, 0)
    save(c, 0, [2], 1)  # answered online before the network failed
    aid = exam_world.attempt_ids[0]
    attempt = get_attempt(app, aid)
    staff = login_as("east-staff")
    printed = staff.get(panel_url(exam_world, f"paper?attempt={aid}")).get_data(as_text=True)
    assert "答题卡" in printed and "已在线作答：C" in printed
    assert "解析" not in printed  # no key, no explanation

    sheet = {f"q{p}": "0" for p in range(1, len(attempt.paper_items))}
    sheet["q0"] = "2"
    first = staff.post(panel_url(exam_world, f"attempts/{aid}/entry"), sheet)
    assert first.status_code == 302
    alone = staff.post(panel_url(exam_world, f"attempts/{aid}/grade-paper"))
    assert alone.status_code == 302 and get_attempt(app, aid).status == "in_progress"

    admin = login_as("east-admin")
    wrong = {**sheet, "q3": "1"}
    admin.post(panel_url(exam_world, f"attempts/{aid}/entry"), wrong)
    page = admin.get(panel_url(exam_world, f"attempts/{aid}/entry")).get_data(as_text=True)
    assert "两次录入不一致的题号：4" in page
    admin.post(panel_url(exam_world, f"attempts/{aid}/grade-paper"))
    assert get_attempt(app, aid).status == "in_progress"  # not while they differ

    admin.post(panel_url(exam_world, f"attempts/{aid}/entry"), sheet)
    admin.post(panel_url(exam_world, f"attempts/{aid}/grade-paper"))
    graded = get_attempt(app, aid)
    assert graded.status == "graded" and graded.on_paper
    assert count(app, PaperEntry) == 2
    with committing(app):
        first_answer = db.session.scalars(
            select(Answer).where(Answer.attempt_id == aid, Answer.position == 0)
        ).one()
        assert first_answer.choice == [attempt.paper_items[0].option_order[2]]


def _last_event(app, action: str) -> AuditEvent:
    with committing(app):
        e = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        ).first()
        db.session.expunge(e)
        return e


_ = Attempt


def test_seats_order_the_room(app, exam_world, assigned, login_as):
    b = login_as("east-staff")
    for aid, seat in zip(exam_world.attempt_ids, ["03", "01", "02"], strict=True):
        b.post(panel_url(exam_world, f"attempts/{aid}/seat"), {"seat": seat})
    rows = b.get(panel_url(exam_world, "data")).json["rows"]
    assert [r["id"] for r in rows] == [
        exam_world.attempt_ids[1],
        exam_world.attempt_ids[2],
        exam_world.attempt_ids[0],
    ]


def test_a_cleared_answer_does_not_count_as_answered(app, exam_world, assigned, login_as):
    c = started(app, exam_world, 0)
    save(c, 0, [1], 1)
    save(c, 0, [], 2)
    rows = login_as("east-staff").get(panel_url(exam_world, "data")).json["rows"]
    assert next(r for r in rows if r["id"] == exam_world.attempt_ids[0])["answered"] == 0
