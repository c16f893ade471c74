"""Appointment records: the body's rules, committee meetings, a person's record, the test
it rests on (or an exemption) and the vote."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from examsite.appointments import ballot as ballots
from examsite.appointments.matters import (
    APPOINTING,
    DEFAULT_STEPS,
    REMOVING,
    MatterKind,
    Steps,
)
from examsite.appointments.models import Appointment, CommitteeTerm, MatterRule, Meeting
from examsite.appointments.states import (
    AFTER_STATEMENT,
    RECORDS,
    STATEMENT_FIRST,
    VOTE,
    AppointmentError,
    VoteOutcome,
)
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db


def _steps(rule: MatterRule) -> Steps:
    return Steps(
        test=rule.needs_test,
        statement=rule.needs_statement,
        oath=rule.needs_oath,
        reports=rule.needs_reports,
    )


def steps_by_kind(body: Body | int) -> dict[MatterKind, Steps]:
    """Every kind's steps in the body: its MatterRule rows over DEFAULT_STEPS (one query,
    for pages that list matters of several kinds)."""
    body_id = body if isinstance(body, int) else body.id
    steps = dict(DEFAULT_STEPS)
    for rule in db.session.scalars(select(MatterRule).where(MatterRule.body_id == body_id)):
        steps[MatterKind(rule.kind)] = _steps(rule)
    return steps


def steps_of_bodies(body_ids: Collection[int]) -> dict[int, dict[MatterKind, Steps]]:
    """``steps_by_kind`` of many bodies in one query (lists over several bodies)."""
    steps = {body_id: dict(DEFAULT_STEPS) for body_id in body_ids}
    for rule in db.session.scalars(
        select(MatterRule).where(MatterRule.body_id.in_(list(body_ids)))
    ):
        steps[rule.body_id][MatterKind(rule.kind)] = _steps(rule)
    return steps


def steps_for(body: Body | int, kind: MatterKind | str) -> Steps:
    """The steps a matter of the kind needs in the body (its rule, else the default)."""
    body_id = body if isinstance(body, int) else body.id
    kind = MatterKind(kind)
    rule = db.session.get(MatterRule, (body_id, kind))
    return _steps(rule) if rule is not None else DEFAULT_STEPS[kind]


def save_steps(body: Body, steps: Mapping[MatterKind, Steps]) -> list[MatterKind]:
    """Set the body's steps of the kinds given; a kind set back to its defaults keeps no
    row (it follows the defaults again). Returns the kinds that changed."""
    current = steps_by_kind(body)
    changed = [kind for kind, value in steps.items() if current[kind] != value]
    for kind in changed:
        value = steps[kind]
        rule = db.session.get(MatterRule, (body.id, kind))
        if value == DEFAULT_STEPS[kind]:
            if rule is not None:
                db.session.delete(rule)
            continue
        if rule is None:
            rule = MatterRule(body_id=body.id, kind=kind)
            db.session.add(rule)
        rule.needs_test, rule.needs_statement = value.test, value.statement
        rule.needs_oath, rule.needs_reports = value.oath, value.reports
    if changed:
        # The changed kinds with the steps they need now, in the log's own words.
        audit.record(
            "appointment.rules",
            target=body,
            body=body,
            steps="；".join(
                f"{_KIND_WORDS[kind]}：{_steps_words(steps[kind])}"
                for kind in MatterKind
                if kind in changed
            ),
        )
    db.session.flush()
    return changed


#: The four steps' names, in the rules table's order.
STEP_LABELS = {
    "test": _l("测试"),
    "statement": _l("表态发言"),
    "oath": _l("宪法宣誓"),
    "reports": _l("履职报告"),
}
#: The same in the audit log, which stores the Chinese words (shown as stored).
_STEP_WORDS = {"test": "测试", "statement": "表态发言", "oath": "宪法宣誓", "reports": "履职报告"}
_KIND_WORDS = {
    MatterKind.APPOINT: "任命",
    MatterKind.DECIDE_APPOINT: "决定任命",
    MatterKind.REMOVE: "免职",
    MatterKind.DISMISS: "撤职",
    MatterKind.ACCEPT_RESIGNATION: "接受辞职",
    MatterKind.APPROVE_APPOINT: "批准任命",
    MatterKind.APPROVE_REMOVE: "批准免职",
    MatterKind.DECIDE_ACTING: "决定代理",
    MatterKind.ELECT: "选举",
}


def _steps_words(steps: Steps) -> str:
    return "、".join(word for name, word in _STEP_WORDS.items() if getattr(steps, name)) or "无"


def committee_terms(body: Body) -> list[CommitteeTerm]:
    """The member counts the body has set, latest term first."""
    return list(
        db.session.scalars(
            select(CommitteeTerm)
            .where(CommitteeTerm.body_id == body.id)
            .order_by(CommitteeTerm.term.desc())
        )
    )


def committee_members(body_id: int, term: int) -> int | None:
    """应到: the committee's members in the term, or None when not set."""
    row = db.session.get(CommitteeTerm, (body_id, term))
    return row.members if row else None


