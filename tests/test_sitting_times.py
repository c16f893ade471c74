"""Honest times: a sitting's window is never shorter than its papers, and the candidate's
start page says how long they really have (less when they start late)."""

from __future__ import annotations

from datetime import timedelta

from examsite.core.timeutil import utc_to_local, utcnow
from examsite.exams.models import Attempt, Sitting
from examsite.extensions import db
from tests.fixtures.candidate import candidate
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt
from tests.fixtures.factories import count


def _sitting_form(template_id: int, ends_at: str, **extra: str) -> dict[str, str]:
    return {
        "title": "考试",
        "starts_at": "2026-12-01T09:00",
        "ends_at": ends_at,
        "late_entry_minutes": "15",
        "template_id": str(template_id),
        "show_score": "at_submit",
        "scoring": "all_or_nothing",
        "second_login": "refuse",
        **extra,
    }


def test_a_window_shorter_than_the_paper_is_refused(app, world, login_as, make_template):
    tid = make_template("east", name="标准卷", duration_minutes=90).id
    b = login_as("east-admin")
    r = b.post("/bodies/east/exams/sittings/new", _sitting_form(tid, "2026-12-01T10:00"))
    text = r.get_data(as_text=True)
    assert "考试时间只有 60 分钟，短于试卷方案“标准卷”的考试时长 90 分钟" in text
    assert count(app, Sitting) == 0
    r = b.post("/bodies/east/exams/sittings/new", _sitting_form(tid, "2026-12-01T10:30"))
    assert r.status_code == 302 and count(app, Sitting) == 1


def test_a_per_category_paper_longer_than_the_window_is_refused_too(
    app, world, login_as, make_template
):
    general = make_template("east", name="通用卷", duration_minutes=60).id
    court = make_template("east", name="法官卷", duration_minutes=120).id
    b = login_as("east-admin")
    form = _sitting_form(general, "2026-12-01T10:30", cat_court=str(court))
    text = b.post("/bodies/east/exams/sittings/new", form).get_data(as_text=True)
    assert "考试时间只有 90 分钟，短于试卷方案“法官卷”的考试时长 120 分钟" in text
    assert count(app, Sitting) == 0


def test_a_late_starter_is_told_the_time_they_really_have(app, world, make_template, make_sitting):
    template = make_template("east", duration_minutes=60)
    now = utcnow()
    ends_at = now + timedelta(minutes=40, seconds=30)
    room = make_sitting(
        "east", open=True, candidates=1, template=template,
        starts_at=now - timedelta(minutes=50), ends_at=ends_at, late_entry_minutes=60,
    )  # fmt: skip
    b = candidate(app, room, 0)
    page = b.get("/exam/").get_data(as_text=True)
    with app.app_context():  # the site's time zone
        end = utc_to_local(ends_at).strftime("%H:%M")
    assert f"您有 40 分钟，{end} 前交卷" in page
    assert "试卷时长 60 分钟" in page  # why it is less than the paper's
    assert b.post("/exam/start").headers["Location"] == "/exam/paper"
    deadline = get_attempt(app, room.attempt_ids[0]).deadline
    assert abs(deadline - ends_at) < timedelta(seconds=1)  # the sitting's end, not start + 60


def test_one_who_starts_in_time_has_the_whole_paper(app, world, make_template, make_sitting):
    template = make_template("east", duration_minutes=60)
    room = make_sitting("east", open=True, candidates=1, template=template)
    page = candidate(app, room, 0).get("/exam/").get_data(as_text=True)
    assert "您有 60 分钟" in page and "试卷时长" not in page


def test_enrolling_one_whose_automatic_paper_outlasts_the_window_is_refused_for_them(
    app, world, login_as, make_template, make_candidate, make_sitting
):
    general = make_template("east", name="通用卷", duration_minutes=60)
    make_template("east", name="法官卷", duration_minutes=120, post_categories=["court"])
    starts_at = utcnow() + timedelta(days=1)
    room = make_sitting(
        "east", template=general, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90)
    )
    judge = make_candidate("east", name="王法官", post_category="court")
    official = make_candidate("east", name="李局长", post_category="government")
    b = login_as("east-staff")
    url = f"/bodies/east/exams/sittings/{room.id}"
    b.post(f"{url}/enroll", {"candidate_ids": [judge.id, official.id]})
    page = b.get(url).get_data(as_text=True)
    assert "已报名 1 人。" in page
    assert "试卷方案“法官卷”考试时长 120 分钟，长于本场考试时间" in page
    assert "（未报名：王法官）" in page
    assert count(app, Attempt, Attempt.candidate_id == judge.id) == 0


def test_shortening_the_window_below_an_enrolled_candidates_paper_is_refused(
    app, world, login_as, make_template, make_candidate, make_sitting
):
    general = make_template("east", name="通用卷", duration_minutes=60)
    make_template("east", name="法官卷", duration_minutes=120, post_categories=["court"])
    judge = make_candidate("east", name="王法官", post_category="court")
    room = make_sitting("east", template=general, candidates=[judge])
    with committing(app):
        before = db.session.get(Sitting, room.id).ends_at
    b = login_as("east-admin")
    form = _sitting_form(general.id, "2026-12-01T10:30")  # 90 minutes
    page = b.post(f"/bodies/east/exams/sittings/{room.id}/edit", form).get_data(as_text=True)
    assert "考试时间只有 90 分钟，短于试卷方案“法官卷”的考试时长 120 分钟" in page
    with committing(app):
        assert db.session.get(Sitting, room.id).ends_at == before
    form = _sitting_form(general.id, "2026-12-01T11:00")
    assert b.post(f"/bodies/east/exams/sittings/{room.id}/edit", form).status_code == 302
