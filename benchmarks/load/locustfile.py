"""Locust scenarios of the whole-sitting load test. harness.py runs them; see README.md.

User classes (the harness names them on locust's command line, one phase at a time):

- ``CandidateUser`` + ``InvigilatorUser``: a real sitting. Each candidate logs in with the
  admission code and ID tail, starts, loads the paper, answers one question every 10–20 s
  through the JSON autosave, polls the state every 15 s, reloads the paper once midway and
  submits. The invigilators log in as staff and fetch the live panel data every 5 s.
- ``PingUser``: the database-free baseline (``/benchmark/ping``), with no pauses.
- ``SaverUser``: autosave saturation: logged-in candidates saving with no pauses.

Request names group the statistics by step: login, paper, save, state, panel, submit
(staff-login, ping and sat-login besides); save-steady repeats the saves sent after the
last candidate had the paper on screen (the autosave once the login burst is over).
Every save the server acknowledged, every save it did not, every submit and every response
time are written to ``--load-out`` at the end; the harness checks them against the database.
Runs in one locust process (no workers), so module-level state is shared by all users.
"""

from __future__ import annotations

import json
import random
import re
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

SAVE_EVERY = (10.0, 20.0)  # seconds between two answers of a candidate
STATE_EVERY = 15.0  # the page's state poll (js/exam/controller.js POLL_MS)
PANEL_EVERY = 5.0  # the invigilator panel's refresh
RETRIES = 3  # a failed save is resent like the page does (same seq, growing pause)
TIMEOUT = 15.0  # the page gives up on a request after 15 s (REQUEST_TIMEOUT_MS)

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
ATTEMPT = re.compile(r'data-attempt="(\d+)"')
LAST_SEQ = re.compile(r'data-last-seq="(\d+)"')
QUESTION = re.compile(r'data-question="(\d+)" data-qtype="(\w+)" data-saved-seq="(\d+)"')
CHECKED = re.compile(r'value="(\d+)" checked')
FLASH = re.compile(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
JSON_HEADERS = {"Accept": "application/json"}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class State:
    """What all users of the one locust process share and what is written at the end."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.out = ""
        self.questions_answered = 20
        self.window_seconds = 20.0
        self.candidates: Iterator[dict[str, str]] = iter(())
        self.invigilators: Iterator[dict[str, str]] = iter(())
        self.saturation: Iterator[dict[str, str]] = iter(())
        self.env: Environment | None = None
        self.expected = 0  # candidates (sitting) or users (saturation) to wait for
        self.logged_in = 0
        self.settled = 0  # candidates done, or savers logged in (or failed to)
        self.over = Event()  # the sitting is over: invigilators stop
        self.go = Event()  # the throughput window is open
        self.window: list[float] = []  # [start, end] of the throughput window (epoch s)
        self.window_ok: Counter[str] = Counter()  # successful requests inside the window
        self.acks: list[dict[str, Any]] = []
        self.unacked: list[dict[str, Any]] = []
        self.in_flight: dict[tuple[int, int], dict[str, Any]] = {}  # sent, no answer yet
        self.sitting = False  # the sitting scenario runs (it prints its progress)
        self.submits: list[dict[str, Any]] = []
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, Counter[str]] = defaultdict(Counter)
        self.span: dict[str, list[float]] = {}  # name -> [first start, last end] (epoch s)
        self.harness_errors: list[str] = []
        self.ready = 0  # candidates with their paper on screen
        self.burst_over = 0.0  # when the last candidate had the paper (epoch s), or 0

    def dump(self) -> dict[str, Any]:
        return {
            "acks": self.acks,
            # A save in flight when the run stopped may or may not be in the database.
            "unacked": self.unacked
            + [{**r, "status": "in flight at the end"} for r in self.in_flight.values()],
            "submits": self.submits,
            "samples": self.samples,
            "failures": {k: dict(v) for k, v in self.failures.items()},
            "span": self.span,
            "window": self.window,
            "window_ok": dict(self.window_ok),
            "logged_in": self.logged_in,
            "harness_errors": self.harness_errors,
        }


STATE = State()


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    parser.add_argument("--load-data", default="", help="JSON written by the harness")
    parser.add_argument("--load-out", default="", help="where to write the results JSON")
    parser.add_argument("--questions-answered", type=int, default=20)
    parser.add_argument("--window-seconds", type=float, default=20.0)


@events.init.add_listener
def _init(environment: Environment, **_: Any) -> None:
    opts = environment.parsed_options
    assert opts is not None and opts.load_data, "run through benchmarks/load/harness.py"
    with open(opts.load_data, encoding="utf-8") as fh:
        STATE.data = json.load(fh)
    STATE.out = opts.load_out
    STATE.questions_answered = opts.questions_answered
    STATE.window_seconds = opts.window_seconds
    STATE.candidates = iter(STATE.data["candidates"])
    STATE.invigilators = iter(STATE.data["invigilators"])
    STATE.saturation = iter(STATE.data["saturation"])
    STATE.env = environment
    # Spawned before the candidates (fixed_count users come first), as in a real room.
    InvigilatorUser.fixed_count = len(STATE.data["invigilators"])


@events.request.add_listener
def _on_request(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    now = time.time()
    STATE.samples[name].append(round(response_time, 2))
    if name == "save" and STATE.burst_over and now - response_time / 1000 >= STATE.burst_over:
        # Steady autosave: sent once every candidate is in, after the login burst.
        STATE.samples["save-steady"].append(round(response_time, 2))
    span = STATE.span.setdefault(name, [now - response_time / 1000, now])
    span[1] = now
    if exception is not None:
        STATE.failures[name][f"{request_type} {str(exception)[:200]}"] += 1
    elif STATE.go.is_set() and len(STATE.window) == 1:
        STATE.window_ok[name] += 1


@events.test_start.add_listener
def _test_start(environment: Environment, **_: Any) -> None:
    gevent.spawn(_progress, environment)


@events.quitting.add_listener
def _quitting(environment: Environment, **_: Any) -> None:
    if STATE.out:
        with open(STATE.out, "w", encoding="utf-8") as fh:
            json.dump(STATE.dump(), fh)


def _progress(environment: Environment) -> None:
    start = time.time()
    while True:
        gevent.sleep(15)
        if not STATE.sitting:
            continue
        saves = len(STATE.samples.get("save", ()))
        errors = sum(sum(c.values()) for c in STATE.failures.values())
        print(
            f"progress: {time.time() - start:5.0f} s  logged in {STATE.logged_in}  "
            f"done {STATE.settled}/{STATE.expected}  saves {saves}  "
            f"acknowledged {len(STATE.acks)}  errors {errors}",
            flush=True,
        )


def _open_window() -> None:
    STATE.window = [time.time()]
    STATE.go.set()
    gevent.spawn_later(STATE.window_seconds, _close_window)


def _close_window() -> None:
    STATE.window.append(time.time())
    _quit_soon(0)


def _quit_soon(delay: float) -> None:
    def stop() -> None:
        if STATE.env is not None and STATE.env.runner is not None:
            STATE.env.runner.quit()

    gevent.spawn_later(delay, stop)


def _json(response: Any) -> dict[str, Any]:
    try:
        data = json.loads(response.text or "null")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _why(response: Any) -> str:
    """A short reason for a failure: the network error, or the status with the JSON code,
    the page's flash message or its title."""
    error = getattr(response, "error", None)
    if error is not None and not response.status_code:
        return f"{type(error).__name__}: {error}"[:200]
    data = _json(response)
    detail = data.get("code") or data.get("error")
    if not detail:
        text = response.text or ""
        match = FLASH.search(text) or TITLE.search(text)
        detail = match.group(1).strip() if match else text[:120].replace("\n", " ")
    location = response.headers.get("Location") if response.headers else None
    return f"HTTP {response.status_code}" + (f" -> {location}" if location else "") + f" {detail}"


def _path(response: Any) -> str:
    return urlsplit(response.headers.get("Location") or "").path


class Candidate:
    """The candidate's side, shared by the sitting and the saturation users."""

    client: Any
    login_name = "login"

    def setup(self, cred: dict[str, str]) -> None:
        self.cred = cred
        self.token = ""
        self.attempt = 0
        self.seq = 0
        self.questions: dict[int, tuple[str, int]] = {}  # position -> (qtype, options)
        self.acked: dict[int, dict[str, Any]] = {}  # position -> latest acknowledged save
        self.sent: dict[int, list[int]] = {}  # position -> latest choice sent

    def read_token(self, html: str) -> bool:
        match = META_TOKEN.search(html)
        if match:
            self.token = match.group(1)
        return match is not None

    def get(self, path: str, name: str, **kw: Any) -> Any:
        return self.client.get(path, name=name, catch_response=True, allow_redirects=False, **kw)

    def post_form(self, path: str, name: str, fields: list[tuple[str, str]]) -> Any:
        body = urlencode([("csrf_token", self.token), *fields])
        return self.client.post(
            path,
            data=body,
            headers=FORM_HEADERS,
            name=name,
            catch_response=True,
            allow_redirects=False,
        )

    def log_in(self) -> bool:
        """Login page, code + ID tail, the waiting room, start, the paper."""
        name = self.login_name
        with self.get("/exam/login", name) as r:
            if r.status_code != 200 or not self.read_token(r.text):
                r.failure(_why(r))
                return False
            r.success()
        fields = [("code", self.cred["code"]), ("id_tail", self.cred["tail"])]
        with self.post_form("/exam/login", name, fields) as r:
            if r.status_code != 302 or _path(r) != "/exam/":
                r.failure(_why(r))
                return False
            r.success()
        with self.get("/exam/", name) as r:
            # Login starts a fresh session: the page's token is the one to send from now on.
            if r.status_code != 200 or 'action="/exam/start"' not in r.text:
                r.failure(_why(r))
                return False
            self.read_token(r.text)
            r.success()
        STATE.logged_in += 1
        name = "paper" if name == "login" else name
        with self.post_form("/exam/start", name, []) as r:
            if r.status_code != 302 or _path(r) != "/exam/paper":
                r.failure(_why(r))
                return False
            r.success()
        return self.load_paper(name)

    def load_paper(self, name: str = "paper", check: bool = False) -> bool:
        with self.get("/exam/paper", name) as r:
            html = r.text or ""
            attempt, last = ATTEMPT.search(html), LAST_SEQ.search(html)
            if r.status_code != 200 or not attempt or not last or not self.read_token(html):
                r.failure(_why(r))
                return False
            self.attempt = int(attempt.group(1))
            self.seq = max(self.seq, int(last.group(1)))
            wrong = []
            for chunk in html.split('<section class="question"')[1:]:
                match = QUESTION.search(chunk)
                if match is None:
                    continue
                pos, qtype, saved_seq = int(match[1]), match[2], int(match[3])
                self.questions[pos] = (qtype, chunk.count(f'name="q{pos}"'))
                ack = self.acked.get(pos)
                shown = sorted(int(v) for v in CHECKED.findall(chunk))
                if (
                    check
                    and ack
                    and (
                        saved_seq < ack["seq"]
                        or (saved_seq == ack["seq"] and shown != ack["choice"])
                    )
                ):
                    wrong.append(pos)
            if wrong or not self.questions:
                r.failure(f"reload does not show acknowledged answers at positions {wrong}")
                return False
            r.success()
        return True

    def answer(self, position: int, flagged: bool = False) -> bool:
        """Choose like a person (one option, or two or more for a multiple) and save it."""
        qtype, n = self.questions[position]
        if qtype == "multiple" and n >= 2:
            choice = sorted(random.sample(range(n), random.randint(2, n)))
        else:
            choice = [random.randrange(max(n, 1))]
        return self.save(position, choice, flagged)

    def save(self, position: int, choice: list[int], flagged: bool) -> bool:
        self.seq += 1
        payload = {"position": position, "choice": choice, "seq": self.seq, "flagged": flagged}
        record = {"attempt": self.attempt, "code": self.cred["code"], **payload}
        self.sent[position] = choice
        status = 0
        STATE.in_flight[(self.attempt, self.seq)] = record
        for attempt_no in range(RETRIES):
            headers = {**JSON_HEADERS, "X-CSRFToken": self.token}
            with self.client.post(
                "/exam/api/answer",
                json=payload,
                headers=headers,
                name="save",
                catch_response=True,
                allow_redirects=False,
            ) as r:
                data = _json(r)
                status = r.status_code
                if status == 200 and data.get("ok") is True and data.get("seq") == self.seq:
                    r.success()
                    del STATE.in_flight[(self.attempt, self.seq)]
                    STATE.acks.append(record)
                    self.acked[position] = record
                    return True
                r.failure(_why(r))
            if status in (400, 401, 403, 409):
                break  # the page does not resend these: refused, not lost in transit
            gevent.sleep(2**attempt_no)
        del STATE.in_flight[(self.attempt, self.seq)]
        STATE.unacked.append({**record, "status": status})
        return False


class CandidateUser(Candidate, FastHttpUser):
    """One candidate sitting the whole test, then gone."""

    wait_time = constant(0)
    # geventhttpclient rather than requests: about a third of the CPU per request, which on a
    # machine shared with the server is CPU the server gets back.
    connection_timeout = TIMEOUT
    network_timeout = TIMEOUT

    @task
    def sit(self) -> None:
        cred = next(STATE.candidates, None)
        if cred is None:
            raise StopUser()
        STATE.expected = len(STATE.data["candidates"])
        STATE.sitting = True
        self.setup(cred)
        try:
            self.journey()
        except Exception:  # a harness fault must show in the report, not end a user quietly
            STATE.harness_errors.append(f"candidate {cred['code']}: {traceback.format_exc()}")
        finally:
            STATE.settled += 1
            if STATE.settled >= STATE.expected:
                STATE.over.set()
                _quit_soon(PANEL_EVERY + 1)  # let the invigilators see the end
        raise StopUser()

    def journey(self) -> None:
        if not self.log_in():
            return
        STATE.ready += 1
        if STATE.ready >= STATE.expected:
            STATE.burst_over = time.time()
        self.next_poll = time.monotonic()
        count = min(STATE.questions_answered, len(self.questions))
        positions = sorted(self.questions)
        answered: list[int] = []
        for i in range(count):
            self.pause(random.uniform(*SAVE_EVERY))
            if answered and random.random() < 0.2:
                position = random.choice(answered)  # a second thought on an earlier question
            else:
                position = positions[len(answered)]
                answered.append(position)
            self.answer(position, flagged=random.random() < 0.1)
            if i == (count - 1) // 2:
                self.load_paper(check=True)  # the reload midway; the page polls at once
                self.next_poll = time.monotonic()
        self.pause(random.uniform(*SAVE_EVERY) / 2)
        self.submit()

    def pause(self, seconds: float) -> None:
        """Wait like the open page: the state poll runs on its own interval meanwhile."""
        end = time.monotonic() + seconds
        while self.next_poll <= end:
            gevent.sleep(max(0.0, self.next_poll - time.monotonic()))
            self.poll()
            self.next_poll = max(self.next_poll + STATE_EVERY, time.monotonic())
        gevent.sleep(max(0.0, end - time.monotonic()))

    def poll(self) -> None:
        with self.get("/exam/api/state", "state", headers=JSON_HEADERS) as r:
            if r.status_code == 200 and _json(r).get("state") == "in_progress":
                r.success()
            else:
                r.failure(_why(r))

    def submit(self) -> None:
        """The page's submit: the plain form (every answer as on the page), the confirmation
        page, the confirmed submit, the result."""
        done = {"attempt": self.attempt, "code": self.cred["code"], "acknowledged": False}
        STATE.submits.append(done)
        fields = [("action", "submit")]
        fields += [(f"q{p}", str(d)) for p, choice in sorted(self.sent.items()) for d in choice]
        steps: list[tuple[str, str, str]] = [
            ("POST", "/exam/save", "/exam/submit"),
            ("GET", "/exam/submit", ""),
            ("POST", "/exam/submit", "/exam/finish"),
            ("GET", "/exam/finish", ""),
        ]
        for method, path, target in steps:
            call = (
                self.post_form(path, "submit", fields)
                if method == "POST"
                else self.get(path, "submit")
            )
            fields = []
            with call as r:
                ok = (
                    (r.status_code == 302 and _path(r) == target)
                    if target
                    else (r.status_code == 200 and self.read_token(r.text))
                )
                if path == "/exam/finish":
                    ok = ok and 'data-testid="score"' in r.text
                if not ok:
                    r.failure(_why(r))
                    return
                r.success()
        done["acknowledged"] = True


class InvigilatorUser(FastHttpUser):
    """A staff member assigned to the sitting, watching the live panel until it ends."""

    wait_time = constant(0)
    connection_timeout = TIMEOUT
    network_timeout = TIMEOUT
    fixed_count = 5  # set from the data file at init

    @task
    def watch(self) -> None:
        cred = next(STATE.invigilators, None)
        if cred is None:
            raise StopUser()
        try:
            if self.log_in(cred):
                self.refresh()
        except Exception:
            STATE.harness_errors.append(f"invigilator {cred['username']}: {traceback.format_exc()}")
        raise StopUser()

    def log_in(self, cred: dict[str, str]) -> bool:
        opts: dict[str, Any] = {"catch_response": True, "allow_redirects": False}
        with self.client.get("/login", name="staff-login", **opts) as r:
            match = META_TOKEN.search(r.text or "")
            if r.status_code != 200 or match is None:
                r.failure(_why(r))
                return False
            r.success()
        fields = {"username": cred["username"], "password": cred["password"]}
        body = urlencode({"csrf_token": match.group(1), **fields})
        with self.client.post(
            "/login", data=body, headers=FORM_HEADERS, name="staff-login", **opts
        ) as r:
            if r.status_code != 302 or _path(r) in ("/login", "/account/password"):
                r.failure(_why(r))
                return False
            r.success()
        with self.client.get(self.panel_url(), name="panel", **opts) as r:
            if r.status_code != 200:
                r.failure(_why(r))
                return False
            r.success()
        return True

    def panel_url(self) -> str:
        return f"/bodies/{STATE.data['body']}/invigilate/{STATE.data['sitting_id']}/"

    def refresh(self) -> None:
        expected = len(STATE.data["candidates"])
        while not STATE.over.is_set():
            started = time.monotonic()
            with self.client.get(
                self.panel_url() + "data",
                name="panel",
                headers=JSON_HEADERS,
                catch_response=True,
                allow_redirects=False,
            ) as r:
                if r.status_code == 200 and len(_json(r).get("rows") or ()) == expected:
                    r.success()
                else:
                    r.failure(_why(r))
            STATE.over.wait(max(0.0, PANEL_EVERY - (time.monotonic() - started)))


class PingUser(FastHttpUser):
    """The baseline: a request through the whole app that touches no database."""

    wait_time = constant(0)

    def on_start(self) -> None:
        # Nothing to prepare: the window opens once every user runs.
        runner = self.environment.runner
        STATE.expected = runner.target_user_count if runner is not None else 0
        STATE.settled += 1
        if STATE.settled >= STATE.expected and not STATE.go.is_set():
            _open_window()

    @task
    def ping(self) -> None:
        with self.client.get("/benchmark/ping", name="ping", catch_response=True) as r:
            if r.status_code == 200 and r.text == "pong":
                r.success()
            else:
                r.failure(_why(r))


class SaverUser(Candidate, FastHttpUser):
    """A logged-in candidate saving answers back to back (the autosave's saturation)."""

    wait_time = constant(0)
    login_name = "sat-login"

    def on_start(self) -> None:
        runner = self.environment.runner
        STATE.expected = runner.target_user_count if runner is not None else 0
        cred = next(STATE.saturation, None)
        ok = False
        if cred is not None:
            self.setup(cred)
            try:
                ok = self.log_in()
            except Exception:
                STATE.harness_errors.append(f"saver {cred['code']}: {traceback.format_exc()}")
        STATE.settled += 1
        if STATE.settled >= STATE.expected and not STATE.go.is_set():
            _open_window()
        if not ok:
            raise StopUser()
        STATE.go.wait()

    @task
    def save_one(self) -> None:
        self.answer(random.choice(list(self.questions)), flagged=random.random() < 0.1)
