"""Administrators create, change, disable and reset staff accounts of their bodies."""

from __future__ import annotations

import re

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from tests.fixtures.factories import count, get_user

_TEMP = re.compile(r'data-testid="temporary-password">([^<]+)<')


def _temporary_password(response) -> str:
    match = _TEMP.search(response.get_data(as_text=True))
    assert match, "temporary password not shown"
    return match.group(1)


def test_admin_creates_county_staff_who_then_sees_only_that_county(app, world, login_as, browser):
    admin = login_as("admin")
    response = admin.post(
        "/bodies/east/staff/new", {"username": "Zhang.Wei", "name": "张伟", "role": "staff"}
    )
    assert response.status_code == 200
    password = _temporary_password(response)
    user = get_user(app, "zhang.wei")  # stored lower-case
    assert user.body_id == world.east.id and user.must_change_password
    assert count(app, AuditEvent, AuditEvent.action == "user.create") >= 1

    # The new member logs in, must change the temporary password, then sees only east.
    assert browser.login("zhang.wei", password).headers["Location"] == "/account/password"
    browser.post(
        "/account/password",
        {"current": password, "new": "Mine-own-pass-9", "confirm": "Mine-own-pass-9"},
    )
    assert browser.get("/bodies/east").status_code == 200
    assert browser.get("/bodies/west").status_code == 404
    assert browser.get("/bodies").headers["Location"] == "/bodies/east"


def test_duplicate_username_is_refused(app, world, login_as):
    b = login_as("east-admin")
    before = count(app, User)
    response = b.post(
        "/bodies/east/staff/new", {"username": "west-staff", "name": "重名", "role": "staff"}
    )
    assert "该用户名已被使用" in response.get_data(as_text=True)
    assert count(app, User) == before


def test_bad_username_is_explained(world, login_as):
    b = login_as("east-admin")
    response = b.post(
        "/bodies/east/staff/new", {"username": "张 三", "name": "张三", "role": "staff"}
    )
    assert "用户名只能包含小写字母" in response.get_data(as_text=True)


def test_disable_and_enable(app, world, login_as, browser):
    b = login_as("east-admin")
    target = world.east_staff
    victim = login_as("east-staff")
    assert b.post(f"/bodies/east/staff/{target.id}/active").status_code == 302
    assert not get_user(app, "east-staff").active
    assert victim.get("/").status_code == 302  # its open session ended
    assert "该账号已停用" in browser.login("east-staff").get_data(as_text=True)
    b.post(f"/bodies/east/staff/{target.id}/active")
    assert browser.login("east-staff").status_code == 302
    actions = [
        a
        for a in ("user.disable", "user.enable")
        if count(app, AuditEvent, AuditEvent.action == a, AuditEvent.target_id == str(target.id))
    ]
    assert actions == ["user.disable", "user.enable"]


def test_reset_password_gives_a_new_temporary_password(app, world, login_as, browser):
    b = login_as("east-admin")
    response = b.post(f"/bodies/east/staff/{world.east_staff.id}/reset-password")
    password = _temporary_password(response)
    assert browser.login("east-staff").status_code == 200  # old password is dead
    assert browser.login("east-staff", password).headers["Location"] == "/account/password"


def test_edit_name_and_role(app, world, login_as):
    b = login_as("east-admin")
    response = b.post(
        f"/bodies/east/staff/{world.east_staff.id}/edit", {"name": "新名字", "role": "body_admin"}
    )
    assert response.status_code == 302
    user = get_user(app, "east-staff")
    assert (user.name, user.role) == ("新名字", "body_admin")


def test_staff_list_filters_and_paginates(app, world, create_user, login_as):
    for i in range(25):
        create_user("east", username=f"clerk{i:02d}")
    b = login_as("east-admin")
    first = b.get("/bodies/east").get_data(as_text=True)
    assert "共 27 条" in first
    assert 'rel="next"' in first
    filtered = b.get("/bodies/east", query_string={"q": "clerk07"}).get_data(as_text=True)
    assert "clerk07" in filtered and "clerk08" not in filtered
