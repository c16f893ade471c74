"""In a real browser: the demo admin logs in, switches language, creates county staff, logs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from examsite.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_demo_admin_logs_in_switches_language_and_logs_out(live_server, page):
    base = live_server.url
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()

    _login(page, base, "admin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()

    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_admin_creates_county_staff_who_sees_only_that_county(live_server, page, chromium):
    base = live_server.url
    _login(page, base, "admin", DEMO_PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="机关").click()
    page.get_by_role("link", name="西山县人大常委会").click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("west-clerk")
    page.get_by_label("姓名").fill("李明")
    page.get_by_label("角色").select_option("staff")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    temp = page.get_by_test_id("temporary-password").inner_text().strip()
    assert len(temp) == 12

    # The new member signs in elsewhere and must choose a password first.
    other = chromium.new_context(viewport={"width": 1024, "height": 768})
    clerk = other.new_page()
    _login(clerk, base, "west-clerk", temp)
    expect(clerk.get_by_role("heading", name="修改密码")).to_be_visible()
    clerk.get_by_label("当前密码").fill(temp)
    clerk.get_by_label("新密码", exact=True).fill("Xibei-lane-2026")
    clerk.get_by_label("再次输入新密码").fill("Xibei-lane-2026")
    clerk.get_by_role("button", name="修改密码").click()
    expect(clerk.get_by_text("密码已修改")).to_be_visible()

    clerk.get_by_role("navigation", name="主导航").get_by_role("link", name="本机关").click()
    expect(clerk.get_by_role("heading", name="西山县人大常委会")).to_be_visible()
    response = clerk.goto(base + "/bodies/east")
    assert response is not None and response.status == 404
    expect(clerk.get_by_role("heading", name="页面不存在")).to_be_visible()
    other.close()
