"""One body's demo term as rows in memory (dicts; a key starting with "_" refers to another
row and becomes its id when stored), counted in a ``Tally`` as each row is made."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from examsite.appointments.matters import MatterKind
from examsite.appointments.numerals import chinese_numeral, meeting_name
from examsite.appointments.oath_text import OATH_TEXT, OATH_VERSION
from examsite.appointments.states import VoteOutcome
from examsite.demo_term import people
from examsite.demo_term.tally import Tally
from examsite.exams.sittings import CODE_ALPHABET, CODE_LENGTH
from examsite.exams.states import AttemptStatus, SittingStatus
from examsite.reports import voting
from examsite.reports.states import ReportMode
from examsite.reports.states import VoteOutcome as Satisfaction

Row = dict[str, Any]

#: The local time zone the records are dated in (the statistics' default).
ZONE = ZoneInfo("Asia/Shanghai")
#: 届次 of the generated term.
TERM_NUMBER = 17
#: How much of a term's work falls in each of its years (a new government is formed in
#: the first one).
YEAR_WEIGHTS = (1.4, 1.0, 0.9, 0.9, 0.8)
#: Shares of the built-in post kinds among appointments (matters.BUILTIN_POST_KINDS
#: order; the last, lower procuratorates' chiefs, is only 批准任命/批准免职's).
POST_SHARES = (3, 4, 15, 5, 40, 33, 0)
#: Chance that an appointed person of each post kind takes the oath at the meeting.
OATH_CHANCE = (0.6, 0.75, 0.75, 0.75, 0.06, 0.06, 0.0)
#: Post kinds whose nominees make a statement at the meeting, and how often.
STATEMENT_KINDS = frozenset({1, 2, 3})
STATEMENT_CHANCE = 0.45
#: The kinds whose persons take the oath at the meeting and report later in the term.
SWORN_KINDS = frozenset({MatterKind.APPOINT, MatterKind.DECIDE_APPOINT})


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time of day as the naive UTC the database stores."""
    local = datetime.combine(day, time(hour, minute), tzinfo=ZONE)
    return local.astimezone(UTC).replace(tzinfo=None)


