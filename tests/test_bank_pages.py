"""The question bank in the browser's terms: pages, edits with revisions, import, export."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from examsite.bank import importing
from examsite.bank.models import BankImport, Question, QuestionRevision
from examsite.core.body import Body
from examsite.extensions import db
from tests.fixtures.bank import question_form as _form
from tests.fixtures.database import committing
from tests.fixtures.factories import count

HEADER = "题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案,解析,法律依据,分类,难度\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


GOOD_ROW = (
    "单选,全国人民代表大会的任期是几年？,三年,四年,五年,六年,,,,,C,任期五年。,"
    "《中华人民共和国宪法》第六十条,宪法,2"
)
GOOD_ROW_2 = (
    "判断,国务院实行总理负责制。,,,,,,,,,对,总理负责制。,《中华人民共和国宪法》第八十六条,宪法,1"
)
BAD_ROW = "单选,没有答案的题目？,甲,乙,,,,,,,,解析,《中华人民共和国宪法》第一条,宪法,2"


@pytest.fixture
def bank_question(world, make_question):
    """One active single-choice question in a body's bank (the city's), published; returns
    its id."""

    def make(body_code: str = "city", stem: str = "宪法规定的国家根本任务是什么？") -> int:
        return make_question(body_code, stem=stem, answer=(1,), explanation="因为乙。").id

    return make


def _upload(b, code: str, name: str, data: bytes):
    return b.client.post(
        f"/bodies/{code}/bank/import",
        data={"csrf_token": _token(b), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _token(b) -> str:
    from tests.fixtures.web import csrf_token

    return csrf_token(b.client, "/")


def _preview_id(response) -> int:
    match = re.search(r"/bank/import/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def test_county_sees_shared_questions_read_only(app, world, login_as, bank_question):
    qid = bank_question("city")
    b = login_as("east-admin")
    listing = b.get("/bodies/east/bank/").get_data(as_text=True)
    assert "宪法规定的国家根本任务是什么" in listing and "上级共享" in listing
    detail = b.get(f"/bodies/east/bank/{qid}").get_data(as_text=True)
    assert "只能查看" in detail
    assert b.get(f"/bodies/east/bank/{qid}/edit").status_code == 403
    assert b.post(f"/bodies/east/bank/{qid}/status").status_code == 403


def test_a_countys_own_questions_are_hidden_from_its_sibling(app, world, login_as, bank_question):
    qid = bank_question("east", stem="东城区自己的题目？")
    west = login_as("west-admin")
    assert west.get(f"/bodies/west/bank/{qid}").status_code == 404
    assert "东城区自己的题目" not in west.get("/bodies/west/bank/").get_data(as_text=True)
    assert west.get("/bodies/east/bank/").status_code == 404
    assert west.get(f"/bodies/east/bank/{qid}").status_code == 404
    city = login_as("admin")  # the municipality sees the county's own questions via its URL
    assert city.get(f"/bodies/east/bank/{qid}").status_code == 200


def test_staff_reads_the_bank_but_cannot_change_it(world, login_as, bank_question):
    qid = bank_question("city")
    b = login_as("city-staff")
    assert b.get("/bodies/city/bank/").status_code == 200
    assert b.get(f"/bodies/city/bank/{qid}").status_code == 200
    assert b.get("/bodies/city/bank/new").status_code == 403
    assert b.get("/bodies/city/bank/import").status_code == 403


def test_create_a_question(app, world, login_as):
    b = login_as("east-admin")
    response = b.post("/bodies/east/bank/new", _form())
    assert response.status_code == 302
    page = b.get(response.headers["Location"]).get_data(as_text=True)
    assert "县级人大常委会主任由谁选举" in page and "第 1 版" in page
    assert count(app, Question, Question.body_id == world.east.id) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"correct": ["A", "B"]}, "单选题只能有一个正确答案"),
        ({"correct": []}, "缺少答案"),
        ({"option_c": "", "option_d": "", "option_b": "", "correct": ["A"]}, "至少需要 2 个选项"),
        ({"correct": ["E"]}, "不在选项中"),
        ({"qtype": "multiple", "correct": ["A"]}, "多选题至少需要两个正确答案"),
        ({"qtype": "true_false", "tf_answer": ""}, "缺少答案"),
    ],
)
def test_form_errors_are_clear_and_change_nothing(app, world, login_as, overrides, message):
    b = login_as("east-admin")
    response = b.post("/bodies/east/bank/new", _form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Question) == 0


def test_true_false_question(app, world, login_as):
    b = login_as("east-admin")
    response = b.post(
        "/bodies/east/bank/new",
        _form(qtype="true_false", stem="宪法是国家的根本法。", tf_answer="0"),
    )
    assert response.status_code == 302
    with committing(app):
        q = db.session.scalars(select(Question)).one()
        assert (q.options, q.answer) == (["正确", "错误"], [0])


def test_duplicate_after_normalization_is_refused(app, world, login_as, bank_question):
    bank_question("city", stem="宪法规定的国家根本任务是什么？")
    b = login_as("east-admin")
    # Half-width question mark and extra spaces: the same question for the bank.
    response = b.post("/bodies/east/bank/new", _form(stem=" 宪法规定的 国家根本任务是什么? "))
    assert "重复" in response.get_data(as_text=True)
    assert count(app, Question) == 1


def test_edit_makes_a_revision_and_keeps_the_old_one(app, world, login_as, bank_question):
    qid = bank_question("city")
    b = login_as("admin")
    with committing(app):
        first_revision = db.session.scalars(
            select(QuestionRevision.id).where(QuestionRevision.question_id == qid)
        ).one()
    form = _form(stem="宪法规定的国家根本任务是什么（修订）？", correct=["B"])
    assert b.post(f"/bodies/city/bank/{qid}/edit", form).status_code == 302
    with committing(app):
        old = db.session.get(QuestionRevision, first_revision)
        assert old.stem == "宪法规定的国家根本任务是什么？" and old.answer == [1]
        q = db.session.get(Question, qid)
        assert (q.revision, q.answer) == (2, [1])
    diff = b.get(f"/bodies/city/bank/{qid}/diff").get_data(as_text=True)
    assert "<ins>（修订）</ins>" in diff
    # Saving the same content again adds no revision.
    b.post(f"/bodies/city/bank/{qid}/edit", form)
    assert count(app, QuestionRevision, QuestionRevision.question_id == qid) == 2


def test_retire_and_restore(app, world, login_as, bank_question):
    qid = bank_question("city")
    b = login_as("admin")
    b.post(f"/bodies/city/bank/{qid}/status")
    assert "宪法规定的国家根本任务" not in b.get("/bodies/city/bank/").get_data(as_text=True)
    retired = b.get("/bodies/city/bank/", query_string={"status": "retired"})
    assert "宪法规定的国家根本任务" in retired.get_data(as_text=True)
    b.post(f"/bodies/city/bank/{qid}/status")
    with committing(app):
        assert db.session.get(Question, qid).status == "active"


def test_stem_with_markup_is_shown_as_text(world, login_as, bank_question):
    qid = bank_question("city", stem="<script>alert(1)</script>是什么？")
    page = login_as("admin").get(f"/bodies/city/bank/{qid}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_list_filters_and_paginates(app, world, login_as, bank_question):
    for i in range(25):
        bank_question("city", stem=f"第{i}个关于代表法的问题？")
    b = login_as("admin")
    page = b.get("/bodies/city/bank/").get_data(as_text=True)
    assert "共 25 条" in page and 'rel="next"' in page
    found = b.get("/bodies/city/bank/", query_string={"q": "第7个"}).get_data(as_text=True)
    assert "共 1 条" in found


def test_import_with_a_bad_row_names_the_row_and_changes_nothing(app, world, login_as):
    b = login_as("east-admin")
    response = _upload(b, "east", "bank.csv", _csv(GOOD_ROW, BAD_ROW, GOOD_ROW_2))
    import_id = _preview_id(response)
    preview = b.get(f"/bodies/east/bank/import/{import_id}").get_data(as_text=True)
    assert "第 3 行" in preview and "缺少答案" in preview
    assert count(app, Question) == 0  # a preview writes nothing

    refused = b.post(f"/bodies/east/bank/import/{import_id}/confirm")
    assert refused.status_code == 302
    assert "未导入任何题目" in b.get(refused.headers["Location"]).get_data(as_text=True)
    assert count(app, Question) == 0

    done = b.post(f"/bodies/east/bank/import/{import_id}/confirm", {"valid_only": "y"})
    assert done.status_code == 302
    assert count(app, Question, Question.body_id == world.east.id) == 2
    again = b.post(f"/bodies/east/bank/import/{import_id}/confirm", {"valid_only": "y"})
    assert again.status_code == 302
    assert count(app, Question) == 2  # a done import cannot run twice


def test_import_skips_duplicates_of_the_bank_and_says_so(app, world, login_as, bank_question):
    bank_question("city", stem="全国人民代表大会的任期是几年？")
    b = login_as("east-admin")
    import_id = _preview_id(_upload(b, "east", "bank.csv", _csv(GOOD_ROW, GOOD_ROW_2)))
    preview = b.get(f"/bodies/east/bank/import/{import_id}").get_data(as_text=True)
    assert "将跳过" in preview and "第 2 行" in preview
    b.post(f"/bodies/east/bank/import/{import_id}/confirm")
    assert count(app, Question, Question.body_id == world.east.id) == 1
    with committing(app):
        record = db.session.get(BankImport, import_id)
        assert record.status == "imported" and record.data is None


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "文件为空"),
        ("virus.xlsx", b"MZ\x90\x00" + b"\x00" * 100, "文件内容"),
        ("broken.xlsx", b"PK\x03\x04garbage", "文件已损坏"),
        ("bank.doc", b"hello", "不支持"),
    ],
)
def test_bad_files_get_a_clear_error(app, world, login_as, name, data, message):
    b = login_as("east-admin")
    import_id = _preview_id(_upload(b, "east", name, data))
    preview = b.get(f"/bodies/east/bank/import/{import_id}").get_data(as_text=True)
    assert message in preview
    assert count(app, Question) == 0


def test_upload_over_the_limit_is_refused(app, world, login_as):
    b = login_as("east-admin")
    limit = app.config["MAX_CONTENT_LENGTH"]
    # A raw body: the test client's own multipart encoder leaks a temp file this large.
    response = b.client.post(
        "/bodies/east/bank/import",
        data=b"x" * (limit + 1),
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert count(app, BankImport) == 0


def test_cannot_import_into_another_county(app, world, login_as):
    b = login_as("east-admin")
    response = _upload(b, "west", "bank.csv", _csv(GOOD_ROW))
    assert response.status_code == 404
    assert count(app, BankImport) == 0


def test_export_then_import_into_an_empty_body_gives_the_same_bank(
    app, world, create_body, login_as
):
    b = login_as("admin")
    import_id = _preview_id(_upload(b, "city", "bank.csv", _csv(GOOD_ROW, GOOD_ROW_2)))
    b.post(f"/bodies/city/bank/import/{import_id}/confirm")
    exported = b.get("/bodies/city/bank/export", query_string={"format": "xlsx"})
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].endswith(".xlsx")
    create_body("fresh", name="新建市人大常委会", level="municipal")
    with committing(app):
        fresh = db.session.scalars(select(Body).where(Body.code == "fresh")).one()
        importing.import_file(fresh, "export.xlsx", exported.data)
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()

        def bank(body):
            return sorted(
                (
                    q.qtype,
                    q.stem,
                    tuple(q.options),
                    tuple(q.answer),
                    q.explanation,
                    q.legal_basis,
                    q.category,
                    q.difficulty,
                )
                for q in db.session.scalars(select(Question).where(Question.body_id == body.id))
            )

        assert bank(fresh) == bank(city) and len(bank(city)) == 2


def test_export_escapes_formula_cells(app, world, login_as, bank_question):
    bank_question("city", stem='=HYPERLINK("http://evil")是公式吗？')
    b = login_as("admin")
    exported = b.get("/bodies/city/bank/export", query_string={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(exported.data)).active
    stems = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert stems == ['\'=HYPERLINK("http://evil")是公式吗？']
    csv_text = b.get("/bodies/city/bank/export", query_string={"format": "csv"}).data.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv_text


def test_blank_template_downloads(world, login_as):
    response = login_as("east-staff").get("/bodies/east/bank/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["题型", "题干", "选项A"] and "答案" in header


def test_stats_page_counts_per_law_and_type(world, login_as, bank_question):
    bank_question("city")
    page = login_as("east-staff").get("/bodies/east/bank/stats").get_data(as_text=True)
    assert "宪法" in page and "单选" in page


def test_every_change_is_audited(app, world, login_as, bank_question):
    from examsite.core.audit import AuditEvent

    qid = bank_question("city")
    b = login_as("admin")
    b.post(f"/bodies/city/bank/{qid}/status")
    b.get("/bodies/city/bank/export", query_string={"format": "gift"})
    actions = {
        a
        for a in ("question.create", "question.retire", "bank.export")
        if count(app, AuditEvent, AuditEvent.action == a)
    }
    assert actions == {"question.create", "question.retire", "bank.export"}


def test_a_county_hides_a_shared_question_from_its_draws(app, world, login_as, bank_question):
    from examsite.exams.papers import pool_for

    qid = bank_question("city")
    east = login_as("east-admin")
    assert east.post(f"/bodies/east/bank/{qid}/hidden").status_code == 302
    assert "本机关组卷时不使用此题" in east.get(f"/bodies/east/bank/{qid}").get_data(as_text=True)
    assert "不使用" in east.get("/bodies/east/bank/").get_data(as_text=True)
    with committing(app):
        bodies = {b.code: b for b in db.session.scalars(select(Body))}
        revisions = {r.id: r.question_id for r in db.session.scalars(select(QuestionRevision))}
        assert qid not in {revisions[p.revision_id] for p in pool_for(bodies["east"])}
        assert qid in {
            revisions[p.revision_id] for p in pool_for(bodies["west"])
        }  # others unaffected
    east.post(f"/bodies/east/bank/{qid}/hidden")  # and back
    with committing(app):
        assert qid in {
            revisions[p.revision_id] for p in pool_for(db.session.get(Body, world.east.id))
        }
    assert login_as("east-staff").post(f"/bodies/east/bank/{qid}/hidden").status_code == 403


def test_own_questions_are_retired_not_hidden(app, world, login_as, bank_question):
    qid = bank_question("east", stem="东城区自己的题？")
    b = login_as("east-admin")
    r = b.post(f"/bodies/east/bank/{qid}/hidden")
    assert "请直接停用" in b.get(r.headers["Location"]).get_data(as_text=True)


def test_counties_see_and_draw_only_what_the_municipality_published(app, world, login_as):
    from examsite.exams.papers import pool_for

    city = login_as("admin")
    r = city.post("/bodies/city/bank/new", _form(stem="市里的新题：常委会主任由谁选举？"))
    qid = int(r.headers["Location"].rstrip("/").split("/")[-1])
    east = login_as("east-admin")
    assert "市里的新题" not in east.get("/bodies/east/bank/").get_data(as_text=True)
    assert east.get(f"/bodies/east/bank/{qid}").status_code == 404
    assert "尚未发布" in city.get("/bodies/city/bank/").get_data(as_text=True)

    city.post("/bodies/city/bank/publish")
    assert "市里的新题" in east.get("/bodies/east/bank/").get_data(as_text=True)

    # An edit after publishing stays with the municipality until published again.
    city.post(
        f"/bodies/city/bank/{qid}/edit", _form(stem="市里的新题（修订）：常委会主任由谁选举？")
    )
    page = east.get(f"/bodies/east/bank/{qid}").get_data(as_text=True)
    assert "（修订）" not in page and "已发布的第 1 版" in page
    with committing(app):
        revisions = {
            r.id: (r.question_id, r.number) for r in db.session.scalars(select(QuestionRevision))
        }
        drawn = {revisions[p.revision_id] for p in pool_for(db.session.get(Body, world.east.id))}
        assert (qid, 1) in drawn and (qid, 2) not in drawn
        own = {revisions[p.revision_id] for p in pool_for(db.session.get(Body, world.city.id))}
        assert (qid, 2) in own
    assert east.get(f"/bodies/east/bank/{qid}/diff").status_code == 404
    city.post("/bodies/city/bank/publish")
    assert "（修订）" in east.get(f"/bodies/east/bank/{qid}").get_data(as_text=True)
    assert east.post("/bodies/east/bank/publish").status_code == 302  # nothing of its own to send
