"""Backups: taken while the site writes, restored into an empty database, nothing missing."""

from __future__ import annotations

import threading

from flask_migrate import upgrade
from sqlalchemy import func, select

from examsite.auth.models import User
from examsite.bank.models import Question
from examsite.core import audit
from examsite.core.audit import AuditEvent
from examsite.core.backup import backup_to, restore_from
from examsite.core.body import Body
from examsite.demo import load_demo
from examsite.extensions import db
from tests.fixtures.database import committing, make_test_app


def _counts(app) -> dict[str, int]:
    with committing(app):
        out = {
            m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Body, User, Question, AuditEvent)
        }
        db.session.remove()
        return out


def test_backup_during_writes_then_restore_into_an_empty_database(databases, tmp_path):
    source = make_test_app(databases.create("bsource"), tmp_path / "a")
    with committing(source):
        upgrade()
        load_demo()
    before = _counts(source)
    stop = threading.Event()

    def writer() -> None:
        with committing(source):
            while not stop.is_set():
                audit.record("auth.login", actor="busy", body=None)
                db.session.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        dump = tmp_path / "examsite.backup"
        with committing(source):
            backup_to(dump)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert dump.stat().st_size > 0

    target = make_test_app(databases.create("btarget"), tmp_path / "b")
    with committing(target):
        restore_from(dump)
        db.engine.dispose()
    restored = _counts(target)
    after = _counts(source)
    for name in ("Body", "User", "Question"):
        assert restored[name] == before[name] > 0, name
    assert before["AuditEvent"] <= restored["AuditEvent"] <= after["AuditEvent"]
    for app in (source, target):
        with committing(app):
            db.engine.dispose()


def test_backup_commands_have_help(runner):
    for args in (["backup", "--help"], ["restore", "--help"]):
        assert runner.invoke(args=args).exit_code == 0
