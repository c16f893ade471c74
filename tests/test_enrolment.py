"""A sitting's enrolment form: the filter (batch contains, post category, only those not
yet enrolled), the fixed cost of the list, and the message that counts the skipped."""

from __future__ import annotations

import re

from examsite.exams.models import Candidate
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.ids import make_id


def _listed(page: str) -> dict[str, bool]:
    """Name -> whether the checkbox is disabled (already enrolled), in the enrolment form."""
    if "data-enrol-form" not in page:
        return {}
    form = page[page.index("data-enrol-form") :]
    return {
        m.group(3): bool(m.group(2))
        for m in re.finditer(
            r'<input type="checkbox" name="candidate_ids" value="(\d+)"( disabled)?> ([^ <]+)',
            form,
        )
    }


def _flashes(b) -> list[str]:
    """The messages the next page will show."""
    with b.client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_filter_by_batch_part_category_and_not_enrolled(
    app, world, login_as, make_candidate, make_sitting
):
    a = make_candidate("east", name="甲", batch="第十二次常委会会议", post_category="court")
    make_candidate("east", name="乙", batch="第十二次常委会会议", post_category="government")
    make_candidate("east", name="丙", batch="第十三次常委会会议", post_category="court")
    make_candidate("west", name="丁", batch="第十二次常委会会议", post_category="court")
    sitting = make_sitting("east", candidates=[a])
    b = login_as("east-staff")
    url = f"/bodies/east/exams/sittings/{sitting.id}"

    page = b.get(url).get_data(as_text=True)
    assert _listed(page) == {"乙": False, "丙": False}  # 甲 is enrolled, 丁 is west's
    assert 'name="only_new" value="1" checked' in page

    page = b.get(url, query_string={"filtered": "1", "batch": "十二次"}).get_data(as_text=True)
    assert _listed(page) == {"甲": True, "乙": False}  # "contains", and enrolled shown too
    assert "已报名" in page

    query = {"filtered": "1", "batch": "十二次", "category": "court", "only_new": "1"}
    assert _listed(b.get(url, query_string=query).get_data(as_text=True)) == {}
    query = {"filtered": "1", "category": "court"}
    assert _listed(b.get(url, query_string=query).get_data(as_text=True)) == {
        "甲": True,
        "丙": False,
    }
    # A "%" is a character of the batch, not a wildcard.
    page = b.get(url, query_string={"filtered": "1", "batch": "%"}).get_data(as_text=True)
    assert "没有符合筛选条件的人员" in page


def test_the_form_has_select_all_and_none_without_inline_script(
    app, world, login_as, make_candidate, make_sitting
):
    make_candidate("east", name="甲")
    sitting = make_sitting("east")
    page = login_as("east-staff").get(f"/bodies/east/exams/sittings/{sitting.id}")
    text = page.get_data(as_text=True)
    assert 'data-check="all"' in text and 'data-check="none"' in text
    assert "js/enrol.js" in text
    assert "<script>" not in text and "onclick" not in text


def test_enrol_message_counts_the_enrolled_and_the_skipped(
    app, world, login_as, make_candidate, make_sitting
):
    a = make_candidate("east", name="甲")
    new = [make_candidate("east", name=f"新{i}") for i in range(2)]
    other = make_candidate("west", name="丁")
    sitting = make_sitting("east", candidates=[a])
    b = login_as("east-staff")
    r = b.post(
        f"/bodies/east/exams/sittings/{sitting.id}/enroll",
        {"candidate_ids": [str(c.id) for c in (a, *new, other)]},
    )
    assert r.status_code == 302
    assert _flashes(b) == ["已报名 2 人。跳过 2 人：1 人已报名本场考试；1 人不属于本机关。"]