def save_committee_term(body: Body, term: int, members: int) -> None:
    """Set the committee's member count of a term (应到 of the votes from now on)."""
    if term <= 0 or members <= 0:
        raise AppointmentError(_("届次和组成人员数必须大于 0。"))
    row = db.session.get(CommitteeTerm, (body.id, term))
    if row is None:
        row = CommitteeTerm(body_id=body.id, term=term, members=members)
        db.session.add(row)
    row.members = members
    audit.record("appointment.committee_term", target=body, body=body, term=term, members=members)
    db.session.flush()


# --------------------------------------------------------------------------- meetings


def save_meeting(body: Body, meeting: Meeting | None, **fields: Any) -> Meeting:
    clash = db.session.scalars(
        select(Meeting).where(
            Meeting.body_id == body.id,
            Meeting.term == fields["term"],
            Meeting.number == fields["number"],
            *([Meeting.id != meeting.id] if meeting else []),
        )
    ).first()
    if clash is not None:
        raise AppointmentError(_("本届已有第 %(n)s 次会议。", n=fields["number"]))
    if meeting is None:
        meeting = Meeting(body_id=body.id, **fields)
        db.session.add(meeting)
        action = "meeting.create"
    else:
        for key, value in fields.items():
            setattr(meeting, key, value)
        action = "meeting.update"
    audit.record(action, target=meeting, body=body, number=meeting.number)
    db.session.flush()
    return meeting


# --------------------------------------------------------------------------- appointment record


def passed_attempt(candidate: Candidate) -> Attempt | None:
    """The candidate's latest passed test in the body."""
    return db.session.scalars(
        select(Attempt)
        .where(Attempt.candidate_id == candidate.id, Attempt.passed.is_(True))
        .order_by(Attempt.graded_at.desc())
    ).first()


def create_appointment(
    body: Body,
    candidate: Candidate,
    meeting: Meeting | None,
    proposed_post: str,
    *,
    kind: MatterKind = MatterKind.APPOINT,
    post_kind: str = "",
    nominating_organ: str = "",
    session_name: str = "",
) -> Appointment:
    """One matter on a person (by default 任命 at the meeting), linked to their passed test."""
    passed = passed_attempt(candidate)
    appointment = Appointment(
        body_id=body.id,
        candidate=candidate,
        meeting=meeting,
        kind=kind,
        proposed_post=proposed_post or candidate.proposed_post,
        post_kind=post_kind,
        nominating_organ=nominating_organ,
        session_name=session_name,
        test_attempt_id=passed.id if passed else None,
    )
    db.session.add(appointment)
    audit.record(
        "appointment.create", target=appointment, body=body, name=candidate.name, kind=kind.value
    )
    db.session.flush()
    return appointment


def exempt(appointment: Appointment, reason: str, user: Any) -> None:
    """Record that no test is needed (e.g. re-appointment to the same post)."""
    appointment.exemption_reason = reason.strip()
    appointment.exempted_by_id = user.id
    appointment.exempted_at = utcnow()
    audit.record("appointment.exempt", target=appointment, reason=reason.strip())
    db.session.flush()


def test_done(appointment: Appointment) -> bool:
    return appointment.test_attempt_id is not None or bool(appointment.exemption_reason)


