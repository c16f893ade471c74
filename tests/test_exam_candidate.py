"""The candidate's test: login, paper, autosave, submit, grading, and every refusal."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from examsite.exams.models import Answer, Attempt
from examsite.extensions import db
from tests.fixtures.candidate import candidate, correct_choices, save, started
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt
from tests.fixtures.factories import count
from tests.fixtures.web import Browser, csrf_token


def test_login_with_code_and_id_tail(app, exam_world):
    b = candidate(app, exam_world)
    page = b.get("/exam/").get_data(as_text=True)
    assert "考生0" in page and "开始答题" in page


def test_wrong_tail_is_refused_and_five_failures_lock_the_code(app, exam_world):
    b = Browser(app.test_client())
    for _ in range(5):
        r = b.post("/exam/login", {"code": exam_world.codes[0], "id_tail": "000000"})
        assert "不正确" in r.get_data(as_text=True) or "输入错误次数过多" in r.get_data(
            as_text=True
        )
    r = b.post("/exam/login", {"code": exam_world.codes[0], "id_tail": exam_world.tails[0]})
    assert "输入错误次数过多" in r.get_data(as_text=True)


def test_qr_link_fills_in_the_code(app, exam_world):
    page = app.test_client().get(f"/exam/login?code={exam_world.codes[0]}").get_data(as_text=True)
    assert f'value="{exam_world.codes[0]}"' in page


def test_paper_never_contains_the_key(app, exam_world):
    b = started(app, exam_world)
    page = b.get("/exam/paper").get_data(as_text=True)
    assert page.count('class="question"') == 10
    for word in ("解析", "《中华人民共和国宪法》", "correct"):
        assert word not in page


def test_autosave_then_reload_shows_the_answer(app, exam_world):
    b = started(app, exam_world)
    r = save(b, 0, [2], 1)
    assert r.status_code == 200 and r.json["ok"] is True
    page = b.get("/exam/paper").get_data(as_text=True)
    section = re.search(r'data-question="0".*?</section>', page, re.S).group(0)
    assert 'value="2" checked' in section
    assert 'data-saved-seq="1"' in section


def test_saved_choice_is_stored_as_the_original_option(app, exam_world):
    b = started(app, exam_world)
    save(b, 0, [1], 1)
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    order = attempt.paper_items[0].option_order
    with committing(app):
        stored = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).one()
        assert stored.choice == [order[1]]


def test_a_stale_save_never_overwrites_a_newer_one(app, exam_world):
    b = started(app, exam_world)
    assert save(b, 0, [3], 5).status_code == 200
    stale = save(b, 0, [1], 4)
    assert stale.status_code == 409 and stale.json["code"] == "stale_sequence"
    again = save(b, 0, [1], 5)  # a replay of the same sequence
    assert again.status_code == 409
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    with committing(app):
        stored = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).one()
        assert (stored.seq, stored.choice) == (5, [attempt.paper_items[0].option_order[3]])


def test_bad_saves_are_refused_and_change_nothing(app, exam_world):
    b = started(app, exam_world)
    token = csrf_token(b.client, "/exam/paper")
    cases = [
        ({"position": 99, "choice": [0], "seq": 1}, 400),  # not on the paper
        ({"position": 0, "choice": [9], "seq": 1}, 400),  # no such option
        ({"position": 0, "choice": [0, 1], "seq": 1}, 400),  # two answers to a single choice
        ({"position": "0", "choice": [0], "seq": 1}, 400),  # malformed
        ({"position": 0, "choice": [0]}, 400),  # no sequence
    ]
    for body, status in cases:
        r = b.client.post("/exam/api/answer", json=body, headers={"X-CSRFToken": token})
        assert r.status_code == status, body
        assert r.json["code"] == "bad_request"
    r = b.client.post(
        "/exam/api/answer",
        data="{not json",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 400
    no_csrf = b.client.post("/exam/api/answer", json={"position": 0, "choice": [0], "seq": 1})
    assert no_csrf.status_code == 400
    assert count(app, Answer) == 0


def test_save_after_the_deadline_is_refused(app, exam_world):
    b = started(app, exam_world)
    token = csrf_token(b.client, "/exam/paper")
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    with time_machine.travel(attempt.deadline + timedelta(seconds=30), tick=False):
        r = b.client.post(
            "/exam/api/answer",
            json={"position": 0, "choice": [1], "seq": 1},
            headers={"X-CSRFToken": token},
        )
    assert r.status_code == 403 and r.json["code"] == "deadline_passed"
    assert count(app, Answer) == 0


def test_save_in_flight_within_the_grace_is_kept(app, exam_world):
    b = started(app, exam_world)
    token = csrf_token(b.client, "/exam/paper")
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    with time_machine.travel(attempt.deadline + timedelta(seconds=5), tick=False):
        r = b.client.post(
            "/exam/api/answer",
            json={"position": 0, "choice": [1], "seq": 1},
            headers={"X-CSRFToken": token},
        )
    assert r.status_code == 200


def test_submit_grades_once_even_from_two_tabs(app, exam_world, login_as):
    b = started(app, exam_world)
    # Answer everything right: the displayed indexes of the correct originals.
    right = correct_choices(app, exam_world.attempt_ids[0])
    for seq, (position, correct) in enumerate(enumerate(right), start=1):
        assert save(b, position, correct, seq).status_code == 200
    other_tab = Browser(b.client)
    page = b.get("/exam/submit").get_data(as_text=True)
    assert "全部 10 道题都已作答" in page
    assert b.post("/exam/submit").headers["Location"] == "/exam/finish"
    assert other_tab.post("/exam/submit").headers["Location"] == "/exam/finish"
    finished = get_attempt(app, exam_world.attempt_ids[0])
    assert (finished.status, finished.score, finished.passed) == ("graded", 22.0, True)
    assert "22 / 22" in b.get("/exam/finish").get_data(as_text=True)
    assert count(app, AuditEvent, AuditEvent.action == "candidate.submit") == 1
    # The other two have not handed in: the review waits for the room.
    assert "正确答案" not in b.get("/exam/review").get_data(as_text=True)
    login_as("east-admin").post(f"/bodies/east/invigilate/{exam_world.sitting_id}/close")
    review = b.get("/exam/review").get_data(as_text=True)
    assert "正确答案" in review and "解析" in review


def test_submit_confirmation_lists_unanswered(app, exam_world):
    b = started(app, exam_world)
    save(b, 0, [0], 1)
    page = b.get("/exam/submit").get_data(as_text=True)
    assert "还有 9 道题没有作答" in page


def test_paper_is_graded_when_the_deadline_passes_without_the_browser(app, exam_world, runner):
    b = started(app, exam_world)
    save(b, 0, [0], 1)
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    with time_machine.travel(attempt.deadline + timedelta(minutes=1), tick=False):
        result = runner.invoke(args=["exams", "grade-expired"])
        assert "Graded 1" in result.output
    graded = get_attempt(app, exam_world.attempt_ids[0])
    assert graded.status == "graded" and graded.score is not None


def test_next_access_after_the_deadline_grades_the_same_way(app, exam_world):
    b = started(app, exam_world)
    save(b, 0, [0], 1)
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    with time_machine.travel(attempt.deadline + timedelta(minutes=1), tick=False):
        assert b.get("/exam/paper").headers["Location"] == "/exam/finish"
    on_access = get_attempt(app, exam_world.attempt_ids[0])
    assert on_access.status == "graded"
    # Grading the same answers again gives the same result.
    with committing(app):
        from examsite.exams.results import grade_attempt

        again = grade_attempt(db.session.get(Attempt, attempt.id))
        assert again.score == on_access.score


def test_second_login_is_refused_and_counted(app, exam_world):
    candidate(app, exam_world)
    b = Browser(app.test_client())
    r = b.post("/exam/login", {"code": exam_world.codes[0], "id_tail": exam_world.tails[0]})
    assert "已在其他电脑登录" in r.get_data(as_text=True)
    assert get_attempt(app, exam_world.attempt_ids[0]).refused_logins == 1


def test_takeover_policy_ends_the_first_session(app, exam_world):
    with committing(app):
        from examsite.exams.models import Sitting

        db.session.get(Sitting, exam_world.sitting_id).second_login = "takeover"
        db.session.commit()
    first = started(app, exam_world)
    second = candidate(app, exam_world)
    assert second.get("/exam/").status_code == 302  # in progress: straight to the paper
    r = save(first, 0, [0], 1)
    assert r.status_code == 401 and r.json["code"] == "session_replaced"
    assert r.json["error"] == "已在其他设备登录，请联系监考人员。"
    page = first.get("/exam/paper", follow_redirects=True).get_data(as_text=True)
    assert "已在其他设备登录，请联系监考人员" in page
    assert get_attempt(app, exam_world.attempt_ids[0]).session_switches == 1


def test_login_after_the_sitting_ended_is_refused(app, exam_world):
    with time_machine.travel(utcnow() + timedelta(hours=3), tick=False):
        b = Browser(app.test_client())
        r = b.post("/exam/login", {"code": exam_world.codes[0], "id_tail": exam_world.tails[0]})
        assert "考试已结束" in r.get_data(as_text=True)


def test_late_candidate_cannot_start(app, exam_world):
    b = candidate(app, exam_world)
    with time_machine.travel(utcnow() + timedelta(minutes=40), tick=False):
        assert "已超过入场时间" in b.get("/exam/").get_data(as_text=True)
        b.post("/exam/start")
    assert get_attempt(app, exam_world.attempt_ids[0]).status == "enrolled"


def test_plain_form_save_and_submit_without_script(app, exam_world):
    b = started(app, exam_world)
    r = b.post("/exam/save", {"q0": "1", "q1": "2", "action": "save"})
    assert r.headers["Location"] == "/exam/paper"
    assert count(app, Answer) == 2
    r = b.post("/exam/save", {"q0": "1", "q1": "3", "action": "submit"})
    assert r.headers["Location"] == "/exam/submit"
    with committing(app):
        a = db.session.scalars(select(Answer).where(Answer.position == 1)).one()
        assert a.seq == 3  # above every earlier save of the attempt
    b.post("/exam/submit")
    assert get_attempt(app, exam_world.attempt_ids[0]).status == "graded"


def test_state_endpoint_reports_an_extension(app, exam_world):
    b = started(app, exam_world)
    before = b.get("/exam/api/state").json
    with committing(app):
        from examsite.auth.models import User
        from examsite.invigilation.services import extend

        attempt = db.session.get(Attempt, exam_world.attempt_ids[0])
        admin = db.session.scalars(select(User).where(User.username == "east-admin")).one()
        extend(attempt.sitting, [attempt], 10, "设备故障", admin)
    after = b.get("/exam/api/state").json
    assert after["deadline"] > before["deadline"]
    assert "延长 10 分钟" in after["notice"]


def test_focus_loss_is_counted(app, exam_world):
    b = started(app, exam_world)
    token = csrf_token(b.client, "/exam/paper")
    b.client.post("/exam/api/event", json={"type": "blur"}, headers={"X-CSRFToken": token})
    assert get_attempt(app, exam_world.attempt_ids[0]).focus_losses == 1


def test_candidate_cannot_reach_staff_pages(app, exam_world):
    b = started(app, exam_world)
    assert b.get("/bodies/east").status_code == 403
    assert b.get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}").status_code == 403


def test_api_without_login_says_session_ended(app, exam_world):
    client = app.test_client()
    token = csrf_token(client, "/exam/login")
    r = client.post(
        "/exam/api/answer",
        json={"position": 0, "choice": [0], "seq": 1},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 401 and json.loads(r.data)["code"] == "session_ended"


def test_practice_shows_answers_and_counts_nothing(app, exam_world):
    b = candidate(app, exam_world)
    page = b.get("/exam/practice?new=1").get_data(as_text=True)
    assert "模拟练习" in page and "第 1 / 10 题" in page
    token = re.search(r'name="question" value="([^"]+)"', page).group(1)
    feedback = b.post("/exam/practice", {"question": token, "choice": "0"}).get_data(as_text=True)
    assert "正确答案" in feedback and ("回答正确" in feedback or "回答错误" in feedback)
    assert "第 2 / 10 题" in b.get("/exam/practice").get_data(as_text=True)
    assert count(app, Answer) == 0
    assert get_attempt(app, exam_world.attempt_ids[0]).status == "enrolled"


def test_autosave_and_polling_do_not_rewrite_the_session_cookie(app, exam_world):
    # The save path is one upsert: signing a new cookie on every answer is wasted work.
    b = started(app, exam_world)
    assert save(b, 0, [1], 1).headers.getlist("Set-Cookie") == []
    assert b.client.get("/exam/api/state").headers.getlist("Set-Cookie") == []


def test_state_poll_records_last_seen_about_once_a_minute(app, exam_world):
    # The invigilator's "last seen" moves on with the polls, but not on every one of them.
    b = started(app, exam_world)
    seen = get_attempt(app, exam_world.attempt_ids[0]).last_seen_at  # set at login
    assert seen is not None
    with time_machine.travel(seen + timedelta(seconds=30), tick=False):
        assert b.get("/exam/api/state").json["state"] == "in_progress"
    assert get_attempt(app, exam_world.attempt_ids[0]).last_seen_at == seen
    with time_machine.travel(seen + timedelta(seconds=60), tick=False):
        assert b.get("/exam/api/state").json["state"] == "in_progress"
    assert get_attempt(app, exam_world.attempt_ids[0]).last_seen_at == seen + timedelta(seconds=60)


def test_paper_labels_every_question_in_the_chosen_language(app, exam_world):
    b = started(app, exam_world)
    page = b.get("/exam/paper").get_data(as_text=True)
    assert "第 1 题" in page and "第 5 题的选项" in page and "标记此题" in page
    b.post("/language", {"lang": "en", "next": "/exam/paper"})
    page = b.get("/exam/paper").get_data(as_text=True)
    assert "Question 1" in page and "第 1 题" not in page and " points" in page
