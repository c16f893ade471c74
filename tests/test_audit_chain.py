"""The tamper-evident audit log: a hash chain per body, checked by `flask audit verify`."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from examsite.core import audit
from examsite.core.audit import AuditChainHead, AuditEvent
from examsite.core.auditchain import GENESIS, entry_hash, verify_chain
from examsite.extensions import db
from tests.fixtures.database import committing, make_test_app

# ------------------------------------------------------------------ the pure chain


def _chain(n: int, chain: int = 7) -> list[dict]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = {
            "id": 100 + seq,
            "chain": chain,
            "chain_seq": seq,
            "created_at": datetime(2026, 11, 24, 9, 0, seq, 123456),
            "user_id": 3,
            "actor": "east-admin",
            "body_id": chain,
            "action": "user.create",
            "target_type": "User",
            "target_id": str(seq),
            "details": '{"username": "张三"}',
            "ip": "10.0.0.1",
            "prev_hash": prev,
        }
        entry["hash"] = prev = entry_hash(prev, entry)
        entries.append(entry)
    return entries


def test_an_intact_chain_verifies():
    entries = _chain(5)
    assert verify_chain(7, entries, 5, entries[-1]["hash"]) is None
    assert verify_chain(7, [], 0, GENESIS) is None


@pytest.mark.parametrize("field", ["actor", "details", "ip", "created_at", "action"])
def test_a_changed_field_breaks_the_chain_at_that_entry(field):
    entries = _chain(5)
    entries[2][field] = datetime(2020, 1, 1) if field == "created_at" else "forged"
    found = verify_chain(7, entries, 5, entries[-1]["hash"])
    assert found is not None and (found.entry_id, found.chain_seq) == (103, 3)
    assert "changed" in found.reason


def test_a_rehashed_forgery_still_breaks_the_next_link():
    entries = _chain(5)
    entries[1]["actor"] = "forged"
    entries[1]["hash"] = entry_hash(entries[1]["prev_hash"], entries[1])
    found = verify_chain(7, entries, 5, entries[-1]["hash"])
    assert found is not None and found.chain_seq == 3 and "link" in found.reason


def test_removed_entries_are_reported():
    entries = _chain(5)
    middle = verify_chain(7, entries[:2] + entries[3:], 5, entries[-1]["hash"])
    assert middle is not None and middle.chain_seq == 4 and "3–3" in middle.reason
    newest = verify_chain(7, entries[:4], 5, entries[-1]["hash"])
    assert newest is not None and newest.entry_id is None and "5–5" in newest.reason


# ------------------------------------------------------------------ in the database


def _staff_actions(login_as):
    for who in ("admin", "east-admin", "west-admin", "east-admin"):
        login_as(who).logout()


def test_verify_passes_on_a_real_log_and_finds_a_row_changed_in_the_database(
    app, world, login_as, runner
):
    _staff_actions(login_as)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "no broken link" in ok.output

    with committing(app):
        victim = db.session.scalars(
            sa.select(AuditEvent.id)
            .where(AuditEvent.body_id == world.east.id)
            .order_by(AuditEvent.id)
        ).all()[1]
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == victim).values(ip="1.2.3.4")
        )
        db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"entry id {victim}" in broken.output and "east" in broken.output
    assert "content was changed" in broken.output


@pytest.mark.parametrize("which", ["middle", "newest"])
def test_verify_finds_a_row_deleted_in_the_database(app, world, login_as, runner, which):
    _staff_actions(login_as)
    with committing(app):
        ids = db.session.scalars(
            sa.select(AuditEvent.id)
            .where(AuditEvent.body_id == world.west.id)
            .order_by(AuditEvent.id)
        ).all()
        assert len(ids) >= 3
        gone = ids[1] if which == "middle" else ids[-1]
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == gone))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "west" in result.output and "missing (deleted)" in result.output


def test_the_site_offers_no_way_to_change_the_log(app):
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert audit_rules  # the log page exists
    for rule in audit_rules:
        assert set(rule.methods or ()) <= {"GET", "HEAD", "OPTIONS"}, rule.rule


def test_concurrent_writers_never_fork_a_chain(databases, tmp_path):
    """Threads append to the same body's chain at once; every link still holds."""
    chained = make_test_app(databases.create("auditfork"), tmp_path)
    with committing(chained):
        upgrade()
        db.session.remove()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            with committing(chained):
                start.wait()
                for i in range(15):
                    audit.record("body.update", body=None, actor=f"w{n}", step=i)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    runner = chained.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    with committing(chained):
        head = db.session.get(AuditChainHead, 0)
        assert head is not None and head.seq == 60
        db.session.remove()
        db.engine.dispose()


def test_a_failed_login_with_a_very_long_user_name_is_audited_not_a_crash(app, world, browser):
    response = browser.login("长" * 100, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    with committing(app):
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
        ).one()
        assert event.actor == "长" * 64
