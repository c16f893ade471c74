"""The declared access matrix: what every endpoint answers to every role.

Read by ``tests/test_access_matrix.py``, which requests every endpoint of the URL map as each
role and compares the answer with the declaration below. A view added later fails that test
until it is declared here, and a declaration whose view is gone fails it too.

Roles (the users are made by ``tests/test_access_matrix.py``):

- ``anonymous``: nobody logged in.
- ``candidate``: an exam candidate of "east", logged in at /exam/login (already submitted).
- ``staff``: a staff member of "east", not assigned to invigilate its sitting.
- ``invigilator``: a staff member of "east" assigned to invigilate its sitting.
- ``body_admin``: the administrator of "east".
- ``admin``: the administrator of the municipal body "city", parent of "east" and "west".

Relations, for URLs with a ``<code>`` body argument, name the body requested as seen from the
role: ``own`` (east, or city for ``admin``), ``sibling`` (west), ``parent`` (city) and, for
``admin`` only, ``child`` (east). ``foreign_id``, for URLs that also carry row ids, is the own
body's URL whose last id is a row of another body (west's; for ``admin``, east's): a row is
found only in the body of the URL. Anonymous users and the candidate request the same URLs as
the east staff.

Outcomes:

- ``ALLOWED``: 2xx, 400 (form errors of an empty form) or a redirect that is not to a login
  page — the request was let in.
- ``LOGIN``: 302 to the staff login page with ``next=`` (the login_required refusal).
- ``EXAM_LOGIN``: 302 to the candidate login page.
- ``SESSION_ENDED``: 401, the candidates' JSON API without a candidate session.
- ``FORBIDDEN`` (403) and ``NOT_FOUND`` (404): another body's URL is 404 before any role
  check; a role too low for the page in its own body is 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

ALLOWED = "allowed"
LOGIN = "302 to /login"
EXAM_LOGIN = "302 to /exam/login"
SESSION_ENDED = "401"
FORBIDDEN = "403"
NOT_FOUND = "404"

ROLES = ("anonymous", "candidate", "staff", "invigilator", "body_admin", "admin")
COUNTY_RELATIONS = ("own", "foreign_id", "sibling", "parent")
ADMIN_RELATIONS = ("own", "foreign_id", "child")
RELATIONS = dict.fromkeys(ROLES, COUNTY_RELATIONS) | {"admin": ADMIN_RELATIONS}

RANK = {"staff": 1, "invigilator": 1, "body_admin": 2, "admin": 3}

# An outcome for every relation, or one per relation.
Expectation = str | Mapping[str, str]


@dataclass(frozen=True)
class Profile:
    """Expected outcome per role; ``post`` is for POST on a GET+POST route when it differs."""

    name: str
    expect: Mapping[str, Expectation]
    post: Profile | None = None

    def but(self, name: str, **roles: Expectation) -> Profile:
        """This profile with some roles' expectations replaced."""
        return replace(self, name=name, expect={**self.expect, **roles})

    def expected(self, role: str, relation: str, method: str) -> str:
        profile = self.post if method == "POST" and self.post is not None else self
        value = profile.expect[role]
        return value if isinstance(value, str) else value[relation]


def _everyone(outcome: str) -> dict[str, Expectation]:
    return dict.fromkeys(ROLES, outcome)


def home_page(name: str, min_role: str) -> Profile:
    """A page outside any body, guarded by ``@role_required(min_role)``."""
    staff = {r: ALLOWED if RANK[r] >= RANK[min_role] else FORBIDDEN for r in RANK}
    return Profile(name, {"anonymous": LOGIN, "candidate": FORBIDDEN, **staff})


def body_page(name: str, min_role: str) -> Profile:
    """A page under /bodies/<code>/, guarded by ``@body_required(min_role)``: the body's
    visibility (404) is checked before the role (403)."""
    expect: dict[str, Expectation] = {"anonymous": LOGIN, "candidate": FORBIDDEN}
    for role in ("staff", "invigilator", "body_admin"):
        own = ALLOWED if RANK[role] >= RANK[min_role] else FORBIDDEN
        # A role refused the page is refused before any row is looked up.
        foreign = NOT_FOUND if own == ALLOWED else own
        expect[role] = {
            "own": own,
            "foreign_id": foreign,
            "sibling": NOT_FOUND,
            "parent": NOT_FOUND,
        }
    # The municipal admin sees its whole subtree, but a county's row is not found under the
    # municipal body's URL.
    expect["admin"] = {"own": ALLOWED, "foreign_id": NOT_FOUND, "child": ALLOWED}
    return Profile(name, expect)


