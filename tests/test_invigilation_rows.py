"""The panel's rows follow their candidate: the actions each state allows (in the page
and in the poll), a locked or reissued admission code, and a forced submission's reason
on the candidate's page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from examsite.auth.models import User
from examsite.exams.models import Sitting
from examsite.extensions import db
from tests.fixtures.candidate import started
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt
from tests.fixtures.web import Browser


def panel_url(room, suffix: str = "") -> str:
    return f"/bodies/east/invigilate/{room.sitting_id}/{suffix}"


@pytest.fixture
def assigned(app, exam_world):
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        sitting.invigilators = [
            db.session.scalars(select(User).where(User.username == "east-staff")).one()
        ]


def _row(page: str, attempt_id: int) -> str:
    start = page.index(f'<tr data-attempt="{attempt_id}"')
    return page[start : page.index("</tr>", start)]


def _shown(row: str) -> set[str]:
    """The row's actions that are not hidden."""
    return set(re.findall(r'data-action="([\w-]+)"(?![^>]*\bhidden\b)', row))


def _rows(staff, room) -> dict[int, dict]:
    return {r["id"]: r for r in staff.get(panel_url(room, "data")).get_json()["rows"]}


def test_actions_follow_the_state_in_page_and_poll(app, exam_world, assigned, login_as):
    staff = login_as("east-staff")
    aid = exam_world.attempt_ids[0]
    before = set(_rows(staff, exam_world)[aid]["actions"])
    assert "force-submit" not in before and "absent" in before
    assert _shown(_row(staff.get(panel_url(exam_world)).get_data(as_text=True), aid)) == before

    started(app, exam_world, 0)
    after = set(_rows(staff, exam_world)[aid]["actions"])
    assert {"force-submit", "extend", "reset"} <= after and "absent" not in after
    assert _shown(_row(staff.get(panel_url(exam_world)).get_data(as_text=True), aid)) == after
    # Every action form is in the page whatever the state, for the poll to show.
    row = _row(staff.get(panel_url(exam_world)).get_data(as_text=True), aid)
    assert 'data-action="absent"' in row and 'data-action="unlock"' in row


def test_a_locked_code_shows_its_badge_and_unlock_on_the_row(app, exam_world, assigned, login_as):
    aid = exam_world.attempt_ids[1]
    for _ in range(app.config["EXAMSITE_LOGIN_MAX_FAILURES"]):
        Browser(app.test_client()).post(
            "/exam/login", {"code": exam_world.codes[1], "id_tail": "000000"}
        )
    staff = login_as("east-staff")
    assert "unlock" in _rows(staff, exam_world)[aid]["actions"]
    row = _row(staff.get(panel_url(exam_world)).get_data(as_text=True), aid)
    assert "准考证号已锁定</span>" in row and 'data-locked="true"' in row
    assert "unlock" in _shown(row)
    staff.post(panel_url(exam_world, f"attempts/{aid}/unlock"), {"reason": "已核实身份"})
    assert "unlock" not in _rows(staff, exam_world)[aid]["actions"]


def test_a_reissued_code_shows_the_new_code_and_reprint(app, exam_world, assigned, login_as):
    aid = exam_world.attempt_ids[0]
    staff = login_as("east-staff")
    assert _rows(staff, exam_world)[aid]["reissued"] is False
    staff.post(panel_url(exam_world, f"attempts/{aid}/reissue"), {"reason": "准考证遗失"})
    new_code = get_attempt(app, aid).admission_code
    data = _rows(staff, exam_world)[aid]
    assert data["reissued"] is True and data["admission_code"] == new_code
    row = _row(staff.get(panel_url(exam_world)).get_data(as_text=True), aid)
    assert "已重新生成准考证号" in row and new_code in row
    assert f"/slips?attempt={aid}" in row and "补打准考证" in row
    other = _row(staff.get(panel_url(exam_world)).get_data(as_text=True), exam_world.attempt_ids[1])
    assert re.search(r'<span data-field="reissued" hidden>', other)


def test_a_forced_submission_tells_the_candidate_why(app, exam_world, assigned, login_as):
    c = started(app, exam_world, 0)
    aid = exam_world.attempt_ids[0]
    login_as("east-staff").post(
        panel_url(exam_world, f"attempts/{aid}/force-submit"), {"reason": "考试时间已到，设备故障"}
    )
    page = c.get("/exam/finish").get_data(as_text=True)
    assert "监考人员已为您交卷：考试时间已到，设备故障" in page


def test_a_candidate_who_submits_sees_no_such_sentence(app, exam_world):
    c = started(app, exam_world, 0)
    c.post("/exam/submit")
    assert "监考人员已为您交卷" not in c.get("/exam/finish").get_data(as_text=True)
