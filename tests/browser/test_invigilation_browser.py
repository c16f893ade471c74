"""In a real browser: an invigilator extends a candidate's time; the candidate's open page
shows the new time without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examsite.auth.models import User
from examsite.demo import DEMO_PASSWORD
from examsite.exams.models import Attempt
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.live import live_sitting as _open_sitting

pytestmark = pytest.mark.browser


def _seconds(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    return parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)


def test_extension_reaches_the_candidates_open_page(live_server, page, chromium):
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 2)
    with committing(app):
        attempt = db.session.get(Attempt, attempt_id)
        attempt.sitting.invigilators = [
            db.session.scalars(select(User).where(User.username == "east-staff")).one()
        ]
        sitting_id = attempt.sitting_id
        db.session.commit()

    page.goto(f"{base}/exam/login?code={code}")
    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="开始答题").click()
    timer = page.locator("[data-timer-value]")
    expect(timer).to_have_text(re.compile(r"\d+:\d\d"))
    before = _seconds(timer.inner_text())

    staff_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    staff.goto(f"{base}/login")
    staff.get_by_label("用户名").fill("east-staff")
    staff.get_by_label("密码").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.goto(f"{base}/bodies/east/invigilate/{sitting_id}/")
    row = staff.locator(f'tr[data-attempt="{attempt_id}"]')
    expect(row.locator('[data-field="state"]')).to_have_text("答题中")
    row.locator("summary").click()
    extend_form = row.locator("form", has=staff.get_by_role("button", name="延长时间"))
    extend_form.locator('input[name="minutes"]').fill("20")
    extend_form.locator('input[name="reason"]').fill("电脑故障")
    extend_form.get_by_role("button", name="延长时间").click()
    expect(staff.get_by_text("已延长 20 分钟")).to_be_visible()

    # The candidate's page learns of it at its next poll (every 15 s).
    expect(page.locator("[data-notice]")).to_contain_text("延长 20 分钟", timeout=25_000)
    after = _seconds(timer.inner_text())
    assert after > before + 15 * 60
    staff_context.close()


def _staff_panel(chromium, base: str, sitting_id: int):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    staff = context.new_page()
    staff.goto(f"{base}/login")
    staff.get_by_label("用户名").fill("east-staff")
    staff.get_by_label("密码").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.goto(f"{base}/bodies/east/invigilate/{sitting_id}/")
    return context, staff


def _assign(app, attempt_id: int) -> int:
    with committing(app):
        attempt = db.session.get(Attempt, attempt_id)
        attempt.sitting.invigilators = [
            db.session.scalars(select(User).where(User.username == "east-staff")).one()
        ]
        sitting_id = attempt.sitting_id
        db.session.commit()
    return sitting_id


def test_row_actions_follow_a_candidate_who_starts_and_force_submit_tells_why(
    live_server, page, chromium
):
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 9)
    sitting_id = _assign(app, attempt_id)
    context, staff = _staff_panel(chromium, base, sitting_id)
    row = staff.locator(f'tr[data-attempt="{attempt_id}"]')
    shown = 'form[data-action="{}"]:not([hidden])'
    expect(row.locator(shown.format("absent"))).to_have_count(1)
    expect(row.locator(shown.format("force-submit"))).to_have_count(0)

    page.goto(f"{base}/exam/login?code={code}")
    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="开始答题").click()
    expect(page.locator("[data-timer-value]")).to_have_text(re.compile(r"\d+:\d\d"))

    # No reload: the next poll (every 5 s) re-draws the row's menu for a candidate answering.
    expect(row.locator('[data-field="state"]')).to_have_text("答题中", timeout=15_000)
    expect(row.locator(shown.format("force-submit"))).to_have_count(1)
    expect(row.locator(shown.format("absent"))).to_have_count(0)

    row.locator("summary").click()
    form = row.locator(shown.format("force-submit"))
    form.locator('input[name="reason"]').fill("违反考场纪律")
    form.get_by_role("button", name="强制交卷").click()
    expect(staff.get_by_text("已强制交卷并评分")).to_be_visible()

    # The candidate's page reaches the finish page at its next state poll (every 15 s).
    expect(page.get_by_test_id("forced")).to_have_text(
        "监考人员已为您交卷：违反考场纪律", timeout=25_000
    )
    context.close()


def test_a_code_locked_while_watching_shows_its_unlock_without_reload(live_server, page, chromium):
    app, base = live_server.app, live_server.url
    attempt_id, code, _tail = _open_sitting(app, 10)
    sitting_id = _assign(app, attempt_id)
    context, staff = _staff_panel(chromium, base, sitting_id)
    row = staff.locator(f'tr[data-attempt="{attempt_id}"]')
    expect(row.locator('form[data-action="unlock"]')).to_be_hidden()
    staff.evaluate("window.__notReloaded = true")

    for _ in range(app.config["EXAMSITE_LOGIN_MAX_FAILURES"]):
        page.goto(f"{base}/exam/login?code={code}")
        page.get_by_label("身份证号后 6 位").fill("000000")
        page.get_by_role("button", name="登录").click()

    expect(row.locator('[data-field="locked"]')).to_be_visible(timeout=15_000)
    expect(row.locator('form[data-action="unlock"]')).to_be_visible()
    assert staff.evaluate("window.__notReloaded === true")
    context.close()
