"""Staff login, throttling, sessions and password changes."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from examsite.auth.models import LoginThrottle
from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from tests.fixtures.factories import PASSWORD, count


def test_login_page_is_chinese(browser):
    page = browser.get("/login").get_data(as_text=True)
    assert "工作人员登录" in page
    assert 'lang="zh-CN"' in page


def test_login_then_dashboard(world, browser):
    response = browser.login("east-staff")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = browser.get("/").get_data(as_text=True)
    assert "东城区人大常委会" in page


def test_wrong_password_is_refused_with_message(app, world, browser):
    response = browser.login("east-staff", "wrong-password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert count(app, AuditEvent, AuditEvent.action == "auth.login_failed") == 1
    assert browser.get("/").status_code == 302  # still anonymous


def test_five_failures_lock_the_account_even_for_the_right_password(app, world, browser):
    for _ in range(5):
        browser.login("east-staff", "wrong-password-1", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    # From another address, with the right password: the account itself is locked.
    response = browser.login("east-staff", environ_base={"REMOTE_ADDR": "10.0.0.10"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登录失败次数过多" in text
    assert "15 分钟" in text
    assert browser.get("/").status_code == 302


def test_lock_ends_after_fifteen_minutes(world, browser):
    for _ in range(5):
        browser.login("east-staff", "wrong-password-1")
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        assert browser.login("east-staff").status_code == 302


def test_failures_from_one_ip_lock_that_ip_across_accounts(world, browser):
    ip = {"REMOTE_ADDR": "10.1.1.1"}
    for name in ["a1x", "b2x", "c3x", "d4x", "e5x"]:
        browser.login(name, "whatever-1", environ_base=ip)
    response = browser.login("west-staff", environ_base=ip)
    assert "登录失败次数过多" in response.get_data(as_text=True)
    # Another address is not affected.
    assert browser.login("west-staff", environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code == 302


def test_success_clears_the_account_counter(app, world, browser):
    for _ in range(4):
        browser.login("east-staff", "wrong-password-1")
    assert browser.login("east-staff").status_code == 302
    assert count(app, LoginThrottle, LoginThrottle.key == "user:east-staff") == 0


def test_disabled_account_cannot_log_in(world, create_user, browser):
    create_user("east", username="gone", active=False)
    response = browser.login("gone")
    assert "该账号已停用" in response.get_data(as_text=True)


def test_login_starts_a_fresh_session(world, browser):
    with browser.client.session_transaction() as session:
        session["planted"] = "by-attacker"
    browser.login("east-staff")
    with browser.client.session_transaction() as session:
        assert "planted" not in session


def test_next_parameter_is_kept_but_only_for_local_paths(world, browser):
    assert (
        browser.login("east-staff", query_string={"next": "/bodies/east"}).headers["Location"]
        == "/bodies/east"
    )
    browser.logout()
    assert (
        browser.login("east-staff", query_string={"next": "//evil.example/"}).headers["Location"]
        == "/"
    )


def test_logout_kills_the_session_cookie_server_side(app, world, login_as):
    b = login_as("east-staff")
    stolen = b.client.get_cookie("examsite_session")
    assert stolen is not None
    assert b.logout().status_code == 302
    replay = app.test_client()
    replay.set_cookie("examsite_session", stolen.value)
    response = replay.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_session_expires_after_inactivity(app, world, login_as):
    b = login_as("east-staff")
    assert b.get("/").status_code == 200
    kept = b.client.get_cookie("examsite_session").value
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        response = b.get("/")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
        assert "请重新登录" in b.get("/login").get_data(as_text=True)
        # Replaying the old cookie does not bring the session back.
        stubborn = app.test_client()
        stubborn.set_cookie("examsite_session", kept)
        assert stubborn.get("/").status_code == 302


def test_activity_keeps_the_session_alive(world, login_as):
    b = login_as("east-staff")
    start = utcnow()
    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert b.get("/").status_code == 200


def test_change_password_enforces_policy(world, login_as):
    b = login_as("east-staff")
    response = b.post(
        "/account/password", {"current": PASSWORD, "new": "short1", "confirm": "short1"}
    )
    text = response.get_data(as_text=True)
    assert "密码至少需要 10 个字符" in text
    response = b.post(
        "/account/password",
        {"current": "not-my-password-1", "new": "Another-pass-77", "confirm": "Another-pass-77"},
    )
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_change_password_works_and_old_password_stops_working(world, login_as, browser):
    b = login_as("east-staff")
    response = b.post(
        "/account/password",
        {"current": PASSWORD, "new": "Another-pass-77", "confirm": "Another-pass-77"},
    )
    assert response.status_code == 302
    assert b.get("/").status_code == 200  # this browser stays signed in
    assert browser.login("east-staff").status_code == 200
    assert browser.login("east-staff", "Another-pass-77").status_code == 302


def test_temporary_password_must_be_changed_first(world, create_user, login_as):
    create_user("east", username="newbie", must_change_password=True)
    b = login_as("newbie")
    response = b.get("/bodies/east")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
