"""In a real browser: a candidate sits the test through reloads and a network cut."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from examsite.core.audit import AuditEvent
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.live import answers_saved as _answers
from tests.fixtures.live import choose as _choose
from tests.fixtures.live import live_sitting as _open_sitting
from tests.fixtures.live import show_whole_paper as _show_whole_paper

pytestmark = pytest.mark.browser


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
    _show_whole_paper(page)
    for position in range(5):
        _choose(page, position)
    expect(page.locator("[data-save-state]")).to_have_text("已保存", timeout=10_000)
    assert _answers(app, attempt_id) == 5

    page.reload()
    for position in range(5):
        checked = page.locator(f'section[data-question="{position}"] input:checked')
        expect(checked).to_have_count(1)

    page.context.set_offline(True)
    _show_whole_paper(page, 6)
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
    with committing(app):
        submits = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "candidate.submit", AuditEvent.target_id == str(attempt_id))
        )
    assert submits == 1


def test_a_click_before_the_page_script_has_loaded_is_saved(live_server, page):
    """On a slow intranet the page's modules arrive last: a candidate who ticks an answer
    before they run must see the tick kept and the answer reach the server."""
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 5)

    page.goto(f"{base}/exam/login?code={code}")
    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()

    held = []
    page.route("**/static/js/exam/main.js*", lambda route: held.append(route))
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url(re.compile("/exam/paper"), wait_until="commit")  # no script, no load
    _choose(page, 0)  # the script is held back: nothing listens yet
    expect(page.locator("section[data-question='0'] input:checked")).to_have_count(1)
    assert _answers(app, attempt_id) == 0

    page.wait_for_timeout(200)  # the route handler runs on the driver's next turn
    assert held, "the test page did not ask for its script"
    for route in held:
        route.continue_()
    expect(page.locator("[data-exam].is-enhanced")).to_have_count(1)
    expect(page.locator("[data-save-state]")).to_have_text("已保存", timeout=10_000)
    expect(page.locator("section[data-question='0'] input:checked")).to_have_count(1)
    assert _answers(app, attempt_id) == 1


def _watch_for_missing_files(page) -> list[str]:
    """Every 404 the page's requests get, and every console error (a missing file is both)."""
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"404 {r.url}") if r.status == 404 else None)
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    return problems


def _attempt_keys(page) -> list[str]:
    return page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.indexOf('examsite:attempt:') === 0)"
    )


def test_after_submitting_the_browser_keeps_nothing_of_the_paper(live_server, page):
    """Submitted through the paper's button and the confirmation form; no page of the way
    asks for a file that is not there (the favicon included)."""
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = _open_sitting(app, 6)
    problems = _watch_for_missing_files(page)

    page.goto(f"{base}/exam/login?code={code}")
    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="开始答题").click()
    _choose(page, 0)
    expect(page.locator("[data-save-state]")).to_have_text("已保存", timeout=10_000)
    assert _attempt_keys(page) == [f"examsite:attempt:{attempt_id}"]

    page.locator("[data-submit]").click()
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_role("heading", name="您已交卷")).to_be_visible()
    assert _attempt_keys(page) == []
    assert problems == []


def test_on_a_phone_the_bar_is_small_and_nothing_scrolls_sideways(live_server, chromium):
    app, base = live_server.app, live_server.url
    _, code, tail = _open_sitting(app, 7)
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        phone = context.new_page()
        phone.set_default_timeout(10_000)
        phone.goto(f"{base}/exam/login?code={code}")
        phone.get_by_label("身份证号后 6 位").fill(tail)
        phone.get_by_role("button", name="登录").click()
        phone.get_by_role("button", name="开始答题").click()
        expect(phone.locator("[data-exam].is-enhanced")).to_have_count(1)
        expect(phone.locator("[data-save-state]")).to_have_text("已保存")
        bar = phone.locator(".exam-bar").bounding_box()
        parts = phone.evaluate(
            "() => [...document.querySelectorAll('.exam-bar > *')]"
            ".map((e) => [e.className, Math.round(e.getBoundingClientRect().top),"
            " Math.round(e.getBoundingClientRect().height)])"
        )
        assert bar is not None and bar["height"] <= 844 * 0.15, (bar, parts)
        width = phone.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= 390, width
        if phone.locator("section[data-question='1']").is_hidden():
            phone.locator("[data-toggle-mode]").click()  # the whole paper, every option
        width = phone.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()


def test_large_text_is_one_keypress_away_and_remembered(live_server, page):
    app, base = live_server.app, live_server.url
    _, code, tail = _open_sitting(app, 8)
    page.goto(f"{base}/exam/login?code={code}")
    switch = page.get_by_role("button", name="大字")
    expect(switch).to_have_attribute("aria-pressed", "false")
    size = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
    normal = page.evaluate(size)
    switch.focus()
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(size) > normal

    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="开始答题")).to_be_visible()
    assert page.evaluate(size) > normal  # remembered on the next page
    expect(page.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="大字").press("Space")
    assert page.evaluate(size) == normal
    page.reload()
    assert page.evaluate(size) == normal
