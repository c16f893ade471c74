"""The demo term's meeting days (statements, the oath ceremony) and its reporting rounds
(functions of a ``BodyTerm``)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING

from examsite.appointments.numerals import meeting_name
from examsite.appointments.oath_text import OATH_TEXT, OATH_VERSION
from examsite.appointments.states import VoteOutcome
from examsite.demo_term import people
from examsite.demo_term.common import (
    OATH_CHANCE,
    STATEMENT_CHANCE,
    STATEMENT_KINDS,
    SWORN_KINDS,
    TERM_NUMBER,
    Row,
    utc,
)
from examsite.reports import voting
from examsite.reports.states import ReportMode
from examsite.reports.states import VoteOutcome as Satisfaction

if TYPE_CHECKING:
    from examsite.demo_term.build import BodyTerm


# ------------------------------------------------------------------ the meeting day
def meeting_day(t: BodyTerm, meeting: Row, tested: list[Row]) -> None:
    """Statements before the vote, then one oath ceremony for those appointed."""
    rng = t.rng
    day = meeting["date"]
    speakers = [
        r
        for r in tested
        if r["vote"] != VoteOutcome.WITHDRAWN
        and r["_kind_index"] in STATEMENT_KINDS
        and rng.random() < STATEMENT_CHANCE
    ]
    for order, row in enumerate(speakers, start=1):
        name = row["_candidate"]["name"]
        t.statements.append(
            {
                "_appointment": row,
                "order": order,
                "delivered": True,
                "delivered_on": day,
                "text": f"<p>我是{name}，拟任{row['proposed_post']}。如获任命，我将忠于宪法，"
                "依法履职，自觉接受人大及其常委会的监督。</p>",
            }
        )
        t.tally.statement(day)
    sworn = [
        r
        for r in t.appointments
        if r["_meeting"] is meeting
        and r["vote"] == VoteOutcome.APPOINTED
        and r["kind"] in SWORN_KINDS
        and rng.random() < OATH_CHANCE[r["_kind_index"]]
    ]
    if not sworn:
        return
    title = f"{meeting_name(TERM_NUMBER, meeting['number'])}宪法宣誓仪式"
    ceremony = new_ceremony(t, title, meeting, day, 16, sworn[0]["_candidate"]["name"])
    count = 0
    for row in sworn:
        if new_participant(t, ceremony, appointment=row):
            count += 1
    t.tally.ceremony(day, count, 0)


def new_ceremony(
    t: BodyTerm,
    title: str,
    meeting: Row | None,
    day: date,
    hour: int,
    leader: str,
    session_name: str = "",
) -> Row:
    starts = utc(day, hour)
    row = {
        "title": title,
        "kind": "meeting" if meeting is not None else "session",
        "_meeting": meeting,
        "session_name": session_name,
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=30),
        "venue": f"{t.ctx.place.full}人大常委会会议室"
        if meeting
        else f"{t.ctx.place.full}人民大会堂",
        "form": "group",
        "leader": leader,
        "presiding": people.person_name(t.rng),
        "oath_text": OATH_TEXT,
        "oath_version": OATH_VERSION,
        "check_in_code": secrets.token_urlsafe(16),
        "confirmed_at": starts + timedelta(minutes=40),
        "confirmed_by_id": t.ctx.staff_id,
    }
    t.ceremonies.append(row)
    return row


def new_participant(
    t: BodyTerm, ceremony: Row, appointment: Row | None = None, elected: Row | None = None
) -> bool:
    """A person at the ceremony; now and then one is absent (not checked in, so not sworn)."""
    present = elected is not None or t.rng.random() >= 0.02
    t.participants.append(
        {
            "_ceremony": ceremony,
            "_appointment": appointment,
            "_elected_person": elected,
            "token": secrets.token_urlsafe(12),
            "checked_in_at": ceremony["starts_at"] + timedelta(minutes=2) if present else None,
            "check_in_method": "manual" if present else "",
        }
    )
    return present


def reports(t: BodyTerm, first_year: int) -> None:
    """Reporting rounds from the term's second year on: oral reports at meetings
    and written ones, each voted on; an unsatisfied one is rectified."""
    rng = t.rng
    k = t.ctx.factor
    rounds = max(1, round(6 * k**0.6))
    reported: set[int] = set()
    for index in range(rounds):
        year = first_year + 1 + (index * 4) // rounds
        oral = index % 2 == 0
        meetings = [m for m in t.meetings if m["date"].year == year]
        if not meetings:
            continue
        plan = {
            "_term": t.term,
            "name": f"{year}年度任命人员{'口头' if oral else '书面'}履职报告计划",
            "mode": ReportMode.ORAL.value if oral else ReportMode.WRITTEN.value,
            "post_categories": ["government", "jianwei"] if oral else ["court", "procuratorate"],
            "post_keyword": "",
        }
        t.plans.append(plan)
        wanted = max(1, round((13 if oral else 4) * k**0.6))
        kinds = {2, 3, 1} if oral else {4, 5}
        per_meeting: dict[int, int] = {}
        for _ in range(wanted):
            meeting = rng.choice(meetings)
            if oral and per_meeting.get(id(meeting), 0) >= 4:
                continue
            pool = [
                r
                for r in t.in_post
                if r["_kind_index"] in kinds
                and id(r["_candidate"]) not in reported
                and r["vote_date"] <= meeting["date"] - timedelta(days=365)
            ]
            if not pool:
                continue
            row = rng.choice(pool)
            reported.add(id(row["_candidate"]))
            per_meeting[id(meeting)] = per_meeting.get(id(meeting), 0) + 1
            new_subject(t, plan, row, meeting if oral else None, meeting["date"], oral)


def new_subject(
    t: BodyTerm, plan: Row, appointment: Row, meeting: Row | None, due: date, oral: bool
) -> None:
    rng = t.rng
    delivered = due if oral else due - timedelta(days=rng.randrange(1, 10))
    present = t.ctx.members - rng.randrange(1, max(2, t.ctx.members // 6))
    if rng.random() < 0.1:
        satisfied = rng.randrange(0, present // 4 + 1)
        basically = rng.randrange(0, present // 4 + 1)
    else:
        satisfied = present - rng.randrange(0, present // 5 + 1)
        basically = rng.randrange(0, present - satisfied + 1)
    unsatisfied = rng.randrange(0, present - satisfied - basically + 1)
    outcome = voting.outcome(voting.Vote(present, satisfied, basically, unsatisfied))
    opinions_on = delivered + timedelta(days=7)
    row = {
        "_term": t.term,
        "_plan": plan,
        "_appointment": appointment,
        "_meeting": meeting,
        "mode": plan["mode"],
        "due_on": due,
        "confirmed": True,
        "delivered_on": delivered,
        "guidance": "围绕依法履职、工作实绩、廉洁自律等方面报告任职以来的履职情况。",
        "members_present": present,
        "votes_satisfied": satisfied,
        "votes_basically": basically,
        "votes_unsatisfied": unsatisfied,
        "outcome": Satisfaction(outcome),
        "opinions": "常委会组成人员充分肯定了报告人任职以来的工作，"
        "并提出进一步加强学习、改进作风的意见。",
        "opinions_on": opinions_on,
        "handling_due_on": opinions_on + timedelta(days=60),
        "handling_report": "已对照审议意见逐条研究，制定整改措施并抓好落实。",
        "handling_reported_on": opinions_on + timedelta(days=45),
    }
    t.subjects.append(row)
    t.tally.subject_due(due)
    status = None
    if outcome == voting.UNSATISFIED or rng.random() < 0.1:
        due_on = delivered + timedelta(days=90)
        closed = due_on < t.today and rng.random() < 0.7
        t.rectifications.append(
            {
                "_subject": row,
                "actions": "针对测评中反映的问题，制定整改方案，明确责任和时限。",
                "due_on": due_on,
                "follow_up": "整改措施已落实，向常委会书面报告整改情况。" if closed else "",
                "follow_up_on": due_on - timedelta(days=5) if closed else None,
                "closed_at": utc(due_on, 10) if closed else None,
                "closed_by_id": t.ctx.staff_id if closed else None,
            }
        )
        status = "closed" if closed else "open"
    t.tally.report(
        id(plan),
        id(appointment["_candidate"]),
        delivered,
        oral,
        outcome == voting.SATISFIED,
        status,
    )
