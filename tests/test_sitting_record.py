"""考场记录 as a document fit to file (issue 19): the same page on the screen and as a PDF,
counts computed in one place, every intervention and incident with its candidate and in
words, three signature lines, the sign-off digest that `flask audit verify --digest`
checks, and addenda (补充说明) as the only thing added after sign-off."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from examsite.exams import states
from examsite.exams.models import Sitting
from examsite.extensions import db
from examsite.invigilation import record
from examsite.invigilation import services as invigilation_services
from examsite.invigilation.models import Addendum, Incident
from tests.fixtures.candidate import save, started
from tests.fixtures.database import committing
from tests.fixtures.factories import count

RAW = ("sitting.", "True", "False", "category", "after_signoff", "discipline", "forced")


def url(world: Any, suffix: str = "") -> str:
    return f"/bodies/east/invigilate/{world.sitting_id}/{suffix}"


def _text(pdf: bytes) -> str:
    """The PDF's text, all white space removed (the extractor breaks lines freely)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def held(app, exam_world, make_user, login_as) -> dict[str, Any]:
    """A sitting as a room runs it: two invigilators; 考生0 extended 10 minutes and handed
    in at the close, 考生1 forced to hand in after a breach, 考生2 never came; an incident
    on 考生1 and one for the whole room; closed. Not signed yet."""
    make_user("east", username="inv-wang", name="王监考", invigilates=[exam_world])
    make_user("east", username="inv-li", name="李监考", invigilates=[exam_world])
    first = started(app, exam_world, 0)
    save(first, 0, [0], 1)
    started(app, exam_world, 1)
    wang = login_as("inv-wang")
    a0, a1, _a2 = exam_world.attempt_ids
    wang.post(url(exam_world, "extend"), {"attempt_id": a0, "minutes": "10", "reason": "换机"})
    wang.post(url(exam_world, f"attempts/{a1}/force-submit"), {"reason": "夹带资料"})
    wang.post(
        url(exam_world, "incidents"),
        {"attempt_id": a1, "category": "discipline", "note": "夹带小抄一张"},
    )
    login_as("inv-li").post(
        url(exam_world, "incidents"), {"category": "equipment", "note": "空调故障"}
    )
    admin = login_as("east-admin")
    assert admin.post(url(exam_world, "close")).status_code == 302
    return {"admin": admin, "wang": wang}


def _sign(app, world, admin) -> str:
    assert admin.post(url(world, "sign-off")).status_code == 302
    with committing(app):
        sitting = db.session.get(Sitting, world.sitting_id)
        assert sitting.signed_off_at is not None
        digest = record.signoff_digest(sitting)
    assert digest is not None and len(digest) == 64
    return digest


def _admin_name(app) -> str:
    with committing(app):
        return db.session.scalars(select(User.name).where(User.username == "east-admin")).one()


