"""One body's demo term as rows in memory (dicts; a key starting with "_" refers to another
row and becomes its id when stored), counted in a ``Tally`` as each row is made."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from examsite.appointments.matters import MatterKind
from examsite.appointments.numerals import chinese_numeral, meeting_name
from examsite.appointments.states import VoteOutcome
from examsite.demo_term import people, records, sittings
from examsite.demo_term.common import (
    PASS_MARK,
    POST_SHARES,
    SWORN_KINDS,
    TERM_NUMBER,
    YEAR_WEIGHTS,
    Row,
    count,
    utc,
)
from examsite.demo_term.tally import Tally

#: The candidates' post category of each built-in post kind a congress session fills.
ELECTED_CATEGORIES = {1: "renda", 2: "government", 3: "jianwei", 4: "court", 5: "procuratorate"}


@dataclass
class Context:
    """What one body's generation needs from the database."""

    code: str
    place: people.Place
    region: str
    members: int
    factor: float
    post_kinds: tuple[str, ...]
    staff_id: int | None
    admin_id: int | None
    used_ids: set[str]
    used_codes: set[str]


@dataclass
class BodyTerm:
    """The rows of one body's term, table by table, and their tally."""

    ctx: Context
    rng: random.Random
    today: date
    tally: Tally = field(default_factory=Tally)
    term: Row = field(default_factory=dict)
    meetings: list[Row] = field(default_factory=list)
    candidates: list[Row] = field(default_factory=list)
    templates: list[Row] = field(default_factory=list)
    sittings: list[Row] = field(default_factory=list)
    makeups: list[Row] = field(default_factory=list)
    attempts: list[Row] = field(default_factory=list)
    appointments: list[Row] = field(default_factory=list)
    statements: list[Row] = field(default_factory=list)
    elected: list[Row] = field(default_factory=list)
    ceremonies: list[Row] = field(default_factory=list)
    participants: list[Row] = field(default_factory=list)
    plans: list[Row] = field(default_factory=list)
    subjects: list[Row] = field(default_factory=list)
    rectifications: list[Row] = field(default_factory=list)
    #: Appointed (任命) and still in post: who may be removed or report later.
    in_post: list[Row] = field(default_factory=list)

    # ------------------------------------------------------------------ the whole term
    def build(self) -> BodyTerm:
        first_year = self.today.year - 4
        opening = date(first_year, 1, 8 + self.rng.randrange(7))
        self.term = {
            "number": TERM_NUMBER,
            "starts_on": opening,
            "ends_on": date(first_year + 5, 1, 7),
        }
        self.templates.append(
            {
                "name": "任前法律知识考试标准试卷",
                "duration_minutes": 90,
                "pass_mark": PASS_MARK,
                "sections": [
                    {
                        "qtype": "single",
                        "count": 20,
                        "points": 2,
                        "law_quotas": {},
                        "difficulty_quotas": {},
                    },
                    {
                        "qtype": "multiple",
                        "count": 10,
                        "points": 3,
                        "law_quotas": {},
                        "difficulty_quotas": {},
                    },
                    {
                        "qtype": "true_false",
                        "count": 10,
                        "points": 3,
                        "law_quotas": {},
                        "difficulty_quotas": {},
                    },
                ],
                "post_categories": [],
            }
        )
        number = 0
        for index, weight in enumerate(YEAR_WEIGHTS):
            year = first_year + index
            session = opening if index == 0 else date(year, 1, 8 + self.rng.randrange(7))
            if session < self.today:
                self._session(index + 1, session, first=index == 0)
            dates = self._meeting_dates(year)
            meetings = []
            for day in dates:
                number += 1
                meetings.append({"term": TERM_NUMBER, "number": number, "date": day, "agenda": ""})
            self.meetings.extend(meetings)
            if meetings:
                self._year(year, meetings, weight)
        records.reports(self, first_year)
        return self

    def _meeting_dates(self, year: int) -> list[date]:
        k = self.ctx.factor
        count = max(2, round(6.4 * k**0.5))
        dates = []
        for j in range(count):
            month = 2 + (j * 10) // count
            day = date(year, month, 18 + self.rng.randrange(10))
            if day < self.today:
                dates.append(day)
        return dates

    # ------------------------------------------------------------------ people, matters
    def candidate(self, post: str, category: str, batch: str) -> Row:
        row = {
            "name": people.person_name(self.rng),
            "id_number": people.id_number(self.rng, self.ctx.region, self.ctx.used_ids),
            "work_unit": people.work_unit(post),
            "proposed_post": post,
            "post_category": category,
            "batch": batch,
            "phone": f"139{self.rng.randrange(10**8):08d}",
        }
        self.candidates.append(row)
        return row

    def post_kind(self, kinds: tuple[int, ...] | None = None) -> int:
        shares = list(POST_SHARES)
        if not self.ctx.place.municipal:
            shares[0] = 0  # a county congress has no special committees here
        if kinds is not None:
            shares = [s if i in kinds else 0 for i, s in enumerate(shares)]
        return self.rng.choices(range(len(shares)), shares)[0]

    def votes(self, through: bool) -> dict[str, int]:
        members = self.ctx.members
        present = members - self.rng.randrange(1, max(2, members // 6))
        majority = members // 2 + 1
        if through:
            votes_for = present - self.rng.randrange(0, min(4, present - majority + 1))
        else:
            votes_for = majority - 1 - self.rng.randrange(0, 4)
        against = self.rng.randrange(0, present - votes_for + 1)
        return {
            "vote_members": members,
            "vote_present": present,
            "votes_for": votes_for,
            "votes_against": against,
            "vote_abstentions": present - votes_for - against,
        }

    def matter(
        self,
        kind: MatterKind,
        kind_index: int,
        candidate: Row,
        post: str,
        organ: str,
        meeting: Row | None,
        on: date,
        outcome: VoteOutcome,
        **extra: Any,
    ) -> Row:
        post_kind = self.ctx.post_kinds[kind_index]
        row: Row = {
            "_candidate": candidate,
            "_meeting": meeting,
            "_test_attempt": None,
            "kind": kind,
            "proposed_post": post,
            "post_kind": post_kind,
            "nominating_organ": organ,
            "vote": outcome,
            "vote_date": on,
            "exemption_reason": "",
            "exempted_by_id": None,
            "exempted_at": None,
            "left_on": None,
            "session_name": "",
            **(self.votes(outcome == VoteOutcome.APPOINTED) if meeting is not None else {}),
            "_kind_index": kind_index,
            **extra,
        }
        self.appointments.append(row)
        self.tally.matter(kind, post_kind, on, outcome == VoteOutcome.APPOINTED)
        if outcome == VoteOutcome.APPOINTED and kind in SWORN_KINDS:
            self.in_post.append(row)
        return row

    def _session(self, ordinal: int, day: date, *, first: bool) -> None:
        """A congress session: 选举 (the first session fills the heads; later ones a vacancy
        now and then), and the oath of those elected at the session."""
        place = self.ctx.place
        term, number = chinese_numeral(TERM_NUMBER), chinese_numeral(ordinal)
        name = f"{place.full}第{term}届人民代表大会第{number}次会议"
        if first:
            heads = max(4, round((14 if place.municipal else 9) * self.ctx.factor**0.3))
            posts = people.elected_posts(place, heads, self.rng)
        elif self.rng.random() < 0.5:
            posts = [(f"{place.full}人民政府副{place.head}", 2)]
        else:
            return
        sworn = []
        for post, kind_index in posts:
            candidate = self.candidate(post, ELECTED_CATEGORIES[kind_index], name)
            self.matter(
                MatterKind.ELECT,
                kind_index,
                candidate,
                post,
                "大会主席团",
                None,
                day,
                VoteOutcome.APPOINTED,
                session_name=name,
            )
            person = {"name": candidate["name"], "post": post, "session_name": name}
            self.elected.append(person)
            sworn.append(person)
        ceremony = records.new_ceremony(
            self, name, None, day, 17, sworn[0]["name"], session_name=name
        )
        for person in sworn:
            records.new_participant(self, ceremony, elected=person)
        self.tally.ceremony(day, 0, len(sworn))

    # ------------------------------------------------------------------ one year
    def _year(self, year: int, meetings: list[Row], weight: float) -> None:
        k = self.ctx.factor
        rng = self.rng
        agenda: dict[int, list[Row]] = {id(m): [] for m in meetings}
        regular = min(len(meetings), max(1, round(3.8 * k**0.6 * weight**0.5)))
        tested_at = sorted(rng.sample(range(len(meetings)), regular))
        for order, index in enumerate(tested_at, start=1):
            agenda[id(meetings[index])].extend(
                sittings.tests(self, year, order, meetings[index], weight)
            )
        appointed = sum(
            1 for rows in agenda.values() for r in rows if r["vote"] == VoteOutcome.APPOINTED
        )
        # Appointments without a test: moved to another post after passing in this term,
        # or re-appointed to the same post.
        for _ in range(count(rng, 70 * k * weight)):
            meeting = rng.choice(meetings)
            agenda[id(meeting)].append(self._exempt(meeting))
            appointed += 1
        for _ in range(count(rng, 4 * k * weight)):
            self._simple(MatterKind.DECIDE_APPOINT, rng.choice(meetings), self.post_kind((2,)))
        for _ in range(count(rng, 0.4 * appointed)):
            self._removal(MatterKind.REMOVE, rng.choice(meetings))
        for _ in range(count(rng, 8 * k * weight)):
            self._removal(MatterKind.ACCEPT_RESIGNATION, rng.choice(meetings), (2, 3, 4, 5))
        for _ in range(count(rng, 1.5 * k)):
            self._removal(MatterKind.DISMISS, rng.choice(meetings), (4, 5))
        for _ in range(count(rng, 1.2 * k)):
            self._simple(
                MatterKind.DECIDE_ACTING, rng.choice(meetings), rng.choice((2, 5)), acting=True
            )
        if self.ctx.place.municipal:
            for kind in (MatterKind.APPROVE_APPOINT, MatterKind.APPROVE_REMOVE):
                for _ in range(count(rng, 2 * k * weight)):
                    self._simple(kind, rng.choice(meetings), 6)
        for meeting in meetings:
            records.meeting_day(self, meeting, agenda[id(meeting)])

    def _exempt(self, meeting: Row) -> Row:
        rng = self.rng
        kind_index = self.post_kind()
        post, organ, category = people.post(rng, self.ctx.place, kind_index)
        movable = [r for r in self.in_post if r["_test_attempt"] is not None]
        if movable and rng.random() < 0.5:
            previous = rng.choice(movable)
            candidate = previous["_candidate"]
            reason = "本届任期内已通过任前法律知识考试，转任本级人大常委会任命的其他职务"
        else:
            candidate = self.candidate(post, category, meeting_name(TERM_NUMBER, meeting["number"]))
            reason = "连任原职务，经主任会议同意免予考试"
        return self.matter(
            MatterKind.APPOINT,
            kind_index,
            candidate,
            post,
            organ,
            meeting,
            meeting["date"],
            VoteOutcome.APPOINTED,
            exemption_reason=reason,
            exempted_by_id=self.ctx.admin_id,
            exempted_at=utc(meeting["date"] - timedelta(days=10), 10),
        )

    def _simple(
        self, kind: MatterKind, meeting: Row, kind_index: int, acting: bool = False
    ) -> None:
        post, organ, category = people.post(self.rng, self.ctx.place, kind_index)
        if acting:
            place = self.ctx.place
            post = (
                f"{place.full}人民政府代理{place.head}"
                if kind_index == 2
                else f"{place.procuratorate}代理检察长"
            )
            organ = f"{place.full}人大常委会主任会议"
        candidate = self.candidate(post, category, meeting_name(TERM_NUMBER, meeting["number"]))
        outcome = VoteOutcome.REJECTED if self.rng.random() < 0.01 else VoteOutcome.APPOINTED
        self.matter(kind, kind_index, candidate, post, organ, meeting, meeting["date"], outcome)

    def _removal(
        self, kind: MatterKind, meeting: Row, kinds: tuple[int, ...] | None = None
    ) -> None:
        """A person taken out of a post: one appointed earlier in the term (who then leaves
        it) or an official from before the term."""
        rng = self.rng
        earlier = [
            r
            for r in self.in_post
            if r["vote_date"] < meeting["date"]
            and r["left_on"] is None
            and (kinds is None or r["_kind_index"] in kinds)
        ]
        if earlier and rng.random() < 0.3:
            previous = rng.choice(earlier)
            candidate, kind_index = previous["_candidate"], previous["_kind_index"]
            post, organ = previous["proposed_post"], previous["nominating_organ"]
            previous["left_on"] = meeting["date"]
            self.in_post.remove(previous)
        else:
            kind_index = self.post_kind(kinds)
            post, organ, category = people.post(rng, self.ctx.place, kind_index)
            candidate = self.candidate(post, category, meeting_name(TERM_NUMBER, meeting["number"]))
        outcome = VoteOutcome.REJECTED if rng.random() < 0.005 else VoteOutcome.APPOINTED
        self.matter(kind, kind_index, candidate, post, organ, meeting, meeting["date"], outcome)
