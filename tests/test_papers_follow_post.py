"""The paper follows the post: the candidate's post category chooses the paper template
(the sitting's own choice, else the template meant for the category, else a general
paper), for drawing, enrolment, the sitting page and the sitting form."""

from __future__ import annotations

import re
from datetime import timedelta

from examsite.exams import paper_choice
from examsite.exams.models import Attempt, Candidate, PaperTemplate, Sitting
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import count


def _choice(app, sitting_id: int, candidate_id: int) -> tuple[str, bool] | None:
    with committing(app):
        sitting = db.session.get(Sitting, sitting_id)
        candidate = db.session.get(Candidate, candidate_id)
        choice = paper_choice.template_for(
            sitting, candidate, paper_choice.body_templates(sitting.body_id)
        )
        return None if choice is None else (choice.template.name, choice.by_sitting)


def test_the_rule_override_then_category_then_general_then_none(
    app, world, make_template, make_candidate, make_sitting
):
    general = make_template("east", name="通用卷")
    court = make_template("east", name="法官卷", post_categories=["court"])
    procurators = make_template("east", name="检察卷", post_categories=["procuratorate"])
    judge = make_candidate("east", name="法官", post_category="court")
    procurator = make_candidate("east", name="检察官", post_category="procuratorate")
    official = make_candidate("east", name="局长", post_category="government")
    plain = make_sitting("east", template=general)
    assert _choice(app, plain.id, judge.id) == ("法官卷", False)
    assert _choice(app, plain.id, procurator.id) == ("检察卷", False)
    assert _choice(app, plain.id, official.id) == ("通用卷", False)
    # The sitting's own choice for a category wins, and says so.
    chosen = make_sitting("east", template=general, category_templates={"court": procurators.id})
    assert _choice(app, chosen.id, judge.id) == ("检察卷", True)
    assert _choice(app, chosen.id, official.id) == ("通用卷", False)
    # A general paper that lists categories is not for the others: no paper at all.
    for_courts = make_sitting("east", template=court)
    assert _choice(app, for_courts.id, judge.id) == ("法官卷", False)
    assert _choice(app, for_courts.id, official.id) is None


def test_of_several_templates_for_a_category_the_sittings_own_then_the_latest(
    app, world, make_template, make_candidate, make_sitting
):
    older = make_template("east", name="法官卷甲", post_categories=["court"])
    newer = make_template("east", name="法官卷乙", post_categories=["court", "procuratorate"])
    general = make_template("east", name="通用卷")
    with committing(app):  # the older one was edited last
        db.session.get(PaperTemplate, older.id).updated_at += timedelta(days=1)
        db.session.commit()
    judge = make_candidate("east", post_category="court")
    assert _choice(app, make_sitting("east", template=general).id, judge.id)[0] == "法官卷甲"
    assert _choice(app, make_sitting("east", template=newer).id, judge.id)[0] == "法官卷乙"


def test_the_drawn_paper_follows_the_post(app, world, make_template, make_candidate, make_sitting):
    general = make_template("east", name="通用卷", sections=[("single", 2, 5)])
    court = make_template(
        "east", name="法官卷", duration_minutes=45, post_categories=["court"],
        sections=[("single", 3, 5)],
    )  # fmt: skip
    judge = make_candidate("east", name="法官", post_category="court")
    official = make_candidate("east", name="局长", post_category="government")
    room = make_sitting("east", open=True, template=general, candidates=[judge, official])
    with committing(app):
        drawn = {
            a.candidate.name: (a.template_id, len(a.paper_items), a.duration_minutes)
            for a in db.session.get(Sitting, room.id).attempts
        }
    assert drawn == {"法官": (court.id, 3, 45), "局长": (general.id, 2, 60)}


