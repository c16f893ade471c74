"""模拟练习 draws only from the practice set, grades the question that was on the page, and
a body may open it to its network; the exam pool and the papers never hold a practice
question (issue 16, item 1). County papers read published revisions only (item 5)."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from types import SimpleNamespace

from sqlalchemy import select

from examsite.bank import editing as bank_editing
from examsite.bank import exporting as bank_exporting
from examsite.bank.formats.model import ParsedQuestion
from examsite.bank.models import PURPOSE_EXAM, PURPOSE_PRACTICE, Question, QuestionRevision
from examsite.core.body import Body
from examsite.exams import papers as exam_papers
from examsite.exams import practice, sittings
from examsite.exams.domain import idcard
from examsite.exams.models import Answer, Attempt, Candidate
from examsite.extensions import db
from tests.fixtures.candidate import candidate, started
from tests.fixtures.database import committing
from tests.fixtures.exams import make_id, open_sitting_now
from tests.fixtures.factories import count
from tests.fixtures.web import Browser

_TOKEN = re.compile(r'name="question" value="([^"]+)"')
_STEM = re.compile(r'<p class="stem">([^<]+)</p>')


def _shown(app, page: str, code: str = "east") -> practice.Shown:
    """The question a practice page shows, read back from its signed form token."""
    match = _TOKEN.search(page)
    assert match, page[:600]
    with committing(app):
        body = db.session.scalars(select(Body).where(Body.code == code)).one()
        found = practice.from_token(body, unescape(match.group(1)), app.config["SECRET_KEY"])
        assert found is not None
        shown, _number = found
        db.session.expunge(shown.revision)
        return shown


def _answer(b: Browser, path: str, page: str, choices: list[int]):
    token = unescape(_TOKEN.search(page).group(1))
    return b.post(path, {"question": token, "choice": [str(c) for c in choices]})


def test_practice_shows_only_practice_questions_and_counts_nothing(app, exam_world):
    b = candidate(app, exam_world)
    stems = set()
    for _round in range(3):
        page = b.get("/exam/practice?new=1").get_data(as_text=True)
        for _i in range(10):
            if "本次练习结束" in page:
                break
            stems.add(_STEM.search(page).group(1))
            shown = _shown(app, page)
            _answer(b, "/exam/practice", page, [0])
            page = b.get("/exam/practice").get_data(as_text=True)
    assert stems and all(s.startswith("练习题") for s in stems), stems
    assert count(app, Answer) == 0
    with committing(app):
        assert db.session.get(Attempt, exam_world.attempt_ids[0]).status == "enrolled"
        shown_rows = db.session.scalars(
            select(Question).where(Question.practice_shown_at.is_not(None))
        ).all()
        assert shown_rows and {q.purpose for q in shown_rows} == {PURPOSE_PRACTICE}
    assert shown.revision.stem.startswith("练习题")


def test_no_paper_and_no_exam_pool_holds_a_practice_question(app, exam_world):
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        practice_ids = {i.revision_id for i in exam_papers.pool_for(east, PURPOSE_PRACTICE)}
        exam_ids = {i.revision_id for i in exam_papers.pool_for(east)}
        assert practice_ids and exam_ids and not practice_ids & exam_ids
        drawn = {
            rid
            for attempt in db.session.scalars(select(Attempt))
            for rid in (attempt.paper_items.revision_ids if attempt.paper_items else [])
        }
        assert drawn and not drawn & practice_ids


def test_the_answer_is_graded_against_the_question_on_the_page(app, exam_world):
    # The old page drew a new question before grading when ?new=1 was on the URL.
    b = candidate(app, exam_world)
    page = b.get("/exam/practice?new=1").get_data(as_text=True)
    shown = _shown(app, page)
    response = _answer(b, "/exam/practice?new=1", page, shown.correct)
    feedback = response.get_data(as_text=True)
    assert "回答正确" in feedback, feedback[:800]
    assert shown.revision.stem in feedback
    page = b.get("/exam/practice").get_data(as_text=True)
    assert "第 2 / 10 题" in page
    # The wrong choice is read from the second question, not the first: their keys differ.
    second = _shown(app, page)
    wrong = [d for d in range(len(second.order)) if d not in second.correct][:1]
    assert "回答错误" in _answer(b, "/exam/practice", page, wrong).get_data(as_text=True)


def test_a_forged_question_token_grades_nothing(app, exam_world):
    b = candidate(app, exam_world)
    b.get("/exam/practice?new=1")
    response = b.post("/exam/practice", {"question": "forged.token", "choice": "0"})
    assert response.status_code == 302
    page = b.get(response.headers["Location"]).get_data(as_text=True)
    assert "该练习题已失效" in page and "第 1 / 10 题" in page


def test_practice_options_are_shuffled(app, exam_world):
    b = candidate(app, exam_world)
    orders = set()
    for _ in range(8):
        page = b.get("/exam/practice?new=1").get_data(as_text=True)
        shown = _shown(app, page)
        if shown.revision.qtype != "true_false":
            orders.add(shown.order)
        # The page lists the options in the shuffled order.
        labels = re.findall(r'<span class="letter">[A-H]</span> ([^<]+)</label>', page)
        if shown.revision.qtype != "true_false":
            assert [label.strip() for label in labels] == shown.options
    assert len(orders) > 1


def test_a_shown_practice_question_cannot_become_an_exam_question(app, exam_world, login_as):
    b = candidate(app, exam_world)
    shown = _shown(app, b.get("/exam/practice?new=1").get_data(as_text=True))
    admin = login_as("admin")
    qid = shown.revision.question_id
    edit = f"/bodies/city/bank/{qid}/edit"
    form = admin.get(edit).get_data(as_text=True)
    assert "在模拟练习中展示过" in form
    with committing(app):
        q = db.session.get(Question, qid)
        data = {
            "qtype": q.qtype,
            "stem": q.stem,
            "explanation": q.explanation,
            "legal_basis": q.legal_basis,
            "category": q.category,
            "difficulty": str(q.difficulty),
            "purpose": PURPOSE_EXAM,
            **{f"option_{'abcd'[i]}": text for i, text in enumerate(q.options)},
            "correct": ["ABCD"[i] for i in q.answer],
        }
    page = admin.post(edit, data).get_data(as_text=True)
    assert "不能改为考试题" in page
    with committing(app):
        assert db.session.get(Question, qid).purpose == PURPOSE_PRACTICE
        detail = admin.get(f"/bodies/city/bank/{qid}").get_data(as_text=True)
        assert "只用于模拟练习" in detail and "不能再改为考试题" in detail


def test_a_practice_question_never_shown_may_move_to_the_exam(app, exam_world):
    with committing(app):
        q = db.session.scalars(
            select(Question).where(
                Question.purpose == PURPOSE_PRACTICE, Question.practice_shown_at.is_(None)
            )
        ).first()
        data = bank_exporting.to_parsed(q)
        assert bank_editing.update_question(q, replace(data, purpose=PURPOSE_EXAM), user_id=None)
        assert db.session.get(Question, q.id).purpose == PURPOSE_EXAM


def test_public_practice_is_off_by_default_and_open_without_login_when_set(app, exam_world):
    anonymous = Browser(app.test_client())
    assert anonymous.get("/practice/east").status_code == 404
    assert anonymous.get("/practice/nowhere").status_code == 404
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        east.public_practice = True
        db.session.commit()
    page = anonymous.get("/practice/east?new=1").get_data(as_text=True)
    assert "模拟练习" in page and "第 1 / 10 题" in page
    shown = _shown(app, page)
    assert shown.revision.stem.startswith("练习题")
    feedback = _answer(anonymous, "/practice/east", page, shown.correct).get_data(as_text=True)
    assert "回答正确" in feedback and "正确答案" in feedback
    # Another body's practice is still closed.
    assert anonymous.get("/practice/west").status_code == 404


def test_body_admin_setting_opens_public_practice(app, exam_world, login_as):
    admin = login_as("admin")
    page = admin.get("/bodies/east/edit").get_data(as_text=True)
    assert "向本机关网络开放模拟练习" in page
    response = admin.post(
        "/bodies/east/edit",
        {"name": "东城区人大常委会", "uses_parent_bank": "y", "public_practice": "y"},
    )
    assert response.status_code == 302
    assert Browser(app.test_client()).get("/practice/east").status_code == 200
    assert "/practice/east" in admin.get("/bodies/east").get_data(as_text=True)


def test_county_paper_shows_the_published_revision_not_an_unpublished_edit(app, exam_world):
    # The municipal bank edits a shared question (one option fewer) and does not publish.
    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        for q in db.session.scalars(
            select(Question).where(Question.body_id == city.id, Question.qtype == "single")
        ):
            bank_editing.update_question(
                q,
                ParsedQuestion(
                    "single",
                    q.stem + "（未发布的修改）",
                    ("新甲", "新乙", "新丙"),
                    (0,),
                    category=q.category,
                    difficulty=q.difficulty,
                ),
                user_id=None,
            )
        pool = exam_papers.pool_for(east)
        published = {
            r.id: r
            for r in db.session.scalars(
                select(QuestionRevision).where(
                    QuestionRevision.id.in_([i.revision_id for i in pool])
                )
            )
        }
        assert all(i.n_options == len(published[i.revision_id].options) for i in pool)
        template = sittings.save_template(
            east,
            None,
            name="全单选卷",
            duration_minutes=60,
            pass_mark=10.0,
            sections=[
                {
                    "qtype": "single",
                    "count": 20,
                    "points": 1,
                    "law_quotas": {},
                    "difficulty_quotas": {},
                }
            ],
            post_categories=[],
        )
        person = Candidate(
            body_id=east.id,
            name="考生甲",
            id_number=make_id(40),
            work_unit="某局",
            proposed_post="局长",
            post_category="government",
            batch="第十一次会议",
        )
        db.session.add(person)
        db.session.commit()
        sitting = open_sitting_now(east, template, [person], title="第十一次会议任前考试")
        attempt = db.session.scalars(select(Attempt).where(Attempt.sitting_id == sitting.id)).one()
        code = attempt.admission_code
        tail = idcard.tail6(person.id_number)

    b = started(app, SimpleNamespace(codes=[code], tails=[tail]))
    page = b.get("/exam/paper").get_data(as_text=True)
    assert page.count("未发布的修改") == 0
    assert "新甲" not in page and "新丙" not in page
    for letter in "甲乙丙丁":
        assert letter in page
