"""Screenshots for the operator's guide (docs/guide/): every test run refreshes them, so the
guide never shows an old page. Each shot also checks the page a staff member would see."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examsite.appointments import ceremonies as appointment_ceremonies
from examsite.appointments import records as appointment_records
from examsite.auth.models import User
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.demo import DEMO_PASSWORD
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db
from examsite.reports import plans as report_plans
from tests.fixtures.appointments import deliver_statement
from tests.fixtures.database import committing
from tests.fixtures.exams import make_id
from tests.fixtures.live import live_sitting as _open_sitting

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"


def _shot(page, name: str) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / f"{name}.png"), full_page=False)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_guide_screenshots(live_server, chromium):
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 3)
    with committing(app):
        attempt = db.session.get(Attempt, attempt_id)
        sitting_id = attempt.sitting_id
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        attempt.sitting.invigilators = [
            db.session.scalars(select(User).where(User.username == "east-admin")).one()
        ]
        db.session.commit()
        person = Candidate(
            body_id=east.id, name="指南示例人员", id_number=make_id(880), proposed_post="局长"
        )
        db.session.add(person)
        db.session.commit()
        meeting = appointment_records.save_meeting(
            east, None, term=17, number=8, date=date.today(), agenda="任命局长"
        )
        record = appointment_records.create_appointment(east, person, meeting, "局长")
        appointment_records.exempt(
            record, "本届内已考试合格", db.session.scalars(select(User)).first()
        )
        deliver_statement(record, date.today())
        appointment_records.record_vote(record, "appointed", date.today())
        now = utcnow()
        ceremony = appointment_ceremonies.save_ceremony(
            east,
            None,
            title="宪法宣誓仪式（示例）",
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            venue="常委会会议室",
            form="group",
            leader="主任",
        )
        appointment_ceremonies.add_participants(ceremony, [record])
        term = report_plans.save_term(
            east,
            number=17,
            starts_on=date.today() - timedelta(days=30),
            ends_on=date.today() + timedelta(days=1800),
        )
        report_plans.create_plan(
            east, term, name="政府组成部门负责人", mode="oral", post_categories=[], post_keyword=""
        )
        ids = {"meeting": meeting.id, "ceremony": ceremony.id, "term": term.id}

    context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    _shot(page, "01-login")
    _login(page, base, "east-admin")
    expect(page.get_by_role("heading", name="您好，东城区管理员")).to_be_visible()
    _shot(page, "02-home")
    page.goto(f"{base}/bodies/east/exams/sittings/{sitting_id}")
    _shot(page, "03-sitting")
    page.goto(f"{base}/bodies/east/exams/sittings/{sitting_id}/slips")
    _shot(page, "04-slips")

    candidate_context = chromium.new_context(
        viewport={"width": 1280, "height": 860}, locale="zh-CN"
    )
    candidate = candidate_context.new_page()
    candidate.goto(f"{base}/exam/login?code={code}")
    _shot(candidate, "05-candidate-login")
    candidate.get_by_label("身份证号后 6 位").fill(tail)
    candidate.get_by_role("button", name="登录").click()
    candidate.get_by_role("button", name="开始答题").click()
    candidate.locator("label.option").first.click()
    expect(candidate.locator("[data-save-state]")).to_have_text("已保存")
    _shot(candidate, "06-paper")

    page.goto(f"{base}/bodies/east/invigilate/{sitting_id}/")
    expect(page.locator(f'tr[data-attempt="{attempt_id}"] [data-field="state"]')).to_have_text(
        "答题中"
    )
    _shot(page, "07-invigilation")
    page.goto(f"{base}/bodies/east/bank/import")
    _shot(page, "08-bank-import")
    page.goto(f"{base}/bodies/east/appointments/meetings/{ids['meeting']}")
    _shot(page, "09-meeting")
    page.goto(f"{base}/bodies/east/appointments/ceremonies/{ids['ceremony']}")
    _shot(page, "10-ceremony")
    page.goto(f"{base}/bodies/east/reports/terms/{ids['term']}")
    _shot(page, "11-reports")

    admin_context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    _login_admin = admin_context.new_page()
    _login(_login_admin, base, "admin")
    _login_admin.goto(f"{base}/rollout")
    expect(_login_admin.get_by_role("heading", name="推广情况")).to_be_visible()
    _shot(_login_admin, "12-rollout")
    _login_admin.goto(f"{base}/bodies/onboard")
    _shot(_login_admin, "13-onboard")
    _login_admin.goto(f"{base}/statistics")
    _shot(_login_admin, "14-statistics")
    # Close every page: one left open keeps polling the live server during later tests.
    for opened in (context, candidate_context, admin_context):
        opened.close()
