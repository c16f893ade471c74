"""Render one page of a sample signed 考场记录 as docs/img/sitting-record.png.

Run once from the repository root when the record's layout changes:
    python scripts/sitting_record_png.py
It builds a throw-away SQLite database, runs a small sitting through the real pages (an
extension, a forced submission, incidents, sign-off, an addendum), downloads record.pdf
and converts its first page with ``pdftoppm -r 60 -png`` (poppler-utils)."""

from __future__ import annotations

import subprocess  # nosec B404 (pdftoppm, a fixed command)
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examsite.auth import services as auth_services  # noqa: E402
from examsite.core.body import Body  # noqa: E402
from examsite.exams.models import Sitting  # noqa: E402
from examsite.extensions import db  # noqa: E402
from tests.fixtures.candidate import save, started  # noqa: E402
from tests.fixtures.database import committing  # noqa: E402
from tests.fixtures.exams import build_open_sitting  # noqa: E402
from tests.fixtures.factories import PASSWORD  # noqa: E402
from tests.fixtures.web import Browser  # noqa: E402


class Room:
    def __init__(self, logins: list[tuple[str, str]]) -> None:
        self.codes = [code for code, _ in logins]
        self.tails = [tail for _, tail in logins]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, logins = build_open_sitting(f"sqlite:///{tmp}/record.db", Path(tmp), candidates=3)
        with committing(app):
            body = db.session.scalars(db.select(Body)).one()
            users = [
                auth_services.create_staff(body, username=u, name=n, role=r, password=PASSWORD)[0]
                for u, n, r in (
                    ("wang", "王明", "staff"),
                    ("li", "李华", "staff"),
                    ("zhao", "赵主任", "body_admin"),
                )
            ]
            sitting = db.session.scalars(db.select(Sitting)).one()
            sitting.title, sitting.room = "第二十次会议任前法律知识考试", "机关第一会议室"
            sitting.invigilators = users[:2]
            db.session.commit()
            sid, a0, a1 = sitting.id, sitting.attempts[0].id, sitting.attempts[1].id
        room = Room(logins)
        save(started(app, room, 0), 0, [0], 1)
        started(app, room, 1)
        base = f"/bodies/city/invigilate/{sid}/"
        staff, chief = Browser(app.test_client()), Browser(app.test_client())
        staff.login("wang", PASSWORD)
        chief.login("zhao", PASSWORD)
        staff.post(base + "extend", {"attempt_id": a0, "minutes": "10", "reason": "更换电脑"})
        staff.post(base + f"attempts/{a1}/force-submit", {"reason": "携带手机，经劝阻无效"})
        staff.post(
            base + "incidents",
            {"attempt_id": a1, "category": "discipline", "note": "考试中使用手机，已收卷。"},
        )
        staff.post(base + "incidents", {"category": "equipment", "note": "空调故障，已报修。"})
        chief.post(base + "close")
        chief.post(base + "sign-off")
        chief.post(base + "addenda", {"text": "考生3 次日来电说明缺考原因：航班延误。"})
        pdf = chief.client.get(base + "record.pdf").get_data()
        out = Path(tmp) / "record.pdf"
        out.write_bytes(pdf)
        target = ROOT / "docs" / "img" / "sitting-record"
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 # nosec B603 B607
            [  # noqa: S607 (pdftoppm from the PATH, fixed arguments)
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(out),
                str(target),
            ],
            check=True,
        )
        print(f"wrote {target}.png")


if __name__ == "__main__":
    main()
