"""Kill the app process (SIGKILL) between two saves and restart it: nothing saved is lost."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from examsite.exams.models import Answer, Attempt
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.exams import build_open_sitting
from tests.fixtures.servers import Client, Server, free_port


@pytest.fixture
def kill_world(databases, tmp_path):
    url = databases.create(f"kill{os.getpid()}")
    app, [(code, tail)] = build_open_sitting(url, tmp_path)
    yield app, url, code, tail


def test_acknowledged_saves_survive_sigkill(kill_world):
    app, url, code, tail = kill_world
    server = Server(url, free_port())
    server.start()
    try:
        client = Client(f"http://127.0.0.1:{server.port}")
        client.get("/exam/login")
        client.post_form("/exam/login", {"code": code, "id_tail": tail})
        client.get("/exam/")  # login starts a fresh session: read its CSRF token
        client.post_form("/exam/start", {})
        client.get("/exam/paper")
        assert client.save(0, [1], 1) == 200
        assert client.save(1, [2], 2) == 200
        with committing(app):
            deadline = db.session.scalars(select(Attempt.deadline)).one()
            db.session.remove()
            db.engine.dispose()

        server.kill()
        server.start()

        # The same browser carries on: its session and the deadline are unchanged.
        page = client.get("/exam/paper")
        assert 'value="1" checked' in page.split('data-question="0"')[1].split("</section>")[0]
        assert client.save(2, [3], 3) == 200
    finally:
        server.kill()
    with committing(app):
        rows = db.session.scalars(select(Answer).order_by(Answer.position)).all()
        assert [(a.position, a.seq) for a in rows] == [(0, 1), (1, 2), (2, 3)]
        assert db.session.scalars(select(Attempt.deadline)).one() == deadline
        db.session.remove()
        db.engine.dispose()
