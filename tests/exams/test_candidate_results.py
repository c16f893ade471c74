"""The candidate's side of exam day: the released result reached by logging in again, the
review that waits for the whole room, how scores are written, the plain form's save state,
the 大字 switch and the words on the candidate's pages."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from examsite.exams import sittings
from examsite.exams.domain.scores import format_score
from examsite.exams.models import Attempt, Sitting
from examsite.extensions import db
from tests.fixtures.candidate import started
from tests.fixtures.database import committing
from tests.fixtures.web import Browser

PACKAGE = Path(__file__).resolve().parents[2] / "examsite"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (52.0, "52"),
        (100.0, "100"),
        (52.5, "52.5"),
        (52.25, "52.3"),  # one decimal at most, rounded half up
        (0, "0"),
        (-0.0, "0"),
        (7, "7"),
        (None, "—"),
    ],
)
def test_a_score_is_written_without_a_needless_decimal(value, written):
    assert format_score(value) == written


def _login(app, room, i: int = 0) -> tuple[Browser, object]:
    b = Browser(app.test_client())
    response = b.post("/exam/login", {"code": room.codes[i], "id_tail": room.tails[i]})
    return b, response


def _with_sitting(app, sitting_id: int, action) -> None:
    with committing(app):
        action(db.session.get(Sitting, sitting_id))


def _score_line(page: str) -> str:
    match = re.search(r'data-testid="score">([^<]*)<', page)
    assert match, page[:2000]
    return match.group(1)


def test_released_results_are_reached_by_logging_in_again(app, make_sitting, make_attempt):
    room = make_sitting(open=True, candidates=2, show_score="after_release")
    first = make_attempt(room, 0, state="submitted", answers="correct")
    finish = first.browser.get("/exam/finish").get_data(as_text=True)
    assert "成绩将在发布后通知您" in finish and 'data-testid="score"' not in finish
    first.browser.post("/exam/logout")

    _, refused = _login(app, room)
    assert refused.status_code == 200 and "您已交卷" in refused.get_data(as_text=True)

    _with_sitting(app, room.id, sittings.release_results)
    b, response = _login(app, room)
    assert response.status_code == 302
    page = b.get("/exam/finish").get_data(as_text=True)
    assert re.fullmatch(r"得分：\d+ / \d+", _score_line(page)), _score_line(page)
    assert "合格" in page and "不合格" not in page


def test_the_review_opens_only_once_the_whole_room_is_done(app, make_sitting, make_attempt):
    room = make_sitting(open=True, candidates=2, allow_review=True)
    first = make_attempt(room, 0, state="submitted", answers="wrong")
    b = first.browser
    finish = b.get("/exam/finish").get_data(as_text=True)
    assert "不合格" in finish
    # The other candidate has not even begun: no key reaches this room yet.
    assert "查看试卷和解析" not in finish and "全部考生交卷后" in finish
    review = b.get("/exam/review")
    assert review.status_code == 200
    assert "全部考生交卷后" in review.get_data(as_text=True)
    assert "正确答案" not in review.get_data(as_text=True)

    second = started(app, room, 1)
    assert "正确答案" not in b.get("/exam/review").get_data(as_text=True)  # still answering
    assert second.post("/exam/submit").headers["Location"] == "/exam/finish"
    assert "查看试卷和解析" in b.get("/exam/finish").get_data(as_text=True)
    assert "正确答案" in b.get("/exam/review").get_data(as_text=True)


def test_a_closed_sitting_opens_the_review_and_still_lets_the_candidate_in(
    app, make_sitting, make_attempt
):
    room = make_sitting(open=True, candidates=3, allow_review=True)
    make_attempt(room, 0, state="submitted", answers="correct").browser.post("/exam/logout")
    _with_sitting(app, room.id, sittings.close_sitting)
    b, response = _login(app, room)
    assert response.status_code == 302  # the result, after the end of the test
    assert "正确答案" in b.get("/exam/review").get_data(as_text=True)
    _, absent = _login(app, room, 1)
    assert absent.status_code == 200 and "已结束" in absent.get_data(as_text=True)


def test_no_review_where_the_sitting_does_not_allow_it(app, make_sitting, make_attempt):
    room = make_sitting(open=True, candidates=1, allow_review=False)
    b = make_attempt(room, 0, state="submitted", answers="correct").browser
    assert "解析" not in b.get("/exam/finish").get_data(as_text=True)
    assert b.get("/exam/review").status_code == 404


def test_scores_on_the_verification_page_have_no_needless_decimal(app, make_sitting):
    room = make_sitting(candidates=2, graded=[True, False])
    with committing(app):
        whole, partial = db.session.get(Sitting, room.id).attempts
        whole.score, whole.max_score, whole.result_token = 52.0, 100.0, "tok-whole"
        partial.score, partial.max_score, partial.result_token = 52.5, 100.0, "tok-half"
    client = app.test_client()
    page = client.get("/exam/verify/tok-whole").get_data(as_text=True)
    assert "52 / 100" in page and "52.0" not in page and "100.0" not in page
    assert "52.5 / 100" in client.get("/exam/verify/tok-half").get_data(as_text=True)


def _save_state(page: str) -> str:
    match = re.search(r"<span[^>]*data-save-state[^>]*>([^<]*)</span>", page)
    assert match, page[:3000]
    return match.group(1)


def test_without_the_script_the_header_says_saved_only_after_a_save(app, exam_world):
    b = started(app, exam_world)
    assert "已保存" not in _save_state(b.get("/exam/paper").get_data(as_text=True))
    response = b.post("/exam/save", {"q0": "0", "action": "save"})
    assert response.headers["Location"] == "/exam/paper"
    assert _save_state(b.get("/exam/paper").get_data(as_text=True)) == "已保存"
    # A later visit (another choice clicked but not saved, then a reload) claims nothing.
    assert "已保存" not in _save_state(b.get("/exam/paper").get_data(as_text=True))


def test_every_candidate_page_offers_large_text(app, exam_world, make_attempt):
    b = Browser(app.test_client())
    login = b.get("/exam/login").get_data(as_text=True)
    assert "data-text-size" in login and "js/candidate.js" in login
    assert "请输入身份证号后 6 位" in login  # the ID tail's hint
    b = started(app, exam_world)
    for url in ("/exam/paper", "/exam/practice?new=1", "/exam/submit"):
        assert "data-text-size" in b.get(url, follow_redirects=True).get_data(as_text=True), url
    done = make_attempt(state="submitted").browser
    finish = done.get("/exam/finish").get_data(as_text=True)
    assert "data-text-size" in finish and "data-clear-answers" in finish
    # Staff pages do not get it.
    assert "data-text-size" not in app.test_client().get("/login").get_data(as_text=True)


def test_the_offline_banner_says_the_answers_are_kept_and_answering_may_go_on(app, exam_world):
    page = started(app, exam_world).get("/exam/paper").get_data(as_text=True)
    texts = json.loads(html.unescape(re.search(r'data-i18n="([^"]*)"', page).group(1)))
    for key in ("offline", "offlineNoStorage"):
        assert "网络恢复后自动发送" in texts[key] and "可以继续答题" in texts[key], texts[key]
    assert "答案已保存在本机" in texts["offline"]


def test_the_staff_are_called_invigilators_everywhere():
    sources = [p for ext in ("py", "html", "js") for p in PACKAGE.rglob(f"*.{ext}")]
    sources.append(PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po")
    offending = [str(p) for p in sources if "监考老师" in p.read_text(encoding="utf-8")]
    assert offending == []
    slip = (PACKAGE / "exams" / "templates" / "exams" / "slips.html").read_text(encoding="utf-8")
    assert "或扫描二维码打开登录页" in slip


def test_a_login_for_the_result_does_not_count_as_a_switch(app, make_sitting, make_attempt):
    room = make_sitting(open=True, candidates=1, second_login="refuse")
    make_attempt(room, 0, state="submitted", answers="correct")  # still logged in there
    b, response = _login(app, room)
    assert response.status_code == 302  # not "taken": nothing can change any more
    assert "得分" in b.get("/exam/finish").get_data(as_text=True)
    with committing(app):
        assert db.session.get(Attempt, room.attempts[0].id).session_switches == 0
