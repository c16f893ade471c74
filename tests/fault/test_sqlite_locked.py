"""SQLite's "database is locked" under concurrent writers: retried, never shown to a user."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select

from examsite.core import audit
from examsite.core.body import Body
from examsite.exams.models import Answer
from examsite.extensions import db
from tests.fixtures.database import committing, test_db_kind
from tests.fixtures.exams import build_open_sitting
from tests.fixtures.web import Browser, csrf_token

pytestmark = pytest.mark.skipif(test_db_kind() != "sqlite", reason="SQLite's own locking")


def test_a_reading_request_that_then_writes_after_another_commit_is_run_again(databases, tmp_path):
    url = databases.create("locked")
    app, _ = build_open_sitting(url, tmp_path)
    runs: list[int] = []

    @app.get("/_probe")
    def probe() -> str:
        runs.append(1)
        # A deferred transaction takes its snapshot with this read...
        bodies = db.session.scalar(select(func.count()).select_from(Body))
        if len(runs) == 1:
            # ...another connection commits in between (a candidate's autosave, say)...
            other = sqlite3.connect(url.removeprefix("sqlite:///"))
            other.execute("UPDATE bodies SET name = name || '!'")
            other.commit()
            other.close()
        # ...so this write fails at once with SQLITE_BUSY_SNAPSHOT: waiting cannot help.
        audit.record("body.update", body=None, actor="probe")
        db.session.commit()
        return str(bodies)

    response = app.test_client().get("/_probe")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(runs) == 2  # the view ran again, this time holding the write lock first
    with committing(app):
        assert db.session.scalar(select(func.count()).select_from(audit.AuditEvent)) >= 1
        db.session.remove()
        db.engine.dispose()


def test_concurrent_candidates_saving_and_polling_never_see_an_error(databases, tmp_path):
    url = databases.create("lockedmany")
    app, logins = build_open_sitting(url, tmp_path, candidates=6)
    failures: list[str] = []
    barrier = threading.Barrier(len(logins))

    def candidate(code: str, tail: str) -> None:
        b = Browser(app.test_client())
        b.post("/exam/login", {"code": code, "id_tail": tail})
        b.post("/exam/start")
        token = csrf_token(b.client, "/exam/paper")
        barrier.wait()
        for seq in range(1, 31):
            r = b.client.post(
                "/exam/api/answer",
                json={"position": seq % 5, "choice": [seq % 4], "seq": seq},
                headers={"X-CSRFToken": token},
            )
            if r.status_code != 200:
                failures.append(f"save {seq}: {r.status_code} {r.get_data(as_text=True)[:120]}")
            # A GET that may write too (the "last seen" time).
            r = b.client.get("/exam/api/state")
            if r.status_code != 200:
                failures.append(f"state {seq}: {r.status_code}")

    threads = [threading.Thread(target=candidate, args=login) for login in logins]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with committing(app):
        # Each candidate's five positions hold their newest answers (seq 26..30).
        seqs = db.session.scalars(select(Answer.seq)).all()
        assert sorted(seqs) == sorted(list(range(26, 31)) * len(logins))
        db.session.remove()
        db.engine.dispose()
