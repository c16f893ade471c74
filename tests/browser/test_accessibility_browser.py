"""In a real browser: axe-core finds no serious or critical accessibility problem on any page
a candidate sees, nor on the main staff pages, at desktop and at phone size; and the test page
can be used with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from examsite.auth.models import User
from examsite.demo import DEMO_PASSWORD
from examsite.exams import answering, sittings
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.ids import make_id
from tests.fixtures.live import ARTIFACTS, answers_saved, live_sitting

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
BLOCKING = ("serious", "critical")
CANDIDATE_PAGES = (
    "login",
    "start",
    "practice",
    "practice-feedback",
    "paper-all",
    "paper-single",
    "submit",
    "finish",
)
STAFF_PAGES = ("home", "sitting", "panel", "results", "candidates", "bank", "record", "calendar")

_axe = Axe()


def _blocking(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    response = _axe.run(page).response
    return [v for v in response["violations"] if v.get("impact") in BLOCKING]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(map(str, n["target"])) for n in v["nodes"][:4]]
        more = f" (+{len(v['nodes']) - 4} more)" if len(v["nodes"]) > 4 else ""
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}: {'; '.join(targets)}{more}")
    return "\n".join(lines)


def _check_both_sizes(page, name: str, found: dict) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(50)  # let the layout settle at the new size
        found[(name, size)] = _blocking(page)
        if found[(name, size)]:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{size}.png"), full_page=True)


def _staff_login(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("east-staff")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()


def _candidate_login(page, base: str, code: str, tail: str) -> None:
    page.goto(f"{base}/exam/login?code={code}")
    page.get_by_label("身份证号后 6 位").fill(tail)
    page.get_by_role("button", name="登录").click()


@pytest.fixture(scope="module")
def candidate_findings(live_server, chromium) -> Iterator[dict]:
    """One candidate through every page (login → start → practice → paper in both display
    modes → submit → finish), axe run on each at both sizes: {(page, size): violations}."""
    app, base = live_server.app, live_server.url
    _attempt_id, code, tail = live_sitting(app, 20)
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    found: dict = {}

    page.goto(f"{base}/exam/login?code={code}")
    _check_both_sizes(page, "login", found)
    _candidate_login(page, base, code, tail)
    expect(page.get_by_role("button", name="开始答题")).to_be_visible()
    _check_both_sizes(page, "start", found)

    page.get_by_role("link", name=re.compile("模拟练习")).click()
    expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    _check_both_sizes(page, "practice", found)
    page.locator("label.option").first.click()
    page.get_by_role("button", name="提交答案").click()
    expect(page.get_by_role("status")).to_be_visible()
    _check_both_sizes(page, "practice-feedback", found)
    page.get_by_role("link", name="结束练习").click()

    page.get_by_role("button", name="开始答题").click()
    expect(page.locator("[data-exam].is-enhanced")).to_have_count(1)
    expect(page.locator("[data-timer-value]")).to_have_text(re.compile(r"\d+:\d\d"))
    toggle = page.locator("[data-toggle-mode]")
    if page.locator("section[data-question='1']").is_hidden():
        toggle.click()
    expect(page.locator("section[data-question='1']")).to_be_visible()
    page.locator("section[data-question='0'] label.option").first.click()
    expect(page.locator("[data-save-state]")).to_have_text("已保存")
    _check_both_sizes(page, "paper-all", found)
    toggle.click()
    expect(page.locator("section[data-question='1']")).to_be_hidden()
    _check_both_sizes(page, "paper-single", found)

    page.locator("[data-submit]").click()
    expect(page.get_by_role("button", name="确认交卷")).to_be_visible()
    _check_both_sizes(page, "submit", found)
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_role("heading", name="您已交卷")).to_be_visible()
    _check_both_sizes(page, "finish", found)

    context.close()
    yield found


@pytest.fixture(scope="module")
def staff_urls(live_server) -> dict[str, str]:
    """The staff pages to check, on a sitting of east with east-staff as its invigilator
    where one candidate is answering and another has handed in (a graded row)."""
    app = live_server.app
    attempt_id, _code, _tail = live_sitting(app, 21)
    with committing(app):
        attempt = db.session.get(Attempt, attempt_id)
        sitting = attempt.sitting
        sitting.invigilators = [
            db.session.scalars(select(User).where(User.username == "east-staff")).one()
        ]
        second = Candidate(
            body_id=sitting.body_id, name="无障碍考生", id_number=make_id(21, "19790707")
        )
        db.session.add(second)
        sittings.enroll(sitting, [second])
        answering.start_attempt(attempt)
        done = db.session.scalars(select(Attempt).where(Attempt.candidate_id == second.id)).one()
        answering.start_attempt(done)
        answering.submit(done)
        sitting_id = sitting.id
    east = "/bodies/east"
    return {
        "home": "/",
        "sitting": f"{east}/exams/sittings/{sitting_id}",
        "panel": f"{east}/invigilate/{sitting_id}/",
        "results": f"{east}/exams/sittings/{sitting_id}/results",
        "candidates": f"{east}/exams/candidates",
        "bank": f"{east}/bank/",
        "record": f"{east}/invigilate/{sitting_id}/record",
        "calendar": f"{east}/reports/calendar",
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", CANDIDATE_PAGES)
def test_candidate_page_has_no_serious_accessibility_problem(candidate_findings, name, size):
    violations = candidate_findings[(name, size)]
    assert not violations, f"{name} at {size}:\n{_describe(violations)}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_has_no_serious_accessibility_problem(live_server, staff_urls, page, name, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    _staff_login(page, live_server.url)
    response = page.goto(live_server.url + staff_urls[name])
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")  # the panel fills its table from a script
    violations = _blocking(page)
    assert not violations, f"{name} at {size}:\n{_describe(violations)}"


def test_the_paper_works_with_the_keyboard_alone(live_server, page):
    """Tab to an answer, Space to tick it, the arrow keys to the next question and back, a
    letter key for the second answer, then Tab to 交卷 and Enter: the submit page opens with
    both answers stored, without a single click."""
    app, base = live_server.app, live_server.url
    attempt_id, code, tail = live_sitting(app, 22)
    page.goto(f"{base}/exam/login?code={code}")
    page.get_by_label("身份证号后 6 位").focus()
    page.keyboard.type(tail)
    page.keyboard.press("Enter")
    start = page.get_by_role("button", name="开始答题")
    expect(start).to_be_visible()
    _tab_until(page, start)
    page.keyboard.press("Enter")
    expect(page.locator("[data-exam].is-enhanced")).to_have_count(1)

    first = page.locator("section[data-question='0'] input").first
    _tab_until(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    page.keyboard.press("ArrowRight")  # the next question, never another option
    expect(page.locator("section[data-question='0'] input:checked")).to_have_count(1)
    expect(page.locator("section[data-question='1'] .question-title")).to_be_focused()
    page.keyboard.press("B")
    expect(page.locator("section[data-question='1'] input").nth(1)).to_be_checked()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("section[data-question='0'] .question-title")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator("section[data-question='1'] .question-title")).to_be_focused()
    expect(page.locator("[data-save-state]")).to_have_text("已保存")
    assert answers_saved(app, attempt_id) == 2

    submit = page.locator("[data-submit]")
    _tab_until(page, submit)
    _expect_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="确认交卷")).to_be_visible()
    expect(page.get_by_text(re.compile("还有 8 道题没有作答"))).to_be_visible()


def _tab_until(page, target, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus (fails after ``limit`` presses)."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def _expect_focus_ring(page) -> None:
    """The focused element shows a visible outline (the :focus-visible style)."""
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert style[0] != "none" and style[1] >= 2, f"no visible focus outline: {style}"
