"""Each congress body sees only its own records; the municipal admin sees those below it."""

from __future__ import annotations

import pytest

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from tests.fixtures.factories import count


@pytest.mark.parametrize("username", ["east-staff", "east-admin"])
def test_county_cannot_open_a_sibling_county(world, login_as, username):
    b = login_as(username)
    assert b.get("/bodies/east").status_code == 200
    assert b.get("/bodies/west").status_code == 404
    assert b.get("/bodies/city").status_code == 404
    assert b.get("/bodies/no-such-body").status_code == 404


def test_county_admin_cannot_create_staff_in_another_county(app, world, login_as):
    b = login_as("east-admin")
    before = count(app, User)
    response = b.post(
        "/bodies/west/staff/new", {"username": "intruder", "name": "某人", "role": "staff"}
    )
    assert response.status_code == 404
    assert count(app, User) == before


def test_county_admin_cannot_touch_a_user_of_another_county(app, world, login_as):
    b = login_as("east-admin")
    west_user = world.west_staff.id
    # Through the other county's URL...
    assert b.get(f"/bodies/west/staff/{west_user}/edit").status_code == 404
    # ...or by pairing its own body with a foreign user id.
    assert b.get(f"/bodies/east/staff/{west_user}/edit").status_code == 404
    assert b.post(f"/bodies/east/staff/{west_user}/active").status_code == 404
    assert b.post(f"/bodies/east/staff/{west_user}/reset-password").status_code == 404
    assert (
        count(app, AuditEvent, AuditEvent.action.in_(["user.disable", "user.reset_password"])) == 0
    )


def test_municipal_admin_sees_every_body_below(world, login_as):
    b = login_as("admin")
    for code in ("city", "east", "west"):
        assert b.get(f"/bodies/{code}").status_code == 200
    page = b.get("/bodies").get_data(as_text=True)
    assert "东城区人大常委会" in page and "西山县人大常委会" in page


def test_municipal_admin_does_not_see_another_municipality(
    world, create_body, create_user, login_as
):
    create_body("other-city", name="另一市人大常委会", level="municipal")
    create_body("other-county", name="另一县人大常委会", parent="other-city")
    b = login_as("admin")
    assert b.get("/bodies/other-city").status_code == 404
    assert b.get("/bodies/other-county").status_code == 404
    assert "另一市人大常委会" not in b.get("/bodies").get_data(as_text=True)


def test_staff_cannot_manage_accounts(world, login_as):
    b = login_as("east-staff")
    assert b.get("/bodies/east/staff/new").status_code == 403
    assert b.get("/audit").status_code == 403
    page = b.get("/bodies/east").get_data(as_text=True)
    assert "east-admin" not in page  # the staff list is for administrators


def test_county_admin_cannot_create_bodies(world, login_as):
    b = login_as("east-admin")
    assert b.get("/bodies/new").status_code == 403
    assert b.get("/bodies").status_code == 302  # sent to its own body


def test_county_admin_cannot_grant_the_admin_role(app, world, login_as):
    b = login_as("east-admin")
    response = b.post(
        "/bodies/east/staff/new", {"username": "climber", "name": "某人", "role": "admin"}
    )
    assert response.status_code == 200
    assert "不是有效的选择" in response.get_data(as_text=True)
    assert count(app, User, User.username == "climber") == 0


def test_admin_cannot_disable_itself_or_a_higher_rank(world, login_as):
    b = login_as("east-admin")
    assert b.post(f"/bodies/east/staff/{world.east_admin.id}/active").status_code == 403
    c = login_as("city-staff")
    assert c.get(f"/bodies/city/staff/{world.admin.id}/edit").status_code == 403
