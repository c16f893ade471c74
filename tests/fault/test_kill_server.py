"""Kill the app process (SIGKILL) between two saves and restart it: nothing saved is lost."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from examsite.exams.models import Answer, Attempt
from examsite.extensions import db
from tests.fixtures.exams import build_open_sitting

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the site from a child process, as in production."""

    def __init__(self, database_url: str, port: int) -> None:
        self.port = port
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "kill-test-secret",
            "EXAMSITE_ENV": "production",
            "EXAMSITE_SECURE_COOKIES": "0",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        # gunicorn's worker is a child of the killed master; make sure it is gone too.
        subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{self.port}"], check=False)
        time.sleep(0.5)


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as r:
            text = r.read().decode()
        match = re.search(r'<meta name="csrf-token" content="([^"]+)">', text)
        if match:
            self.token = match.group(1)
        return text

    def post_form(self, path: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as r:
            return r.read().decode()

    def save(self, position: int, choice: list[int], seq: int) -> int:
        req = urllib.request.Request(  # noqa: S310 (http to our own test server)
            self.base + "/exam/api/answer",
            data=json.dumps({"position": position, "choice": choice, "seq": seq}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
        )
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code


@pytest.fixture
def kill_world(databases, tmp_path):
    url = databases.create(f"kill{os.getpid()}")
    app, [(code, tail)] = build_open_sitting(url, tmp_path)
    yield app, url, code, tail


def test_acknowledged_saves_survive_sigkill(kill_world):
    app, url, code, tail = kill_world
    server = Server(url, _free_port())
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
        with app.app_context():
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
    with app.app_context():
        rows = db.session.scalars(select(Answer).order_by(Answer.position)).all()
        assert [(a.position, a.seq) for a in rows] == [(0, 1), (1, 2), (2, 3)]
        assert db.session.scalars(select(Attempt.deadline)).one() == deadline
        db.session.remove()
        db.engine.dispose()