def row_before_role(profile: Profile) -> Profile:
    """The view loads the row before it checks the role: a foreign row is 404 for all staff."""
    expect = dict(profile.expect)
    for role in ("staff", "invigilator", "body_admin"):
        value = profile.expect[role]
        assert not isinstance(value, str), "a body page declares each relation"
        expect[role] = {**value, "foreign_id": NOT_FOUND}
    return Profile(f"{profile.name}/row before role", expect)


PUBLIC = Profile("PUBLIC", _everyone(ALLOWED))
SIGNED_IN = Profile("SIGNED_IN", {**_everyone(ALLOWED), "anonymous": LOGIN})
STAFF_HOME = home_page("STAFF_HOME", "staff")
BODY_ADMIN_HOME = home_page("BODY_ADMIN_HOME", "body_admin")
ADMIN_HOME = home_page("ADMIN_HOME", "admin")

STAFF_PAGE = body_page("STAFF_PAGE", "staff")
BODY_ADMIN_PAGE = body_page("BODY_ADMIN_PAGE", "body_admin")
ADMIN_PAGE = body_page("ADMIN_PAGE", "admin")
# A sitting's invigilation: its body's admins and the staff assigned to it; the body's other
# staff get 404, as for a sitting they cannot see (invigilation/views.py sitting_required).
INVIGILATION_PAGE = STAFF_PAGE.but("INVIGILATION_PAGE", staff=NOT_FOUND)
# The read-only look at one body of the rollout: the role is checked before the body.
ROLLOUT_BODY = Profile(
    "ROLLOUT_BODY",
    {
        "anonymous": LOGIN,
        "candidate": FORBIDDEN,
        "staff": FORBIDDEN,
        "invigilator": FORBIDDEN,
        "body_admin": FORBIDDEN,
        "admin": ALLOWED,
    },
)

# The candidate's pages: anyone else (staff included) is sent to the candidate login.
CANDIDATE_PAGE = Profile("CANDIDATE_PAGE", {**_everyone(EXAM_LOGIN), "candidate": ALLOWED})
CANDIDATE_API = Profile("CANDIDATE_API", {**_everyone(SESSION_ENDED), "candidate": ALLOWED})

