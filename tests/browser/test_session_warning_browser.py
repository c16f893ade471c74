"""In a real browser: the idle warning opens before the timeout with the focus on "继续工作",
the click keeps the session and the half-filled form, and an ignored warning ends on the
login page. The page's clock (Playwright) and the server's (core/web.py) move together."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from examsite.core import web
from examsite.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_the_idle_warning_keeps_a_clerk_at_work_or_ends_the_session(live_server, page, monkeypatch):
    server_now = [time.time()]
    monkeypatch.setattr(web, "time", SimpleNamespace(time=lambda: server_now[0]))

    def wait(seconds: int) -> None:
        server_now[0] += seconds
        page.clock.fast_forward(seconds * 1000)

    base = live_server.url
    page.clock.install()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()

    page.goto(f"{base}/bodies/new")
    name = page.get_by_label("名称")
    name.fill("北山县人大常委会")
    dialog = page.get_by_role("alertdialog", name="即将自动退出登录")
    expect(dialog).to_be_hidden()

    wait(24 * 60)
    expect(dialog).to_be_hidden()
    wait(61)  # 25 min 1 s: the page asks the server, which has 4 min 59 s left
    expect(dialog).to_be_visible()
    keep = dialog.get_by_role("button", name="继续工作")
    expect(keep).to_be_focused()
    expect(dialog.locator("[data-countdown]")).to_have_text(re.compile(r"^4:5\d$"))

    keep.click()
    expect(dialog).to_be_hidden()
    expect(name).to_be_focused()
    expect(name).to_have_value("北山县人大常委会")

    wait(25 * 60 + 1)  # 25 min after the keepalive: warned again, then ignored
    expect(dialog).to_be_visible()
    wait(5 * 60)
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fbodies%2Fnew"))
    expect(page.get_by_text("您已长时间未操作，请重新登录。")).to_be_visible()
