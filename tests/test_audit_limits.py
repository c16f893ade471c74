"""Input that nobody authenticated controls cannot fill the audit log or the database
(issue 16, item 8): every text field has a length cap, a failed login keeps at most 64
characters of the typed name, repeated failures share one entry per client and minute, and
`flask audit verify` finds a chain that was deleted whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import upgrade
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from examsite.auth.models import LoginThrottle
from examsite.bodies import services as body_services
from examsite.core import audit
from examsite.core.audit import AuditChainHead, AuditEvent
from examsite.core.forms import HIDDEN_LIMIT, TEXT_LIMIT, TEXTAREA_LIMIT
from examsite.extensions import db
from examsite.reports.models import ReportSettings
from tests.fixtures.database import committing, make_test_app
from tests.fixtures.factories import count

# ------------------------------------------------------------------ length caps on every form


class _Sample(FlaskForm):
    line = StringField()
    text = TextAreaField()
    hidden = HiddenField()
    own = StringField(validators=[Length(max=500)])


@pytest.mark.parametrize(
    ("field", "limit"),
    [("line", TEXT_LIMIT), ("text", TEXTAREA_LIMIT), ("hidden", HIDDEN_LIMIT)],
)
def test_a_text_field_without_a_length_of_its_own_gets_the_default_cap(app, field, limit):
    with app.test_request_context(method="POST", data={field: "字" * limit}):
        assert _Sample(meta={"csrf": False}).validate()
    with app.test_request_context(method="POST", data={field: "字" * (limit + 1)}):
        form = _Sample(meta={"csrf": False})
        assert not form.validate()
        assert f"最多 {limit} 个字符，现有 {limit + 1} 个" in str(form.errors[field][0])
    # A field with a Length of its own keeps it, even above the default.
    with app.test_request_context(method="POST", data={field: "x", "own": "x" * 500}):
        assert _Sample(meta={"csrf": False}).validate()


def test_an_over_long_text_is_refused_with_the_message_and_nothing_is_saved(app, world, login_as):
    # The address goes into a String(200) column: PostgreSQL would refuse the row (a 500).
    admin = login_as("east-admin")
    email = "a" * 240 + "@example.cn"
    response = admin.post(
        "/bodies/east/reports/settings", {"threshold_percent": "60", "reminder_email": email}
    )
    assert response.status_code == 200
    assert "最多 200 个字符，现有 251 个" in response.get_data(as_text=True)
    assert count(app, ReportSettings) == 0
    assert count(app, AuditEvent, AuditEvent.action == "report.settings") == 0


# ------------------------------------------------------------------ failed logins


def _longest_stored_text(app) -> int:
    with committing(app):
        rows = db.session.execute(sa.select(AuditEvent.actor, AuditEvent.details)).all()
        keys = db.session.scalars(sa.select(LoginThrottle.key)).all()
    return max([len(a) for a, _ in rows] + [len(d) for _, d in rows] + [len(k) for k in keys])


def test_a_9_mb_user_name_is_refused_and_never_stored(app, world, browser):
    name = "a" * (9 * 1024 * 1024)
    response = browser.login(name, "wrong-password-1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "最多 200 个字符" in page
    assert len(page) < 100_000  # the page does not echo the 9 MB back
    assert _longest_stored_text(app) < 200


def test_a_failed_login_keeps_at_most_64_characters_of_the_name(app, world, browser):
    name = "x" * 150  # short enough for the form, longer than any user name
    response = browser.login(name, "wrong-password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    with committing(app):
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
        ).one()
        assert event.actor == "x" * 64
        assert event.details_dict == {"username": "x" * 64}
        assert db.session.get(LoginThrottle, "user:" + "x" * 64) is not None
    assert _longest_stored_text(app) <= 100


def _failed(app, action: str = "auth.login_failed") -> list[tuple[str, int]]:
    with committing(app):
        return [
            (row.ip, row.repeats)
            for row in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ]


def test_fifty_failures_from_one_client_in_a_minute_are_one_entry(
    app, world, browser, runner, monkeypatch
):
    monkeypatch.setitem(app.config, "EXAMSITE_LOGIN_MAX_FAILURES_PER_IP", 1000)
    monkeypatch.setitem(app.config, "EXAMSITE_LOGIN_MAX_FAILURES", 1000)
    here = {"REMOTE_ADDR": "10.9.9.9"}
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, 1, tzinfo=UTC), tick=False):
        for n in range(50):
            browser.login(f"nobody{n}", "wrong-password-1", environ_base=here)
        browser.login("nobody", "wrong-password-1", environ_base={"REMOTE_ADDR": "10.9.9.8"})
    assert _failed(app) == [("10.9.9.9", 50), ("10.9.9.8", 1)]
    with committing(app):
        first = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
        ).first()
        assert first is not None and first.actor == "nobody0"  # the first attempt's fields
    # The next minute starts a new entry.
    with time_machine.travel(datetime(2027, 3, 1, 9, 1, 0, tzinfo=UTC), tick=False):
        browser.login("nobody", "wrong-password-1", environ_base=here)
    assert _failed(app)[-1] == ("10.9.9.9", 1)
    # The count is outside the hash: the chain still verifies.
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_attempts_while_locked_share_one_entry_too(app, world, browser):
    here = {"REMOTE_ADDR": "10.9.9.7"}
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, 1, tzinfo=UTC), tick=False):
        for _ in range(20):
            browser.login("east-staff", "wrong-password-1", environ_base=here)
    assert _failed(app) == [("10.9.9.7", 5)]  # then the account and the client are locked
    assert _failed(app, "auth.login_locked") == [("10.9.9.7", 15)]


def test_failures_for_different_bodies_are_counted_apart(app, world, browser):
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, 1, tzinfo=UTC), tick=False):
        browser.login("east-staff", "wrong-password-1")
        browser.login("west-staff", "wrong-password-1")
        browser.login("east-staff", "wrong-password-2")
    with committing(app):
        rows = db.session.execute(
            sa.select(AuditEvent.body_id, AuditEvent.repeats)
            .where(AuditEvent.action == "auth.login_failed")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [(world.east.id, 2), (world.west.id, 1)]


# ------------------------------------------------------------------ a chain deleted whole


def _delete_chain(chain: int) -> None:
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.chain == chain))
    db.session.execute(sa.delete(AuditChainHead).where(AuditChainHead.chain == chain))
    db.session.commit()


def _some_activity(login_as, browser) -> None:
    browser.login("nobody", "wrong-password-1")  # an entry of the global chain
    for who in ("admin", "east-admin", "west-admin"):
        login_as(who).logout()


def test_verify_finds_a_body_chain_deleted_with_its_head(app, world, login_as, browser, runner):
    _some_activity(login_as, browser)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with committing(app):
        _delete_chain(world.east.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"body east (chain {world.east.id})" in result.output
    assert "whole chain is missing (deleted)" in result.output
    assert "west" not in result.output


def test_verify_finds_the_global_chain_deleted(app, world, login_as, browser, runner):
    _some_activity(login_as, browser)
    with committing(app):
        _delete_chain(0)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "the global chain is missing (deleted)" in result.output


def _unname(chain: int) -> None:
    """Take the global chain's newest entry, the one naming ``chain``, out, and put the
    global chain's head back one entry: the global chain itself still holds."""
    opened = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == audit.CHAIN_OPENED, AuditEvent.target_id == str(chain)
        )
    ).one()
    head = db.session.get(AuditChainHead, 0)
    assert head is not None and head.seq == opened.chain_seq  # world made west last
    head.seq, head.hash = opened.chain_seq - 1, opened.prev_hash
    db.session.delete(opened)
    db.session.commit()