def test_enrolment_skips_a_category_without_a_paper_and_says_which(
    app, world, login_as, make_template, make_candidate, make_sitting
):
    government = make_template("east", name="政府卷", post_categories=["government"])
    room = make_sitting("east", template=government)
    judge = make_candidate("east", name="王法官", post_category="court")
    official = make_candidate("east", name="李局长", post_category="government")
    b = login_as("east-staff")
    url = f"/bodies/east/exams/sittings/{room.id}"
    b.post(f"{url}/enroll", {"candidate_ids": [judge.id, official.id]})
    page = b.get(url).get_data(as_text=True)
    assert "已报名 1 人。" in page
    assert "法院类别没有适用的试卷方案" in page and "王法官" in page
    with committing(app):
        enrolled = [a.candidate.name for a in db.session.get(Sitting, room.id).attempts]
    assert enrolled == ["李局长"]
    assert count(app, Attempt, Attempt.candidate_id == judge.id) == 0


def test_the_sitting_page_shows_each_candidates_paper(
    app, world, login_as, make_template, make_candidate, make_sitting
):
    general = make_template("east", name="通用卷")
    court = make_template("east", name="法官卷", post_categories=["court"])
    special = make_template("east", name="监察专卷")
    people = [
        make_candidate("east", name="法官甲", post_category="court"),
        make_candidate("east", name="局长乙", post_category="government"),
        make_candidate("east", name="监委丙", post_category="jianwei"),
    ]
    room = make_sitting(
        "east", template=general, candidates=people, category_templates={"jianwei": special.id}
    )
    page = login_as("east-staff").get(f"/bodies/east/exams/sittings/{room.id}")
    rows = {
        name: row
        for row in page.get_data(as_text=True).split("<tr>")
        for name in ("法官甲", "局长乙", "监委丙")
        if name in row
    }
    assert court.name in rows["法官甲"] and "考试指定" not in rows["法官甲"]
    assert general.name in rows["局长乙"] and "考试指定" not in rows["局长乙"]
    assert special.name in rows["监委丙"] and "考试指定" in rows["监委丙"]


def test_the_sitting_form_shows_the_automatic_choice(
    app, world, login_as, make_template, make_sitting
):
    general = make_template("east", name="通用卷")
    make_template("east", name="法官卷", post_categories=["court"])
    room = make_sitting("east", template=general)
    b = login_as("east-admin")
    page = b.get(f"/bodies/east/exams/sittings/{room.id}/edit").get_data(as_text=True)

    def empty_option(category: str) -> str:
        select = page[page.index(f'name="cat_{category}"') :].split("</select>")[0]
        return re.search(r'<option value="">([^<]*)</option>', select).group(1)

    assert empty_option("court") == "按职务类别自动：法官卷"
    assert empty_option("government") == "按职务类别自动：通用卷"
    # A general paper meant for some categories leaves the others without one.
    only_courts = make_template("east", name="法院专用卷", post_categories=["court"])
    room = make_sitting("east", template=only_courts)
    page = b.get(f"/bodies/east/exams/sittings/{room.id}/edit").get_data(as_text=True)
    assert empty_option("court") == "按职务类别自动：法院专用卷"
    assert empty_option("government") == "按职务类别自动：没有适用的方案（不能报名）"


def test_opening_refuses_a_candidate_left_without_a_paper(
    app, world, login_as, make_template, make_candidate, make_sitting
):
    general = make_template("east", name="通用卷")
    official = make_candidate("east", name="李局长", post_category="government")
    room = make_sitting("east", template=general, candidates=[official])
    only_courts = make_template("east", name="法院专用卷", post_categories=["court"])
    with committing(app):  # the sitting's paper changed after the enrolment
        db.session.get(Sitting, room.id).template_id = only_courts.id
        db.session.commit()
    b = login_as("east-admin")
    url = f"/bodies/east/exams/sittings/{room.id}"
    assert "没有适用的试卷方案" in b.get(url).get_data(as_text=True)  # the roster says so
    b.post(f"/bodies/east/invigilate/{room.id}/open", {"next": url})
    page = b.get(url).get_data(as_text=True)
    assert "政府类别没有适用的试卷方案，无法为 李局长 抽取试卷" in page
    with committing(app):
        assert db.session.get(Sitting, room.id).status == "draft"
