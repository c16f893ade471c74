"""The drawn paper in the database: new papers in version 2, old rows (version 1) still
working everywhere, the key kept off the test page, item statistics from one function."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from examsite.bank.models import QuestionRevision
from examsite.exams.models import Answer, Attempt, Sitting
from examsite.exams.papers import displayed_paper
from examsite.exams.results import question_stats
from examsite.exams.views.results import sitting_item_stats
from examsite.extensions import db
from tests.fixtures.candidate import answer_all, save, started
from tests.fixtures.database import committing
from tests.fixtures.exams import get_attempt


def _store_as_version_1(app, attempt_id: int) -> None:
    """Rewrite the attempt's paper in the form rows drawn before version 2 hold."""
    with committing(app):
        attempt = db.session.get(Attempt, attempt_id)
        attempt.paper = [
            {"r": i.revision_id, "t": i.qtype, "p": i.points, "o": list(i.option_order)}
            for i in attempt.paper_items
        ]
        db.session.commit()


def test_new_papers_are_stored_as_version_2(app, exam_world):
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    assert isinstance(attempt.paper, dict) and attempt.paper["v"] == 2
    assert len(attempt.paper_items) == 10


def test_a_version_1_paper_is_taken_graded_and_reviewed(app, exam_world, login_as):
    aid = exam_world.attempt_ids[0]
    _store_as_version_1(app, aid)
    assert isinstance(get_attempt(app, aid).paper, list)
    b = started(app, exam_world)
    page = b.get("/exam/paper").get_data(as_text=True)
    assert page.count('class="question"') == 10
    assert save(b, 9, [1], 1).status_code == 200  # answer_all saves position 9 with seq 10
    order = get_attempt(app, aid).paper_items[9].option_order
    with committing(app):
        stored = db.session.scalars(select(Answer).where(Answer.attempt_id == aid)).one()
        assert stored.choice == [order[1]]
    # The panel counts the questions in SQL, for either stored form.
    rows = login_as("east-admin").get(f"/bodies/east/invigilate/{exam_world.sitting_id}/data")
    assert {r["id"]: r["total"] for r in rows.json["rows"]} == dict.fromkeys(
        exam_world.attempt_ids, 10
    )
    answer_all(app, b, aid)
    assert b.post("/exam/submit").headers["Location"] == "/exam/finish"
    graded = get_attempt(app, aid)
    assert (graded.score, graded.passed) == (22.0, True)
    assert isinstance(graded.paper, list)  # read, never rewritten
    login_as("east-admin").post(f"/bodies/east/invigilate/{exam_world.sitting_id}/close")
    review = b.get("/exam/review").get_data(as_text=True)  # open once the room is done
    assert "正确答案" in review and "解析" in review
    staff = login_as("east-staff")
    analysis = staff.get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}/analysis")
    assert analysis.status_code == 200 and "难度系数" in analysis.get_data(as_text=True)


def test_the_key_is_refused_before_the_paper_is_in(app, exam_world):
    started(app, exam_world)
    with committing(app):
        attempt = db.session.get(Attempt, exam_world.attempt_ids[0])
        shown = displayed_paper(attempt)
        assert len(shown) == 10
        assert all(i.correct is None and i.explanation is None for i in shown)
        with pytest.raises(ValueError, match="key"):
            displayed_paper(attempt, with_key=True)


def _sit(app, exam_world, i: int) -> None:
    b = started(app, exam_world, i)
    answer_all(app, b, exam_world.attempt_ids[i], "correct" if i % 2 == 0 else "wrong")
    save(b, 1, [0], 99)
    b.post("/exam/submit")


def test_item_statistics_agree_and_cost_a_fixed_number_of_queries(app, exam_world, count_queries):
    _sit(app, exam_world, 0)
    with app.app_context(), count_queries() as one:
        sitting_item_stats(db.session.get(Sitting, exam_world.sitting_id))
    _store_as_version_1(app, exam_world.attempt_ids[1])  # the two forms mixed
    _sit(app, exam_world, 1)
    _sit(app, exam_world, 2)
    with committing(app):
        with count_queries() as three:
            rows = sitting_item_stats(db.session.get(Sitting, exam_world.sitting_id))
        assert three.count == one.count
        # One revision per question in this bank: a question's statistics over the body's
        # papers are those of its revision in the only sitting.
        for row in rows:
            revision = row["revision"]
            assert db.session.scalars(
                select(QuestionRevision.id).where(
                    QuestionRevision.question_id == revision.question_id
                )
            ).all() == [revision.id]
            assert question_stats(revision.question_id, [exam_world.body_id]) == row["stats"]
        assert sum(row["stats"].n for row in rows) == 30
