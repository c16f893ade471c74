"""In a real browser: a candidate sits the test through reloads and a network cut."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from examsite.bodies.models import Body
from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from examsite.exams import sittings
from examsite.exams.domain import idcard
from examsite.exams.models import Answer, Attempt, Candidate
from examsite.extensions import db
from tests.fixtures.exams import make_id

pytestmark = pytest.mark.browser


def _open_sitting(app, n: int) -> tuple[int, str, str]:
    """A sitting in east with one candidate, open now; returns (attempt id, code, ID tail)."""
    with app.app_context():
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        template = sittings.save_template(
            east,
            None,
            name=f"浏览器测试卷{n}",
            duration_minutes=30,
            pass_mark=6,
            sections=[
                {"qtype": "single", "count": 6, "points": 1},
                {"qtype": "multiple", "count": 2, "points": 2},
                {"qtype": "true_false", "count": 2, "points": 1},
            ],
            post_categories=[],
        )
        person = Candidate(body_id=east.id, name=f"浏览器考生{n}", id_number=make_id(900 + n))
        db.session.add(person)
        now = utcnow()
        sitting = sittings.save_sitting(
            east,
            None,
            title=f"浏览器测试考试{n}",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=2),
            template_id=template.id,
        )
        sittings.enroll(sitting, [person])
        sittings.open_sitting(sitting)
        attempt = db.session.scalars(select(Attempt).where(Attempt.sitting_id == sitting.id)).one()
        return attempt.id, attempt.admission_code, idcard.tail6(person.id_number)


def _answers(app, attempt_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt_id)
        )


def _choose(page, position: int) -> None:
    page.locator(f'section[data-question="{position}"] label.option').first.click()


def test_candidate_keeps_every_answer_through_reload_and_network_cut(live_server, page):
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 1)

    page.goto(f"{base}/exam/login?code={code}")
    expect(page.get_by_label("准考证号")).to_have_value(code)
    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="开始答题").click()
    expect(page.locator("[data-timer-value]")).to_have_text(re.compile(r"\d+:\d\d"))

    # All questions on one page for this test.
    if page.locator("section[data-question='1']").is_hidden():
        page.locator("[data-toggle-mode]").click()
    for position in range(5):
        _choose(page, position)
    expect(page.locator("[data-save-state]")).to_have_text("已保存", timeout=10_000)
    assert _answers(app, attempt_id) == 5

    page.reload()
    for position in range(5):
        checked = page.locator(f'section[data-question="{position}"] input:checked')
        expect(checked).to_have_count(1)

    page.context.set_offline(True)
    if page.locator("section[data-question='6']").is_hidden():
        page.locator("[data-toggle-mode]").click()
    _choose(page, 5)
    _choose(page, 6)
    expect(page.locator("[data-save-state]")).to_contain_text("未保存", timeout=10_000)
    assert _answers(app, attempt_id) == 5

    page.context.set_offline(False)
    expect(page.locator("[data-save-state]")).to_have_text("已保存", timeout=35_000)
    assert _answers(app, attempt_id) == 7

    second_tab = page.context.new_page()
    second_tab.goto(f"{base}/exam/submit")
    expect(second_tab.get_by_role("button", name="确认交卷")).to_be_visible()

    page.locator("[data-submit]").click()
    expect(page.get_by_text(re.compile("还有 3 道题没有作答"))).to_be_visible()
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_test_id("score")).to_contain_text("得分")

    second_tab.get_by_role("button", name="确认交卷").click()
    expect(second_tab.get_by_role("heading", name="您已交卷")).to_be_visible()
    with app.app_context():
        submits = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "candidate.submit", AuditEvent.target_id == str(attempt_id))
        )
    assert submits == 1
