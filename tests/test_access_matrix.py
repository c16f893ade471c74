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

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.access_matrix import (
    ACCESS,
    ALLOWED,
    KNOWN_DEFECTS,
    NOT_CHECKED,
    RELATIONS,
    ROLES,
)
from tests.fixtures.matrix import (
    FORM,
    QUERY,
    SESSION_ENDING,
    MatrixWorld,
    build_matrix,
    fingerprint,
    outcome,
    sign_in,
    twin_client,
)

# Which body each relation names, as seen from the role (see tests/access_matrix.py); for
# foreign_id: (the body of the URL, the body of its last row id).
COUNTY_VIEW = {"own": "east", "sibling": "west", "parent": "city", "foreign_id": ("east", "west")}
ADMIN_VIEW = {"own": "city", "child": "east", "foreign_id": ("city", "east")}
BODY_OF = dict.fromkeys(ROLES, COUNTY_VIEW) | {"admin": ADMIN_VIEW}
# Routes without a body argument use the ids of the east rows.
HOME_BODY = "east"

SIGNING = ("invigilation.sign_off",)


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
    matrix = build_matrix(app)
    client, token = sign_in(app, role, matrix)
    known_defects = {e for (e, r) in KNOWN_DEFECTS if r == role}
    failures = _table_problems(app)
    defects: list[str] = []
    still_broken: set[str] = set()
    # The database as it was before this request, when known (refused POSTs come in runs:
    # one count after each serves as the next one's "before").
    counted: tuple[int, ...] | None = None
    for call in _plan(app, role, matrix):
        expected = ACCESS[call.endpoint].expected(role, call.relation or "own", call.method)
        sender = twin_client(app, client) if call.endpoint in SESSION_ENDING else client
        before = None
        # A candidate's logout succeeds (and records it), though it lands on a login page.
        ends_own_session = call.endpoint in SESSION_ENDING and role == "candidate"
        if call.method == "POST" and expected != ALLOWED and not ends_own_session:
            before = counted if counted is not None else fingerprint(app)
        counted = None
        try:
            if call.method == "GET":
                response = sender.get(call.url)
            else:
                response = sender.post(call.url, data={"csrf_token": token, **dict(call.form)})
        except Exception as exc:  # one broken page must not hide the others
            got = f"raised {exc!r}"
        else:
            got = outcome(response)
            response.close()  # file downloads keep their file open until closed
        if got != expected:
            line = f"{call.describe(role)} -> {got}, declared {expected}"
            if call.endpoint in known_defects:
                defects.append(line)
                still_broken.add(call.endpoint)
            else:
                failures.append(line)
        if before is not None:
            counted = fingerprint(app)
            if counted != before:
                failures.append(f"{call.describe(role)} -> {got} but changed the database")
    failures += [
        f"{e}: answers {role} as declared now: remove it from KNOWN_DEFECTS"
        for e in sorted(known_defects - still_broken)
    ]
    assert not failures, f"{len(failures)} answers differ from the matrix:\n" + "\n".join(failures)
    if defects:
        pytest.xfail("known defects (tests/access_matrix.py KNOWN_DEFECTS):\n" + "\n".join(defects))
