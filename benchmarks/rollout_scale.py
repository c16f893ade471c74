"""Benchmark: the rollout dashboard and the statistics page with 150 bodies, 20,000
candidates and 1,000 sittings (target: p95 under 300 ms, SQLite and PostgreSQL).

    .venv/bin/python benchmarks/rollout_scale.py [--db sqlite|postgresql|both] [--requests 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
PASSWORD = "Bench-pass-2026"  # noqa: S105 (a throw-away benchmark database)
PG_ADMIN = os.environ.get(
    "EXAMSITE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def build(url: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from examsite import create_app
    from examsite.auth.services import create_staff
    from examsite.core.body import Body
    from examsite.exams.models import Attempt, Candidate, PaperTemplate, Sitting
    from examsite.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rng = random.Random(1)
    with app.app_context():
        upgrade()
        city = Body(code="city", name="基准市", level="municipal")
        db.session.add(city)
        db.session.commit()
        create_staff(city, username="admin", name="管理员", role="admin", password=PASSWORD)
        bodies = [
            Body(code=f"c{i:03d}", name=f"基准县{i}", level="county", parent=city)
            for i in range(149)
        ]
        db.session.add_all(bodies)
        db.session.commit()
        all_bodies = [city, *bodies]
        templates = {}
        for b in all_bodies:
            t = PaperTemplate(
                body_id=b.id, name="卷", sections=[{"qtype": "single", "count": 1, "points": 1}]
            )
            db.session.add(t)
            templates[b.id] = t
        db.session.commit()
        candidates = []
        for n in range(20_000):
            b = all_bodies[n % len(all_bodies)]
            candidates.append(
                {
                    "body_id": b.id,
                    "name": f"人{n}",
                    "id_number": f"{n:018d}",
                    "post_category": "other",
                    "work_unit": "",
                    "proposed_post": "",
                    "batch": "",
                    "phone": "",
                }
            )
        db.session.execute(insert(Candidate), candidates)
        db.session.commit()
        by_body: dict[int, list[int]] = {}
        for cid, bid in db.session.execute(
            Candidate.__table__.select().with_only_columns(Candidate.id, Candidate.body_id)
        ):
            by_body.setdefault(bid, []).append(cid)
        start = datetime(2026, 1, 5, 1)
        attempts = []
        for s in range(1_000):
            b = all_bodies[s % len(all_bodies)]
            when = start + timedelta(days=s % 300)
            sitting = Sitting(
                body_id=b.id,
                title=f"考{s}",
                starts_at=when,
                ends_at=when + timedelta(hours=2),
                template_id=templates[b.id].id,
                status="closed",
            )
            db.session.add(sitting)
            db.session.flush()
            for cid in rng.sample(by_body[b.id], min(20, len(by_body[b.id]))):
                ok = rng.random() < 0.9
                attempts.append(
                    {
                        "body_id": b.id,
                        "sitting_id": sitting.id,
                        "candidate_id": cid,
                        "status": "graded",
                        "passed": ok,
                        "score": 80 if ok else 40,
                        "extra_minutes": 0,
                        "focus_losses": 0,
                        "refused_logins": 0,
                        "on_paper": False,
                        "readmitted": False,
                        "seat": "",
                        "last_ip": "",
                        "notice": "",
                        "notice_id": 0,
                    }
                )
        db.session.commit()
        for i in range(0, len(attempts), 5000):
            db.session.execute(insert(Attempt), attempts[i : i + 5000])
        db.session.commit()
        db.engine.dispose()


def measure(url: str, requests: int) -> dict[str, object]:
    from examsite import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    page = client.get("/statistics?year=2026").get_data(as_text=True)
    assert 'data-testid="total-sittings">1000<' in page, "the data set was not built"
    out: dict[str, object] = {}
    for name, path in (("rollout", "/rollout"), ("statistics", "/statistics?year=2026")):
        assert client.get(path).status_code == 200  # warm up
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        }
    return out


def child(db: str, requests: int) -> None:
    import sqlalchemy as sa

    if db == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'scale.sqlite3'}"
        build(url)
        print(json.dumps(measure(url, requests)))
        return
    name = f"examsite_scale_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        build(url)
        print(json.dumps(measure(url, requests)))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.db, args.requests)
        return
    print(f"{'db':<11}{'page':<12}{'p50 ms':>8}{'p95 ms':>8}{'p95/target':>12}")
    for db in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--db", db, "--requests", str(args.requests)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        for page, figures in result.items():
            print(
                f"{db:<11}{page:<12}{figures['p50_ms']:>8}{figures['p95_ms']:>8}"
                f"{figures['p95_ms'] / TARGET_MS:>12.2f}"
            )


if __name__ == "__main__":
    main()
