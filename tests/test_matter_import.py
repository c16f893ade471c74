"""Importing a meeting's 任免名单 from the office's spreadsheet: the parser on its own, then
the pages (upload, preview, confirm), all or nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from examsite.appointments import records
from examsite.appointments.matter_import import KIND_BY_LABEL, parse_matters
from examsite.appointments.matters import MatterKind
from examsite.appointments.models import Appointment, PostKind
from examsite.core.audit import AuditEvent
from examsite.exams.models import Candidate
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import body_row, count
from tests.fixtures.ids import make_id
from tests.fixtures.matter_sheets import (
    BAD_LINES,
    bad_list,
    good_list,
    person_row,
    workbook_bytes,
)

POST_KINDS = ("政府组成人员", "法院法职人员", "检察院法职人员", "乡镇人大主席")


def _parse(data: bytes, **kwargs):
    return parse_matters("名单.xlsx", data, post_kinds=POST_KINDS, **kwargs)


# --------------------------------------------------------------------------- the parser


def test_the_kinds_read_are_the_matter_kinds_labels():
    labels = {value: label._args[0] for value, label in MatterKind.labels().items()}
    for text, value in KIND_BY_LABEL.items():
        assert value in labels and value != "elect"
        if text not in ("免去", "辞职"):
            assert labels[value] == text
    # every committee kind can be written in the file by its own label
    assert {v for k, v in KIND_BY_LABEL.items() if labels[v] == k} == set(labels) - {"elect"}


def test_a_good_list_with_header_variants_parses_every_row():
    result = _parse(good_list())
    assert result.errors == []
    assert len(result.rows) == 20
    first = result.rows[0]
    assert first.line == 3  # under the title and the header
    assert first.kind == "remove"  # 免去
    assert first.work_unit == "=1+1"  # formula-like: its text, never evaluated
    assert first.nominating_organ == "区人民政府区长"
    assert {r.kind for r in result.rows} == set(KIND_BY_LABEL.values())
    assert {r.post_kind for r in result.rows} == {
        "政府组成人员",
        "法院法职人员",
        "检察院法职人员",
        "",
    }


def test_every_bad_row_is_reported_with_its_line_and_reason():
    result = _parse(bad_list())
    assert [p.line for p in result.errors] == list(BAD_LINES)
    messages = [p.message for p in result.errors]
    assert "无法识别任免类别“调任”" in messages[0]
    assert "校验位不正确" in messages[1]
    assert "与第 4 行是同一人员的同一任免事项" in messages[2]
    # no ID number shows whole in a message
    assert all(not re.search(r"[0-9]{17}", m) for m in messages)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (person_row(1, post_kind="乡镇干部"), "无法识别职务类别“乡镇干部”"),
        (person_row(1, post=""), "缺少职务"),
        (person_row(1, kind=""), "缺少任免类别"),
        (person_row(1, name=""), "缺少姓名"),
        (person_row(1, id_number="11010119800101"), "格式不正确"),
        # a number cell: Excel has already lost the last digits
        (person_row(1, id_number=int(make_id(601))), "被 Excel 当成了数字"),
    ],
)
def test_a_bad_cell_names_its_reason(row, reason):
    result = _parse(workbook_bytes([row]))
    assert [p.line for p in result.errors] == [3]
    assert reason in result.errors[0].message


def test_a_known_number_with_another_name_is_refused():
    number = make_id(601)
    result = _parse(workbook_bytes([person_row(1)]), known_names={number: "别人"})
    assert "登记的姓名是“别人”" in result.errors[0].message


def test_a_matter_already_on_the_meeting_is_refused():
    row = person_row(1, kind="任命", post="局长")
    result = _parse(workbook_bytes([row]), existing={(make_id(601), "appoint", "局长")})
    assert "已在本次会议中" in result.errors[0].message


def test_a_missing_required_column_is_named():
    header = ("姓名", "身份证号", "职务")
    result = _parse(workbook_bytes([["张三", make_id(1), "局长"]], header=header))
    assert "缺少必需的列：任免类别" in result.errors[0].message


def test_only_xlsx_is_read():
    result = parse_matters("名单.csv", b"a,b\n", post_kinds=POST_KINDS)
    assert "只能导入 Excel（.xlsx）文件" in result.errors[0].message
    renamed = parse_matters("名单.xlsx", b"not a zip at all", post_kinds=POST_KINDS)
    assert not renamed.ok and renamed.rows == []


# --------------------------------------------------------------------------- the pages


@pytest.fixture
def meeting(app, world, make_meeting):
    return make_meeting("east", term=16, number=12, date=date(2026, 11, 20))


def _url(meeting, tail=""):
    return f"/bodies/east/appointments/meetings/{meeting.id}/import{tail}"


def _upload(b, meeting, data, name="名单.xlsx"):
    return b.post(_url(meeting), {"file": (io.BytesIO(data), name)})


def _confirm(b, meeting, preview):
    page = preview.get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page)
    assert token, page[-3000:]
    return b.post(_url(meeting, "/confirm"), {"token": token.group(1), "filename": "名单.xlsx"})


def _matters(app, meeting):
    with committing(app):
        return [
            (a.candidate.id_number, a.kind.value, a.proposed_post, a.post_kind, a.candidate_id)
            for a in db.session.scalars(
                select(Appointment)
                .where(Appointment.meeting_id == meeting.id)
                .order_by(Appointment.id)
            )
        ]


def test_a_good_list_is_previewed_then_saved_and_audited_once(app, meeting, login_as):
    b = login_as("east-staff")
    page = b.get(f"/bodies/east/appointments/meetings/{meeting.id}").get_data(as_text=True)
    assert _url(meeting) in page  # the meeting page offers 导入任免名单
    preview = _upload(b, meeting, good_list())
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "共 20 项任免事项" in text and "确认导入" in text
    assert make_id(601) not in text  # the preview masks ID numbers
    assert _matters(app, meeting) == []  # nothing saved before the confirmation

    done = _confirm(b, meeting, preview)
    assert done.status_code == 302
    assert "已导入 20 项任免事项" in b.get(done.headers["Location"]).get_data(as_text=True)
    saved = _matters(app, meeting)
    assert len(saved) == 20
    assert saved[0][:4] == (make_id(601), "remove", "区第1局局长", "法院法职人员")
    assert count(app, Candidate, Candidate.id_number == make_id(601)) == 1
    with committing(app):
        person = db.session.scalars(
            select(Candidate).where(Candidate.id_number == make_id(601))
        ).one()
        assert person.work_unit == "=1+1"
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "matter.import")
        ).all()
        assert len(events) == 1 and events[0].details_dict["rows"] == 20
    # the same confirmation cannot be replayed
    assert _confirm(b, meeting, preview).status_code == 302
    assert len(_matters(app, meeting)) == 20


def test_a_list_with_bad_rows_saves_nothing_and_lists_them(app, meeting, login_as):
    b = login_as("east-staff")
    response = _upload(b, meeting, bad_list())
    text = response.get_data(as_text=True)
    assert "文件有 3 处错误，未导入任何任免事项" in text
    for line in BAD_LINES:
        assert f"第 {line} 行" in text
    assert "无法识别任免类别“调任”" in text and "校验位不正确" in text
    assert "确认导入" not in text
    assert _matters(app, meeting) == []
    assert count(app, Candidate, Candidate.name.like("导入%")) == 0


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("名单.csv", b"\xe5\xa7\x93\xe5\x90\x8d,x\n", "只能导入 Excel（.xlsx）文件"),
        ("名单.xlsx", b"MZ\x90\x00" + b"\x00" * 200, "文件内容与扩展名"),
        ("名单.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "只能导入 Excel（.xlsx）文件"),
        ("名单.docx", b"%PDF-1.4\n", "只能导入 Excel（.xlsx）文件"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused(app, meeting, login_as, name, data, reason):
    b = login_as("east-staff")
    text = _upload(b, meeting, data, name).get_data(as_text=True)
    assert "未导入任何任免事项" in text and reason in text
    assert _matters(app, meeting) == []


def test_an_oversized_upload_is_refused(app, meeting, login_as, monkeypatch):
    b = login_as("east-staff")
    # Over the site's request limit: refused before the view runs (a raw body: the test
    # client's multipart encoder leaks a temp file this large).
    response = b.client.post(
        _url(meeting),
        data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 413
    # Over the import's own limit: a clear message, nothing saved.
    from examsite.appointments.views import matter_import as view

    monkeypatch.setattr(view, "_max_bytes", lambda: 1000)
    text = _upload(b, meeting, good_list()).get_data(as_text=True)
    assert "文件超过大小上限" in text and "未导入任何任免事项" in text
    assert _matters(app, meeting) == []


def test_a_post_kind_of_the_body_is_accepted_only_there(app, world, meeting, login_as):
    with committing(app):
        db.session.add(PostKind(body_id=body_row("east").id, name="乡镇人大主席", position=1))
    data = workbook_bytes([person_row(1, post_kind="乡镇人大主席")])
    b = login_as("east-staff")
    assert _confirm(b, meeting, _upload(b, meeting, data)).status_code == 302
    assert _matters(app, meeting)[0][3] == "乡镇人大主席"
    w = login_as("west-staff")
    with committing(app):
        west = records.save_meeting(
            body_row("west"), None, term=16, number=1, date=date(2026, 11, 1), agenda=""
        )
        west_id = west.id
    text = w.post(
        f"/bodies/west/appointments/meetings/{west_id}/import",
        {"file": (io.BytesIO(data), "名单.xlsx")},
    ).get_data(as_text=True)
    assert "无法识别职务类别“乡镇人大主席”" in text
    assert count(app, Appointment, Appointment.meeting_id == west_id) == 0


def test_a_second_import_adds_a_matter_to_the_same_person(
    app, world, meeting, make_meeting, login_as
):
    b = login_as("east-staff")
    first = [person_row(1, kind="任命", post="区财政局局长")]
    assert _confirm(b, meeting, _upload(b, meeting, workbook_bytes(first))).status_code == 302
    later = make_meeting("east", term=16, number=20, date=date(2027, 6, 1))
    again = [person_row(1, kind="免职", post="区财政局局长")]
    assert _confirm(b, later, _upload(b, later, workbook_bytes(again))).status_code == 302
    assert count(app, Candidate, Candidate.id_number == make_id(601)) == 1
    (appointed,) = _matters(app, meeting)
    (removed,) = _matters(app, later)
    assert appointed[4] == removed[4]
    assert (appointed[1], removed[1]) == ("appoint", "remove")
    # and a third import of the same matter on the same meeting is refused
    text = _upload(b, later, workbook_bytes(again)).get_data(as_text=True)
    assert "已在本次会议中" in text


def test_another_bodys_meeting_answers_404(app, world, make_meeting, login_as):
    west = make_meeting("west", term=16, number=3)
    b = login_as("east-staff")
    assert b.get(f"/bodies/east/appointments/meetings/{west.id}/import").status_code == 404
    assert _upload(b, west, good_list()).status_code == 404
    w = login_as("west-staff")
    assert w.get(f"/bodies/west/appointments/meetings/{west.id}/import").status_code == 200
    # a preview's token works only on its own meeting
    east_meeting = make_meeting("east", term=16, number=4)
    preview = _upload(b, east_meeting, good_list())
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', preview.text)
    assert token
    r = w.post(
        f"/bodies/west/appointments/meetings/{west.id}/import/confirm",
        {"token": token.group(1)},
    )
    assert r.status_code == 302
    assert _matters(app, west) == []