ACCESS: dict[str, Profile] = {
    # ---------------------------------------------------------------- public and accounts
    "core.healthz": PUBLIC,
    "core.set_language": PUBLIC,
    # Signed-in users are sent on to the home page.
    "auth.login": PUBLIC,
    # Success lands on the login page without next= (so not a refusal). The candidate
    # comes here after /exam/logout (the session-ending calls run last, in order), which
    # ended the session on the server: the same cookie is no longer signed in.
    "auth.logout": SIGNED_IN.but("LOGOUT", candidate=LOGIN),
    # Only staff have a password here; a candidate's session is refused (403).
    "auth.change_password": STAFF_HOME,
    # The idle warning's questions: staff only (asked for JSON, no session is a 401).
    "auth.session_status": STAFF_HOME,
    "auth.session_keepalive": STAFF_HOME,
    "exam.login": PUBLIC,
    # No guard needed: it only ends the session; everyone lands on the candidate login.
    "exam.logout": Profile("EXAM_LOGOUT", _everyone(EXAM_LOGIN)),
    # The printed score report's QR code: public by design, by its unguessable token.
    "exam.verify": PUBLIC,
    # A ceremony's check-in from a participant's phone, by the ceremony's code. POSTs are sent
    # after the GETs, in endpoint order: by then each staff role has posted
    # appointments.ceremony_rotate_code for east's ceremony, so its old code is not found.
    "oath.check_in": replace(
        PUBLIC,
        name="PUBLIC/post:404 once staff rotated the code",
        post=PUBLIC.but(
            "PUBLIC/404 for staff",
            staff=NOT_FOUND,
            invigilator=NOT_FOUND,
            body_admin=NOT_FOUND,
            admin=NOT_FOUND,
        ),
    ),
    # A body's practice set for anyone on its network (404 unless the body opened it; the
    # demo world's bodies have it closed, so every role sees the same 404).
    "practice.public": Profile("PRACTICE_CLOSED", _everyone(NOT_FOUND)),
    # ---------------------------------------------------------------- home, rollout, audit
    "dashboard.index": STAFF_HOME,
    "statistics.index": STAFF_HOME,
    "dashboard.rollout_page": ADMIN_HOME,
    "dashboard.rollout_body": ROLLOUT_BODY,
    "core.audit_log": BODY_ADMIN_HOME,
    # ---------------------------------------------------------------- bodies and staff accounts
    # Staff other than the municipal admin are redirected to /bodies/<own code>; a candidate
    # has no body page.
    "bodies.index": SIGNED_IN.but("SIGNED_IN/candidate:403", candidate=FORBIDDEN),
    "bodies.new": ADMIN_HOME,
    "bodies.onboard": ADMIN_HOME,
    "bodies.detail": STAFF_PAGE,
    "bodies.edit": ADMIN_PAGE,
    "auth.staff_new": BODY_ADMIN_PAGE,
    "auth.staff_edit": BODY_ADMIN_PAGE,
    "auth.staff_toggle_active": BODY_ADMIN_PAGE,
    "auth.staff_reset_password": BODY_ADMIN_PAGE,
    # ---------------------------------------------------------------- question bank
    "bank.index": STAFF_PAGE,
    "bank.stats": STAFF_PAGE,
    "bank.detail": STAFF_PAGE,
    "bank.diff": STAFF_PAGE,
    "bank.template": STAFF_PAGE,
    "bank.new": BODY_ADMIN_PAGE,
    "bank.edit": BODY_ADMIN_PAGE,
    "bank.set_status": BODY_ADMIN_PAGE,
    "bank.retire_now": BODY_ADMIN_PAGE,
    "bank.set_hidden": BODY_ADMIN_PAGE,
    "bank.publish": BODY_ADMIN_PAGE,
    "bank.export": BODY_ADMIN_PAGE,
    "bank.import_upload": BODY_ADMIN_PAGE,
    "bank.import_preview": BODY_ADMIN_PAGE,
    "bank.import_confirm": BODY_ADMIN_PAGE,
    "bank.import_discard": BODY_ADMIN_PAGE,
    # ---------------------------------------------------------------- exams (staff side)
    "exams.candidates": STAFF_PAGE,
    "exams.candidate_new": STAFF_PAGE,
    "exams.candidate_edit": STAFF_PAGE,
    "exams.candidates_template": STAFF_PAGE,
    "exams.candidates_import": STAFF_PAGE,
    "exams.candidate_delete": BODY_ADMIN_PAGE,
    # Shows the whole ID number (audited).
    "exams.candidate_reveal": BODY_ADMIN_PAGE,
    "exams.templates": STAFF_PAGE,
    "exams.template_new": BODY_ADMIN_PAGE,
    # Staff may read a paper template; only body admins may change it (checked in the view,
    # once the template is found).
    "exams.template_edit": replace(
        STAFF_PAGE, name="STAFF_PAGE/post:BODY_ADMIN_PAGE", post=row_before_role(BODY_ADMIN_PAGE)
    ),
    "exams.sittings": STAFF_PAGE,
    "exams.sitting": STAFF_PAGE,
    "exams.sitting_new": BODY_ADMIN_PAGE,
    "exams.sitting_edit": BODY_ADMIN_PAGE,
    "exams.sitting_enroll": STAFF_PAGE,
    "exams.sitting_release": BODY_ADMIN_PAGE,
    "exams.sitting_makeup": BODY_ADMIN_PAGE,
    "exams.attempt_unenroll": STAFF_PAGE,
    "exams.slips": STAFF_PAGE,
    "exams.results": STAFF_PAGE,
    "exams.results_xlsx": STAFF_PAGE,
    "exams.score_report": STAFF_PAGE,
    "exams.item_analysis": STAFF_PAGE,
    # ---------------------------------------------------------------- the candidate's side
    "exam.home": CANDIDATE_PAGE,
    "exam.start": CANDIDATE_PAGE,
    "exam.paper": CANDIDATE_PAGE,
    "exam.save_form": CANDIDATE_PAGE,
    "exam.submit": CANDIDATE_PAGE,
    "exam.finish": CANDIDATE_PAGE,
    "exam.review": CANDIDATE_PAGE,
    "exam.practice": CANDIDATE_PAGE,
    "exam.api_answer": CANDIDATE_API,
    "exam.api_state": CANDIDATE_API,
    "exam.api_event": CANDIDATE_API,
    # ---------------------------------------------------------------- invigilation
    "invigilation.panel": INVIGILATION_PAGE,
    "invigilation.data": INVIGILATION_PAGE,
    "invigilation.open_sitting": INVIGILATION_PAGE,
    "invigilation.close_sitting": INVIGILATION_PAGE,
    "invigilation.extend": INVIGILATION_PAGE,
    "invigilation.reset": INVIGILATION_PAGE,
    "invigilation.force_submit": INVIGILATION_PAGE,
    "invigilation.absent": INVIGILATION_PAGE,
    "invigilation.readmit": INVIGILATION_PAGE,
    "invigilation.reissue": INVIGILATION_PAGE,
    "invigilation.unlock": INVIGILATION_PAGE,
    "invigilation.seat": INVIGILATION_PAGE,
    "invigilation.incident": INVIGILATION_PAGE,
    "invigilation.paper": INVIGILATION_PAGE,
    "invigilation.entry": INVIGILATION_PAGE,
    "invigilation.grade_paper": INVIGILATION_PAGE,
    "invigilation.record": INVIGILATION_PAGE,
    "invigilation.record_pdf": INVIGILATION_PAGE,
    "invigilation.addendum": INVIGILATION_PAGE,
    "invigilation.sign_off": INVIGILATION_PAGE,
    # ---------------------------------------------------------------- appointments and oaths
    "appointments.index": STAFF_PAGE,
    "appointments.meeting_new": STAFF_PAGE,
    "appointments.meeting_edit": STAFF_PAGE,
    "appointments.meeting": STAFF_PAGE,
    "appointments.meeting_add": STAFF_PAGE,
    "appointments.meeting_export": STAFF_PAGE,
    "appointments.matter_import": STAFF_PAGE,
    "appointments.matter_import_confirm": STAFF_PAGE,
    "appointments.person": STAFF_PAGE,
    "appointments.appointment": STAFF_PAGE,
    # Waiving the test is an administrator's decision.
    "appointments.exempt": BODY_ADMIN_PAGE,
    "appointments.vote": STAFF_PAGE,
    "appointments.statement": STAFF_PAGE,
    "appointments.statement_file": STAFF_PAGE,
    "appointments.statements_export": STAFF_PAGE,
    "appointments.ceremonies": STAFF_PAGE,
    "appointments.ceremony_new": STAFF_PAGE,
    "appointments.ceremony": STAFF_PAGE,
    "appointments.ceremony_add": STAFF_PAGE,
    "appointments.ceremony_add_elected": STAFF_PAGE,
    "appointments.ceremony_confirm": STAFF_PAGE,
    "appointments.ceremony_record": STAFF_PAGE,
    "appointments.ceremony_record_pdf": STAFF_PAGE,
    "appointments.ceremony_attendance": STAFF_PAGE,
    "appointments.ceremony_rotate_code": STAFF_PAGE,
    "appointments.ceremony_sheet": STAFF_PAGE,
    "appointments.ceremony_scan": STAFF_PAGE,
    "appointments.ceremony_export": STAFF_PAGE,
    "appointments.rules": BODY_ADMIN_PAGE,
    "appointments.post_kind_add": BODY_ADMIN_PAGE,
    "appointments.post_kind_rename": BODY_ADMIN_PAGE,
    "appointments.post_kind_delete": BODY_ADMIN_PAGE,
    "appointments.matter_new": STAFF_PAGE,
    "appointments.matter_edit": STAFF_PAGE,
    "appointments.elections": STAFF_PAGE,
    "appointments.election_new": STAFF_PAGE,
    "appointments.committee_term": BODY_ADMIN_PAGE,
    # ---------------------------------------------------------------- post-appointment reports
    "reports.index": STAFF_PAGE,
    "reports.term_new": STAFF_PAGE,
    "reports.term": STAFF_PAGE,
    "reports.plan_new": STAFF_PAGE,
    "reports.subject_add": STAFF_PAGE,
    "reports.propose": STAFF_PAGE,
    "reports.subject": STAFF_PAGE,
    "reports.subject_confirm": STAFF_PAGE,
    "reports.subject_exempt": STAFF_PAGE,
    "reports.subject_report": STAFF_PAGE,
    "reports.subject_file": STAFF_PAGE,
    "reports.subject_vote": STAFF_PAGE,
    "reports.subject_rectification": STAFF_PAGE,
    "reports.subject_follow_up": STAFF_PAGE,
    "reports.subject_opinions": STAFF_PAGE,
    "reports.subject_handling": STAFF_PAGE,
    "reports.calendar_view": STAFF_PAGE,
    "reports.calendar_ics": STAFF_PAGE,
    "reports.coverage": STAFF_PAGE,
    "reports.settings": BODY_ADMIN_PAGE,
}

# Served by Flask itself, the same to everyone.
NOT_CHECKED = frozenset({"static"})

# (endpoint, role) whose answer differs from the declaration because of a known defect of
# the site, with what happens now. The test reports them as an expected failure while they
# last, and fails once the answer matches the declaration: remove the entry with the fix.
KNOWN_DEFECTS: dict[tuple[str, str], str] = {}