def _count(rng: random.Random, expected: float) -> int:
    """A whole number whose mean is ``expected``."""
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


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
        self.term = {"number": TERM_NUMBER, "starts_on": opening, "ends_on": date(first_year + 5, 1, 7)}
        self.templates.append(
            {
                "name": "任前法律知识考试标准试卷",
                "duration_minutes": 90,
                "pass_mark": 60.0,
                "sections": [
                    {"qtype": "single", "count": 20, "points": 2, "law_quotas": {}, "difficulty_quotas": {}},
                    {"qtype": "multiple", "count": 10, "points": 3, "law_quotas": {}, "difficulty_quotas": {}},
                    {"qtype": "true_false", "count": 10, "points": 3, "law_quotas": {}, "difficulty_quotas": {}},
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
        self._reports(first_year)
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
    def _candidate(self, post: str, category: str, batch: str) -> Row:
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

    def _post_kind(self, kinds: tuple[int, ...] | None = None) -> int:
        shares = list(POST_SHARES)
        if not self.ctx.place.municipal:
            shares[0] = 0  # a county congress has no special committees here
        if kinds is not None:
            shares = [s if i in kinds else 0 for i, s in enumerate(shares)]
        return self.rng.choices(range(len(shares)), shares)[0]

    def _votes(self, through: bool) -> dict[str, int]:
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

    def _matter(
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
            **(self._votes(outcome == VoteOutcome.APPOINTED) if meeting is not None else {}),
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
        name = f"{place.full}第{chinese_numeral(TERM_NUMBER)}届人民代表大会第{chinese_numeral(ordinal)}次会议"
        if first:
            count = max(4, round((14 if place.municipal else 9) * self.ctx.factor**0.3))
            posts = people.elected_posts(place, count, self.rng)
        elif self.rng.random() < 0.5:
            posts = [(f"{place.full}人民政府副{place.head}", 2)]
        else:
            return
        sworn = []
        for post, kind_index in posts:
            candidate = self._candidate(post, "government" if kind_index == 2 else "other", name)
            self._matter(
                MatterKind.ELECT, kind_index, candidate, post, "大会主席团", None, day,
                VoteOutcome.APPOINTED, session_name=name,
            )
            person = {"name": candidate["name"], "post": post, "session_name": name}
            self.elected.append(person)
            sworn.append(person)
        ceremony = self._ceremony(name, None, day, 17, sworn[0]["name"], session_name=name)
        for person in sworn:
            self._participant(ceremony, elected=person)
        self.tally.ceremony(day, 0, len(sworn))

    # ------------------------------------------------------------------ one year
    def _year(self, year: int, meetings: list[Row], weight: float) -> None:
        k = self.ctx.factor
        rng = self.rng
        agenda: dict[int, list[Row]] = {id(m): [] for m in meetings}
        regular = min(len(meetings), max(1, round(4 * k**0.6 * weight)))
        tested_at = sorted(rng.sample(range(len(meetings)), regular))
        for order, index in enumerate(tested_at, start=1):
            agenda[id(meetings[index])].extend(self._tests(year, order, meetings[index]))
        appointed = sum(1 for rows in agenda.values() for r in rows if r["vote"] == VoteOutcome.APPOINTED)
        # Appointments without a test: moved to another post after passing in this term,
        # or re-appointed to the same post.
        for _ in range(_count(rng, 70 * k * weight)):
            meeting = rng.choice(meetings)
            agenda[id(meeting)].append(self._exempt(meeting))
            appointed += 1
        for _ in range(_count(rng, 4 * k * weight)):
            self._simple(MatterKind.DECIDE_APPOINT, rng.choice(meetings), self._post_kind((2,)))
        for _ in range(_count(rng, 0.4 * appointed)):
            self._removal(MatterKind.REMOVE, rng.choice(meetings))
        for _ in range(_count(rng, 8 * k * weight)):
            self._removal(MatterKind.ACCEPT_RESIGNATION, rng.choice(meetings), (2, 3, 4, 5))
        for _ in range(_count(rng, 1.5 * k)):
            self._removal(MatterKind.DISMISS, rng.choice(meetings), (4, 5))
        for _ in range(_count(rng, 1.2 * k)):
            self._simple(MatterKind.DECIDE_ACTING, rng.choice(meetings), rng.choice((2, 5)), acting=True)
        if self.ctx.place.municipal:
            for kind in (MatterKind.APPROVE_APPOINT, MatterKind.APPROVE_REMOVE):
                for _ in range(_count(rng, 2 * k * weight)):
                    self._simple(kind, rng.choice(meetings), 6)
        for meeting in meetings:
            self._meeting_day(meeting, agenda[id(meeting)])

    def _tests(self, year: int, order: int, meeting: Row) -> list[Row]:
        """A sitting a week before the meeting (and for some, a make-up three days later);
        those who passed go to the vote, the others' matters are withdrawn."""
        rng = self.rng
        day = meeting["date"] - timedelta(days=7)
        title = f"{year}年第{chinese_numeral(order)}次任前法律知识考试"
        sitting = self._sitting(title, day, None)
        batch = meeting_name(TERM_NUMBER, meeting["number"])
        size = max(2, round(33 * self.ctx.factor**0.4 * rng.uniform(0.75, 1.25)))
        makeup = None
        rows = []
        failed = []
        for _ in range(size):
            kind_index = self._post_kind()
            post, organ, category = people.post(rng, self.ctx.place, kind_index)
            candidate = self._candidate(post, category, batch)
            candidate["_post"] = (kind_index, post, organ)
            if rng.random() < 0.02:
                self._attempt(sitting, candidate, None)
                rows.append(self._matter(MatterKind.APPOINT, kind_index, candidate, post, organ,
                                         meeting, meeting["date"], VoteOutcome.WITHDRAWN))
                continue
            attempt = self._attempt(sitting, candidate, rng.random() < 0.88, order=0)
            if attempt["passed"]:
                rows.append(self._voted(candidate, meeting, attempt))
            else:
                failed.append(candidate)
        if failed and rng.random() < 0.5:
            makeup = self._sitting(f"{title}（补考）", day + timedelta(days=3), sitting)
        for candidate in failed:
            attempt = None
            if makeup is not None:
                attempt = self._attempt(makeup, candidate, rng.random() < 0.75, order=1)
            if attempt is not None and attempt["passed"]:
                rows.append(self._voted(candidate, meeting, attempt))
            else:
                kind_index, post, organ = candidate["_post"]
                rows.append(self._matter(MatterKind.APPOINT, kind_index, candidate, post, organ,
                                         meeting, meeting["date"], VoteOutcome.WITHDRAWN))
        return rows

    def _voted(self, candidate: Row, meeting: Row, attempt: Row) -> Row:
        kind_index, post, organ = candidate["_post"]
        outcome = VoteOutcome.REJECTED if self.rng.random() < 0.01 else VoteOutcome.APPOINTED
        row = self._matter(MatterKind.APPOINT, kind_index, candidate, post, organ, meeting,
                           meeting["date"], outcome)
        row["_test_attempt"] = attempt
        return row

    def _exempt(self, meeting: Row) -> Row:
        rng = self.rng
        kind_index = self._post_kind()
        post, organ, category = people.post(rng, self.ctx.place, kind_index)
        movable = [r for r in self.in_post if r["_test_attempt"] is not None]
        if movable and rng.random() < 0.5:
            previous = rng.choice(movable)
            candidate = previous["_candidate"]
            reason = "本届任期内已通过任前法律知识考试，转任本级人大常委会任命的其他职务"
        else:
            candidate = self._candidate(post, category, meeting_name(TERM_NUMBER, meeting["number"]))
            reason = "连任原职务，经主任会议同意免予考试"
        return self._matter(
            MatterKind.APPOINT, kind_index, candidate, post, organ, meeting, meeting["date"],
            VoteOutcome.APPOINTED, exemption_reason=reason, exempted_by_id=self.ctx.admin_id,
            exempted_at=utc(meeting["date"] - timedelta(days=10), 10),
        )

    def _simple(self, kind: MatterKind, meeting: Row, kind_index: int, acting: bool = False) -> None:
        post, organ, category = people.post(self.rng, self.ctx.place, kind_index)
        if acting:
            place = self.ctx.place
            post = (
                f"{place.full}人民政府代理{place.head}"
                if kind_index == 2
                else f"{place.procuratorate}代理检察长"
            )
            organ = f"{place.full}人大常委会主任会议"
        candidate = self._candidate(post, category, meeting_name(TERM_NUMBER, meeting["number"]))
        outcome = VoteOutcome.REJECTED if self.rng.random() < 0.01 else VoteOutcome.APPOINTED
        self._matter(kind, kind_index, candidate, post, organ, meeting, meeting["date"], outcome)

    def _removal(self, kind: MatterKind, meeting: Row, kinds: tuple[int, ...] | None = None) -> None:
        """A person taken out of a post: one appointed earlier in the term (who then leaves
        it) or an official from before the term."""
        rng = self.rng
        earlier = [r for r in self.in_post if r["vote_date"] < meeting["date"] and r["left_on"] is None
                   and (kinds is None or r["_kind_index"] in kinds)]
        if earlier and rng.random() < 0.3:
            previous = rng.choice(earlier)
            candidate, kind_index = previous["_candidate"], previous["_kind_index"]
            post, organ = previous["proposed_post"], previous["nominating_organ"]
            previous["left_on"] = meeting["date"]
            self.in_post.remove(previous)
        else:
            kind_index = self._post_kind(kinds)
            post, organ, category = people.post(rng, self.ctx.place, kind_index)
            candidate = self._candidate(post, category, meeting_name(TERM_NUMBER, meeting["number"]))
        outcome = VoteOutcome.REJECTED if rng.random() < 0.005 else VoteOutcome.APPOINTED
        self._matter(kind, kind_index, candidate, post, organ, meeting, meeting["date"], outcome)

    # ------------------------------------------------------------------ tests
    def _sitting(self, title: str, day: date, makeup_of: Row | None) -> Row:
        starts = utc(day, 9)
        row = {
            "title": title,
            "room": "第一考场",
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=120),
            "late_entry_minutes": 15,
            "_template": self.templates[0],
            "category_templates": {},
            "show_score": "after_release",
            "allow_review": False,
            "allowed_networks": "",
            "second_login": "refuse",
            "scoring": "all_or_nothing",
            "status": SittingStatus.CLOSED,
            "results_released": True,
            "seed": self.rng.getrandbits(48),
            "_makeup_of": makeup_of,
            "opened_at": starts - timedelta(minutes=10),
            "closed_at": starts + timedelta(minutes=120),
            "signed_off_at": starts + timedelta(minutes=140),
            "signed_off_by_id": self.ctx.staff_id,
            "_day": day,
            "_seats": 0,
        }
        (self.makeups if makeup_of is not None else self.sittings).append(row)
        self.tally.sitting(day)
        return row

    def _code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.ctx.used_codes:
                self.ctx.used_codes.add(code)
                return code

    def _attempt(self, sitting: Row, candidate: Row, passed: bool | None, order: int = 0) -> Row:
        rng = self.rng
        sitting["_seats"] += 1
        row: Row = {
            "_sitting": sitting,
            "_candidate": candidate,
            "_template": self.templates[0],
            "admission_code": self._code(),
            "seat": f"{sitting['_seats']:02d}",
            "status": AttemptStatus.ABSENT,
            "duration_minutes": 90,
            "pass_mark": 60.0,
            "max_score": 100.0,
            "passed": None,
            "score": None,
        }
        self.attempts.append(row)
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
        self.tally.graded(id(candidate), sitting["_day"], order, passed)
        return row

    # ------------------------------------------------------------------ the meeting day
    def _meeting_day(self, meeting: Row, tested: list[Row]) -> None:
        """Statements before the vote, then one oath ceremony for those appointed."""
        rng = self.rng
        day = meeting["date"]
        speakers = [r for r in tested if r["vote"] != VoteOutcome.WITHDRAWN
                    and r["_kind_index"] in STATEMENT_KINDS and rng.random() < STATEMENT_CHANCE]
        for order, row in enumerate(speakers, start=1):
            name = row["_candidate"]["name"]
            self.statements.append({
                "_appointment": row,
                "order": order,
                "delivered": True,
                "delivered_on": day,
                "text": f"<p>我是{name}，拟任{row['proposed_post']}。如获任命，我将忠于宪法，"
                "依法履职，自觉接受人大及其常委会的监督。</p>",
            })
            self.tally.statement(day)
        sworn = [
            r
            for r in self.appointments
            if r["_meeting"] is meeting
            and r["vote"] == VoteOutcome.APPOINTED
            and r["kind"] in SWORN_KINDS
            and rng.random() < OATH_CHANCE[r["_kind_index"]]
        ]
        if not sworn:
            return
        title = f"{meeting_name(TERM_NUMBER, meeting['number'])}宪法宣誓仪式"
        ceremony = self._ceremony(title, meeting, day, 16, sworn[0]["_candidate"]["name"])
        count = 0
        for row in sworn:
            if self._participant(ceremony, appointment=row):
                count += 1
        self.tally.ceremony(day, count, 0)

    def _ceremony(self, title: str, meeting: Row | None, day: date, hour: int, leader: str,
                  session_name: str = "") -> Row:
        starts = utc(day, hour)
        row = {
            "title": title,
            "kind": "meeting" if meeting is not None else "session",
            "_meeting": meeting,
            "session_name": session_name,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=30),
            "venue": f"{self.ctx.place.full}人大常委会会议室" if meeting else f"{self.ctx.place.full}人民大会堂",
            "form": "group",
            "leader": leader,
            "presiding": people.person_name(self.rng),
            "oath_text": OATH_TEXT,
            "oath_version": OATH_VERSION,
            "check_in_code": secrets.token_urlsafe(16),
            "confirmed_at": starts + timedelta(minutes=40),
            "confirmed_by_id": self.ctx.staff_id,
        }
        self.ceremonies.append(row)
        return row

    def _participant(self, ceremony: Row, appointment: Row | None = None,
                     elected: Row | None = None) -> bool:
        """A person at the ceremony; now and then one is absent (not checked in, so not sworn)."""
        present = elected is not None or self.rng.random() >= 0.02
        self.participants.append({
            "_ceremony": ceremony,
            "_appointment": appointment,
            "_elected_person": elected,
            "token": secrets.token_urlsafe(12),
            "checked_in_at": ceremony["starts_at"] + timedelta(minutes=2) if present else None,
            "check_in_method": "manual" if present else "",
        })
        return present

    # ------------------------------------------------------------------ reports
    def _reports(self, first_year: int) -> None:
        """Reporting rounds from the term's second year on: oral reports at meetings
        and written ones, each voted on; an unsatisfied one is rectified."""
        rng = self.rng
        k = self.ctx.factor
        rounds = max(1, round(6 * k**0.6))
        reported: set[int] = set()
        for index in range(rounds):
            year = first_year + 1 + (index * 4) // rounds
            oral = index % 2 == 0
            meetings = [m for m in self.meetings if m["date"].year == year]
            if not meetings:
                continue
            plan = {
                "_term": self.term,
                "name": f"{year}年度任命人员{'口头' if oral else '书面'}履职报告计划",
                "mode": ReportMode.ORAL.value if oral else ReportMode.WRITTEN.value,
                "post_categories": ["government", "jianwei"] if oral else ["court", "procuratorate"],
                "post_keyword": "",
            }
            self.plans.append(plan)
            wanted = max(1, round((13 if oral else 4) * k**0.6))
            kinds = {2, 3, 1} if oral else {4, 5}
            per_meeting: dict[int, int] = {}
            for _ in range(wanted):
                meeting = rng.choice(meetings)
                if oral and per_meeting.get(id(meeting), 0) >= 4:
                    continue
                pool = [r for r in self.in_post if r["_kind_index"] in kinds
                        and id(r["_candidate"]) not in reported
                        and r["vote_date"] <= meeting["date"] - timedelta(days=365)]
                if not pool:
                    continue
                row = rng.choice(pool)
                reported.add(id(row["_candidate"]))
                per_meeting[id(meeting)] = per_meeting.get(id(meeting), 0) + 1
                self._subject(plan, row, meeting if oral else None, meeting["date"], oral)

    def _subject(self, plan: Row, appointment: Row, meeting: Row | None, due: date, oral: bool) -> None:
        rng = self.rng
        delivered = due if oral else due - timedelta(days=rng.randrange(1, 10))
        present = self.ctx.members - rng.randrange(1, max(2, self.ctx.members // 6))
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
            "_term": self.term,
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
            "opinions": "常委会组成人员充分肯定了报告人任职以来的工作，并提出进一步加强学习、改进作风的意见。",
            "opinions_on": opinions_on,
            "handling_due_on": opinions_on + timedelta(days=60),
            "handling_report": "已对照审议意见逐条研究，制定整改措施并抓好落实。",
            "handling_reported_on": opinions_on + timedelta(days=45),
        }
        self.subjects.append(row)
        self.tally.subject_due(due)
        status = None
        if outcome == voting.UNSATISFIED or rng.random() < 0.1:
            due_on = delivered + timedelta(days=90)
            closed = due_on < self.today and rng.random() < 0.7
            self.rectifications.append({
                "_subject": row,
                "actions": "针对测评中反映的问题，制定整改方案，明确责任和时限。",
                "due_on": due_on,
                "follow_up": "整改措施已落实，向常委会书面报告整改情况。" if closed else "",
                "follow_up_on": due_on - timedelta(days=5) if closed else None,
                "closed_at": utc(due_on, 10) if closed else None,
                "closed_by_id": self.ctx.staff_id if closed else None,
            })
            status = "closed" if closed else "open"
        self.tally.report(id(plan), id(appointment["_candidate"]), delivered, oral,
                          outcome == voting.SATISFIED, status)
