"""Make-up sittings (补考): the absent and the failed are listed, ticked by default, with the
reason; only the ticked are enrolled; the invigilators come along; the late-entry cutoff
never falls after the end; a window shorter than the paper is refused."""

from __future__ import annotations

import re
from datetime import timedelta

from examsite.core.timeutil import utcnow
from examsite.exams.models import Attempt, Sitting
from examsite.exams.states import AttemptStatus
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import count


def _held(app, make_sitting, make_template, *, late_entry_minutes=30, duration=60, **kw):
    """A closed sitting in east: 考生0 passed, 考生1 failed (0 points), 考生2 absent."""
    template = make_template("east", name="标准卷", duration_minutes=duration)
    room = make_sitting(
        "east", candidates=3, graded=[True, False, False], template=template,
        late_entry_minutes=late_entry_minutes, **kw,
    )  # fmt: skip
    with committing(app):
        absent = db.session.get(Attempt, room.attempt_ids[2])
        absent.status, absent.passed, absent.score = AttemptStatus.ABSENT, None, None
        db.session.commit()
    return room


def _window(hours: float = 2, start_in_days: int = 3) -> dict[str, str]:
    start = utcnow() + timedelta(days=start_in_days)
    return {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
    }


def _new_id(response) -> int:
    return int(re.search(r"/sittings/(\d+)$", response.headers["Location"]).group(1))


def test_the_form_lists_the_absent_and_the_failed_ticked_with_the_reason(
    app, world, login_as, make_sitting, make_template
):
    room = _held(app, make_sitting, make_template)
    page = login_as("east-admin").get(f"/bodies/east/exams/sittings/{room.id}")
    form = page.get_data(as_text=True).split('class="makeup-form"')[1].split("</form>")[0]
    boxes = re.findall(r'<input type="checkbox" name="candidate_ids" value="(\d+)" checked>', form)
    assert [int(b) for b in boxes] == [a.candidate_id for a in room.attempts[1:]]
    assert '考生1 <span class="muted">未通过（0 分）</span>' in form
    assert '考生2 <span class="muted">缺考</span>' in form
    assert "考生0" not in form


def test_only_the_ticked_are_enrolled_and_the_message_counts_them(
    app, world, login_as, make_sitting, make_template
):
    room = _held(app, make_sitting, make_template)
    b = login_as("east-admin")
    everyone = [a.candidate_id for a in room.attempts]  # a passed one posted is ignored
    r = b.post(
        f"/bodies/east/exams/sittings/{room.id}/makeup",
        {**_window(), "candidate_ids": everyone},
    )
    new_id = _new_id(r)
    assert "已安排补考，已报名 2 人。" in b.get(r.headers["Location"]).get_data(as_text=True)
    with committing(app):
        assert sorted(a.candidate.name for a in db.session.get(Sitting, new_id).attempts) == [
            "考生1",
            "考生2",
        ]
    r = b.post(
        f"/bodies/east/exams/sittings/{room.id}/makeup",
        {**_window(), "candidate_ids": [room.attempts[2].candidate_id]},
    )
    assert "已报名 1 人。" in b.get(r.headers["Location"]).get_data(as_text=True)
    with committing(app):
        assert [a.candidate.name for a in db.session.get(Sitting, _new_id(r)).attempts] == ["考生2"]


def test_the_invigilators_come_along(app, world, login_as, make_sitting, make_template):
    room = _held(app, make_sitting, make_template, invigilators=["east-staff", "east-admin"])
    r = login_as("east-admin").post(
        f"/bodies/east/exams/sittings/{room.id}/makeup",
        {**_window(), "candidate_ids": [room.attempts[1].candidate_id]},
    )
    with committing(app):
        makeup = db.session.get(Sitting, _new_id(r))
        assert sorted(u.username for u in makeup.invigilators) == ["east-admin", "east-staff"]
        makeup_id = makeup.id
    # ...so the staff member assigned to the room can invigilate the make-up too.
    panel = login_as("east-staff").get(f"/bodies/east/invigilate/{makeup_id}/")
    assert panel.status_code == 200


def test_the_late_entry_cutoff_never_falls_after_the_end(
    app, world, login_as, make_sitting, make_template
):
    room = _held(app, make_sitting, make_template, late_entry_minutes=120, duration=30)
    r = login_as("east-admin").post(
        f"/bodies/east/exams/sittings/{room.id}/makeup",
        {**_window(hours=1), "candidate_ids": [room.attempts[1].candidate_id]},
    )
    with committing(app):
        makeup = db.session.get(Sitting, _new_id(r))
        assert makeup.late_entry_minutes == 60
        assert makeup.entry_cutoff <= makeup.ends_at


def test_a_makeup_window_shorter_than_the_paper_is_refused(
    app, world, login_as, make_sitting, make_template
):
    room = _held(app, make_sitting, make_template, duration=90)
    b = login_as("east-admin")
    before = count(app, Sitting)
    r = b.post(
        f"/bodies/east/exams/sittings/{room.id}/makeup",
        {**_window(hours=1), "candidate_ids": [room.attempts[1].candidate_id]},
    )
    assert r.headers["Location"].endswith(f"/sittings/{room.id}")
    text = b.get(r.headers["Location"]).get_data(as_text=True)
    assert "考试时间只有 60 分钟，短于试卷方案“标准卷”的考试时长 90 分钟" in text
    assert count(app, Sitting) == before


def test_no_makeup_is_offered_when_everyone_passed(
    app, world, login_as, make_sitting, make_template
):
    room = make_sitting("east", candidates=2, graded=[True, True])
    page = login_as("east-admin").get(f"/bodies/east/exams/sittings/{room.id}")
    text = page.get_data(as_text=True)
    assert "没有缺考或未通过的考生。" in text and 'class="makeup-form"' not in text
