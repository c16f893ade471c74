"""Random values to every GET route's query parameters and every POST form's fields, for
each role, never answer a 500 (issue 16 item 9).

The routes come from the URL map, so a page added later is fuzzed without anyone listing it.
Their URLs name real rows of the signed-in role's body (the access matrix's world, see
tests/fixtures/matrix.py), so an allowed role reaches the view itself. The parameter
names are the ones the view reads (from its source: ``request.args.get("…")``,
``int_arg("…")``, ``f"q{…}"``, the fields of the form classes it builds) plus a common list
and random names; a POST's field names are also the ones its pages' forms carry (parsed from
every GET page of the role), with the values those pages offer among the random ones. Every
request carries the session's valid CSRF token.

Hypothesis runs once per (role, route) with a seed of its own (reproducible, and no example
database): first a few named cases (every name at once with "²", far dates, control
characters, 10 000 characters; each name alone with a 20-digit number), then random ones;
more where the role is let in than where it is refused before the view runs. A failure names
the role, the request and the exception (the frames in examsite/), then hypothesis' smallest
falsifying example. A form error (a 400, or the form shown again with its errors) must also
leave the row counts of the main tables as they were.
"""

from __future__ import annotations

import inspect
import io
import re
import traceback
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import UnboundField

from examsite.bank import importing as bank_importing
from examsite.bank import sharing as bank_sharing
from examsite.bank.formats.model import ParsedQuestion
from examsite.core.body import Body
from examsite.extensions import db
from tests.access_matrix import ALLOWED
from tests.fixtures.database import committing
from tests.fixtures.matrix import FORM, QUERY, SESSION_ENDING, MatrixWorld
from tests.fixtures.matrix import build_matrix as _build
from tests.fixtures.matrix import fingerprint as _fingerprint
from tests.fixtures.matrix import outcome as _outcome
from tests.fixtures.matrix import page_csrf as _csrf
from tests.fixtures.matrix import sign_in as _sign_in

#: ``candidate``: enrolled, not started (the practice is open); ``candidate_started``: the
#: same candidate with the paper in progress (saving answers is open).
ROLES = ("anonymous", "candidate", "candidate_started", "staff", "body_admin", "admin")
#: The body whose rows fill a role's URLs (the municipal admin's own is the city).
BODY_OF = {"admin": "city"}
HOME_BODY = "east"

#: Random examples per route, after the named ones: where the view runs, and where the role
#: is refused before it does (only the app-wide hooks see the values then: no named cases).
EXAMPLES_ALLOWED = 3
EXAMPLES_REFUSED = 1
POST_EXAMPLES_ALLOWED = 3
POST_EXAMPLES_REFUSED = 1

#: Parameter names many views read (besides the ones found in each view's source).
COMMON_NAMES = (
    "page",
    "q",
    "year",
    "month",
    "start",
    "end",
    "status",
    "category",
    "body",
    "format",
    "new",
    "next",
    "lang",
    "sort",
    "dir",
    "type",
    "purpose",
    "sitting",
    "kind",
    "attempt",
    "batch",
    "level",
    "activity",
    "a",
    "b",
    "t",
    "code",
)

#: The JSON API (fuzzed by tests/test_fuzz.py) and the requests that end the session.
POST_SKIPPED = frozenset({"exam.api_answer", "exam.api_event", *SESSION_ENDING})
#: POSTs that may end what the others need (a sitting, a row, an import, the candidate's
#: paper): sent last.
POST_LAST = ("delete", "discard", "sign_off", "close", "toggle_active", "unenroll", "submit")
#: POSTs whose refusal is itself recorded (failed logins are audited and counted).
RECORDS_REFUSALS = frozenset({"auth.login", "exam.login", "oath.check_in"})
#: The row counts are compared around one in this many POSTs (the sample).
COUNT_EVERY = 3

