"""A new county's first sitting, following only the home page's to-do list (issue 18): the
walk docs/exams.md describes, with its screenshots (docs/guide/img/todo-*.png) taken on the
way, and the clicks, pages and time it took printed (run with -s to read them)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examsite.auth import services as auth_services
from examsite.bodies import services as body_services
from examsite.core.body import LEVEL_COUNTY, Body
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.demo import DEMO_PASSWORD
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.ids import make_id

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"


class Walk:
    """The clerk's page, counting clicks (a field typed in is not a click) and pages."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.clicks = 0
        self.pages = 0
        page.on("load", lambda _page: self._loaded())
        page.on("dialog", lambda dialog: dialog.accept())  # "确定开放吗？"

    def _loaded(self) -> None:
        self.pages += 1

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()
        self.page.wait_for_load_state()

    def todo(self, text: str):
        """The to-do line containing ``text`` (on the home page)."""
        return self.page.locator("[data-todo] li a", has_text=text)

    def home(self) -> None:
        self.click(
            self.page.get_by_role("navigation", name="主导航").get_by_role("link", name="首页")
        )

    def shot(self, name: str) -> None:
        IMG.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(IMG / f"{name}.png"), full_page=True)


def _new_county(app) -> None:
    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        north = body_services.create_body(
            code="north", name="北山县人大常委会", level=LEVEL_COUNTY, parent=city
        )
        auth_services.create_staff(
            north,
            username="north-admin",
            name="北山县管理员",
            role=ROLE_BODY_ADMIN,
            password=DEMO_PASSWORD,
        )


def test_a_new_county_opens_its_first_sitting_by_the_list(live_server, chromium):
    app, base = live_server.app, live_server.url
    _new_county(app)
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    starts = (datetime.now(zone) + timedelta(hours=2)).replace(second=0, microsecond=0)

    context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    walk = Walk(page, base)
    began = time.monotonic()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("north-admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    walk.click(page.get_by_role("button", name="登录"))

    # 1. The empty county: the city's shared bank is ticked, the paper template comes next.
    expect(walk.todo("题库：各职务类别可用题目")).to_be_visible()
    expect(page.locator("li.done", has_text="题库：")).to_contain_text("✓ 已完成")
    expect(page.locator("li.todo", has_text="试卷方案：尚未建立试卷方案")).to_contain_text("下一步")
    walk.shot("todo-01-new-county")

    # 2. 试卷方案: the form's defaults are a 100-point paper (30 单选, 10 多选, 10 判断).
    walk.click(walk.todo("试卷方案：尚未建立试卷方案"))
    page.locator('input[name="name"]').fill("北山县标准试卷")
    walk.click(page.get_by_role("button", name="保存并检查题库"))
    expect(page.locator(".flash-error")).to_have_count(0)
    walk.home()
    expect(page.locator("li.done", has_text="试卷方案：1 个方案")).to_be_visible()
    walk.shot("todo-02-template-done")

    # 3. 拟任命人员: two people, one by one.
    walk.click(walk.todo("拟任命人员：尚未录入"))
    for i, (name, post) in enumerate([("李明", "局长"), ("王芳", "审判员")]):
        walk.click(page.get_by_role("link", name="新增人员"))
        page.locator('input[name="name"]').fill(name)
        page.locator('input[name="id_number"]').fill(make_id(700 + i))
        page.locator('input[name="proposed_post"]').fill(post)
        walk.click(page.get_by_role("button", name="保存"))
    walk.home()
    expect(walk.todo("拟任命人员：2 人尚未安排考试")).to_be_visible()
    walk.shot("todo-03-candidates")

    # 4. 考试场次: the list leads to a new sitting; enrol both on its page.
    walk.click(walk.todo("拟任命人员：2 人尚未安排考试"))
    page.locator('input[name="title"]').fill("北山县第一次任前法律知识考试")
    page.locator('input[name="room"]').fill("县人大会议室")
    page.locator('input[name="starts_at"]').fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator('input[name="ends_at"]').fill(
        (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    walk.click(page.get_by_role("button", name="保存"))
    walk.click(page.get_by_role("button", name="全选本页"))
    walk.click(page.get_by_role("button", name="报名所选人员"))
    walk.home()
    expect(page.locator("li.todo", has_text="打印准考证")).to_contain_text("下一步")
    walk.shot("todo-04-slips-and-open")

    # 5. 打印准考证, then 6. 开放考试.
    walk.click(walk.todo("打印准考证：“北山县第一次任前法律知识考试”2 名考生"))
    expect(page.locator(".slip")).to_have_count(2)
    walk.home()
    walk.click(walk.todo("开放考试：“北山县第一次任前法律知识考试”即将开始"))
    walk.click(page.get_by_role("button", name="开放考试（为所有考生抽取试卷）"))
    expect(page.get_by_text("已开放").first).to_be_visible()
    walk.home()
    expect(page.locator("[data-todo] li.todo")).to_have_count(0)
    walk.shot("todo-05-opened")
    took = time.monotonic() - began
    print(f"\nnew county → open sitting: {walk.clicks} clicks, {walk.pages} pages, {took:.1f} s")
    context.close()
