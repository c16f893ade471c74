"""Creating bodies, and the audit log page."""

from __future__ import annotations

from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from tests.fixtures.database import committing
from tests.fixtures.factories import count


def test_admin_creates_a_county(app, world, login_as):
    b = login_as("admin")
    response = b.post(
        "/bodies/new",
        {"code": "north", "name": "北山县人大常委会", "level": "county", "parent": "city"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/bodies/north"
    assert "北山县人大常委会" in b.get("/bodies/north").get_data(as_text=True)
    assert count(app, AuditEvent, AuditEvent.action == "body.create") == 4  # 3 from world


def test_body_form_errors_are_clear_and_change_nothing(app, world, login_as):
    b = login_as("admin")
    before = count(app, Body)
    dup = b.post(
        "/bodies/new", {"code": "east", "name": "新名", "level": "county", "parent": "city"}
    )
    assert "代码“east”已被使用" in dup.get_data(as_text=True)
    bad = b.post("/bodies/new", {"code": "9x", "name": "某县", "level": "county", "parent": "city"})
    assert "代码须以小写字母开头" in bad.get_data(as_text=True)
    under_county = b.post(
        "/bodies/new", {"code": "tiny", "name": "某乡", "level": "county", "parent": "east"}
    )
    assert under_county.status_code == 200  # a county is not offered as a parent
    assert count(app, Body) == before


def test_body_list_filters(world, login_as):
    b = login_as("admin")
    page = b.get("/bodies", query_string={"level": "county", "q": "西山"}).get_data(as_text=True)
    assert "西山县人大常委会" in page and "东城区人大常委会" not in page


def test_rename(world, login_as):
    b = login_as("admin")
    assert b.post("/bodies/east/edit", {"name": "东城区人大常委会（新）"}).status_code == 302
    assert "东城区人大常委会（新）" in b.get("/bodies/east").get_data(as_text=True)
    taken = b.post("/bodies/east/edit", {"name": "西山县人大常委会"})
    assert "该名称已被其他机关使用" in taken.get_data(as_text=True)


def test_audit_log_records_login_logout_and_failures(app, world, login_as, browser):
    browser.login("east-staff", "wrong-password-9")
    b = login_as("east-staff")
    b.logout()
    actions = {a for (a,) in _actions(app)}
    assert {"auth.login_failed", "auth.login", "auth.logout"} <= actions


def _actions(app):
    from sqlalchemy import select

    from examsite.extensions import db

    with committing(app):
        return db.session.execute(select(AuditEvent.action)).all()


def test_audit_page_is_scoped_and_filterable(world, login_as):
    login_as("west-staff")  # an event of the west body
    login_as("east-staff")
    east = login_as("east-admin")
    page = east.get("/audit", query_string={"action": "auth.login"}).get_data(as_text=True)
    assert "east-staff" in page and "west-staff" not in page
    admin = login_as("admin")
    everything = admin.get("/audit", query_string={"action": "auth.login"}).get_data(as_text=True)
    assert "east-staff" in everything and "west-staff" in everything
    only_west = admin.get("/audit", query_string={"body": "west"}).get_data(as_text=True)
    assert "west-staff" in only_west and "east-staff" not in only_west