def test_enrol_message_counts_those_without_a_paper(
    app, world, login_as, make_candidate, make_sitting, make_template
):
    court = make_template("east", name="法院卷", sections=[("single", 1, 100)])
    with committing(app):
        from examsite.exams.models import PaperTemplate

        db.session.get(PaperTemplate, court.id).post_categories = ["court"]
    sitting = make_sitting("east", template=court)
    judge = make_candidate("east", name="法官", post_category="court")
    clerk = make_candidate("east", name="科员", post_category="government")
    b = login_as("east-staff")
    b.post(
        f"/bodies/east/exams/sittings/{sitting.id}/enroll",
        {"candidate_ids": [str(judge.id), str(clerk.id)]},
    )
    flashes = _flashes(b)
    assert "已报名 1 人。跳过 1 人：1 人的职务类别没有适用的试卷。" in flashes


def test_nothing_ticked_says_so(app, world, login_as, make_sitting):
    sitting = make_sitting("east")
    b = login_as("east-staff")
    b.post(f"/bodies/east/exams/sittings/{sitting.id}/enroll", {})
    assert _flashes(b) == ["请先勾选要报名的人员。"]


def test_the_list_costs_the_same_for_10_and_100_candidates(
    app, world, login_as, make_sitting, count_queries
):
    sitting = make_sitting("east")
    b = login_as("east-staff")
    url = f"/bodies/east/exams/sittings/{sitting.id}"

    def add(n: int, start: int) -> None:
        with committing(app):
            from examsite.core.body import Body

            body = db.session.query(Body).filter_by(code="east").one()
            db.session.add_all(
                Candidate(body_id=body.id, name=f"人{i}", id_number=make_id(i, birth="19700101"))
                for i in range(start, start + n)
            )

    add(10, 0)
    b.get(url)
    with count_queries() as small:
        assert len(_listed(b.get(url).get_data(as_text=True))) == 10
    add(90, 10)
    with count_queries() as large:
        assert len(_listed(b.get(url).get_data(as_text=True))) == 100
    assert large.count == small.count


def _add_candidates(app, n: int, *, batch: str = "", start: int = 0) -> None:
    with committing(app):
        from examsite.core.body import Body

        body = db.session.query(Body).filter_by(code="east").one()
        db.session.add_all(
            Candidate(
                body_id=body.id,
                name=f"人{i:03d}",
                batch=batch,
                id_number=make_id(i, birth="19700101"),
            )
            for i in range(start, start + n)
        )


def test_a_long_list_is_paged_and_all_it_finds_can_be_enrolled_at_once(
    app, world, login_as, make_sitting
):
    from examsite.exams.models import Attempt, Sitting

    sitting = make_sitting("east")
    _add_candidates(app, 120, batch="第二十次会议")
    _add_candidates(app, 15, batch="第二十一次会议", start=500)
    b = login_as("east-staff")
    url = f"/bodies/east/exams/sittings/{sitting.id}"
    query = {"filtered": "1", "batch": "第二十次", "only_new": "1"}
    first = b.get(url, query_string=query).get_data(as_text=True)
    assert len(_listed(first)) == 100
    assert "本页 100 人，筛选结果共 120 人" in first
    assert 'rel="next"' in first
    second = b.get(url, query_string={**query, "page": "2"}).get_data(as_text=True)
    assert len(_listed(second)) == 20
    assert set(_listed(first)).isdisjoint(_listed(second))
    assert "报名全部筛选结果（120 人）" in first

    b.post(f"{url}/enroll", {**query, "all_matching": "1"})
    assert _flashes(b) == ["已报名 120 人。"]
    with committing(app):
        batches = {a.candidate.batch for a in db.session.get(Sitting, sitting.id).attempts}
        assert db.session.query(Attempt).filter_by(sitting_id=sitting.id).count() == 120
    assert batches == {"第二十次会议"}  # the other batch was not found by the filter


def test_a_short_list_has_no_pages_and_no_enrol_all_button(app, world, login_as, make_sitting):
    sitting = make_sitting("east")
    _add_candidates(app, 5)
    page = login_as("east-staff").get(f"/bodies/east/exams/sittings/{sitting.id}")
    text = page.get_data(as_text=True)
    assert len(_listed(text)) == 5
    assert "报名全部筛选结果" not in text and 'rel="next"' not in text