#: (role, "METHOD endpoint") that answer a 500 because of a known defect -> where it is:
#: reported as an expected failure while it lasts; once the route passes, the test fails
#: until the entry is removed. Empty: no route is known to answer a 500.
KNOWN_500: dict[tuple[str, str], str] = {}

FUZZ = settings(
    deadline=None,
    database=None,  # reproducible from the seed alone; nothing written next to the tests
    report_multiple_bugs=False,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

# --------------------------------------------------------------------------- values

HUGE = "9" * 20
#: Named cases, each sent with every name of the route at once.
#: (More digits than ``int()`` converts: 4300.)
NAMED = ("²", "9999-12-31", "0000-00-00", "张\x00三\r\n", "x" * 10_000, "9" * 10_000)
NASTY = (
    "",
    " ",
    "0",
    "-0",
    "-1",
    "1",
    "²",
    "١٢",
    "１２",
    "Ⅻ",
    "½",
    "1e308",
    "1e3",
    "nan",
    "inf",
    "-inf",
    "0x10",
    "1_000",
    "1.5",
    "true",
    "null",
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "2024-02-30",
    "2024-13-01",
    "9999-12",
    "0000-00",
    "2024-13",
    "2024-0",
    "２０２４-01",
    "2024-01-01T25:61",
    "9999-12-31T23:59",
    "xlsx",
    "html",
    "csv",
    "gift",
    "asc",
    "desc",
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "/\t/evil.example",
    "//evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "\x00",
    "张\x00三",
    "张三\r\nX-Injected: 1",
    "\u200b",
    "\u202e",
    "\x85",
    "\ufeff",
    "x" * 10_000,
    "宪" * 10_000,
    "9" * 10_000,
)
BIG_INTS = (2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, -(2**31) - 1, -(2**63) - 1)
CONTROL = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"], codec="utf-8")
TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
ANY_DAY = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))

VALUE: st.SearchStrategy[str | bytes] = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(BIG_INTS).map(str),
    st.integers(min_value=-3, max_value=40).map(str),
    ANY_DAY.map(date.isoformat),
    ANY_DAY.map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    st.builds(lambda a, c, b: a + c + b, TEXT, st.text(CONTROL, min_size=1, max_size=3), TEXT),
    TEXT,
    st.binary(max_size=8),  # percent-encoded as they are: often not UTF-8
)
RANDOM_NAME = st.text(st.characters(codec="utf-8"), max_size=12)
FILE_NAMES = ("a.csv", "a.xlsx", "a.pdf", "a.txt", "a.xml", "../../x.csv", "名\x00.csv", "")
FILE = st.tuples(st.binary(max_size=64), st.sampled_from(FILE_NAMES))

Pair = tuple[str, str | bytes]


