"""The candidate's login secret (the ID number's last 6 characters) is printed nowhere, one
answer for every failed login, a lock per admission code the invigilator lifts, and a
session that ends on logout and stays on one computer (issue 16, items 2 and 4)."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import select

from examsite.core.audit import AuditEvent
from examsite.exams.models import Attempt, Candidate, Sitting
from examsite.extensions import db
from tests.fixtures.candidate import candidate, save, started
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt, make_id
from tests.fixtures.web import Browser

_PARTIAL_TAIL = re.compile(r"\*{4,}[0-9Xx]")


def _actions(app, action: str) -> list[AuditEvent]:
    with committing(app):
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _login(app, code: str, tail: str, ip: str = "127.0.0.1"):
    b = Browser(app.test_client())
    b.client.environ_base["REMOTE_ADDR"] = ip
    return b, b.post("/exam/login", {"code": code, "id_tail": tail})


def _flash(response) -> str:
    match = re.search(r'class="flash flash-error"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return match.group(1).strip() if match else ""


def test_no_page_print_or_export_shows_any_character_of_the_id_tail(app, exam_world, login_as):
    staff = login_as("east-admin")
    sid = exam_world.sitting_id
    base = f"/bodies/east/exams/sittings/{sid}"
    pages = [
        "/bodies/east/exams/candidates",
        base,
        f"{base}/slips",
        f"/bodies/east/invigilate/{sid}/",
        f"/bodies/east/invigilate/{sid}/paper?attempt={exam_world.attempt_ids[0]}",
        f"/bodies/east/invigilate/{sid}/record",
        f"{base}/results",
    ]
    for url in pages:
        response = staff.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "110101********" in text, url
        assert not _PARTIAL_TAIL.search(text), url
    # The results workbook: every cell, not only the ID column.
    workbook = openpyxl.load_workbook(io.BytesIO(staff.get(f"{base}/results.xlsx").data))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
    assert "110101********" in cells
    assert not any(tail in cell for cell in cells for tail in exam_world.tails)
    # The candidate's own waiting room shows the same mask.
    page = candidate(app, exam_world).get("/exam/").get_data(as_text=True)
    assert "110101********" in page and not _PARTIAL_TAIL.search(page)


def test_a_wrong_code_and_a_wrong_tail_get_the_same_answer(app, exam_world):
    _b, wrong_tail = _login(app, exam_world.codes[0], "000000")
    _b, wrong_code = _login(app, "ZZZZZZZZ", exam_world.tails[0])
    _b, short_tail = _login(app, exam_world.codes[0], "12")
    assert wrong_tail.status_code == wrong_code.status_code == 200
    assert _flash(wrong_tail) == _flash(wrong_code) == "准考证号或身份证号后 6 位不正确。"
    assert _flash(short_tail) in ("准考证号或身份证号后 6 位不正确。", "")


def test_five_wrong_tails_lock_the_code_until_the_invigilator_unlocks_it(app, exam_world, login_as):
    code, tail = exam_world.codes[0], exam_world.tails[0]
    for n in range(5):
        # Each from another computer of the lab: the count is the code's, not the client's.
        _login(app, code, "000000", ip=f"10.0.0.{n + 1}")
    _b, response = _login(app, code, tail, ip="10.0.0.9")
    assert "输入错误次数过多" in _flash(response)
    assert len(_actions(app, "candidate.code_locked")) == 1
    # Another candidate of the same room is not locked out by it.
    _other, response = _login(app, exam_world.codes[1], exam_world.tails[1], ip="10.0.0.1")
    assert response.status_code == 302

    invigilator = login_as("east-admin")
    panel = f"/bodies/east/invigilate/{exam_world.sitting_id}/"
    page = invigilator.get(panel).get_data(as_text=True)
    assert page.count('data-locked="true"') == 1 and "hidden>准考证号已锁定" in page
    data = invigilator.get(panel + "data").json
    locked = {r["id"]: r["code_locked"] for r in data["rows"]}
    assert locked[exam_world.attempt_ids[0]] is True and locked[exam_world.attempt_ids[1]] is False

    unlock = f"{panel}attempts/{exam_world.attempt_ids[0]}/unlock"
    assert invigilator.post(unlock, {"reason": "已核对身份证"}).status_code == 302
    events = _actions(app, "candidate.code_unlock")
    assert len(events) == 1 and events[0].details_dict.get("reason") == "已核对身份证"
    _b, response = _login(app, code, tail, ip="10.0.0.9")
    assert response.status_code == 302
    # Unlocking a code that is not locked is refused, and nothing is recorded.
    invigilator.post(unlock, {"reason": "再试"})
    assert len(_actions(app, "candidate.code_unlock")) == 1


def test_logout_ends_the_session_on_the_server_and_removes_the_cookies(app, exam_world):
    b = candidate(app, exam_world)
    remember = b.client.get_cookie("remember_token")
    assert remember is not None
    copy = Browser(app.test_client())
    copy.client.set_cookie("remember_token", remember.value)
    assert copy.get("/exam/").status_code == 200  # the remember cookie alone opens it

    response = b.post("/exam/logout")
    assert response.status_code == 302
    assert any(h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie")), (
        response.headers.getlist("Set-Cookie")
    )
    assert get_attempt(app, exam_world.attempt_ids[0]).session_token is None
    fresh = Browser(app.test_client())
    fresh.client.set_cookie("remember_token", remember.value)
    assert fresh.get("/exam/").headers["Location"].startswith("/exam/login")
    assert b.get("/exam/").headers["Location"].startswith("/exam/login")
    assert len(_actions(app, "candidate.logout")) == 1


def test_a_copied_cookie_does_not_work_on_another_computer(app, exam_world):
    b, response = _login(app, exam_world.codes[0], exam_world.tails[0], ip="10.1.1.5")
    assert response.status_code == 302
    assert b.get("/exam/").status_code == 200
    thief = Browser(app.test_client())
    thief.client.environ_base["REMOTE_ADDR"] = "10.1.1.6"
    thief.client.set_cookie("remember_token", b.client.get_cookie("remember_token").value)
    thief.client.set_cookie("examsite_session", b.client.get_cookie("examsite_session").value)
    response = thief.get("/exam/")
    assert response.headers["Location"].startswith("/exam/login")
    assert "只能在登录时使用的电脑上继续" in thief.get(response.headers["Location"]).get_data(
        as_text=True
    )
    # The candidate's own computer goes on.
    assert b.get("/exam/").status_code == 200


def test_a_takeover_is_shown_on_the_panel(app, exam_world, login_as):
    with committing(app):
        db.session.get(Sitting, exam_world.sitting_id).second_login = "takeover"
        db.session.commit()
    first = started(app, exam_world)
    candidate(app, exam_world)
    r = save(first, 0, [0], 1)
    assert r.json is not None, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.json["code"] == "session_replaced"
    data = login_as("east-admin").get(f"/bodies/east/invigilate/{exam_world.sitting_id}/data")
    row = next(r for r in data.json["rows"] if r["id"] == exam_world.attempt_ids[0])
    assert row["session_switches"] == 1
    assert len(_actions(app, "candidate.session_replaced")) == 1


# --------------------------------------------------------------------------- item 6


def _edit_form(name: str, id_number: str = "", reason: str = "") -> dict[str, str]:
    return {
        "name": name,
        "id_number": id_number,
        "work_unit": "某局",
        "proposed_post": "局长",
        "post_category": "government",
        "batch": "第十次会议",
        "phone": "",
        "reason": reason,
    }


def test_staff_cannot_put_their_own_id_number_on_an_enrolled_candidate(app, exam_world, login_as):
    with committing(app):
        candidate_id = db.session.get(Attempt, exam_world.attempt_ids[0]).candidate_id
    staff = login_as("east-staff")
    url = f"/bodies/east/exams/candidates/{candidate_id}/edit"
    page = staff.post(url, _edit_form("考生0", make_id(77), "本人")).get_data(as_text=True)
    assert "不能修改姓名或身份证号" in page
    page = staff.post(url, _edit_form("冒名者", "", "本人")).get_data(as_text=True)
    assert "不能修改姓名或身份证号" in page
    with committing(app):
        person = db.session.get(Candidate, candidate_id)
        assert person.name == "考生0" and person.id_number != make_id(77)
    # The old login still opens the paper; no one else's number does.
    _b, response = _login(app, exam_world.codes[0], exam_world.tails[0])
    assert response.status_code == 302
    # Other details may still be corrected, without a reason.
    form = _edit_form("考生0")
    form["work_unit"] = "另一局"
    assert staff.post(url, form).status_code == 302


def test_a_change_of_identity_outside_a_sitting_needs_a_reason_and_is_audited(app, world, login_as):
    staff = login_as("east-staff")
    assert (
        staff.post("/bodies/east/exams/candidates/new", _edit_form("张三", make_id(61))).status_code
        == 302
    )
    with committing(app):
        person_id = db.session.scalars(select(Candidate.id).where(Candidate.name == "张三")).one()
    url = f"/bodies/east/exams/candidates/{person_id}/edit"
    page = staff.post(url, _edit_form("张叁", make_id(62))).get_data(as_text=True)
    assert "须填写修改原因" in page
    with committing(app):
        assert db.session.get(Candidate, person_id).name == "张三"
    assert (
        staff.post(url, _edit_form("张叁", make_id(62), "录入错误，据任免材料更正")).status_code
        == 302
    )
    with committing(app):
        changed = db.session.get(Candidate, person_id)
        assert changed.name == "张叁" and changed.id_number == make_id(62)
    event = [e for e in _actions(app, "candidate.update") if "identity" in e.details_dict][-1]
    details = event.details_dict
    assert details["identity"]["name"] == ["张三", "张叁"]
    assert details["identity"]["id_number"] == ["110101********", "110101********"]
    assert details["reason"] == "录入错误，据任免材料更正"
    assert make_id(61) not in event.details and make_id(62)[-6:] not in event.details


def test_the_answer_api_refuses_a_huge_body_and_keeps_the_answer_unsaved(app, exam_world):
    b = started(app, exam_world)
    r = save(b, 0, [0], 1, note="x" * 100_000)
    assert r.status_code == 413
    assert save(b, 0, [0], 1).status_code == 200
