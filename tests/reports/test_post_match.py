"""Report-plan keyword rules match whole posts: 局长 is not 副局长."""

from __future__ import annotations

from datetime import timedelta

import pytest

from examsite.reports.post_match import matches_post, post_parts
from tests.fixtures.ids import make_id
from tests.fixtures.reports import TODAY, report_subjects


@pytest.mark.parametrize(
    "post",
    ["局长", "公安局局长", "党组书记、局长", "副市长兼公安局局长", "党组书记，局长", "局长 "],
)
def test_keyword_matches_the_post_it_names(post):
    assert matches_post(post, "局长")


@pytest.mark.parametrize(
    "post", ["副局长", "公安局副局长", "常务副局长", "局长助理", "党组副书记、副局长", "", "处长"]
)
def test_keyword_does_not_match_a_deputy_or_another_post(post):
    assert not matches_post(post, "局长")


def test_a_deputy_keyword_matches_deputies_only():
    assert matches_post("公安局副局长", "副局长")
    assert matches_post("副市长兼公安局副局长", "副局长")
    assert not matches_post("公安局局长", "副局长")


def test_an_empty_keyword_matches_every_post():
    assert matches_post("副局长", "") and matches_post("", " ")


def test_post_parts_split_on_the_separators():
    assert post_parts("副市长兼公安局局长、党委书记；督察长") == [
        "副市长",
        "公安局局长",
        "党委书记",
        "督察长",
    ]


def test_a_plan_for_heads_leaves_their_deputies_out(
    app, term_world, login_as, make_candidate, make_appointment, make_meeting
):
    meeting = make_meeting("east", term=16, number=9, date=TODAY - timedelta(days=300))
    deputy = make_candidate(
        "east", name="副职甲", id_number=make_id(650), post_category="government"
    )
    deputy_matter = make_appointment(
        deputy,
        body="east",
        meeting=meeting,
        post="公安局副局长",
        vote="appointed",
        vote_date=TODAY - timedelta(days=300),
    )
    tid = term_world["term"]
    login_as("east-staff").post(
        f"/bodies/east/reports/terms/{tid}/plans",
        {"name": "局长", "mode": "oral", "post_categories": ["government"], "post_keyword": "局长"},
    )
    chosen = [s.appointment_id for s in report_subjects(app, tid)]
    assert len(chosen) == 4 and deputy_matter.id not in chosen  # the four heads only
