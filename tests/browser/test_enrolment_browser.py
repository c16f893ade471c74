"""In a real browser: the enrolment form's 全选 / 全不选 buttons (a page script, no inline
script) tick and clear every listed candidate, and the ticked ones are enrolled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.demo import DEMO_PASSWORD
from examsite.exams import sittings
from examsite.exams.models import Candidate, PaperTemplate
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.ids import make_id

pytestmark = pytest.mark.browser


def test_select_all_and_none_then_enrol(live_server, page):
    app, base = live_server.app, live_server.url
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        template = db.session.scalars(
            select(PaperTemplate).where(PaperTemplate.body_id == east.id)
        ).first()
        db.session.add_all(
            Candidate(
                body_id=east.id, name=f"报名测试{i}", id_number=make_id(i, "19650101"),
                batch="浏览器第十一批", post_category="other",
            )
            for i in range(3)
        )  # fmt: skip
        now = utcnow()
        sitting = sittings.save_sitting(
            east,
            None,
            title="浏览器报名测试11",
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=2),
            template_id=template.id,
        )
        sitting_id = sitting.id

    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("east-staff")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(
        f"{base}/bodies/east/exams/sittings/{sitting_id}?filtered=1&batch=第十一批&only_new=1"
    )
    boxes = page.locator('[data-enrol-form] input[name="candidate_ids"]')
    expect(boxes).to_have_count(3)
    page.get_by_role("button", name="全选本页").click()
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    page.get_by_role("button", name="全不选").click()
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    page.get_by_role("button", name="全选本页").click()
    boxes.nth(0).uncheck()
    page.get_by_role("button", name="报名所选人员").click()
    expect(page.get_by_text("已报名 2 人。")).to_be_visible()


def test_a_law_quota_is_picked_from_the_banks_laws(live_server, page):
    base = live_server.url
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("east-admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/bodies/east/exams/templates/new")
    laws = page.locator("[data-law-picker] button[data-law]")
    expect(laws.first).to_be_visible()  # shown once the page script runs
    first, second = laws.nth(0).get_attribute("data-law"), laws.nth(1).get_attribute("data-law")
    single = page.get_by_label("单选题法律配额")
    laws.nth(0).click()
    expect(single).to_have_value(f"{first}=")
    page.keyboard.type("3")
    laws.nth(1).click()
    expect(single).to_have_value(f"{first}=3, {second}=")
    true_false = page.get_by_label("判断题法律配额")
    true_false.click()
    laws.nth(0).click()
    expect(true_false).to_have_value(f"{first}=")