def test_the_signed_record_prints_as_a_pdf_fit_to_file(app, exam_world, held):
    admin = held["admin"]
    digest = _sign(app, exam_world, admin)
    r = admin.post(url(exam_world, "addenda"), {"text": "考后核实：考生1 的小抄已交纪检组。"})
    assert r.status_code == 302
    response = admin.get(url(exam_world, "record.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.get_data())
    code = dict(zip(exam_world.attempt_ids, exam_world.codes, strict=True))
    a0, a1, _a2 = exam_world.attempt_ids
    assert "东城区人大常委会任前法律知识考试考场记录" in text
    assert "第十次会议任前考试" in text and "第一考场" in text and "标准卷" in text
    # Each intervention in words, with the candidate it concerns and who did it.
    for who, what in (
        (f"考生0（准考证号{code[a0]}）", "延长考试时间10分钟，原因：换机"),
        (f"考生1（准考证号{code[a1]}）", "强制交卷，原因：夹带资料"),
        (f"考生1（准考证号{code[a1]}）", "记录考场情况（违纪）：夹带小抄一张"),
        ("全场", "记录考场情况（设备故障）：空调故障"),
    ):
        assert what in text, what
        # The candidate's cell comes right before the what of the same row.
        assert who in text[text.index(what) - len(who) - 2 : text.index(what)], (who, what)
    assert "王监考（工作人员）" in text and "李监考（工作人员）" in text
    assert "报名到场缺考交卷到时收卷强制交卷延时准许迟到入场纸质作答通过" in text
    # enrolled 3, present 2, absent 1, handed in 2 (time-out 1, forced 1), extended 1,
    # re-admitted 0, on paper 0, passed 0 of the 2 graded.
    assert "3212111000/2" in text
    # Three signature lines with printed names, the signer's too.
    for line in ("监考人员签名（一）", "监考人员签名（二）", "负责人签名"):
        assert line in text
    for name in ("王监考", "李监考", _admin_name(app)):
        assert f"（打印姓名：{name}）" in text
    assert f"签字确认审计摘要（SHA-256）：{digest}" in text
    assert "第1页共" in text
    assert "补充说明" in text and "考后核实：考生1的小抄已交纪检组。" in text
    for raw in RAW:
        assert raw not in text, raw


def test_the_screen_page_is_the_same_record_and_links_to_the_pdf(app, exam_world, held):
    admin = held["admin"]
    page = admin.get(url(exam_world, "record")).get_data(as_text=True)
    assert url(exam_world, "record.pdf") in page
    assert "延长考试时间 10 分钟，原因：换机" in page
    assert "负责人签名" in page and "（打印姓名：王监考）" in page
    assert "签字确认并锁定" in page and "添加补充说明" not in page


def test_counts_are_computed_in_two_queries(app, exam_world, held, count_queries):
    with committing(app):
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        with count_queries() as queries:
            counts = record.counts(sitting)
        assert queries.count == 2, list(queries)
    assert counts == record.Counts(
        enrolled=3,
        present=2,
        absent=1,
        submitted=2,
        timed_out=1,
        forced=1,
        extended=1,
        readmitted=0,
        on_paper=0,
        graded=2,
        passed=counts.passed,
    )
    assert counts.passed is not None and 0 <= counts.passed <= 2


def test_no_pass_count_before_a_paper_is_graded(app, exam_world):
    with committing(app):
        counts = record.counts(db.session.get(Sitting, exam_world.sitting_id))
    assert counts.graded == 0 and counts.passed is None and counts.enrolled == 3


@pytest.mark.parametrize("who", ["east-admin", "admin"])
def test_an_incident_after_signoff_is_refused_for_admins_and_nothing_changes(
    app, exam_world, held, login_as, who
):
    _sign(app, exam_world, held["admin"])
    browser = login_as(who)
    incidents = count(app, Incident)
    events = count(app, AuditEvent)
    r = browser.post(url(exam_world, "incidents"), {"category": "other", "note": "补记"})
    assert r.status_code == 303
    assert "该场次记录已签字确认，不能再作修改。" in browser.get(r.headers["Location"]).get_data(
        as_text=True
    )
    assert count(app, Incident) == incidents
    assert count(app, AuditEvent) == events
    with committing(app):
        user = db.session.scalars(select(User).where(User.username == who)).one()
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        with pytest.raises(states.SittingLocked):
            invigilation_services.add_incident(sitting, None, "other", "补记", user)
        db.session.rollback()
    assert count(app, Incident) == incidents


def test_an_addendum_is_refused_before_signoff(app, exam_world, held):
    admin = held["admin"]
    r = admin.post(url(exam_world, "addenda"), {"text": "补记一件事"})
    assert r.status_code == 302
    page = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "考场记录签字确认后才能添加补充说明" in page
    assert count(app, Addendum) == 0


def test_an_addendum_needs_text_within_the_limit(app, exam_world, held):
    admin = held["admin"]
    _sign(app, exam_world, admin)
    for text in ("", "   ", "长" * 2001):
        r = admin.post(url(exam_world, "addenda"), {"text": text})
        assert "请填写补充说明" in admin.get(r.headers["Location"]).get_data(as_text=True)
    assert count(app, Addendum) == 0
    no_token = admin.client.post(url(exam_world, "addenda"), data={"text": "无令牌"})
    assert no_token.status_code in (302, 400) and count(app, Addendum) == 0


def test_an_addendum_is_signed_listed_and_audited(app, exam_world, held, login_as):
    _sign(app, exam_world, held["admin"])
    wang = login_as("inv-wang")
    r = wang.post(url(exam_world, "addenda"), {"text": "考生2 次日来电说明缺考原因。"})
    page = wang.get(r.headers["Location"]).get_data(as_text=True)
    assert "补充说明已签名记录" in page
    assert "考生2 次日来电说明缺考原因。" in page
    assert "补充人：王监考（工作人员）" in page
    with committing(app):
        added = db.session.scalars(select(Addendum)).one()
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sitting.addendum")
        ).one()
        assert (event.target_type, event.target_id) == ("Addendum", str(added.id))
        assert f"审计摘要：{event.hash}" in page
        # The signed record itself did not change: its rows are as they were signed.
        sitting = db.session.get(Sitting, exam_world.sitting_id)
        assert states.sitting_locked(sitting) and count(app, Incident) == 2


def test_verify_digest_checks_a_filed_copy_against_the_log(app, exam_world, held, runner):
    digest = _sign(app, exam_world, held["admin"])
    ok = runner.invoke(args=["audit", "verify", "--digest", digest])
    assert ok.exit_code == 0, ok.output
    assert "OK:" in ok.output and "intact up to it" in ok.output and "east" in ok.output
    unknown = runner.invoke(args=["audit", "verify", "--digest", "0" * 63 + "1"])
    assert unknown.exit_code == 1 and "NOT FOUND" in unknown.output
    with committing(app):
        earlier = db.session.scalars(
            select(AuditEvent.id)
            .where(AuditEvent.action == "attempt.extend")
            .order_by(AuditEvent.id)
        ).first()
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == earlier).values(details="{}")
        )
        db.session.commit()
    broken = runner.invoke(args=["audit", "verify", "--digest", digest])
    assert broken.exit_code == 1
    assert "BROKEN" in broken.output and "content was changed" in broken.output


def test_the_panel_of_a_signed_sitting_offers_no_incident_form(app, exam_world, held):
    admin = held["admin"]
    incidents = url(exam_world, "incidents")
    assert f'action="{incidents}"' in admin.get(url(exam_world)).get_data(as_text=True)
    _sign(app, exam_world, admin)
    page = admin.get(url(exam_world)).get_data(as_text=True)
    assert f'action="{incidents}"' not in page
    assert "请在考场记录中添加补充说明" in page
