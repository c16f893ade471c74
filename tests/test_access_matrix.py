"""The declared access matrix (tests/access_matrix.py), checked against the site: every
endpoint of the URL map, requested as every role — and, for body URLs, for the role's own
body, its own body's URL with another body's row id, a sibling county and the parent
municipality (the municipal admin: its own body and a county below it) — answers what the
table declares.

The ids in the URLs are real rows of the body requested, so an allowed role reaches the page
itself rather than a 404 for a missing row. A refused POST (sent with a valid CSRF token and
an otherwise empty form, but for the few fields that name a row) must also leave the
database as it was.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from examsite.appointments import services as appointment_services
from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Meeting,
    Statement,
)
from examsite.auth.models import User
from examsite.bank import services as bank_services
from examsite.bank.formats.model import ParsedQuestion
from examsite.bank.models import BankImport, Question, QuestionRevision
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams import answering
from examsite.exams import sittings as exam_sittings
from examsite.exams.domain import idcard
from examsite.exams.models import Answer, Attempt, Candidate, PaperTemplate, Sitting
from examsite.extensions import db
from examsite.invigilation.models import Incident, PaperEntry
from examsite.reports import services as report_services
from examsite.reports import voting
from examsite.reports.models import Rectification, ReportPlan, ReportSubject, Term
from tests.access_matrix import (
    ACCESS,
    ALLOWED,
    EXAM_LOGIN,
    FORBIDDEN,
    KNOWN_DEFECTS,
    LOGIN,
    NOT_CHECKED,
    NOT_FOUND,
    RELATIONS,
    ROLES,
    SESSION_ENDED,
)
from tests.fixtures.exams import make_id, open_sitting_now, seed_bank
from tests.fixtures.factories import PASSWORD

# Which body each relation names, as seen from the role (see tests/access_matrix.py); for
# foreign_id: (the body of the URL, the body of its last row id).
COUNTY_VIEW = {"own": "east", "sibling": "west", "parent": "city", "foreign_id": ("east", "west")}
ADMIN_VIEW = {"own": "city", "child": "east", "foreign_id": ("city", "east")}
BODY_OF = dict.fromkeys(ROLES, COUNTY_VIEW) | {"admin": ADMIN_VIEW}
# Routes without a body argument use the ids of the east rows.
HOME_BODY = "east"

USERNAMES = {
    "staff": "east-staff",
    "invigilator": "east-invigilator",
    "body_admin": "east-admin",
    "admin": "admin",
}

# Requests that end the session they are sent in: sent last, each from a copy of the session
# (auth.logout also ends every other session of a staff member, so it goes very last).
SESSION_ENDING = ("exam.logout", "auth.logout")
SIGNING = ("invigilation.sign_off",)

# Query strings a page needs to find its row (the participant's token on the printed sheet).
QUERY: dict[str, Callable[[dict[str, Any]], dict[str, str]]] = {
    "appointments.ceremony_scan": lambda ids: {"t": ids["participant_token"]},
}
# Form fields a POST needs to find its row (sent by every role, as the page would).
FORM: dict[str, Callable[[dict[str, Any]], dict[str, str]]] = {
    "reports.subject_add": lambda ids: {"appointment_id": str(ids["appointment_id"])},
}

# Tables whose row counts must not move when a POST is refused (every staff action is also
# audited, so the audit count catches in-place changes).
COUNTED = (
    AuditEvent,
    User,
    Body,
    Question,
    QuestionRevision,
    BankImport,
    Candidate,
    PaperTemplate,
    Sitting,
    Attempt,
    Answer,
    Meeting,
    Appointment,
    Statement,
    Ceremony,
    CeremonyParticipant,
    Term,
    ReportPlan,
    ReportSubject,
    Rectification,
    Incident,
    PaperEntry,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MAX_BYTES = 1024 * 1024
IMPORT_CSV = (
    "题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案,解析,法律依据,分类,难度\n"
    "单选,全国人民代表大会的任期是几年？,三年,四年,五年,六年,,,,,C,任期五年。,"
    "《中华人民共和国宪法》第六十条,宪法,2\n"
).encode()
SECTIONS = [
    {"qtype": qtype, "count": n, "points": points, "law_quotas": {}, "difficulty_quotas": {}}
    for qtype, n, points in (("single", 5, 2), ("multiple", 2, 3), ("true_false", 3, 2))
]
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class MatrixWorld:
    #: body code -> URL argument -> a real value for a row of that body
    ids: dict[str, dict[str, Any]]


@functools.cache
def _password_hash() -> str:
    # scrypt is slow on purpose: hash once for the module, not for every user of every role.
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


def _add_staff(body: Body, username: str, name: str) -> User:
    user = User(
        body_id=body.id, username=username, name=name, role="staff", password_hash=_password_hash()
    )
    db.session.add(user)
    db.session.commit()
    return user


def _body_rows(app: Flask, body: Body, n: int, invigilators: list[User]) -> dict[str, Any]:
    """One of everything a URL can name, in this body."""
    today, now = date.today(), utcnow()
    # Not one of the logged-in users: the account pages may disable it or reset its password.
    target = _add_staff(body, f"{body.code}-target", "目标用户")
    question = bank_services.create_question(
        body,
        ParsedQuestion(
            "single",
            f"{body.code}：本机关自己的题目？",
            ("甲", "乙", "丙", "丁"),
            (1,),
            "解析",
            "《中华人民共和国宪法》序言",
            "宪法",
            2,
        ),
        user_id=None,
    )
    bank_import, _ = bank_services.preview_import(
        body, "matrix.csv", IMPORT_CSV, user_id=None, max_bytes=MAX_BYTES
    )
    template = exam_sittings.save_template(
        body,
        None,
        name="标准卷",
        duration_minutes=60,
        pass_mark=12.0,
        sections=SECTIONS,
        post_categories=[],
    )
    candidates = [
        Candidate(
            body_id=body.id,
            name=f"考生{i}",
            id_number=make_id(700 + 10 * n + i),
            work_unit="某局",
            proposed_post="局长",
            post_category="government",
            batch="第一批",
        )
        for i in range(2)
    ]
    db.session.add_all(candidates)
    db.session.commit()
    sitting = open_sitting_now(
        body, template, candidates, title="任前考试", invigilators=invigilators
    )
    graded, waiting = sorted(sitting.attempts, key=lambda a: a.id)
    # Graded: it has a paper (paper entry), a score report and a public result token.
    answering.start_attempt(graded)
    answering.submit(graded)

    appointment_services.save_rules(body, require_test=False, require_appointed_for_oath=True)
    meeting = appointment_services.save_meeting(
        body, None, term=16, number=1, date=today, agenda=""
    )
    appointment = appointment_services.create_appointment(body, candidates[0], meeting, "局长")
    appointment_services.record_vote(appointment, "appointed", today)
    appointment_services.save_statement(
        appointment,
        order=1,
        delivered=True,
        delivered_on=today,
        text="表态发言",
        upload=("statement.pdf", PDF),
        instance_path=app.instance_path,
        max_bytes=MAX_BYTES,
    )
    ceremony = appointment_services.save_ceremony(
        body,
        None,
        title="宪法宣誓仪式",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        venue="会议室",
        form="group",
        leader="主任",
    )
    appointment_services.add_participants(ceremony, [appointment])
    participant = ceremony.participants[0]

    term = report_services.save_term(
        body, number=16, starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=1400)
    )
    subject = report_services.add_subject(term, appointment, "oral")
    report_services.record_report(
        subject,
        delivered_on=today,
        mode="oral",
        guidance="",
        upload=("report.pdf", PDF),
        instance_path=app.instance_path,
        max_bytes=MAX_BYTES,
    )
    # Unsatisfied, with a rectification: the follow-up page needs one.
    report_services.record_vote(
        subject, voting.Vote(present=10, satisfied=1, basically=1, unsatisfied=8)
    )
    report_services.require_rectification(
        subject, actions="限期整改", due_on=today + timedelta(days=30)
    )
    return {
        "code": body.code,
        "user_id": target.id,
        "question_id": question.id,
        "import_id": bank_import.id,
        "template_id": template.id,
        "candidate_id": candidates[0].id,
        "sitting_id": sitting.id,
        "attempt_id": graded.id,
        "meeting_id": meeting.id,
        "appointment_id": appointment.id,
        "ceremony_id": ceremony.id,
        "participant_id": participant.id,
        "term_id": term.id,
        "subject_id": subject.id,
        "check_code": ceremony.check_in_code,
        "token": graded.result_token,
        "participant_token": participant.token,
        # The candidate role logs in with the east sitting's second admission code.
        "waiting_code": waiting.admission_code,
        "waiting_tail": idcard.tail6(waiting.candidate.id_number),
    }


def _build(app: Flask) -> MatrixWorld:
    with app.app_context():
        bodies = {b.code: b for b in db.session.scalars(select(Body))}
        seed_bank(bodies["city"])  # every body's sitting draws from it
        invigilator = _add_staff(bodies["east"], USERNAMES["invigilator"], "监考员")
        ids = {
            code: _body_rows(app, bodies[code], n, [invigilator] if code == "east" else [])
            for n, code in enumerate(("city", "east", "west"))
        }
        return MatrixWorld(ids=ids)


# --------------------------------------------------------------------------- HTTP


def _csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = _META_TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _sign_in(app: Flask, role: str, matrix: MatrixWorld) -> tuple[FlaskClient, str]:
    """A client logged in as the role, and its session's CSRF token."""
    client = app.test_client()
    if role == "anonymous":
        return client, _csrf(client, "/login")
    if role == "candidate":
        east = matrix.ids["east"]
        form = {"code": east["waiting_code"], "id_tail": east["waiting_tail"]}
        response = client.post(
            "/exam/login", data={"csrf_token": _csrf(client, "/exam/login"), **form}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        token = _csrf(client, "/exam/")
        # Submitted: every candidate page then has something to show (the review included).
        assert client.post("/exam/start", data={"csrf_token": token}).status_code == 302
        assert client.post("/exam/submit", data={"csrf_token": token}).status_code == 302
        return client, token
    form = {"username": USERNAMES[role], "password": PASSWORD}
    response = client.post("/login", data={"csrf_token": _csrf(client, "/login"), **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client, _csrf(client, "/")


def _twin(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another client holding the same session (for requests that end it)."""
    twin = app.test_client()
    for name in (app.config["SESSION_COOKIE_NAME"], "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            twin.set_cookie(name, cookie.value, domain=cookie.domain, path=cookie.path)
    return twin


def _outcome(response: TestResponse) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = urlsplit(response.headers.get("Location", ""))
        if location.path == "/login" and "next" in parse_qs(location.query):
            return LOGIN
        if location.path == "/exam/login":
            return EXAM_LOGIN
        return ALLOWED
    if status == 400 and "页面已过期" in response.get_data(as_text=True):
        return "400 CSRF refused"  # the test's token was wrong: never what is declared
    refusals = {401: SESSION_ENDED, 403: FORBIDDEN, 404: NOT_FOUND}
    if status in refusals:
        return refusals[status]
    if 200 <= status < 300 or status == 400:
        return ALLOWED
    return f"status {status}"


def _fingerprint(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        counts = [select(func.count()).select_from(m).scalar_subquery() for m in COUNTED]
        return tuple(db.session.execute(select(*counts)).one())


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Call:
    endpoint: str
    method: str
    relation: str | None
    url: str
    form: tuple[tuple[str, str], ...] = ()

    def describe(self, role: str) -> str:
        where = f" [{self.relation}]" if self.relation else ""
        return f"{role} {self.method} {self.url} ({self.endpoint}{where})"


def _checked_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in NOT_CHECKED),
        key=lambda r: (r.endpoint, r.rule),
    )


_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def _row_ids(rule: Rule) -> list[str]:
    """The rule's row-id arguments, in URL order (``code`` names the body, not a row)."""
    return [arg for arg in _ARGUMENT.findall(rule.rule) if arg != "code"]


def _url(rule: Rule, ids: dict[str, Any], foreign: dict[str, Any] | None = None) -> str:
    values = {arg: ids[arg] for arg in rule.arguments}
    if foreign is not None:
        # The last id: for /sittings/<a>/attempts/<b> the inner lookup is the one at stake.
        last = _row_ids(rule)[-1]
        values[last] = foreign[last]
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    url = built[1]
    query = QUERY.get(rule.endpoint)
    return f"{url}?{urlencode(query(ids))}" if query else url


def _plan(app: Flask, role: str, matrix: MatrixWorld) -> list[Call]:
    """Every declared endpoint × method × relation: reads first, then writes, then logouts."""
    gets: list[Call] = []
    posts: list[Call] = []
    ending: list[Call] = []
    for rule in _checked_rules(app):
        if rule.endpoint not in ACCESS:
            continue  # reported by _table_problems
        relations: tuple[str | None, ...] = (None,)
        if "code" in rule.arguments:
            relations = tuple(r for r in RELATIONS[role] if r != "foreign_id" or _row_ids(rule))
        for relation in relations:
            where = BODY_OF[role][relation] if relation else HOME_BODY
            if isinstance(where, tuple):
                code = where[0]
                url = _url(rule, matrix.ids[code], foreign=matrix.ids[where[1]])
            else:
                code = where
                url = _url(rule, matrix.ids[code])
            methods = rule.methods or set()
            if "GET" in methods:
                gets.append(Call(rule.endpoint, "GET", relation, url))
            if "POST" in methods:
                form = (
                    tuple(FORM[rule.endpoint](matrix.ids[code]).items())
                    if rule.endpoint in FORM
                    else ()
                )
                call = Call(rule.endpoint, "POST", relation, url, form)
                (ending if rule.endpoint in SESSION_ENDING else posts).append(call)
    ending.sort(key=lambda c: SESSION_ENDING.index(c.endpoint))
    # Signing a sitting's record locks it (every later POST under it is refused before its
    # row is looked up): sign last, so each other route answers for itself.
    posts.sort(key=lambda c: c.endpoint in SIGNING)
    return gets + posts + ending


def _table_problems(app: Flask) -> list[str]:
    endpoints = {r.endpoint for r in _checked_rules(app)}
    missing = sorted(endpoints - ACCESS.keys())
    stale = sorted(ACCESS.keys() - endpoints)
    return [f"{e}: in the URL map but not declared in tests/access_matrix.py" for e in missing] + [
        f"{e}: declared in tests/access_matrix.py but no longer in the URL map" for e in stale
    ]


# --------------------------------------------------------------------------- the tests


def test_every_endpoint_is_declared_once(app):
    assert _table_problems(app) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_as_declared(app, world, role):
    matrix = _build(app)
    client, token = _sign_in(app, role, matrix)
    known_defects = {e for (e, r) in KNOWN_DEFECTS if r == role}
    failures = _table_problems(app)
    defects: list[str] = []
    still_broken: set[str] = set()
    # The database as it was before this request, when known (refused POSTs come in runs:
    # one count after each serves as the next one's "before").
    counted: tuple[int, ...] | None = None
    for call in _plan(app, role, matrix):
        expected = ACCESS[call.endpoint].expected(role, call.relation or "own", call.method)
        sender = _twin(app, client) if call.endpoint in SESSION_ENDING else client
        before = None
        # A candidate's logout succeeds (and records it), though it lands on a login page.
        ends_own_session = call.endpoint in SESSION_ENDING and role == "candidate"
        if call.method == "POST" and expected != ALLOWED and not ends_own_session:
            before = counted if counted is not None else _fingerprint(app)
        counted = None
        try:
            if call.method == "GET":
                response = sender.get(call.url)
            else:
                response = sender.post(call.url, data={"csrf_token": token, **dict(call.form)})
        except Exception as exc:  # one broken page must not hide the others
            got = f"raised {exc!r}"
        else:
            got = _outcome(response)
            response.close()  # file downloads keep their file open until closed
        if got != expected:
            line = f"{call.describe(role)} -> {got}, declared {expected}"
            if call.endpoint in known_defects:
                defects.append(line)
                still_broken.add(call.endpoint)
            else:
                failures.append(line)
        if before is not None:
            counted = _fingerprint(app)
            if counted != before:
                failures.append(f"{call.describe(role)} -> {got} but changed the database")
    failures += [
        f"{e}: answers {role} as declared now: remove it from KNOWN_DEFECTS"
        for e in sorted(known_defects - still_broken)
    ]
    assert not failures, f"{len(failures)} answers differ from the matrix:\n" + "\n".join(failures)
    if defects:
        pytest.xfail("known defects (tests/access_matrix.py KNOWN_DEFECTS):\n" + "\n".join(defects))
