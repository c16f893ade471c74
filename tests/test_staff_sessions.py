"""Staff sessions (issue 16, item 4): a warning before the idle timeout that "继续工作" answers,
a hard maximum after login however busy, and temporary passwords that expire."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine

from examsite.core import web
from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from tests.fixtures.factories import count, get_user
from tests.fixtures.web import csrf_token

MIN = 60


class Clock:
    """The clock core/web.py reads for the session's two times, moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(web, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


def _keepalive(b, token: str):
    return b.client.post(
        "/session/keepalive", headers={"X-CSRFToken": token, "Accept": "application/json"}
    )


def _attribute(page: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', page)
    assert match, f"no {name} on the page"
    return match.group(1)


# ------------------------------------------------------------------ the warning on the page


def test_staff_pages_carry_the_idle_warning_with_its_timing(app, world, login_as, clock):
    b = login_as("east-staff")
    page = b.get("/").get_data(as_text=True)
    assert 'role="alertdialog"' in page and "data-session-warning" in page
    assert _attribute(page, "data-idle-left") == "1800"
    assert _attribute(page, "data-warn") == "300"
    assert _attribute(page, "data-max-left") == str(12 * 3600)
    assert _attribute(page, "data-keepalive-url") == "/session/keepalive"
    assert _attribute(page, "data-status-url") == "/session/status"
    assert "继续工作" in page
    assert "/static/js/session.js" in page
    assert "data-session-warning" not in b.client.application.test_client().get("/login").text
    # Twenty minutes later, the next page: the idle clock is full again, the maximum is not.
    clock.advance(20 * MIN)
    page = b.get("/").get_data(as_text=True)
    assert _attribute(page, "data-idle-left") == "1800"
    assert _attribute(page, "data-max-left") == str(12 * 3600 - 20 * MIN)


def test_the_settings_set_the_timing(app, world, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "EXAMSITE_SESSION_IDLE_MINUTES", 20)
    monkeypatch.setitem(app.config, "EXAMSITE_SESSION_WARN_MINUTES", 3)
    monkeypatch.setitem(app.config, "EXAMSITE_STAFF_SESSION_MAX_HOURS", 8)
    page = login_as("east-staff").get("/").get_data(as_text=True)
    assert _attribute(page, "data-idle-left") == "1200"
    assert _attribute(page, "data-warn") == "180"
    assert _attribute(page, "data-max-left") == str(8 * 3600)


# ------------------------------------------------------------------ keepalive


def test_keepalive_keeps_the_session_that_idle_time_ends(app, world, login_as, clock):
    kept, idle = login_as("east-staff"), login_as("east-staff")
    kept_token, idle_token = csrf_token(kept.client, "/"), csrf_token(idle.client, "/")
    clock.advance(26 * MIN)  # both pages show the warning now

    # Asking how long is left does not count as activity.
    status = idle.client.get("/session/status", headers={"Accept": "application/json"})
    assert status.status_code == 200
    assert status.get_json()["idle_left"] == 4 * MIN

    answer = _keepalive(kept, kept_token)
    assert answer.status_code == 200
    assert answer.get_json()["idle_left"] == 30 * MIN
    assert answer.get_json()["max_left"] == 12 * 3600 - 26 * MIN

    clock.advance(5 * MIN)  # 31 minutes after the last page of either
    assert kept.get("/").status_code == 200
    refused = _keepalive(idle, idle_token)  # too late: the session has ended
    assert refused.status_code == 401
    assert refused.get_json()["code"] == "session_ended"
    back = idle.get("/")
    assert back.status_code == 302 and back.headers["Location"].startswith("/login")
    assert "您已长时间未操作" in idle.get("/login").get_data(as_text=True)


def test_keepalive_needs_the_csrf_token_and_a_staff_session(app, world, login_as, browser, clock):
    b = login_as("east-staff")
    csrf_token(b.client, "/")
    clock.advance(26 * MIN)
    assert b.client.post("/session/keepalive").status_code == 400
    clock.advance(5 * MIN)
    assert b.get("/").status_code == 302  # the refused keepalive did not extend it
    anonymous = browser.client.get("/session/status", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401


def test_an_idle_expired_status_question_answers_401_not_a_login_page(app, world, login_as, clock):
    b = login_as("east-staff")
    clock.advance(31 * MIN)
    response = b.client.get("/session/status", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "session_ended"
    # Asked by a browser, not the page script: the login page, as for any staff page.
    assert b.get("/session/status").headers["Location"].startswith("/login?next=")


# ------------------------------------------------------------------ hard maximum


def test_the_hard_maximum_ends_a_busy_session(app, world, login_as, clock):
    b = login_as("east-staff")
    token = csrf_token(b.client, "/")
    for _ in range(24):  # a click every 29 minutes for 11 h 36 min
        clock.advance(29 * MIN)
        assert b.get("/").status_code == 200
    clock.advance(20 * MIN)  # 11 h 56 min: the keepalive cannot go past the maximum
    answer = _keepalive(b, token)
    assert answer.status_code == 200
    assert answer.get_json()["max_left"] == 4 * MIN
    clock.advance(4 * MIN + 1)
    response = b.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "您本次登录已超过 12 小时" in b.get("/login").get_data(as_text=True)
    # A new login starts a new session.
    assert b.login("east-staff").status_code == 302
    assert b.get("/").status_code == 200


# ------------------------------------------------------------------ temporary passwords

_TEMP = re.compile(r'data-testid="temporary-password">([^<]+)<')


def _temporary_password(response) -> str:
    match = _TEMP.search(response.get_data(as_text=True))
    assert match, "temporary password not shown"
    return match.group(1)


def test_a_temporary_password_expires_and_is_reissued(app, world, login_as, browser):
    admin = login_as("east-admin")
    created = admin.post(
        "/bodies/east/staff/new", {"username": "li.na", "name": "李娜", "role": "staff"}
    )
    password = _temporary_password(created)
    assert 'data-testid="temporary-password-expiry"' in created.get_data(as_text=True)
    user = get_user(app, "li.na")
    assert user.password_expires_at is not None
    assert abs(user.password_expires_at - (utcnow() + timedelta(hours=72))) < timedelta(minutes=1)

    with time_machine.travel(utcnow() + timedelta(hours=73), tick=False):
        refused = browser.login("li.na", password)
        assert refused.status_code == 200
        text = refused.get_data(as_text=True)
        assert "临时密码已过期" in text and "重新签发" in text
        assert browser.get("/").status_code == 302  # not signed in
        assert count(app, AuditEvent, AuditEvent.action == "auth.login_expired_password") == 1

        admin = login_as("east-admin")
        edit = admin.get(f"/bodies/east/staff/{user.id}/edit").get_data(as_text=True)
        assert "临时密码已于" in edit and "重新签发临时密码" in edit
        reissued = admin.post(f"/bodies/east/staff/{user.id}/reset-password")
        new_password = _temporary_password(reissued)
        expiry = get_user(app, "li.na").password_expires_at
        assert expiry is not None and expiry > utcnow() + timedelta(hours=71)

        # The re-issued password works and still forces a change, which clears the expiry.
        first = browser.login("li.na", new_password)
        assert first.headers["Location"] == "/account/password"
        browser.post(
            "/account/password",
            {"current": new_password, "new": "Mine-own-pass-9", "confirm": "Mine-own-pass-9"},
        )
        changed = get_user(app, "li.na")
        assert changed.password_expires_at is None and not changed.must_change_password


def test_a_reset_sets_an_expiry_and_a_wrong_password_is_still_just_wrong(
    app, world, login_as, browser
):
    admin = login_as("east-admin")
    admin.post(f"/bodies/east/staff/{world.east_staff.id}/reset-password")
    assert get_user(app, "east-staff").password_expires_at is not None
    with time_machine.travel(utcnow() + timedelta(hours=73), tick=False):
        wrong = browser.login("east-staff", "not-the-password-1").get_data(as_text=True)
        assert "用户名或密码错误" in wrong and "临时密码已过期" not in wrong
        # A password of one's own never expires.
        assert get_user(app, "west-staff").password_expires_at is None
        assert browser.login("west-staff").status_code == 302
