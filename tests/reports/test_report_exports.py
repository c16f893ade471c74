"""Exports a committee files: the coverage of a term, and the meeting, statements and oath
attendance workbooks, Chinese throughout with a title row (body, what, date)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import openpyxl

from tests.fixtures.reports import TODAY, report_subjects

#: Stored codes and raw values that must never reach a cell.
RAW = re.compile(
    r"^(satisfied|unsatisfied|oral|written|pending|delivered|exempt|open|closed|"
    r"appointed|rejected|True|False|None)$"
)


def _sheet(response) -> Any:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


def _no_raw_values(sheet) -> None:
    for row in sheet.iter_rows(values_only=True):
        for value in row:
            assert value is None or not RAW.match(str(value)), row


def test_coverage_export_is_in_words(app, term_world, login_as, make_plan):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    sids = [s.id for s in report_subjects(app, tid)]
    for sid, counts in ((sids[0], ("20", "15", "2", "3")), (sids[1], ("20", "3", "2", "15"))):
        b.post(
            f"/bodies/east/reports/subjects/{sid}/report",
            {"delivered_on": TODAY.isoformat(), "mode": "oral"},
        )
        b.post(
            f"/bodies/east/reports/subjects/{sid}/vote",
            dict(zip(("present", "satisfied", "basically", "unsatisfied"), counts, strict=True)),
        )
    b.post(
        f"/bodies/east/reports/subjects/{sids[1]}/rectification",
        {"actions": "整改", "due_on": (TODAY + timedelta(days=30)).isoformat()},
    )
    b.post(f"/bodies/east/reports/subjects/{sids[2]}/exempt", {"reason": "已调离"})
    sheet = _sheet(b.get(f"/bodies/east/reports/terms/{tid}/coverage?format=xlsx"))
    title = str(sheet.cell(1, 1).value)
    assert "东城区人大常委会" in title and "第16届任后履职报告覆盖情况" in title
    assert TODAY.strftime("%Y") in title
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["姓名", "职务", "报告方式", "状态"] and "测评结果" in header
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    outcome, rect, status = header.index("测评结果"), header.index("整改"), header.index("状态")
    assert rows["报告人0"][outcome] == "满意" and rows["报告人0"][status] == "已报告"
    assert rows["报告人1"][outcome] == "不满意" and rows["报告人1"][rect] == "整改中"
    assert rows["报告人2"][status] == "免于报告" and rows["报告人2"][2] == "口头报告"
    _no_raw_values(sheet)


def test_a_failed_test_is_exported_as_failed(
    world, make_rules, make_candidate, make_sitting, make_meeting, make_appointment, login_as
):
    make_rules("east", require_test=False)
    failed = make_candidate("east", name="未过者")
    untested = make_candidate("east", name="未考者")
    make_sitting("east", candidates=[failed], graded=[False])
    meeting = make_meeting("east", term=16, number=5)
    make_appointment(failed, body="east", meeting=meeting)
    make_appointment(untested, body="east", meeting=meeting)
    b = login_as("east-staff")
    sheet = _sheet(b.get(f"/bodies/east/appointments/meetings/{meeting.id}/export.xlsx"))
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["未过者"][4] == "未通过" and rows["未考者"][4] == "未考"
    _no_raw_values(sheet)
    # The meeting page says the same, never 缺 for one who sat and failed.
    page = b.get(f"/bodies/east/appointments/meetings/{meeting.id}").get_data(as_text=True)
    failed_row = page.split("未过者", 1)[1].split("</tr>", 1)[0]
    untested_row = page.split("未考者", 1)[1].split("</tr>", 1)[0]
    assert "未通过" in failed_row and "缺" not in failed_row.split("</td>")[2]
    assert "未考" in untested_row


def test_statements_and_oath_exports_are_in_words_with_a_title(
    world, make_rules, make_appointment, make_statement, make_ceremony, login_as
):
    make_rules("east", require_test=False)
    a = make_appointment(body="east", post="局长", vote="appointed")
    make_statement(a)
    ceremony = make_ceremony("east", participants=[a], checked_in=True, confirmed=True)
    b = login_as("east-staff")
    statements = _sheet(b.get("/bodies/east/appointments/statements.xlsx"))
    assert "东城区人大常委会" in str(statements.cell(1, 1).value)
    assert "任前表态发言" in str(statements.cell(1, 1).value)
    _no_raw_values(statements)
    oath = _sheet(b.get(f"/bodies/east/appointments/ceremonies/{ceremony.id}/export.xlsx"))
    title = str(oath.cell(1, 1).value)
    assert "东城区人大常委会" in title and "出席情况" in title
    assert [r[2] for r in oath.iter_rows(min_row=3, values_only=True)] == ["已宣誓"]
    _no_raw_values(oath)
