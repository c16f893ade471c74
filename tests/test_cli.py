"""The `flask` commands: demo, create-admin, bodies."""

from __future__ import annotations

import re

from examsite.auth.models import User
from examsite.core.body import Body
from examsite.demo import DEMO_PASSWORD
from tests.fixtures.factories import count
from tests.fixtures.web import Browser


def test_demo_is_idempotent(app, runner, browser):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and DEMO_PASSWORD in first.output
    bodies, users = count(app, Body), count(app, User)
    assert (bodies, users) == (3, 6)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "present" in second.output
    assert (count(app, Body), count(app, User)) == (bodies, users)
    assert browser.login("admin", DEMO_PASSWORD).status_code == 302


def test_demo_opens_a_sitting_a_newcomer_can_sit_at_once(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    lines = re.findall(r"^candidate (\S+) (\S{6})$", result.output, flags=re.M)
    assert len(lines) == 5, result.output
    again = runner.invoke(args=["demo"])
    assert re.findall(r"^candidate (\S+) (\S{6})$", again.output, flags=re.M) == lines
    code, secret = lines[0]
    b = Browser(app.test_client())
    assert b.post("/exam/login", {"code": code, "id_tail": secret}).status_code == 302
    assert b.post("/exam/start").headers["Location"] == "/exam/paper"
    assert "第 40 题" in b.get("/exam/paper").get_data(as_text=True)
    # The demo's practice is open, from the practice set shipped with the bank.
    page = Browser(app.test_client()).get("/practice/east?new=1").get_data(as_text=True)
    assert "第 1 / 10 题" in page


def test_bodies_add_and_list(app, runner):
    result = runner.invoke(
        args=[
            "bodies",
            "add",
            "--code",
            "north",
            "--name",
            "北市人大常委会",
            "--level",
            "municipal",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["bodies", "add", "--code", "n1", "--name", "北一县人大常委会", "--parent", "north"]
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["bodies", "list"]).output
    assert "n1\tcounty\tnorth\t北一县人大常委会" in listing


def test_bodies_add_rejects_bad_input(app, runner):
    assert runner.invoke(args=["bodies", "add", "--code", "Bad Code", "--name", "x"]).exit_code != 0
    orphan = runner.invoke(args=["bodies", "add", "--code", "orphan", "--name", "孤县"])
    assert orphan.exit_code != 0 and "上级机关" in orphan.output
    missing = runner.invoke(
        args=["bodies", "add", "--code", "lost", "--name", "失县", "--parent", "nowhere"]
    )
    assert missing.exit_code != 0
    assert count(app, Body) == 0


def test_create_admin(app, runner, browser):
    runner.invoke(
        args=["bodies", "add", "--code", "south", "--name", "南市", "--level", "municipal"]
    )
    result = runner.invoke(
        args=[
            "create-admin",
            "--body",
            "south",
            "--username",
            "boss",
            "--name",
            "王主任",
            "--password",
            "Strong-pass-2026",
        ]
    )
    assert result.exit_code == 0, result.output
    assert browser.login("boss", "Strong-pass-2026").status_code == 302
    weak = runner.invoke(
        args=[
            "create-admin",
            "--body",
            "south",
            "--username",
            "weak",
            "--name",
            "弱",
            "--password",
            "123",
        ]
    )
    assert weak.exit_code != 0 and "too weak" in weak.output


def test_every_command_has_help(runner):
    for args in (["demo"], ["create-admin"], ["bodies"], ["bodies", "add"], ["bodies", "list"]):
        result = runner.invoke(args=[*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, args
