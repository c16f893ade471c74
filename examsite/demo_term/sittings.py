"""The demo term's tests: a sitting before a meeting, graded attempts, make-ups, and the
vote on those who passed (functions of a ``BodyTerm``)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING

from examsite.appointments.matters import MatterKind
from examsite.appointments.numerals import chinese_numeral, meeting_name
from examsite.appointments.states import VoteOutcome
from examsite.demo_term import people
from examsite.demo_term.common import PASS_MARK, TERM_NUMBER, Row, utc
from examsite.exams.sittings import CODE_ALPHABET, CODE_LENGTH
from examsite.exams.states import AttemptStatus, SittingStatus

if TYPE_CHECKING:
    from examsite.demo_term.build import BodyTerm


def tests(t: BodyTerm, year: int, order: int, meeting: Row, weight: float) -> list[Row]:
    """A sitting a week before the meeting (and for some, a make-up three days later);
    those who passed go to the vote, the others' matters are withdrawn."""
    rng = t.rng
    day = meeting["date"] - timedelta(days=7)
    title = f"{year}年第{chinese_numeral(order)}次任前法律知识考试"
    sitting = new_sitting(t, title, day, None)
    batch = meeting_name(TERM_NUMBER, meeting["number"])
    size = max(2, round(34 * t.ctx.factor**0.4 * weight**0.5 * rng.uniform(0.75, 1.25)))
    makeup = None
    rows = []
    failed = []
    for _ in range(size):
        kind_index = t.post_kind()
        post, organ, category = people.post(rng, t.ctx.place, kind_index)
        candidate = t.candidate(post, category, batch)
        candidate["_post"] = (kind_index, post, organ)
        if rng.random() < 0.02:
            new_attempt(t, sitting, candidate, None)
            rows.append(
                t.matter(
                    MatterKind.APPOINT,
                    kind_index,
                    candidate,
                    post,
                    organ,
                    meeting,
                    meeting["date"],
                    VoteOutcome.WITHDRAWN,
                )
            )
            continue
        attempt = new_attempt(t, sitting, candidate, rng.random() < 0.88, order=0)
        if attempt["passed"]:
            rows.append(vote_on(t, candidate, meeting, attempt))
        else:
            failed.append(candidate)
    if failed and rng.random() < 0.4:
        makeup = new_sitting(t, f"{title}（补考）", day + timedelta(days=3), sitting)
    for candidate in failed:
        retry = None
        if makeup is not None:
            retry = new_attempt(t, makeup, candidate, rng.random() < 0.75, order=1)
        if retry is not None and retry["passed"]:
            rows.append(vote_on(t, candidate, meeting, retry))
        else:
            kind_index, post, organ = candidate["_post"]
            rows.append(
                t.matter(
                    MatterKind.APPOINT,
                    kind_index,
                    candidate,
                    post,
                    organ,
                    meeting,
                    meeting["date"],
                    VoteOutcome.WITHDRAWN,
                )
            )
    return rows


def vote_on(t: BodyTerm, candidate: Row, meeting: Row, attempt: Row) -> Row:
    kind_index, post, organ = candidate["_post"]
    outcome = VoteOutcome.REJECTED if t.rng.random() < 0.01 else VoteOutcome.APPOINTED
    row = t.matter(
        MatterKind.APPOINT,
        kind_index,
        candidate,
        post,
        organ,
        meeting,
        meeting["date"],
        outcome,
    )
    row["_test_attempt"] = attempt
    return row


def new_sitting(t: BodyTerm, title: str, day: date, makeup_of: Row | None) -> Row:
    starts = utc(day, 9)
    row = {
        "title": title,
        "room": "第一考场",
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=120),
        "late_entry_minutes": 15,
        "_template": t.templates[0],
        "category_templates": {},
        "show_score": "after_release",
        "allow_review": False,
        "allowed_networks": "",
        "second_login": "refuse",
        "scoring": "all_or_nothing",
        "status": SittingStatus.CLOSED,
        "results_released": True,
        "seed": t.rng.getrandbits(48),
        "_makeup_of": makeup_of,
        "opened_at": starts - timedelta(minutes=10),
        "closed_at": starts + timedelta(minutes=120),
        "signed_off_at": starts + timedelta(minutes=140),
        "signed_off_by_id": t.ctx.staff_id,
        "_day": day,
        "_seats": 0,
    }
    (t.makeups if makeup_of is not None else t.sittings).append(row)
    t.tally.sitting(day)
    return row


def admission_code(t: BodyTerm) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in t.ctx.used_codes:
            t.ctx.used_codes.add(code)
            return code


def new_attempt(
    t: BodyTerm, sitting: Row, candidate: Row, passed: bool | None, order: int = 0
) -> Row:
    rng = t.rng
    sitting["_seats"] += 1
    row: Row = {
        "_sitting": sitting,
        "_candidate": candidate,
        "_template": t.templates[0],
        "admission_code": admission_code(t),
        "seat": f"{sitting['_seats']:02d}",
        "status": AttemptStatus.ABSENT,
        "duration_minutes": 90,
        "pass_mark": PASS_MARK,
        "max_score": 100.0,
        "passed": None,
        "score": None,
    }
    t.attempts.append(row)
    if passed is None:
        return row
    started = sitting["starts_at"] + timedelta(minutes=rng.randrange(2, 12))
    score = float(rng.randrange(62, 99) if passed else rng.randrange(34, 60))
    constitution = min(40.0, round(score * 0.4))
    organic = min(30.0, round((score - constitution) / 2))
    row.update(
        status=AttemptStatus.GRADED,
        started_at=started,
        deadline=started + timedelta(minutes=90),
        submitted_at=started + timedelta(minutes=rng.randrange(40, 88)),
        graded_at=started + timedelta(minutes=89),
        score=score,
        passed=passed,
        result={
            "items": [],
            "by_category": {
                "宪法": [constitution, 40.0],
                "地方组织法": [organic, 30.0],
                "监督法": [score - constitution - organic, 30.0],
            },
        },
        result_token=secrets.token_urlsafe(16),
    )
    t.tally.graded(id(candidate), sitting["_day"], order, passed)
    return row
