"""The `flask` commands: demo, create-admin, bodies."""

from __future__ import annotations

from examsite.auth.models import User
from examsite.bodies.models import Body
from examsite.demo import DEMO_PASSWORD
from tests.fixtures.factories import count


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