def record_vote(appointment: Appointment, outcome: str, on: date) -> None:
    """任命 / 未通过 / 撤回 (or back to 待表决), as states.VOTE allows. Where the body's
    steps for the matter's kind ask for them, a passed vote needs a passed test or an
    exemption, and a vote the statement first; a sworn-in person stays appointed. A
    removal voted through ends the person's open appointment to the same post (离任)."""
    try:
        vote = VoteOutcome(outcome)
    except ValueError:
        raise AppointmentError(_("表决结果无效。")) from None
    steps = steps_for(appointment.body_id, appointment.kind)
    if appointment.test_attempt_id is None:
        passed = passed_attempt(appointment.candidate)
        appointment.test_attempt_id = passed.id if passed else None
    if vote is VoteOutcome.APPOINTED and steps.test and not test_done(appointment):
        name = appointment.candidate.name
        raise AppointmentError(
            _(
                "%(name)s 尚未通过任前法律知识考试，也没有免考记录，不能记为已任命。",
                name=name,
            )
            if appointment.appointing
            else _(
                "%(name)s 尚未通过任前法律知识考试，也没有免考记录，不能记录表决通过。",
                name=name,
            )
        )
    if RECORDS[vote] in AFTER_STATEMENT and steps.statement and not appointment.statement_made:
        raise AppointmentError(str(STATEMENT_FIRST % {"name": appointment.candidate.name}))
    if vote is not VoteOutcome.APPOINTED and appointment.sworn_in:
        raise AppointmentError(_("该人员已进行宪法宣誓，不能改为未任命。"))
    VOTE.apply(appointment, RECORDS[vote])
    appointment.vote_date = on
    # Counts belong to a vote at the meeting; record_ballot sets them after this.
    appointment.vote_members = appointment.vote_present = None
    appointment.votes_for = appointment.votes_against = appointment.vote_abstentions = None
    audit.record("appointment.vote", target=appointment, outcome=vote.value, date=on.isoformat())
    if appointment.kind in REMOVING:
        if vote is VoteOutcome.APPOINTED:
            end_held_posts(appointment, on)
        else:
            give_back_posts(appointment)
    db.session.flush()


#: The kinds that leave a person holding a post until a removal ends it.
HOLDING = APPOINTING | {MatterKind.ELECT}


def end_held_posts(removal: Appointment, on: date) -> int:
    """离任: the person's open matters (appointed or elected, not yet left) to the post the
    removal is about end on its vote's day, so they stop being report subjects. A removal
    voted again on another day moves the day of the posts it ended."""
    held = db.session.scalars(
        select(Appointment).where(
            Appointment.body_id == removal.body_id,
            Appointment.id != removal.id,
            or_(
                and_(
                    Appointment.candidate_id == removal.candidate_id,
                    Appointment.kind.in_(HOLDING),
                    Appointment.vote == VoteOutcome.APPOINTED,
                    Appointment.left_on.is_(None),
                    Appointment.proposed_post == removal.proposed_post,
                ),
                and_(Appointment.left_by_id == removal.id, Appointment.left_on != on),
            ),
        )
    ).all()
    for matter in held:
        matter.left_on, matter.left_by_id = on, removal.id
        audit.record("appointment.left", target=matter, left_on=on.isoformat(), by=removal.id)
    return len(held)


def give_back_posts(removal: Appointment) -> int:
    """A removal's vote undone (back to 待表决, or recorded as not passed or withdrawn): the
    posts its vote ended are held again."""
    ended = db.session.scalars(
        select(Appointment).where(
            Appointment.body_id == removal.body_id, Appointment.left_by_id == removal.id
        )
    ).all()
    for matter in ended:
        matter.left_on = matter.left_by_id = None
        audit.record("appointment.left_undone", target=matter, by=removal.id)
    return len(ended)


#: What each problem of a ballot (appointments.ballot) tells the user.
BALLOT_MESSAGES = {
    ballots.NO_MEMBERS: _l("尚未设置本届常委会组成人员数（应到人数）：请在任免规则中设置。"),
    ballots.NEGATIVE: _l("人数和票数不能为负数。"),
    ballots.OVER_MEMBERS: _l("实到人数不能多于应到人数。"),
    ballots.NO_QUORUM: _l("实到人数未超过常委会组成人员的半数，不能举行表决。"),
    ballots.OVER_PRESENT: _l("赞成、反对、弃权票数之和不能多于实到人数。"),
}


