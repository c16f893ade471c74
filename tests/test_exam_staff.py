"""Staff side of exams: candidates, templates, sittings, slips, results, isolation."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl

from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from examsite.exams.domain import idcard
from examsite.exams.models import Candidate, PaperTemplate, Sitting
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt, make_id
from tests.fixtures.factories import count
from tests.fixtures.web import Browser, csrf_token


def _upload(b, url, name, data):
    return b.client.post(
        url,
        data={"csrf_token": csrf_token(b.client, "/"), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_create_candidate_validates_the_id_number(app, world, login_as):
    b = login_as("east-staff")
    bad = make_id(7)[:-1] + ("0" if make_id(7)[-1] != "0" else "1")
    r = b.post(
        "/bodies/east/exams/candidates/new",
        {"name": "张三", "id_number": bad, "post_category": "court"},
    )
    assert "身份证号不正确" in r.get_data(as_text=True)
    assert count(app, Candidate) == 0
    r = b.post(
        "/bodies/east/exams/candidates/new",
        {"name": "张三", "id_number": make_id(7), "post_category": "court", "batch": "第三次会议"},
    )
    assert r.status_code == 302
    listing = b.get("/bodies/east/exams/candidates").get_data(as_text=True)
    assert idcard.mask(make_id(7)) in listing and make_id(7) not in listing
    dup = b.post(
        "/bodies/east/exams/candidates/new",
        {"name": "李四", "id_number": make_id(7), "post_category": "court"},
    )
    assert "身份证号相同" in dup.get_data(as_text=True)


def test_reveal_is_for_body_admins_and_audited(app, world, login_as, make_candidate):
    cid = make_candidate("east", name="张三", id_number=make_id(8), post_category="other").id
    b = login_as("east-staff")
    assert b.post(f"/bodies/east/exams/candidates/{cid}/reveal").status_code == 403
    admin = login_as("east-admin")
    page = admin.post(f"/bodies/east/exams/candidates/{cid}/reveal").get_data(as_text=True)
    assert make_id(8) in page
    assert count(app, AuditEvent, AuditEvent.action == "candidate.reveal_id") == 1
    assert (
        login_as("west-admin").post(f"/bodies/east/exams/candidates/{cid}/reveal").status_code
        == 404
    )


def test_candidate_import_is_all_or_nothing_with_row_numbers(app, world, login_as):
    b = login_as("east-staff")
    header = "姓名,身份证号,工作单位,拟任职务,职务类别,任命批次,联系电话\n"
    bad = (
        header
        + f"王五,{make_id(1)},某局,局长,政府,第一次会议,13800000000\n"
        + "赵六,123456,某院,庭长,法院,第一次会议,\n"
    )
    r = _upload(b, "/bodies/east/exams/candidates/import", "list.csv", bad.encode())
    text = r.get_data(as_text=True)
    assert "未导入任何人员" in text and "第 3 行" in text
    assert count(app, Candidate) == 0
    good = (
        header
        + f"王五,{make_id(1)},某局,局长,政府,第一次会议,13800000000\n"
        + f"赵六,{make_id(2)},某院,庭长,法院,第一次会议,\n"
    )
    r = _upload(b, "/bodies/east/exams/candidates/import", "list.csv", good.encode())
    assert r.status_code == 302
    assert count(app, Candidate, Candidate.body_id == world.east.id) == 2


#: A paper template form of 5 single-choice and 5 true/false questions, 2 points each.
_TEMPLATE_FORM = {
    "name": "法院卷",
    "duration_minutes": "60",
    "pass_mark": "10",
    "single_count": "5",
    "single_points": "2",
    "multiple_count": "0",
    "multiple_points": "2",
    "true_false_count": "5",
    "true_false_points": "2",
}


def test_template_reports_a_shortfall_against_the_bank(app, world, login_as, make_bank):
    make_bank("city", tfs=3)
    b = login_as("east-admin")
    form = {**_TEMPLATE_FORM, "true_false_laws": "宪法=5"}
    r = b.post("/bodies/east/exams/templates/new", form)
    page = b.get(r.headers["Location"]).get_data(as_text=True)
    assert "判断 宪法 需要 5 道，题库只有 3 道" in page
    bad = b.post("/bodies/east/exams/templates/new", {**form, "single_laws": "宪法 10"})
    assert "无法识别" in bad.get_data(as_text=True)
    over = b.post("/bodies/east/exams/templates/new", {**form, "pass_mark": "500"})
    assert "及格分不能高于总分" in over.get_data(as_text=True)


def test_opening_draws_a_different_paper_for_each_candidate(app, exam_world):
    papers = [get_attempt(app, aid).paper_items for aid in exam_world.attempt_ids]
    assert all(len(p) == 10 for p in papers)
    firsts = [p.revision_ids for p in papers]
    assert firsts[0] != firsts[1] != firsts[2]


def test_sitting_pages_are_isolated(app, exam_world, login_as):
    west = login_as("west-admin")
    sid = exam_world.sitting_id
    for url in (
        f"/bodies/east/exams/sittings/{sid}",
        f"/bodies/east/exams/sittings/{sid}/slips",
        f"/bodies/west/exams/sittings/{sid}",
        f"/bodies/west/exams/sittings/{sid}/results",
    ):
        assert west.get(url).status_code == 404, url
    aid = exam_world.attempt_ids[0]
    assert (
        west.post(
            f"/bodies/west/invigilate/{sid}/attempts/{aid}/reissue", {"reason": "x"}
        ).status_code
        == 404
    )


def test_slips_have_code_and_qr(app, exam_world, login_as):
    page = login_as("east-staff").get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}/slips")
    text = page.get_data(as_text=True)
    assert all(code in text for code in exam_world.codes)
    assert text.count("<svg") == 3
    # The slip carries the admission code, so it shows no character of the ID tail.
    assert "110101********" in text
    assert not re.search(r"\*{4,}[0-9Xx]", text), "a mask shows part of the ID tail"


def test_reissued_code_kills_the_old_one(app, exam_world, login_as):
    b = login_as("east-admin")
    sid, aid = exam_world.sitting_id, exam_world.attempt_ids[0]
    b.post(f"/bodies/east/invigilate/{sid}/attempts/{aid}/reissue", {"reason": "准考证遗失"})
    new_code = get_attempt(app, aid).admission_code
    assert new_code != exam_world.codes[0]
    c = Browser(app.test_client())
    r = c.post("/exam/login", {"code": exam_world.codes[0], "id_tail": exam_world.tails[0]})
    assert "不正确" in r.get_data(as_text=True)
    assert (
        c.post("/exam/login", {"code": new_code, "id_tail": exam_world.tails[0]}).status_code == 302
    )


def test_close_grades_and_marks_absent_then_results_export(app, exam_world, login_as, make_attempt):
    make_attempt(exam_world, 0, answers={0: [0]})
    admin = login_as("east-admin")
    sid = exam_world.sitting_id
    assert admin.post(f"/bodies/east/invigilate/{sid}/close").status_code == 302
    statuses = [get_attempt(app, a).status for a in exam_world.attempt_ids]
    assert statuses == ["graded", "absent", "absent"]
    exported = admin.get(f"/bodies/east/exams/sittings/{sid}/results.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.data)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]  # under the title row
    assert rows[0][0] == "姓名" and len(rows) == 4
    assert [r[5] for r in rows[1:]] == ["已评分", "缺考", "缺考"]  # words, not stored codes
    assert all("***" in r[1] for r in rows[1:])  # masked ID numbers in the export


def test_results_export_escapes_formulas(app, world, login_as, make_candidate, make_sitting):
    person = make_candidate("east", work_unit="=cmd|' /C calc'!A0")
    room = make_sitting("east", open=True, candidates=[person, make_candidate("east")])
    exported = login_as("east-staff").get(f"/bodies/east/exams/sittings/{room.id}/results.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.data)).active
    units = [r[2] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in units


def test_makeup_enrolls_the_ticked(app, exam_world, login_as, make_attempt):
    make_attempt(exam_world, 0, state="submitted", answers={0: [0]})
    admin = login_as("east-admin")
    sid = exam_world.sitting_id
    admin.post(f"/bodies/east/invigilate/{sid}/close")
    start = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=3, hours=2)).strftime("%Y-%m-%dT%H:%M")
    ticked = [exam_world.attempts[0].candidate_id]  # the failed one; the absent unticked
    r = admin.post(
        f"/bodies/east/exams/sittings/{sid}/makeup",
        {"starts_at": start, "ends_at": end, "candidate_ids": ticked},
    )
    new_id = int(re.search(r"/sittings/(\d+)$", r.headers["Location"]).group(1))
    with committing(app):
        makeup = db.session.get(Sitting, new_id)
        assert makeup.makeup_of_id == sid
        names = sorted(a.candidate.name for a in makeup.attempts)
    assert names == ["考生0"]


def test_score_report_verifies_publicly(app, exam_world, login_as, make_attempt):
    make_attempt(exam_world, 0, state="submitted")
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    page = (
        login_as("east-staff")
        .get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}/attempts/{attempt.id}/report")
        .get_data(as_text=True)
    )
    assert "<svg" in page and attempt.result_token in page
    public = app.test_client().get(f"/exam/verify/{attempt.result_token}").get_data(as_text=True)
    assert "成绩核验" in public and "考生0" in public
    assert app.test_client().get("/exam/verify/forged-token").status_code == 404


def test_sitting_form_validates(app, world, login_as, make_template):
    tid = make_template("east", name="卷", sections=[("single", 1, 100)]).id
    b = login_as("east-admin")
    r = b.post(
        "/bodies/east/exams/sittings/new",
        {
            "title": "考试",
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T08:00",
            "late_entry_minutes": "15",
            "template_id": str(tid),
            "show_score": "at_submit",
            "scoring": "all_or_nothing",
            "second_login": "refuse",
            "allowed_networks": "10.0.0.0/33",
        },
    )
    text = r.get_data(as_text=True)
    assert "结束时间必须晚于开始时间" in text and "不是有效的网络地址" in text
    assert count(app, Sitting) == 0


def test_item_analysis_page(app, exam_world, login_as, make_attempt):
    for i in range(3):
        make_attempt(exam_world, i, state="submitted", answers={0: [i % 2]})
    page = login_as("east-staff").get(
        f"/bodies/east/exams/sittings/{exam_world.sitting_id}/analysis"
    )
    assert "难度系数" in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count("<tr>") > 3


def test_network_restriction(app, world, make_sitting):
    room = make_sitting("east", open=True, candidates=1, allowed_networks="10.8.0.0/16")
    b = Browser(app.test_client())
    r = b.post("/exam/login", {"code": room.codes[0], "id_tail": room.tails[0]})
    assert "指定考场" in r.get_data(as_text=True)
    r = b.post(
        "/exam/login",
        {"code": room.codes[0], "id_tail": room.tails[0]},
        environ_base={"REMOTE_ADDR": "10.8.3.4"},
    )
    assert r.status_code == 302


def test_question_page_shows_item_statistics(app, exam_world, login_as, make_attempt):
    make_attempt(exam_world, 0, state="submitted")
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    with committing(app):
        from examsite.bank.models import QuestionRevision

        qid = db.session.get(QuestionRevision, attempt.paper_items[0].revision_id).question_id
    page = login_as("east-staff").get(f"/bodies/east/bank/{qid}").get_data(as_text=True)
    assert "作答次数" in page


def test_a_law_quota_must_name_a_law_of_the_bank(app, world, login_as, make_bank):
    make_bank("city", tfs=3)
    b = login_as("east-admin")
    form = {**_TEMPLATE_FORM, "true_false_laws": "中华人民共和国宪法=2"}
    page = b.post("/bodies/east/exams/templates/new", form).get_data(as_text=True)
    assert "题库中没有“中华人民共和国宪法”这一法律分类" in page
    assert count(app, PaperTemplate, PaperTemplate.body_id == world.east.id) == 0
    # The form lists the bank's laws with their questions by type, to pick from.
    assert 'data-law="宪法"' in page
    assert re.search(r"宪法</span> <span class=\"muted\">（单选 \d+、多选 \d+、判断 3）", page)
    form["true_false_laws"] = "宪法=2"
    assert b.post("/bodies/east/exams/templates/new", form).status_code == 302
