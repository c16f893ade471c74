"""工作统计: each figure's rule, the page for staff and for the municipal administrator, the
xlsx that equals the page, and the work report's 人事任免 section as a .docx."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from sqlalchemy import select

from examsite.appointments.matters import MatterKind
from examsite.appointments.models import Appointment
from examsite.appointments.states import VoteOutcome
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.extensions import db
from examsite.statistics import figures, workreport
from examsite.statistics.figures import BodyStatistics
from tests.fixtures.database import committing

YEAR = 2026
PERIOD = (date(YEAR, 1, 1), date(YEAR, 12, 31))


def _body(code: str) -> Body:
    return db.session.scalars(select(Body).where(Body.code == code)).one()


def _compute(app, *codes: str, start: date = PERIOD[0], end: date = PERIOD[1]):
    with committing(app):
        return figures.compute([_body(c) for c in codes], start, end)


@pytest.fixture
def matter(app, make_candidate):
    """matter(code, kind, post_kind, vote=APPOINTED, on=2026-03-01): one 任免事项, written
    directly (the records' services belong to the appointment pages)."""

    def make(
        code: str,
        kind: MatterKind,
        post_kind: str = "政府组成人员",
        *,
        vote: VoteOutcome = VoteOutcome.APPOINTED,
        on: date = date(YEAR, 3, 1),
    ) -> int:
        person = make_candidate(code)
        with committing(app):
            row = Appointment(
                body_id=_body(code).id,
                candidate_id=person.id,
                kind=kind,
                post_kind=post_kind,
                proposed_post="局长",
                vote=vote,
                vote_date=on,
            )
            db.session.add(row)
            db.session.flush()
            return row.id

    return make


@pytest.fixture
def matters_2026(world, matter):
    """east in 2026: 任命 2 政府组成人员 and 1 法院法职人员, 免职 1 政府组成人员, 批准任命 1
    下级人民检察院检察长, a rejected 任命, a 选举; a 2025 任命 outside the year. west: 任命 1."""
    matter("east", MatterKind.APPOINT)
    matter("east", MatterKind.APPOINT)
    matter("east", MatterKind.APPOINT, "法院法职人员")
    matter("east", MatterKind.REMOVE)
    matter("east", MatterKind.APPROVE_APPOINT, "下级人民检察院检察长")
    matter("east", MatterKind.APPOINT, vote=VoteOutcome.REJECTED)
    matter("east", MatterKind.ELECT, "政府组成人员", on=date(YEAR, 1, 10))
    matter("east", MatterKind.APPOINT, on=date(YEAR - 1, 12, 31))
    matter("west", MatterKind.APPOINT, "监察委员会组成人员")


# --------------------------------------------------------------------------- the rules


def test_matters_count_committee_decisions_voted_through_in_the_period(app, matters_2026):
    (east,) = _compute(app, "east")
    # A 免职 is a 任免 but no 任命; a rejected vote is neither; a 选举 is not the committee's.
    assert (east.matters, east.appointed, east.removed, east.elected) == (5, 4, 1, 1)
    assert east.by_kind == {"appoint": 3, "remove": 1, "approve_appoint": 1, "elect": 1}
    assert east.by_post_kind == {"政府组成人员": 3, "法院法职人员": 1, "下级人民检察院检察长": 1}
    assert east.by_post_kind_and_kind["政府组成人员"] == {"appoint": 2, "remove": 1}


def test_the_year_boundary_is_the_local_day(app, matters_2026):
    (east,) = _compute(app, "east", start=date(YEAR - 1, 12, 31), end=date(YEAR - 1, 12, 31))
    assert (east.matters, east.appointed) == (1, 1)


def test_the_total_is_the_sum_of_the_bodies(app, matters_2026):
    rows = _compute(app, "east", "west", "city")
    total = figures.total(rows)
    assert total.body is None
    assert total.matters == 6 == sum(r.matters for r in rows)
    assert total.by_post_kind["监察委员会组成人员"] == 1
    assert total.by_post_kind["政府组成人员"] == 3
    assert total.by_kind["appoint"] == 4
    assert figures.total([]) == BodyStatistics(body=None)


@pytest.fixture
def sittings_2026(world, make_template, make_candidate, make_sitting):
    """east 2026: a sitting (3 tested, 2 passed) and its make-up (the third passes); a
    2025 sitting outside the year."""
    people = [make_candidate("east") for _ in range(3)]

    def held(when: datetime, who, results, makeup_of=None):
        template = make_template("east", name=f"卷{when}", pass_mark=1, sections=[("single", 1, 1)])
        return make_sitting(
            "east",
            template=template,
            title="考",
            candidates=who,
            starts_at=when,
            ends_at=when + timedelta(hours=1),
            graded=results,
            makeup_of=makeup_of,
        )

    first = held(datetime(YEAR, 3, 1, 2), people, [True, True, False])
    held(datetime(YEAR, 3, 8, 2), people[2:], [True], makeup_of=first)
    held(datetime(YEAR - 1, 5, 1, 2), people[:1], [True])


def test_a_make_up_pass_counts_in_passed_makeup(app, sittings_2026):
    (east,) = _compute(app, "east")
    assert (east.sittings, east.tested, east.passed) == (2, 3, 3)
    assert (east.passed_first, east.passed_makeup) == (2, 1)
    assert east.pass_rate == 100.0


def test_an_unconfirmed_ceremony_counts_no_oath(app, world, make_appointment, make_ceremony):
    today = utcnow().date()
    people = [
        make_appointment(body="east", exempt="连任", vote="appointed", vote_date=today)
        for _ in range(3)
    ]
    make_ceremony("east", participants=people[:1], checked_in=True)  # not confirmed
    make_ceremony("east", participants=people[1:], checked_in=True, confirmed=True)
    (east,) = _compute(app, "east", start=today - timedelta(days=1), end=today + timedelta(days=1))
    assert (east.ceremonies, east.oaths, east.oaths_appointed, east.oaths_elected) == (1, 2, 2, 0)
    assert east.statements == 3  # the fixture records each statement before the vote


def test_reports_satisfaction_and_rectifications(
    app, world, make_term, make_plan, make_report_subject
):
    today = utcnow().date()
    term = make_term("east")
    make_report_subject(term, mode="oral", delivered_on=today, vote=(10, 8, 1, 1))
    make_report_subject(
        term, mode="written", delivered_on=today, vote=(10, 1, 1, 8), rectification="整改"
    )
    make_report_subject(term, mode="written")  # not delivered
    (east,) = _compute(app, "east", start=today, end=today)
    assert (east.reports_oral, east.reports_written, east.reporters) == (1, 1, 2)
    assert (east.satisfied, east.unsatisfied) == (1, 1)
    assert (east.rectifications_open, east.rectifications_closed) == (1, 0)


# --------------------------------------------------------------------------- the page


def _cell(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{re.escape(testid)}">([^<]*)<', page)
    assert found, testid
    return found.group(1)


def test_staff_see_their_own_body_only(app, matters_2026, login_as):
    page = login_as("east-staff").get(f"/statistics?year={YEAR}").get_data(as_text=True)
    assert "东城区人大常委会" in page and "西山县人大常委会" not in page
    assert _cell(page, "total-matters") == "5"
    assert _cell(page, "east-matters") == "5" and _cell(page, "east-appointed") == "4"
    assert _cell(page, "east-kind-remove") == "1"
    assert "监察委员会组成人员" not in page  # west's post kind
    assert "（人次）" in page and "（人）" in page and "（次）" in page


def test_the_municipal_admin_sees_every_body_and_the_total(app, matters_2026, login_as):
    page = login_as("admin").get(f"/statistics?year={YEAR}").get_data(as_text=True)
    assert "东城区人大常委会" in page and "西山县人大常委会" in page
    assert _cell(page, "east-matters") == "5" and _cell(page, "west-matters") == "1"
    assert _cell(page, "total-matters-cell") == "6"
    assert _cell(page, "west-post-监察委员会组成人员") == "1"


def test_any_year_and_any_term_can_be_chosen(app, matters_2026, make_term, login_as):
    make_term("east", number=17, starts_on=date(YEAR - 1, 1, 1), ends_on=date(YEAR + 3, 12, 31))
    b = login_as("east-staff")
    page = b.get("/statistics").get_data(as_text=True)
    assert f"year={YEAR - 1}" in page and "第十七届" in page and "term=17" in page
    term_page = b.get("/statistics?term=17").get_data(as_text=True)
    assert _cell(term_page, "east-matters") == "6"  # 2025 and 2026
    assert b.get("/statistics?year=2011").status_code == 200
    refused = b.get("/statistics?term=9")
    assert refused.status_code == 400 and "没有第 9 届" in refused.get_data(as_text=True)
    backwards = b.get("/statistics?start=2026-05-01&end=2026-04-01")
    assert backwards.status_code == 400 and "不能早于" in backwards.get_data(as_text=True)


def test_the_xlsx_has_the_rows_of_the_page(app, matters_2026, login_as):
    b = login_as("admin")
    response = b.get(f"/statistics?year={YEAR}&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in sheet[2]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(3, values_only=True)}
    with committing(app):
        bodies = list(db.session.scalars(select(Body).order_by(Body.code)))
        computed = figures.compute(bodies, *PERIOD)
        names = {r.body.name: r for r in computed}
    assert set(rows) == {*names, "合计"}
    for name, row in names.items():
        assert rows[name]["任免合计（人次）"] == row.matters
        assert rows[name]["任命类（人次）"] == row.appointed
        assert rows[name]["任命（人次）"] == row.by_kind.get("appoint", 0)
        assert rows[name]["免职（人次）"] == row.by_kind.get("remove", 0)
        assert rows[name]["政府组成人员（人次）"] == row.by_post_kind.get("政府组成人员", 0)
        assert rows[name]["考试场次（次）"] == row.sittings
    assert rows["合计"]["任免合计（人次）"] == 6
    page = b.get(f"/statistics?year={YEAR}").get_data(as_text=True)
    for header in headers[1:]:
        assert header in page


# --------------------------------------------------------------------------- the .docx


def _paragraphs(data: bytes) -> tuple[Document, list[str]]:
    document = Document(io.BytesIO(data))
    return document, [p.text for p in document.paragraphs if p.text]


def test_the_report_command_writes_the_years_sentences(app, matters_2026, tmp_path):
    out = tmp_path / "r.docx"
    result = app.test_cli_runner().invoke(
        args=["statistics", "report", "--body", "east", "--year", str(YEAR), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    (east,) = _compute(app, "east")
    document, texts = _paragraphs(out.read_bytes())
    assert texts[0] == "东城区人大常委会2026年人事任免工作情况"
    assert texts[1] == "人事任免工作"
    assert texts[2] == (
        f"2026年，常委会共依法任免国家机关工作人员{east.matters}人次（任命{east.appointed}人次），"
        "其中，任免政府组成人员3人次，任命法院法职人员1人次，批准任命下级人民检察院检察长1人次。"
        "人民代表大会选举产生国家机关工作人员1人次。"
    )
    assert texts[3] == (
        f"组织任前法律知识考试{east.sittings}次，{east.tested}人参加，{east.passed}人合格；"
        f"{east.statements}人次作任前表态发言；组织宪法宣誓{east.ceremonies}次，{east.oaths}人次宣誓。"
    )
    assert texts[4].startswith(
        f"开展任后履职报告{east.report_rounds}次，{east.reporters}人报告履职情况"
    )

    page = document.sections[0]
    # Word stores twips: compare in whole millimetres.
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    margins = (page.top_margin, page.bottom_margin, page.left_margin, page.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    heading, body = document.paragraphs[2], document.paragraphs[3]
    assert heading.runs[0].font.size == Pt(16) and _east_asia(heading.runs[0]) == "黑体"
    assert body.runs[0].font.size == Pt(16) and _east_asia(body.runs[0]) == "仿宋_GB2312"
    assert body.paragraph_format.line_spacing == Pt(28)
    footer = page.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer and footer.count("—") == 2


def _east_asia(run) -> str:
    fonts = run._element.rPr.rFonts
    return fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_the_term_report_gives_each_year(app, matters_2026, make_term, tmp_path):
    make_term("east", number=17, starts_on=date(YEAR - 1, 1, 1), ends_on=date(YEAR, 12, 31))
    out = tmp_path / "t.docx"
    result = app.test_cli_runner().invoke(
        args=["statistics", "report", "--body", "east", "--term", "17", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    _document, texts = _paragraphs(out.read_bytes())
    assert texts[0] == "东城区人大常委会第十七届人事任免工作情况"
    opening = "两年来" if date.today() > date(YEAR, 12, 31) else "本届以来"
    assert texts[2].startswith(
        f"{opening}，常委会共依法任免国家机关工作人员6人次（任命5人次），"
        f"其中{YEAR - 1}年任免1人次，{YEAR}年任免5人次；"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--body", "nowhere", "--year", "2026"], "no body with code 'nowhere'"),
        (["--body", "east"], "exactly one of --year and --term"),
        (["--body", "east", "--year", "2026", "--term", "17"], "exactly one of --year and --term"),
        (["--body", "east", "--term", "9"], "has no term 9"),
    ],
)
def test_the_report_command_refuses_what_it_cannot_write(app, world, tmp_path, args, words):
    out = tmp_path / "x.docx"
    result = app.test_cli_runner().invoke(args=["statistics", "report", *args, "-o", str(out)])
    assert result.exit_code != 0 and words in result.output
    assert not out.exists()


def test_the_download_button_gives_the_own_bodys_report(app, matters_2026, login_as):
    b = login_as("east-staff")
    page = b.get(f"/statistics?year={YEAR}").get_data(as_text=True)
    assert f"format=docx&amp;year={YEAR}" in page or f"year={YEAR}&amp;format=docx" in page
    response = b.get(f"/statistics?year={YEAR}&format=docx")
    assert response.status_code == 200
    _document, texts = _paragraphs(response.data)
    assert texts[2].startswith("2026年，常委会共依法任免国家机关工作人员5人次（任命4人次）")
    assert b.get("/statistics?start=2026-01-01&end=2026-02-01&format=docx").status_code == 400


# --------------------------------------------------------------------------- the roll-up


def _all_bodies(app) -> list[Body]:
    with committing(app):
        return list(db.session.scalars(select(Body).order_by(Body.code)))


def _rollup(app, start: date = PERIOD[0], end: date = PERIOD[1]) -> BodyStatistics:
    with committing(app):
        bodies = list(db.session.scalars(select(Body).order_by(Body.code)))
        return figures.total(figures.compute(bodies, start, end))


def test_the_admin_downloads_the_roll_up_of_the_city_and_its_counties(
    app, matters_2026, sittings_2026, login_as
):
    from examsite.core.audit import AuditEvent

    b = login_as("admin")
    page = b.get(f"/statistics?year={YEAR}").get_data(as_text=True)
    assert "scope=all" in page and "下载本级及所辖区县工作报告（Word）" in page
    response = b.get(f"/statistics?year={YEAR}&format=docx&scope=all")
    assert response.status_code == 200
    _document, texts = _paragraphs(response.data)
    total = _rollup(app)
    assert total.matters == 6 and total.sittings == 2  # east's and west's together
    assert texts[0] == "示例市人大常委会及所辖区县2026年人事任免工作情况"
    assert texts[2] == (
        f"2026年，本级及所辖区县人大常委会共依法任免国家机关工作人员{total.matters}人次"
        f"（任命{total.appointed}人次），其中，任免政府组成人员3人次，任命监察委员会组成人员1人次，"
        "任命法院法职人员1人次，批准任命下级人民检察院检察长1人次。"
        f"本级及所辖区县人民代表大会选举产生国家机关工作人员{total.elected}人次。"
    )
    assert texts[3] == workreport.steps_sentence(total)
    assert texts[3].startswith(
        f"组织任前法律知识考试{total.sittings}次，{total.tested}人参加，{total.passed}人合格"
    )
    assert texts[4] == workreport.reports_sentence(total)
    # The own body's report stays the municipality's own figures.
    own = b.get(f"/statistics?year={YEAR}&format=docx")
    _document, own_texts = _paragraphs(own.data)
    assert own_texts[0] == "示例市人大常委会2026年人事任免工作情况"
    assert own_texts[2].startswith("2026年，常委会共依法任免国家机关工作人员0人次")
    with committing(app):
        exports = [
            e.details_dict["what"]
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "statistics.export")
            )
        ]
    assert sorted(exports) == ["docx", "docx-all"]


@pytest.mark.parametrize("user", ["east-staff", "east-admin", "city-staff"])
def test_no_one_but_the_municipal_admin_gets_the_roll_up(app, matters_2026, login_as, user):
    from examsite.core.audit import AuditEvent

    b = login_as(user)
    assert "scope=all" not in b.get(f"/statistics?year={YEAR}").get_data(as_text=True)
    assert b.get(f"/statistics?year={YEAR}&format=docx&scope=all").status_code == 403
    assert b.get("/statistics?term=17&format=docx&scope=all").status_code == 403
    with committing(app):
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "statistics.export")
        ).first()


def test_the_term_roll_up_gives_each_years_total(app, matters_2026, make_term, tmp_path, login_as):
    make_term("city", number=17, starts_on=date(YEAR - 1, 1, 1), ends_on=date(YEAR, 12, 31))
    matter = _rollup(app, date(YEAR - 1, 1, 1), date(YEAR, 12, 31))
    years = [_rollup(app, date(y, 1, 1), date(y, 12, 31)).matters for y in (YEAR - 1, YEAR)]
    assert years == [1, 6]  # east's 2025 matter; east's and west's 2026 ones
    opening = "两年来" if date.today() > date(YEAR, 12, 31) else "本届以来"
    expected = (
        f"{opening}，本级及所辖区县人大常委会共依法任免国家机关工作人员{matter.matters}人次"
        f"（任命{matter.appointed}人次），其中{YEAR - 1}年任免{years[0]}人次，"
        f"{YEAR}年任免{years[1]}人次；"
    )
    response = login_as("admin").get("/statistics?term=17&format=docx&scope=all")
    assert response.status_code == 200
    _document, texts = _paragraphs(response.data)
    assert texts[0] == "示例市人大常委会及所辖区县第十七届人事任免工作情况"
    assert texts[2].startswith(expected)
    out = tmp_path / "all.docx"
    result = app.test_cli_runner().invoke(
        args=["statistics", "report", "--body", "city", "--term", "17", "--all", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert _paragraphs(out.read_bytes())[1] == texts


def test_the_report_command_writes_the_roll_up_of_a_municipal_body_only(
    app, matters_2026, tmp_path
):
    out = tmp_path / "all.docx"
    args = ["statistics", "report", "--year", str(YEAR), "--all", "-o", str(out)]
    result = app.test_cli_runner().invoke(args=[*args, "--body", "city"])
    assert result.exit_code == 0, result.output
    _document, texts = _paragraphs(out.read_bytes())
    assert texts[0] == "示例市人大常委会及所辖区县2026年人事任免工作情况"
    assert texts[2].startswith(
        f"2026年，本级及所辖区县人大常委会共依法任免国家机关工作人员{_rollup(app).matters}人次"
    )
    out.unlink()
    refused = app.test_cli_runner().invoke(args=[*args, "--body", "east"])
    assert refused.exit_code != 0 and "has no bodies below it" in refused.output
    assert not out.exists()


# --------------------------------------------------------------------------- the rollout


def test_the_rollout_look_at_a_body_shows_the_figures_of_the_statistics(
    app, world, matter, login_as
):
    today = date.today()
    matter("east", MatterKind.APPOINT, on=today)
    matter("east", MatterKind.APPOINT, "法院法职人员", on=today)
    matter("east", MatterKind.REMOVE, on=today)
    matter("east", MatterKind.APPOINT, on=date(today.year - 1, 6, 1))  # another year
    matter("west", MatterKind.APPOINT, on=today)
    b = login_as("admin")
    look = b.get("/rollout/east").get_data(as_text=True)
    statistics = b.get(f"/statistics?year={today.year}").get_data(as_text=True)
    assert _cell(look, "figure-matters") == _cell(statistics, "east-matters") == "3"
    assert _cell(look, "figure-sittings") == _cell(statistics, "east-sittings")
    assert "任免（人次）" in look and "考试合格（人）" in look and "考试场次（次）" in look
    assert f'href="/statistics?year={today.year}"' in look
    assert _cell(look, "staff") == "2"  # east-admin and east-staff


def test_post_kind_clauses_word_the_kinds():
    assert workreport.post_kind_clause("政府组成人员", {"appoint": 2}) == "任命政府组成人员2人次"
    assert workreport.post_kind_clause("政府组成人员", {"appoint": 1, "remove": 1}) == (
        "任免政府组成人员2人次"
    )
    assert workreport.post_kind_clause("", {"dismiss": 1}) == "免去其他国家机关工作人员1人次"
    assert workreport.post_kind_clause(
        "下级人民检察院检察长", {"approve_remove": 1, "approve_appoint": 2}
    ) == ("批准任免下级人民检察院检察长3人次")