def members_for_vote(appointment: Appointment) -> int | None:
    """应到 of a vote on the appointment: its meeting's term's member count."""
    meeting = appointment.meeting
    if meeting is None or meeting.term <= 0:
        return None
    return committee_members(appointment.body_id, meeting.term)


def record_ballot(
    appointment: Appointment,
    on: date,
    *,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> VoteOutcome:
    """Record a vote with its counts; the outcome (任命 / 未通过) is computed from them."""
    if appointment.meeting is None or appointment.meeting.term <= 0:
        raise AppointmentError(_("会议未填写届次，无法确定应到人数：请先在会议中填写届次。"))
    ballot = ballots.Ballot(
        members=members_for_vote(appointment) or 0,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    problems = ballots.ballot_problems(ballot)
    if problems:
        raise AppointmentError(" ".join(str(BALLOT_MESSAGES[p]) for p in problems))
    outcome = VoteOutcome.APPOINTED if ballots.passes(ballot) else VoteOutcome.REJECTED
    record_vote(appointment, outcome.value, on)
    appointment.vote_members, appointment.vote_present = ballot.members, present
    appointment.votes_for, appointment.votes_against = votes_for, votes_against
    appointment.vote_abstentions = abstentions
    audit.record(
        "appointment.ballot",
        target=appointment,
        members=ballot.members,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    db.session.flush()
    return outcome


audit.register_actions(
    {
        "appointment.rules": _l("修改任免规则"),
        "meeting.create": _l("新建常委会会议"),
        "meeting.update": _l("修改常委会会议"),
        "appointment.create": _l("新建任免记录"),
        "appointment.exempt": _l("记录免考"),
        "appointment.vote": _l("记录表决结果"),
        "appointment.ballot": _l("记录表决票数"),
        "appointment.committee_term": _l("设置常委会组成人员数"),
        "appointment.export": _l("导出任免数据"),
        "appointment.left": _l("记录离任"),
        "appointment.left_undone": _l("撤销离任"),
    }
)
audit.register_targets({"CommitteeTerm": _l("常委会组成人员数"), "MatterRule": _l("任免规则")})
audit.register_details({"steps": _l("各类事项须经的环节")}, action="appointment.rules")
for _action in ("appointment.create", "appointment.update"):
    audit.register_details({"kind": _l("事项类型")}, action=_action)
    audit.register_values("kind", dict(MatterKind.labels()), action=_action)
audit.register_details(
    {"left_on": _l("离任日期"), "by": _l("依据的任免事项")}, action="appointment.left"
)
audit.register_details({"by": _l("依据的任免事项")}, action="appointment.left_undone")
audit.register_details(
    {"term": _l("届次"), "members": _l("组成人员数")}, action="appointment.committee_term"
)
audit.register_details(
    {
        "members": _l("应到"),
        "present": _l("实到"),
        "votes_for": _l("赞成"),
        "votes_against": _l("反对"),
        "abstentions": _l("弃权"),
    },
    action="appointment.ballot",
)
# The log names the outcome (任命), not its stored value.
audit.register_values("outcome", dict(VoteOutcome.labels()), action="appointment.vote")


def failed_candidates(appointments: list[Appointment]) -> set[int]:
    """Candidates among these with a graded, failed test (one query for the meeting)."""
    ids = [a.candidate_id for a in appointments]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Attempt.candidate_id).where(
                Attempt.candidate_id.in_(ids), Attempt.passed.is_(False)
            )
        )
    )


#: The test column of a meeting's list and export: a failed test is 未通过, never 缺.
TEST_LABELS = {
    "passed": _l("已通过"),
    "exempt": _l("免考"),
    "failed": _l("未通过"),
    "none": _l("未考"),
}


def test_state(appointment: Appointment, failed: set[int]) -> str:
    """passed / exempt / failed / none (``failed`` from ``failed_candidates``)."""
    if appointment.test_attempt_id:
        return "passed"
    if appointment.exemption_reason:
        return "exempt"
    return "failed" if appointment.candidate_id in failed else "none"
