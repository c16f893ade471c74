"""County rollout: onboarding, the rollout dashboard and the work statistics."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from examsite.auth.models import User
from examsite.core.body import Body
from examsite.exams.models import PaperTemplate
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import count
from tests.fixtures.ids import make_id
from tests.fixtures.web import csrf_token


def _upload(b, text: str, name: str = "bodies.csv"):
    return b.client.post(
        "/bodies/onboard",
        data={
            "csrf_token": csrf_token(b.client, "/"),
            "bulk-file": (io.BytesIO(text.encode()), name),
            "bulk-copy_templates": "y",
            "bulk-submit": "1",
        },
        content_type="multipart/form-data",
    )


HEADER = "代码,名称,上级代码,管理员用户名,管理员姓名\n"


def test_onboard_one_county_with_its_first_admin(app, world, login_as, browser):
    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        db.session.add(
            PaperTemplate(
                body_id=city.id,
                name="市标准卷",
                sections=[{"qtype": "single", "count": 5, "points": 20}],
            )
        )
        db.session.commit()
    admin = login_as("admin")
    r = admin.post(
        "/bodies/onboard",
        {
            "code": "north",
            "name": "北山县人大常委会",
            "parent": "city",
            "username": "north-admin",
            "admin_name": "北山管理员",
            "copy_templates": "y",
        },
    )
    page = r.get_data(as_text=True)
    password = re.search(r'data-testid="one-time-password">([^<]+)<', page).group(1)
    assert browser.login("north-admin", password).headers["Location"] == "/account/password"
    with committing(app):
        north = db.session.scalars(select(Body).where(Body.code == "north")).one()
        assert north.parent.code == "city"
        assert [
            t.name
            for t in db.session.scalars(
                select(PaperTemplate).where(PaperTemplate.body_id == north.id)
            )
        ] == ["市标准卷"]


def test_bulk_onboarding_is_all_or_nothing(app, world, login_as):
    admin = login_as("admin")
    bad = HEADER + "north,北山县人大常委会,city,north-admin,甲\nEast!,东城区人大常委会,nowhere,x,\n"
    page = _upload(admin, bad).get_data(as_text=True)
    assert "未接入任何机关" in page
    for fragment in (
        "第 3 行",
        "代码“east!”",
        "名称“东城区人大常委会”已被使用",
        "上级代码“nowhere”",
        "缺少管理员姓名",
    ):
        assert fragment in page, fragment
    assert count(app, Body) == 3
    dup = HEADER + "north,北山县,city,n-admin,甲\nnorth,南山县,city,s-admin,乙\n"
    assert "与第 2 行重复" in _upload(admin, dup).get_data(as_text=True)
    assert count(app, Body) == 3
    good = (
        HEADER
        + "north,北山县人大常委会,city,north-admin,甲\nsouth,南山县人大常委会,city,south-admin,乙\n"
    )
    page = _upload(admin, good).get_data(as_text=True)
    assert "已接入 2 个机关" in page and page.count('data-testid="one-time-password"') == 2
    assert count(app, Body) == 5 and count(app, User, User.must_change_password.is_(True)) == 2


@pytest.mark.parametrize(("name", "data"), [("x.csv", ""), ("x.exe", "MZ"), ("x.xlsx", "MZ\x90")])
def test_bulk_onboarding_bad_files(app, world, login_as, name, data):
    page = _upload(login_as("admin"), data, name).get_data(as_text=True)
    assert "未接入任何机关" in page
    assert count(app, Body) == 3


def test_onboarding_is_for_municipal_admins(world, login_as):
    assert login_as("east-admin").get("/bodies/onboard").status_code == 403


@pytest.fixture
def known_figures(world, make_template, make_candidate, make_sitting):
    """Known figures in 2026: east 2 sittings (3 tested: 2 passed first time, 1 after make-up),
    west 1 sitting (2 tested, 1 passed); a 2025 sitting in east is outside the year."""
    people = {
        (code, i): make_candidate(code, name=f"{code}{i}", id_number=make_id(701 + 3 * k + i))
        for k, code in enumerate(("east", "west"))
        for i in range(3)
    }

    def held(code: str, when: datetime, results: list[tuple[int, bool]], makeup_of=None):
        template = make_template(code, name=f"卷{when}", pass_mark=1, sections=[("single", 1, 1)])
        return make_sitting(
            code,
            template=template,
            title="考",
            candidates=[people[(code, i)] for i, _ in results],
            starts_at=when,
            ends_at=when + timedelta(hours=1),
            graded=[ok for _, ok in results],
            makeup_of=makeup_of,
        )

    first = held("east", datetime(2026, 3, 1, 2), [(0, True), (1, True), (2, False)])
    held("east", datetime(2026, 3, 8, 2), [(2, True)], makeup_of=first)
    held("west", datetime(2026, 5, 1, 2), [(0, True), (1, False)])
    held("east", datetime(2025, 5, 1, 2), [(0, True)])


def test_statistics_on_known_figures(app, known_figures, login_as):
    page = (
        login_as("admin").get("/statistics?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    )
    assert re.search(r'data-testid="total-sittings">3<', page)
    assert re.search(r'data-testid="total-tested">5<', page)
    assert re.search(r'data-testid="total-passed">4<', page)
    from examsite.statistics import figures

    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        (row,) = figures.compute([east], date(2026, 1, 1), date(2026, 12, 31))
        assert (row.sittings, row.tested, row.passed, row.passed_first, row.passed_makeup) == (
            2,
            3,
            3,
            2,
            1,
        )
    sheet = login_as("admin").get("/statistics?start=2026-01-01&end=2026-12-31&format=xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"


def test_county_admin_statistics_cover_only_its_county(app, known_figures, login_as):
    page = (
        login_as("east-admin")
        .get("/statistics?start=2026-01-01&end=2026-12-31")
        .get_data(as_text=True)
    )
    assert "东城区人大常委会" in page and "西山县人大常委会" not in page
    assert re.search(r'data-testid="total-tested">3<', page)


def _status(page: str, code: str) -> str:
    row = re.search(rf'data-testid="rollout-{code}">(.*?)</tr>', page, re.S)
    assert row is not None, code
    return re.search(r'data-testid="status">([^<]+)<', row.group(1)).group(1)


def _row(page: str, code: str) -> str:
    return re.search(rf'data-testid="rollout-{code}">(.*?)</tr>', page, re.S).group(1)


def test_rollout_dashboard_is_a_few_queries_whatever_the_number_of_bodies(
    app, world, login_as, make_body, make_user, make_template, make_candidate, count_queries
):
    admin = login_as("admin")
    login_as("east-staff")
    make_template("east", name="通用卷", sections=[("single", 1, 1)])
    make_candidate("east", post_category="court")
    admin.get("/rollout")
    with count_queries() as few:
        admin.get("/rollout")
    for i in range(20):
        make_body(f"c{i:02d}", name=f"县{i}", parent="city")
        make_user(f"c{i:02d}", "body_admin", username=f"c{i:02d}-admin")
        make_template(f"c{i:02d}", name=f"卷{i}", sections=[("single", 1, 1)])
        make_candidate(f"c{i:02d}", id_number=make_id(900 + i), post_category="government")
        if i % 2:
            login_as(f"c{i:02d}-admin")
    with count_queries() as many:
        page = admin.get("/rollout").get_data(as_text=True)
    assert many.count == few.count
    assert "县19" in page and _status(page, "c01") == "配置中" and _status(page, "c02") == "未启用"


def test_rollout_is_sortable_filterable_and_admin_only(app, known_figures, login_as):
    admin = login_as("admin")
    login_as("west-staff")
    page = admin.get("/rollout?sort=status&dir=desc&level=county").get_data(as_text=True)
    assert page.index("西山县人大常委会") < page.index("东城区人大常委会")  # configuring first
    assert "示例市人大常委会</a>" not in page
    page = admin.get("/rollout?sort=recent_candidates&dir=desc").get_data(as_text=True)
    assert "示例市人大常委会</a>" in page
    assert login_as("east-admin").get("/rollout").status_code == 403
    sheet = admin.get("/rollout?status=configuring&format=xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"


def test_rollout_statuses_come_from_the_countys_own_staff(
    app, world, login_as, make_template, make_question, make_sitting, make_candidate
):
    """未启用 until its own staff log in (the administrator looking does not count), 配置中
    with the missing items linked, 已上线 once ready with a sitting held, 停滞 after 90
    days without an action of its own staff."""
    from examsite.core.timeutil import utcnow
    from examsite.dashboard import readiness
    from examsite.dashboard.rollout_status import RolloutStatus

    admin = login_as("admin")
    admin.get("/rollout/east")  # audited in east, by the municipality: not east's activity
    page = admin.get("/rollout").get_data(as_text=True)
    assert _status(page, "east") == "未启用"
    assert re.search(r'data-testid="count-not_started">2<', page)  # east and west
    assert 'href="/bodies/east" data-testid="missing-login"' in _row(page, "east")

    login_as("east-staff")
    page = admin.get("/rollout").get_data(as_text=True)
    assert _status(page, "east") == "配置中"
    east = _row(page, "east")
    for key, href in [
        ("bank", "/bodies/east/bank/"),
        ("templates", "/bodies/east/exams/templates"),
        ("sitting", "/bodies/east/exams/sittings"),
    ]:
        assert f'href="{href}" data-testid="missing-{key}"' in east, key
    assert "missing-login" not in east
    filtered = admin.get("/rollout?status=configuring").get_data(as_text=True)
    assert "东城区人大常委会" in filtered and "西山县人大常委会" not in filtered

    template = make_template("east", name="通用卷", sections=[("single", 2, 50)])
    for n in range(2):
        make_question("city", stem=f"共享题{n}：宪法何时通过？")
    page = admin.get("/rollout").get_data(as_text=True)
    assert _status(page, "east") == "配置中"  # ready, but no sitting held yet
    assert "missing-bank" not in _row(page, "east") and "missing-sitting" in _row(page, "east")
    person = make_candidate("east", name="考生甲")
    when = utcnow() - timedelta(days=3)
    make_sitting(
        "east",
        template=template,
        candidates=[person],
        starts_at=when,
        ends_at=when + timedelta(hours=1),
        graded=[True],
    )
    page = admin.get("/rollout").get_data(as_text=True)
    assert _status(page, "east") == "已上线" and "missing-" not in _row(page, "east")
    assert re.search(r'data-testid="count-live">1<', page)
    assert "已上线" in admin.get("/rollout/east").get_data(as_text=True)

    with committing(app):
        body = db.session.scalars(select(Body).where(Body.code == "east")).one()
        (later,) = readiness.readiness([body], utcnow() + timedelta(days=91))
        assert later.status == RolloutStatus.STALLED


def test_unused_one_time_passwords_are_counted(app, world, login_as, make_user):
    make_user("west", "body_admin", username="west-new", must_change_password=True)
    page = login_as("admin").get("/rollout").get_data(as_text=True)
    assert "1 个一次性密码未使用" in _row(page, "west")
    assert "一次性密码未使用" not in _row(page, "east")


def test_drill_down_is_audited(app, world, login_as):
    from examsite.core.audit import AuditEvent

    admin = login_as("admin")
    assert admin.get("/rollout/east").status_code == 200
    assert count(app, AuditEvent, AuditEvent.action == "rollout.view") == 1
    assert admin.get("/rollout/nowhere").status_code == 404


def test_onboarding_chooses_how_the_county_uses_the_bank(app, world, login_as):
    from tests.fixtures.bank import question_form

    city = login_as("admin")
    city.post("/bodies/city/bank/new", question_form(stem="市级共享题：宪法何时通过？"))
    city.post("/bodies/city/bank/publish")
    r = city.post(
        "/bodies/onboard",
        {
            "code": "north",
            "name": "北山县人大常委会",
            "parent": "city",
            "username": "north-admin",
            "admin_name": "甲",
        },
    )
    password = re.search(
        r'data-testid="one-time-password">([^<]+)<', r.get_data(as_text=True)
    ).group(1)
    from tests.fixtures.web import Browser

    north = Browser(app.test_client())
    north.login("north-admin", password)
    north.post(
        "/account/password",
        {"current": password, "new": "North-pass-2026", "confirm": "North-pass-2026"},
    )
    assert "市级共享题" not in north.get("/bodies/north/bank/").get_data(
        as_text=True
    )  # bank not used
    assert north.get("/bodies/north/bank/new").status_code == 403  # no questions of its own
    city.post("/bodies/north/edit", {"name": "北山县人大常委会", "uses_parent_bank": "y"})
    assert "市级共享题" in north.get("/bodies/north/bank/").get_data(as_text=True)


def test_statistics_offer_the_terms_of_the_body(app, world, login_as):
    from examsite.reports import plans as report_plans

    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        report_plans.save_term(
            city, number=16, starts_on=date(2022, 1, 1), ends_on=date(2026, 12, 31)
        )
    page = login_as("admin").get("/statistics").get_data(as_text=True)
    assert "第十六届" in page and "term=16" in page
    term_page = login_as("admin").get("/statistics?term=16").get_data(as_text=True)
    assert "2022-01-01 – 2026-12-31" in term_page


def _checked(page: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag is not None, name
    return "checked" in tag.group(0)


def test_failed_bulk_upload_keeps_the_single_form_ticked(app, world, login_as):
    admin = login_as("admin")
    page = _upload(admin, HEADER + "East!,,nowhere,,\n").get_data(as_text=True)
    assert "未接入任何机关" in page
    for name in ("copy_templates", "uses_parent_bank", "own_questions"):
        assert _checked(page, name), name
    # The other way round: a refused single-body form keeps the upload's box ticked.
    page = admin.post("/bodies/onboard", {"code": "", "name": ""}).get_data(as_text=True)
    assert "请输入代码" in page
    assert _checked(page, "bulk-copy_templates")
    assert not _checked(page, "uses_parent_bank")  # what was submitted is kept
