"""Two app hosts on one database: a candidate whose requests alternate between them sits the
whole test (login on one, saves on both, submit on the other), and throttles are shared.

No request depends on the process that served the previous one (signed cookie sessions; the
throttle, the second-login lock and the papers live in the database)."""

from __future__ import annotations

from sqlalchemy import select

from examsite.exams.models import Answer, Attempt
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.exams import build_open_sitting
from tests.fixtures.servers import Client, Server, free_port


def test_a_candidate_alternating_between_two_hosts_loses_nothing(databases, tmp_path):
    url = databases.create("twohosts")
    app, [(code, tail), (locked_code, locked_tail)] = build_open_sitting(
        url, tmp_path, candidates=2
    )
    hosts = [Server(url, free_port()), Server(url, free_port())]
    for host in hosts:
        host.start()
    try:
        a, b = (f"http://127.0.0.1:{h.port}" for h in hosts)
        client = Client(a)  # one browser: cookies are per host name, not per port

        client.get("/exam/login")
        client.post_form("/exam/login", {"code": code, "id_tail": tail})
        client.base = b
        client.get("/exam/")  # the session made on host A is good on host B
        client.post_form("/exam/start", {})
        for seq in range(1, 11):
            client.base = (a, b)[seq % 2]
            assert client.save(seq % 5, [seq % 4], seq) == 200
        client.base = a
        page = client.get("/exam/paper")
        assert page.count(" checked") == 5
        client.base = b
        client.get("/exam/submit")
        finished = client.post_form("/exam/submit", {})
        assert "您已交卷" in finished
        client.base = a
        assert client.save(0, [0], 11) == 403  # submitted, whichever host is asked

        # Four wrong tails on host A and one on host B lock the code on both hosts.
        intruder = Client(a)
        intruder.get("/exam/login")
        for attempt in range(5):
            intruder.base = a if attempt < 4 else b
            intruder.post_form("/exam/login", {"code": locked_code, "id_tail": "000000"})
        intruder.base = a
        refused = intruder.post_form("/exam/login", {"code": locked_code, "id_tail": locked_tail})
        assert "输入错误次数过多" in refused
    finally:
        for host in hosts:
            host.kill()

    with committing(app):
        answers = db.session.scalars(select(Answer).order_by(Answer.position)).all()
        assert [(x.position, x.seq) for x in answers] == [(0, 10), (1, 6), (2, 7), (3, 8), (4, 9)]
        attempt = db.session.scalars(select(Attempt).where(Attempt.admission_code == code)).one()
        assert attempt.status == "graded" and attempt.score is not None
        db.session.remove()
        db.engine.dispose()