def test_verify_finds_a_chain_the_global_chain_does_not_name(app, world, runner):
    with committing(app):
        _unname(world.west.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "body west" in result.output and "does not name this chain" in result.output


def test_verify_finds_a_body_without_any_chain(app, world, runner):
    with committing(app):
        _unname(world.west.id)
        _delete_chain(world.west.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "body west" in result.output and "the body has no audit chain" in result.output


def test_the_migration_names_the_chains_that_already_exist(databases, tmp_path, monkeypatch):
    """A database from before the global chain named each new chain: after the upgrade, it
    verifies, and a chain deleted whole is found."""
    old = make_test_app(databases.create("auditnames"), tmp_path)
    runner = old.test_cli_runner()
    with committing(old):
        upgrade(revision="daa337a4f4cc")
        with monkeypatch.context() as patched:
            patched.setattr(audit, "_register_chain", lambda first: None)  # the old _link
            city = body_services.create_body(
                code="city", name="示例市人大常委会", level="municipal", parent=None
            )
            east = body_services.create_body(
                code="east", name="东城区人大常委会", level="county", parent=city
            )
            audit.record("auth.login_failed", body=None, actor="nobody")
            db.session.commit()
        chains = [city.id, east.id]
        db.session.remove()
        assert count(old, AuditEvent, AuditEvent.action == audit.CHAIN_OPENED) == 0
        upgrade()
        named = db.session.scalars(
            sa.select(AuditEvent.target_id).where(AuditEvent.action == audit.CHAIN_OPENED)
        ).all()
        assert sorted(named) == sorted(str(c) for c in chains)
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0
        _delete_chain(chains[1])
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 1 and "whole chain is missing" in result.output
        db.session.remove()
        db.engine.dispose()


def test_a_new_body_is_named_in_the_global_chain(app, create_body):
    body = create_body("north", level="municipal")
    with committing(app):
        named = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == audit.CHAIN_OPENED)
        ).all()
        assert [(e.chain, e.target_id) for e in named] == [(0, str(body.id))]
        first = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.chain == body.id).order_by(AuditEvent.chain_seq)
        ).first()
        assert first is not None and first.action == "body.create" and first.chain_seq == 1


def test_a_repeat_a_minute_later_is_a_new_entry(app):
    start = datetime(2027, 3, 1, 9, 0, 59, tzinfo=UTC)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.5"}):
        with time_machine.travel(start, tick=False):
            audit.record_failure(
                "candidate.login_failed", actor="code:" + "Z" * 100, code="Z" * 100
            )
            audit.record_failure("candidate.login_failed", actor="code:Y", code="Y")
        with time_machine.travel(start + timedelta(seconds=1), tick=False):
            audit.record_failure("candidate.login_failed", actor="code:Y", code="Y")
        db.session.commit()
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "candidate.login_failed")
        ).all()
        assert [(len(r.actor), r.details_dict["code"], r.repeats) for r in rows] == [
            (64, "Z" * 64, 2),
            (6, "Y", 1),
        ]
