"""In a real browser: a body admin uploads a bank file with one bad row."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from examsite.bank.models import Question
from examsite.demo import DEMO_PASSWORD
from examsite.extensions import db

pytestmark = pytest.mark.browser

CSV = (
    "题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案,解析,法律依据,分类,难度\n"
    "单选,东城区测试题：县级人大常委会由谁产生？,县人大,县政府,,,,,,,A,解析,《地方组织法》第四十一条,地方组织法,2\n"
    "单选,东城区测试题：这一行缺少答案？,甲,乙,,,,,,,,解析,《地方组织法》第一条,地方组织法,2\n"
)


def _east_questions(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Question).where(Question.stem.like("东城区测试题%"))
        )


def test_upload_with_a_bad_row_reports_it_and_changes_nothing(live_server, page):
    base = live_server.url
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("east-admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="题库").click()
    expect(page.get_by_role("heading", name=re.compile("题库"))).to_be_visible()
    page.get_by_role("link", name="导入").click()
    page.get_by_label("题库文件").set_input_files(
        files=[{"name": "east.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")}]
    )
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_role("heading", name="导入检查结果")).to_be_visible()
    expect(page.get_by_text(re.compile("第 3 行.*缺少答案"))).to_be_visible()
    expect(page.get_by_test_id("error-count")).to_have_text("1")

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(re.compile("未导入任何题目"))).to_be_visible()
    assert _east_questions(live_server) == 0

    page.get_by_label("只导入无误的题目，跳过有错误的行").check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status")).to_contain_text("已导入 1 道题目")
    assert _east_questions(live_server) == 1
