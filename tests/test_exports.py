"""Every Excel export prints on A4 and reads in Chinese (issue 18, "Exports and prints"),
and a candidate's first test and make-ups are listed together (issue 18, "Make-up
sittings"): in the results export and on the staff candidate page."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from examsite.core.exports import attachment, sheet_title, text_width, xlsx_bytes
from examsite.core.timeutil import utcnow

TODAY = date.today()
FORMULA = '=HYPERLINK("http://evil","点我")'
ESCAPED = "'" + FORMULA
#: Stored codes that must never reach a cell: statuses, outcomes, modes, booleans.
RAW_CODES = {
    "graded",
    "absent",
    "enrolled",
    "submitted",
    "in_progress",
    "passed",
    "pending",
    "appointed",
    "rejected",
    "oral",
    "written",
    "self",
    "staff",
    "manual",
    "government",
    "True",
    "False",
    "None",
}


@pytest.fixture
def export_world(
    world,
    make_rules,
    make_candidate,
    make_sitting,
    make_meeting,
    make_appointment,
    make_statement,
    make_ceremony,
    make_term,
    make_report_subject,
) -> dict[str, Any]:
    """One person of east, with formula-like text in their unit and post, who failed a
    first test and passed its make-up, was appointed at a meeting, made a statement, took
    the oath (checked in) and reported in term 16; a second person passed the first test."""
    make_rules("east", require_test=False)
    person = make_candidate("east", name="张三", work_unit=FORMULA, proposed_post=FORMULA)
    other = make_candidate("east", name="李四")
    first = make_sitting(
        "east",
        title="第五次会议任前考试",
        candidates=[person, other],
        starts_at=utcnow() - timedelta(days=10),
        graded=[False, True],
    )
    makeup = make_sitting(
        "east",
        title="第五次会议任前考试（补考）",
        candidates=[person],
        starts_at=utcnow() - timedelta(days=7),
        graded=[True],
        makeup_of=first,
    )
    meeting = make_meeting("east", term=16, number=5)
    appointment = make_appointment(person, meeting=meeting, post=FORMULA, vote="appointed")
    make_statement(appointment, delivered_on=TODAY)
    ceremony = make_ceremony(
        "east", title="宪法宣誓仪式", participants=[appointment], checked_in=True, confirmed=True
    )
    term = make_term("east", number=16)
    make_report_subject(term, appointment, delivered_on=TODAY)
    return {
        "person": person.id,
        "first": first.id,
        "makeup": makeup.id,
        "meeting": meeting.id,
        "ceremony": ceremony.id,
        "term": term.id,
    }


#: name: (user, URL, sheet name, file name start, words that must appear in the cells,
#: whether the person's formula-like text is in the rows).
EXPORTS: dict[str, tuple[str, str, str, str, tuple[str, ...], bool]] = {
    "results": (
        "east-staff",
        "/bodies/east/exams/sittings/{makeup}/results.xlsx",
        "考试成绩",
        "考试成绩-第五次会议任前考试（补考）",
        ("已评分", "通过", "政府"),
        True,
    ),
    "meeting": (
        "east-staff",
        "/bodies/east/appointments/meetings/{meeting}/export.xlsx",
        "任免情况",
        "任免情况-第十六届人大常委会第五次会议",
        ("任命", "已发言", "已宣誓"),
        True,
    ),
    "statements": (
        "east-staff",
        "/bodies/east/appointments/statements.xlsx",
        "表态发言",
        "表态发言",
        ("是", "第十六届人大常委会第五次会议", f"{TODAY.year}年{TODAY.month}月{TODAY.day}日"),
        True,
    ),
    "ceremony": (
        "east-staff",
        "/bodies/east/appointments/ceremonies/{ceremony}/export.xlsx",
        "宣誓出席",
        "宪法宣誓出席-宪法宣誓仪式",
        ("已宣誓", "工作人员扫码"),
        True,
    ),
    "coverage": (
        "east-staff",
        "/bodies/east/reports/terms/{term}/coverage?format=xlsx",
        "履职报告覆盖",
        "履职报告覆盖-第16届",
        ("口头报告",),
        True,
    ),
    "statistics": (
        "east-admin",
        f"/statistics?start={TODAY.year}-01-01&end={TODAY.year}-12-31&format=xlsx",
        "各机关工作统计",
        "工作统计-",
        ("东城区人大常委会", "合计"),
        False,
    ),
}


def _workbook(response) -> Any:
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def _cells(sheet, min_row: int = 1) -> list[Any]:
    return [c for row in sheet.iter_rows(min_row=min_row, values_only=True) for c in row]


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_is_a_titled_chinese_sheet_set_up_for_a4(app, name, export_world, login_as):
    user, url, sheet_name, file_start, words, has_formula = EXPORTS[name]
    response = login_as(user).get(url.format(**export_world))
    sheet = _workbook(response)

    # Named in Chinese, the sheet and the download (RFC 5987, with an ASCII fallback).
    assert sheet.title == sheet_name
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded).startswith(file_start) and unquote(encoded).endswith(".xlsx")
    assert disposition.isascii()

    # The title row: merged over the header's columns, bold and larger, naming the body
    # and the day; then the bold, filled header row.
    header = [c.value for c in sheet[2]]
    assert header and all(header)
    title = sheet.cell(1, 1)
    assert f"A1:{sheet.cell(2, len(header)).column_letter}1" in {
        str(r) for r in sheet.merged_cells.ranges
    }
    assert "东城区人大常委会" in title.value
    day = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()  # the site's
    assert f"导出时间：{day.year}年{day.month}月{day.day}日" in title.value
    assert title.font.b and title.font.sz > sheet.cell(2, 1).font.sz
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DDE4EE") for c in sheet[2])

    # A4, fitted to the width, the title and header on every printed page, panes frozen.
    # openpyxl's constant is the string "9"; the loaded setting is the number 9.
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.freeze_panes == "A3"
    expected = "landscape" if len(header) > 6 else sheet.page_setup.orientation
    assert sheet.page_setup.orientation == expected
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[2]]
    assert all(6 <= w <= 50 for w in widths)

    # Words, not stored codes; formula-like text escaped.
    body = [str(c) for c in _cells(sheet, min_row=3) if c not in (None, "")]
    assert body, "the export has rows"
    assert all(word in " ".join(body) for word in words), (words, body)
    assert not RAW_CODES & set(body), RAW_CODES & set(body)
    assert not any(c.startswith("=") for c in body)
    if has_formula:
        assert ESCAPED in body


def test_a_makeup_results_export_lists_both_attempts(export_world, login_as):
    url = "/bodies/east/exams/sittings/{}/results.xlsx"
    staff = login_as("east-staff")
    for sitting in ("makeup", "first"):
        sheet = _workbook(staff.get(url.format(export_world[sitting])))
        header = [c.value for c in sheet[2]]
        assert header[-1] == "首考与补考"
        rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
        full = f"{rows['张三'][7]:g}"  # 满分
        assert rows["张三"][-1] == f"首考 0 分 未通过 / 补考 {full} 分 通过"
    assert rows["李四"][-1] == f"首考 {full} 分 通过"  # the first test's roster: 李四 too


def test_a_results_export_without_makeup_has_no_attempts_column(world, make_sitting, login_as):
    room = make_sitting("east", candidates=2, graded=[True, False])
    sheet = _workbook(
        login_as("east-staff").get(f"/bodies/east/exams/sittings/{room.id}/results.xlsx")
    )
    assert [c.value for c in sheet[2]][-1] == "结果"
    assert [r[8] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["通过", "未通过"]


def test_the_candidate_page_lists_every_attempt(export_world, login_as):
    page = (
        login_as("east-staff")
        .get(f"/bodies/east/exams/candidates/{export_world['person']}/edit")
        .get_data(as_text=True)
    )
    section = page.split('data-testid="candidate-attempts"', 1)[1].split("</section>", 1)[0]
    rows = section.split("<tr>")[2:]  # after the header row
    assert len(rows) == 2
    first, makeup = rows
    assert "第五次会议任前考试<" in first and "首考" in first and "未通过" in first
    assert "<td>0 / 22</td>" in first and "<td>0 / " not in makeup  # 0 / 22, not 0.0 / 22.0
    assert "（补考）" in makeup and "补考" in makeup and "通过" in makeup
    # Its date, in the committee's time zone (not the server's UTC day).
    local_day = (utcnow() - timedelta(days=10)).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert local_day.isoformat() in first


def test_the_candidate_page_of_someone_never_tested(world, make_candidate, login_as):
    person = make_candidate("east")
    page = login_as("east-staff").get(f"/bodies/east/exams/candidates/{person.id}/edit")
    assert "还没有参加过考试。" in page.get_data(as_text=True)


# --------------------------------------------------------------------------- the builder


def test_the_builder_escapes_names_and_sizes(app):
    with app.test_request_context():
        data = xlsx_bytes(
            ["号", "姓名", "备注", "是否到场"],
            [[1, "=1+1", "a\x00b\x07c", True], [2, "@SUM(A1)", "长" * 80, False]],
            sheet="成绩/汇总:[第1场]*?" + "长" * 40,
            title="=恶意标题",
            today=date(2026, 12, 7),
        )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == sheet_title("成绩/汇总:[第1场]*?" + "长" * 40)
    assert len(sheet.title) == 31 and not set("\\/?*[]:") & set(sheet.title)
    assert sheet.cell(1, 1).value == "'=恶意标题　导出时间：2026年12月7日"
    assert sheet.cell(1, 1).data_type == "s"  # text, never a formula
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows == [(1, "'=1+1", "abc", "是"), (2, "'@SUM(A1)", "长" * 80, "否")]
    widths = [sheet.column_dimensions[c].width for c in "ABCD"]
    assert widths == [6, 10, 50, 10]  # the minimum; "@SUM(A1)" + 2; capped; 是否到场 + 2
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_many_columns_print_in_landscape(app):
    with app.test_request_context():
        data = xlsx_bytes([f"列{i}" for i in range(8)], [[1] * 8], sheet="表", title="t")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.page_setup.orientation == "landscape"


def test_text_width_counts_cjk_double():
    assert text_width("abc") == 3 and text_width("考试") == 4 and text_width("ＡＢ") == 4
    assert text_width("短\n很长的一行") == 10 and text_width(None) == 0 and text_width(12) == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [("", "Sheet"), ("'成绩'", "成绩"), ("a:b", "a_b"), ("x" * 40, "x" * 31)],
)
def test_sheet_names_excel_accepts(name, expected):
    assert sheet_title(name) == expected


def test_a_chinese_download_name_with_a_fallback():
    value = attachment('考试成绩-第1场/"A"\r\n.xlsx')
    assert value.isascii() and "\r" not in value and "\n" not in value
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.endswith(".xlsx") and "/" not in fallback
    assert value.endswith(quote("考试成绩-第1场__A___.xlsx", safe=""))


@pytest.mark.parametrize(
    ("user", "url", "name"),
    [
        ("east-staff", "/bodies/east/bank/template.xlsx", "题库导入模板.xlsx"),
        ("east-staff", "/bodies/east/exams/candidates/template.xlsx", "拟任命人员导入模板.xlsx"),
        ("east-staff", "/bodies/east/reports/calendar.ics", "履职报告日历-东城区人大常委会.ics"),
        (
            "east-admin",
            "/bodies/east/bank/export?format=xlsx",
            f"题库-东城区人大常委会-{TODAY:%Y%m%d}.xlsx",
        ),
    ],
)
def test_other_downloads_are_named_in_chinese(world, login_as, user, url, name):
    response = login_as(user).get(url)
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe=""))
    assert disposition.isascii()