def _encode(pairs: Iterable[Pair]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _named_cases(names: Iterable[str], alone: Iterable[str] = ()) -> list[list[Pair]]:
    """Every name at once with each named value, then each of ``alone`` alone with a huge
    number: a value refused first cannot hide another name's 500 then."""
    every = sorted(names)
    if not every:
        return []
    cases: list[list[Pair]] = [[(name, value) for name in every] for value in (*NAMED, HUGE)]
    return cases + [[(name, HUGE)] for name in sorted(alone)]


def _one_wrong(form: dict[str, str], typed: Iterable[str] = ()) -> list[list[Pair]]:
    """A plausible form with one field wrong (a huge number, "²", more digits than ``int()``
    takes): the form as a whole passes its checks, so the view gets to read the wrong field."""
    cases: list[list[Pair]] = []
    for value in (HUGE, "²", "9" * 10_000):
        for name in sorted(set(form) - set(typed)):
            cases.append([(k, value if k == name else v) for k, v in sorted(form.items())])
    return cases


# --------------------------------------------------------------------------- what a view reads

_READS = re.compile(
    r"""(?:request\.(?:args|values|form|files)\.(?:get|getlist)\(\s*
        |request\.(?:args|values|form|files)\[\s*
        |\b(?:int|id|ids|date|month)_arg\(\s*)
        (f?)["']([A-Za-z_][\w-]*)(\{?)""",
    re.VERBOSE,
)
_FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(")
TYPED = (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)


def _source(app: Flask, endpoint: str) -> tuple[str, dict[str, Any]]:
    view = inspect.unwrap(app.view_functions[endpoint])
    try:
        return inspect.getsource(view), getattr(view, "__globals__", {})
    except (OSError, TypeError):
        return "", {}


def read_names(app: Flask, endpoint: str) -> dict[str, type | None]:
    """The parameter and field names a view reads itself or through the form classes it
    builds (with the field's class, when a form has it); ``f"q{position}"`` stands for q0,
    q1 and q2."""
    source, scope = _source(app, endpoint)
    names: dict[str, type | None] = {}
    for is_f, name, brace in _READS.findall(source):
        for each in [f"{name}{i}" for i in range(3)] if is_f and brace else [name]:
            names.setdefault(each, None)
    for form_name in _FORM_CLASS.findall(source):
        cls = scope.get(form_name)
        if isinstance(cls, type):
            for n in dir(cls):
                unbound = getattr(cls, n, None)
                if isinstance(unbound, UnboundField):
                    names[n] = unbound.field_class
    names.pop("csrf_token", None)
    return names


def _plausible(field_class: type | None) -> str | None:
    """A value a field of the class would take (None: none to send)."""
    kind = field_class.__name__ if field_class else ""
    if "File" in kind:
        return None
    if "Date" in kind:
        today = date.today().isoformat()
        return f"{today}T09:00" if "Time" in kind else today
    if kind in ("IntegerField", "DecimalField", "FloatField", "IntegerRangeField"):
        return "5"
    if kind == "BooleanField":
        return "y"
    if kind == "EmailField":
        return "renshi@example.org"
    if kind in ("StringField", "TextAreaField", "PasswordField", "SearchField"):
        return "测试"
    return "1"


# --------------------------------------------------------------------------- forms on the pages


@dataclass
class FormFields:
    """What the site's pages send to one POST path: field names, values seen, file inputs."""

    values: dict[str, set[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    def add(self, name: str, value: str | None, kind: str) -> None:
        if not name or name == "csrf_token":
            return
        if kind == "file":
            self.files.add(name)
            return
        seen = self.values.setdefault(name, set())
        if value:
            seen.add(value)


class _FormParser(HTMLParser):
    """Collects every POST form of a page: action path -> fields."""

    def __init__(self, page: str, found: dict[str, FormFields]) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.found = found
        self.current: FormFields | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                path = urlsplit(urljoin(self.page, a.get("action") or self.page)).path
                self.current = self.found.setdefault(path, FormFields())
            return
        if self.current is None:
            return
        if tag in ("input", "button", "textarea"):
            self.current.add(a.get("name", ""), a.get("value"), a.get("type", "text").lower())
        elif tag == "select":
            self.select = a.get("name", "")
            self.current.add(self.select, None, "select")
        elif tag == "option" and self.select:
            self.current.add(self.select, a.get("value"), "option")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


# --------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Route:
    endpoint: str
    path: str
    #: Parameters the page needs to find its row (sent after the random ones, unless one of
    #: those has the same name).
    base: tuple[tuple[str, str], ...]
    names: tuple[str, ...]
    #: A value each name would plausibly take (from the form class).
    plausible: tuple[tuple[str, str | None], ...] = ()
    #: The fields WTForms converts and checks itself (numbers, dates, choices, booleans):
    #: the view gets their data, never the raw text.
    typed: frozenset[str] = frozenset()


def _path(rule: Rule, ids: dict[str, Any]) -> str:
    built = rule.build({arg: ids[arg] for arg in rule.arguments}, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def routes(app: Flask, matrix: MatrixWorld, role: str, method: str) -> list[Route]:
    """Every route of the URL map taking the method, with the role's body's row ids."""
    ids = matrix.ids[BODY_OF.get(role, HOME_BODY)]
    extra = QUERY if method == "GET" else FORM
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint == "static" or method not in (rule.methods or ()):
            continue
        base = tuple(extra[rule.endpoint](ids).items()) if rule.endpoint in extra else ()
        read = read_names(app, rule.endpoint)
        plausible = tuple((n, _plausible(cls)) for n, cls in sorted(read.items()))
        typed = frozenset(n for n, cls in read.items() if cls and issubclass(cls, TYPED))
        path = _path(rule, ids)
        found.append(Route(rule.endpoint, path, base, tuple(sorted(read)), plausible, typed))
    return found


# --------------------------------------------------------------------------- requests


def _form_error(response: TestResponse) -> bool:
    if response.status_code == 400:
        return "页面已过期" not in response.get_data(as_text=True)
    if response.status_code != 200 or response.mimetype != "text/html":
        return False
    page = response.get_data(as_text=True)
    # A field's error (core _macros.html render_field), a form's or a flashed error.
    return 'aria-invalid="true"' in page or 'class="flash flash-error"' in page


def _summary(exc: BaseException) -> str:
    """The exception and the last frames of the site's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/examsite/" in f.filename]
    where = "\n".join(
        f"  {f.filename.split('/examsite/')[-1]}:{f.lineno} in {f.name}: {f.line}"
        for f in frames[-4:]
    )
    return f"{type(exc).__name__}: {_shorten(str(exc), 500)}\n{where}"


def _shorten(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


@dataclass
class Fuzzer:
    app: Flask
    client: FlaskClient
    token: str
    role: str
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    sent: int = 0
    routes: int = 0
    counted: int = 0
    known: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)

    def send(
        self, method: str, route: Route, pairs: list[Pair], files: dict[str, Any] | None
    ) -> tuple[TestResponse, str]:
        """The response, and the request as a line to print."""
        self.requests += 1
        sent = {name for name, _ in pairs}
        base = [(k, v) for k, v in route.base if k not in sent]
        if method == "GET":
            query = _encode([*pairs, *base])
            return self.client.get(route.path, query_string=query), f"GET {route.path}?{query}"
        fields: list[Pair] = [("csrf_token", self.token), *pairs, *base]
        shown = f"POST {route.path} {_encode(fields)}"
        if not files:
            body = _encode(fields)
            kind = "application/x-www-form-urlencoded"
            return self.client.post(route.path, data=body, content_type=kind), shown
        data: dict[str, Any] = {}
        for k, v in fields:
            data.setdefault(k, []).append(_text(v))
        for name, (content, filename) in files.items():
            data[name] = (io.BytesIO(content), filename)
            shown += f" +file {name}={filename!r} ({len(content)} bytes)"
        return self.client.post(route.path, data=data), shown

    def check(
        self,
        method: str,
        route: Route,
        pairs: list[Pair],
        files: dict[str, Any] | None = None,
        counted: bool = False,
    ) -> TestResponse:
        """Send the request; fail on a 500 (or a form error that changed the database)."""
        self.sent += 1
        before = _fingerprint(self.app) if counted and self.sent % COUNT_EVERY == 0 else None
        try:
            response, shown = self.send(method, route, pairs, files)
        except Exception as exc:
            request = _encode(pairs) + "".join(f" +file {n}" for n in files or ())
            raise AssertionError(
                f"{self.role} {method} {route.path} ({route.endpoint}) raised\n"
                f"{_summary(exc)}\nsent: {_shorten(request)}"
            ) from None
        response.close()
        where = f"{self.role} {_shorten(shown)} ({route.endpoint})"
        assert response.status_code < 500, f"{where} -> {response.status_code}"
        if before is not None and _form_error(response):
            self.counted += 1
            after = _fingerprint(self.app)
            assert after == before, (
                f"{where} -> {response.status_code}, a form error, but the row counts of "
                f"the main tables changed: {before} -> {after}"
            )
        return response

    def fuzz(
        self,
        name: str,
        strategy: st.SearchStrategy[Any],
        named: list[Any],
        examples: int,
        run: Callable[[Any], None],
    ) -> None:
        """``run`` on the named cases and ``examples`` random values, seeded by the route."""
        self.routes += 1
        known = KNOWN_500.get((self.role, name))

        def one(value: Any) -> None:
            run(value)

        test = given(strategy)(one)
        for case in reversed(named):
            test = example(case)(test)
        test = settings(FUZZ, max_examples=max(examples, 1))(test)
        test = seed(zlib.crc32(f"{self.role} {name}".encode()))(test)
        try:
            test()
        except Exception as exc:
            notes = "\n".join(getattr(exc, "__notes__", ()))
            (self.known if known else self.failures).append(f"{exc}\n{_shorten(notes, 4000)}")
        else:
            if known:
                self.fixed.append(f"{self.role} {name}: no 500 any more: remove it from KNOWN_500")

    def report(self, what: str) -> None:
        print(
            f"\n{self.role}: {self.routes} {what} routes, {self.requests} requests, "
            f"{self.counted} form errors with the row counts checked"
        )
        failures = self.failures + self.fixed
        assert not failures, (
            f"{len(self.failures)} {what} routes answered a 500 to {self.role}:\n\n"
            + "\n\n".join(failures)
        )
        if self.known:
            pytest.xfail("known 500s (KNOWN_500):\n\n" + "\n\n".join(self.known))


# --------------------------------------------------------------------------- the world


def _practice_set(app: Flask) -> None:
    """A practice set in the city (drawn by east's practice too), and every body's public
    practice opened: the practice pages reach their grading."""
    with committing(app):
        bodies = {b.code: b for b in db.session.scalars(select(Body))}
        questions = [
            ParsedQuestion(
                "single",
                f"练习题{i}：宪法规定了什么？",
                ("甲", "乙", "丙", "丁"),
                (i % 4,),
                "解析",
                "《中华人民共和国宪法》第一条",
                "宪法",
                2,
                purpose="practice",
            )
            for i in range(4)
        ]
        bank_importing.add_questions(bodies["city"], questions, user_id=None, source="test")
        db.session.commit()
        bank_sharing.publish(bodies["city"])
        for body in bodies.values():
            body.public_practice = True
        db.session.commit()


def _sign_in_candidate(app: Flask, matrix: MatrixWorld, start: bool) -> tuple[FlaskClient, str]:
    """East's waiting candidate, logged in (and, with ``start``, the paper begun)."""
    client = app.test_client()
    east = matrix.ids["east"]
    form = {"code": east["waiting_code"], "id_tail": east["waiting_tail"]}
    response = client.post("/exam/login", data={"csrf_token": _csrf(client, "/exam/login"), **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    token = _csrf(client, "/exam/")
    if start:
        assert client.post("/exam/start", data={"csrf_token": token}).status_code == 302
    return client, token


def _signed_in(app: Flask, role: str) -> tuple[Fuzzer, MatrixWorld]:
    matrix = _build(app)
    _practice_set(app)
    if role.startswith("candidate"):
        client, token = _sign_in_candidate(app, matrix, start=role == "candidate_started")
    else:
        client, token = _sign_in(app, role, matrix)
    return Fuzzer(app, client, token, role), matrix


# --------------------------------------------------------------------------- the tests


def _queries(names: tuple[str, ...]) -> st.SearchStrategy[list[Pair]]:
    own = st.sampled_from(names or COMMON_NAMES)
    name = st.one_of(own, st.sampled_from(COMMON_NAMES), RANDOM_NAME)
    return st.lists(st.tuples(name, VALUE), min_size=1, max_size=5)


@pytest.mark.parametrize("role", ROLES)
def test_random_query_parameters_never_answer_500(app, world, role):
    fuzzer, matrix = _signed_in(app, role)
    for route in routes(app, matrix, role, "GET"):
        try:
            plain = fuzzer.check("GET", route, [])
        except AssertionError as exc:
            fuzzer.failures.append(str(exc))
            continue
        allowed = _outcome(plain) == ALLOWED
        named = _named_cases(route.names or COMMON_NAMES, set(route.names) - route.typed)
        named = named if allowed else []
        examples = EXAMPLES_ALLOWED if allowed else EXAMPLES_REFUSED

        def run(pairs: list[Pair], route: Route = route) -> None:
            fuzzer.check("GET", route, pairs)

        strategy = _queries(route.names)
        fuzzer.fuzz(f"GET {route.endpoint}", strategy, named, examples, run)
    fuzzer.report("GET")


def _crawl(fuzzer: Fuzzer, pages: list[Route]) -> dict[str, FormFields]:
    """Every POST form on every GET page of the role: action path -> its fields."""
    found: dict[str, FormFields] = {}
    for page in pages:
        response = fuzzer.client.get(page.path, query_string=_encode(page.base))
        if response.status_code == 200 and response.mimetype == "text/html":
            _FormParser(page.path, found).feed(response.get_data(as_text=True))
        response.close()
    return found


def _plausible_form(route: Route, fields: FormFields) -> dict[str, str]:
    """The form as a user would fill it: a value the page offers, else one the field's
    class takes."""
    form = {}
    for name, guess in route.plausible:
        if guess is not None and name not in fields.files:
            form[name] = guess
    for name, seen in fields.values.items():
        offered = sorted(v for v in seen if v)
        if offered:
            form[name] = offered[0]
        else:
            form.setdefault(name, "测试")
    for name, value in route.base:
        form[name] = value
    return form


def _form_strategy(fields: FormFields, names: Iterable[str]) -> st.SearchStrategy[Any]:
    optional: dict[str, st.SearchStrategy[list[str | bytes]]] = {}
    for name in sorted(set(fields.values) | set(names)):
        seen = sorted(fields.values.get(name, ()))
        value = st.one_of(VALUE, st.sampled_from(seen)) if seen else VALUE
        optional[name] = st.lists(value, min_size=1, max_size=2)
    pairs = st.fixed_dictionaries({}, optional=optional).map(
        lambda chosen: [(k, v) for k, values in chosen.items() for v in values]
    )
    files = st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(fields.files), FILE))
    return st.tuples(pairs, files)


@pytest.mark.parametrize("role", ROLES)
def test_random_form_fields_never_answer_500(app, world, role):
    fuzzer, matrix = _signed_in(app, role)
    forms = _crawl(fuzzer, routes(app, matrix, role, "GET"))
    posts = [r for r in routes(app, matrix, role, "POST") if r.endpoint not in POST_SKIPPED]
    posts.sort(key=lambda r: any(word in r.endpoint for word in POST_LAST))
    for route in posts:
        fields = forms.get(route.path, FormFields())
        try:
            plain = fuzzer.check("POST", route, [])
        except AssertionError as exc:
            fuzzer.failures.append(str(exc))
            continue
        allowed = _outcome(plain) == ALLOWED
        names = set(fields.values) | set(route.names)
        plausible = _plausible_form(route, fields)
        cases = _named_cases(names) + _one_wrong(plausible, route.typed)
        named: list[tuple[list[Pair], dict[str, Any]]] = (
            [(pairs, {}) for pairs in cases] if allowed else []
        )
        examples = POST_EXAMPLES_ALLOWED if allowed else POST_EXAMPLES_REFUSED
        counted = route.endpoint not in RECORDS_REFUSALS

        def run(
            drawn: tuple[list[Pair], dict[str, Any]],
            route: Route = route,
            counted: bool = counted,
        ) -> None:
            pairs, files = drawn
            fuzzer.check("POST", route, pairs, files, counted=counted)

        strategy = _form_strategy(fields, route.names)
        fuzzer.fuzz(f"POST {route.endpoint}", strategy, named, examples, run)
    fuzzer.report("POST")
