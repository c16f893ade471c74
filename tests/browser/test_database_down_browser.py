"""The database goes down during a sitting: the candidate's page keeps the answers and says
so, staff pages show a friendly 503, and when the database is back every answer arrives."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import has_request_context
from playwright.sync_api import expect

from examsite.demo import DEMO_PASSWORD
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.live import answers_saved as _answers
from tests.fixtures.live import choose as _choose
from tests.fixtures.live import live_sitting as _open_sitting
from tests.fixtures.live import show_whole_paper as _show_whole_paper

pytestmark = pytest.mark.browser


@contextmanager
def database_down(app) -> Iterator[None]:
    """Every statement a web request sends fails as it would with the server gone (the test
    itself can still read the database to check what arrived)."""
    with committing(app):
        engine = db.engine
    error = engine.dialect.loaded_dbapi.OperationalError

    def refuse(*_args: object) -> None:
        if has_request_context():
            raise error("server closed the connection unexpectedly (database down in a test)")

    sa.event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", refuse)


def test_a_database_outage_loses_nothing(live_server, chromium, page):
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 4)  # each browser test its own candidate

    staff = chromium.new_context(locale="zh-CN")
    try:
        staff_page = staff.new_page()
        staff_page.goto(f"{base}/login")
        staff_page.get_by_label("用户名").fill("east-staff")
        staff_page.get_by_label("密码").fill(DEMO_PASSWORD)
        staff_page.get_by_role("button", name="登录").click()
        expect(staff_page).not_to_have_url(re.compile("/login"))

        page.goto(f"{base}/exam/login?code={code}")
        page.get_by_label("身份证号后 6 位").fill(tail)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("button", name="开始答题").click()
        _show_whole_paper(page)
        _choose(page, 0)
        _choose(page, 1)
        expect(page.locator("[data-save-state]")).to_have_text("已保存")
        # The two saves reach the server before it goes down (the label may read 已保存
        # for a moment before the second click's save has left the page).
        deadline = time.monotonic() + 40
        while _answers(app, attempt_id) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)

        with database_down(app):
            _choose(page, 2)
            _choose(page, 3)
            expect(page.locator("[data-save-state]")).to_contain_text("未保存", timeout=15_000)
            expect(page.locator("[data-save-state]")).to_contain_text("答案已保存在本机")
            response = staff_page.goto(f"{base}/bodies/east/exams/sittings")
            assert response is not None and response.status == 503
            expect(staff_page.get_by_text("数据库暂时无法连接")).to_be_visible()
            assert _answers(app, attempt_id) == 2

        # The page retries with backoff; the queued answers arrive once the database is back.
        expect(page.locator("[data-save-state]")).to_have_text("已保存", timeout=40_000)
        assert _answers(app, attempt_id) == 4
        staff_page.reload()
        expect(staff_page.get_by_text("数据库暂时无法连接")).to_have_count(0)
    finally:
        staff.close()
