"""The candidate's side: log in with the admission code, wait, practise, take the test,
save answers (JSON or plain forms), submit, see the result."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeGuard

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from examsite.auth.services import ThrottleSettings
from examsite.bank.formats.model import MAX_OPTIONS
from examsite.core.body import Body
from examsite.core.params import parse_int
from examsite.core.timeutil import utcnow
from examsite.exams import access, answering, identity, papers, practice, states
from examsite.exams.candidate_forms import CandidateLoginForm
from examsite.exams.models import SHOW_AT_SUBMIT, Attempt
from examsite.exams.page_text import exam_page_text, paper_labels
from examsite.exams.states import AttemptStatus
from examsite.extensions import db

bp = Blueprint("exam", __name__, template_folder="templates", url_prefix="/exam")

LOGIN_MESSAGES = {
    "invalid": _l("准考证号或身份证号后 6 位不正确。"),
    "not_open": _l("考试尚未开放登录，请在考试开始前 1 小时内登录。"),
    "ended": _l("本场考试已结束，准考证已失效。"),
    "finished": _l("您已交卷，不能再次登录答题。"),
    "taken": _l("该准考证已在其他电脑登录。如需换一台电脑，请举手联系监考老师。"),
    "network": _l("请在指定考场的电脑上登录考试。"),
}


#: The largest request body the candidates' JSON API reads (an answer is ~100 bytes).
API_MAX_BYTES = 16 * 1024

#: What a candidate whose cookie was refused is told (see exams/identity.py).
REFUSAL_MESSAGES = {
    identity.REPLACED: _l("已在其他设备登录，请联系监考人员。"),
    identity.MOVED: _l("本次登录只能在登录时使用的电脑上继续。如需换一台电脑，请联系监考人员。"),
}


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _attempt() -> Attempt | None:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return user if isinstance(user, Attempt) else None


def candidate_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages for a logged-in candidate; others go to the candidate login."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        attempt = _attempt()
        if attempt is None:
            refused = identity.refusal()
            if refused is not None:
                flash(str(REFUSAL_MESSAGES[refused]), "error")
            else:
                flash(_("请用准考证号登录。"), "info")
            return redirect(url_for("exam.login"))
        g.attempt = attempt
        return view(attempt, *args, **kwargs)

    return wrapped


def candidate_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """JSON endpoints: a missing or replaced session is a 401 the page explains."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        # An answer is a few hundred bytes: a larger body is refused (413) unread.
        if (request.content_length or 0) > API_MAX_BYTES:
            return jsonify(code="too_large", error=_("请求过大。")), 413
        attempt = _attempt()
        if attempt is None:
            refused = identity.refusal()
            if refused is not None:
                return jsonify(code=refused, error=str(REFUSAL_MESSAGES[refused])), 401
            return jsonify(code="session_ended", error=_("登录已失效。")), 401
        return view(attempt, *args, **kwargs)

    return wrapped


def _throttle() -> ThrottleSettings:
    cfg = current_app.config
    return ThrottleSettings(
        max_failures_per_account=cfg["EXAMSITE_LOGIN_MAX_FAILURES"],
        # A whole room can share one address: the per-address limit is higher for candidates.
        max_failures_per_ip=cfg["EXAMSITE_CANDIDATE_MAX_FAILURES_PER_IP"],
        lock_minutes=cfg["EXAMSITE_LOGIN_LOCK_MINUTES"],
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Admission code (typed or from the slip's QR code) plus the ID number's last 6."""
    attempt = _attempt()
    form = CandidateLoginForm()
    if request.method == "GET":
        code = (request.args.get("code") or "").strip().upper()
        if attempt is not None and (not code or code == attempt.admission_code):
            return redirect(url_for("exam.home"))
        form.code.data = code or None
    if form.validate_on_submit():
        outcome = access.authenticate_candidate(
            form.code.data or "",
            form.id_tail.data or "",
            request.remote_addr or "",
            _throttle(),
            takeover_token=secrets.token_urlsafe(16),
        )
        if outcome.status == "ok" and outcome.attempt is not None:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            # Remembered for the exam's length: a long network cut must not log them out.
            login_user(outcome.attempt, remember=True, duration=timedelta(hours=8))
            session.permanent = True
            return redirect(url_for("exam.home"))
        if outcome.status == "locked":
            flash(
                _("输入错误次数过多，请 %(n)s 分钟后再试，或联系监考老师。", n=outcome.minutes),
                "error",
            )
        else:
            flash(str(LOGIN_MESSAGES[outcome.status]), "error")
    return render_template("exams/candidate_login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    """End the session on the server (the token is cleared: neither this cookie nor the
    remember cookie opens the paper again) and remove the cookies."""
    attempt = _attempt()
    if attempt is None:  # a staff session on the same browser is left alone
        return redirect(url_for("exam.login"))
    access.end_session(attempt)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    response = redirect(url_for("exam.login"))
    # session.clear() also drops Flask-Login's note to delete the remember cookie.
    cfg = current_app.config
    response.delete_cookie(
        cfg.get("REMEMBER_COOKIE_NAME", "remember_token"),
        domain=cfg.get("REMEMBER_COOKIE_DOMAIN"),
        path=cfg.get("REMEMBER_COOKIE_PATH", "/"),
    )
    return response


@bp.get("/")
@candidate_required
def home(attempt: Attempt) -> Any:
    """The waiting room: who, where, when; the start button once the test may begin."""
    answering.finalize_if_expired(attempt)
    if attempt.finished:
        return redirect(url_for("exam.finish"))
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return redirect(url_for("exam.paper"))
    return render_template(
        "exams/candidate_home.html",
        attempt=attempt,
        sitting=attempt.sitting,
        reason=answering.can_start(attempt),
    )


@bp.post("/start")
@candidate_required
def start(attempt: Attempt) -> Any:
    try:
        answering.start_attempt(attempt)
    except states.ExamError:
        flash(_("现在不能开始答题。"), "error")
        return redirect(url_for("exam.home"))
    return redirect(url_for("exam.paper"))


@bp.get("/paper")
@candidate_required
def paper(attempt: Attempt) -> Any:
    """The test page (works with the page script and, more slowly, without it)."""
    answering.finalize_if_expired(attempt)
    if attempt.finished:
        return redirect(url_for("exam.finish"))
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect(url_for("exam.home"))
    items = papers.displayed_paper(attempt)  # never with the key: the paper is not in
    last_seq = max((i.seq for i in items), default=0)
    return render_template(
        "exams/paper.html",
        attempt=attempt,
        sitting=attempt.sitting,
        items=items,
        answered=sum(1 for i in items if i.selected),
        last_seq=last_seq,
        deadline=_iso(attempt.deadline),
        server_now=_iso(utcnow()),
        page_text=exam_page_text(),
        paper_labels=paper_labels(),
    )


def _form_choice(item: papers.DisplayedItem) -> list[int]:
    values = request.form.getlist(f"q{item.position}")
    # parse_int: ASCII digits only ("²".isdigit() is True) and bounded, never a ValueError.
    chosen = (parse_int(v, min=0, max=len(item.options) - 1) for v in values)
    return sorted({c for c in chosen if c is not None})


@bp.post("/save")
@candidate_required
def save_form(attempt: Attempt) -> Any:
    """The plain-form save (no script): store what changed, then continue or submit."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect(url_for("exam.finish"))
    items = papers.displayed_paper(attempt)
    seq = max((i.seq for i in items), default=0)
    problems = 0
    for item in items:
        choice = _form_choice(item)
        if choice != item.selected:
            seq += 1
            outcome = answering.save_answer(attempt, item.position, choice, seq)
            if outcome.code != "ok":
                problems += 1
                if outcome.code in ("deadline_passed", "submitted"):
                    return redirect(url_for("exam.finish"))
    if request.form.get("action") == "submit":
        return redirect(url_for("exam.submit"))
    if problems:
        flash(_("有 %(n)s 道题的答案未能保存，请检查后重试。", n=problems), "error")
    else:
        flash(_("答案已保存。"), "success")
    return redirect(url_for("exam.paper"))


@bp.route("/submit", methods=["GET", "POST"])
@candidate_required
def submit(attempt: Attempt) -> Any:
    """Confirm, listing unanswered questions; submitting twice (two tabs) submits once."""
    answering.finalize_if_expired(attempt)
    if attempt.finished or attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect(url_for("exam.finish"))
    if request.method == "POST":  # CSRF is checked for every POST by CSRFProtect
        answering.submit(attempt)
        return redirect(url_for("exam.finish"))
    items = papers.displayed_paper(attempt)
    unanswered = [i.position + 1 for i in items if not i.selected]
    flagged = [i.position + 1 for i in items if i.flagged]
    return render_template(
        "exams/submit.html",
        attempt=attempt,
        unanswered=unanswered,
        flagged=flagged,
        total=len(items),
    )


@bp.get("/finish")
@candidate_required
def finish(attempt: Attempt) -> Any:
    """After the paper is in: the score now, or the promise of it after release."""
    answering.finalize_if_expired(attempt)
    if not attempt.finished:
        return redirect(url_for("exam.home"))
    sitting = attempt.sitting
    show = sitting.show_score == SHOW_AT_SUBMIT or sitting.results_released
    return render_template(
        "exams/finish.html",
        attempt=attempt,
        sitting=sitting,
        show=show,
        review=show and sitting.allow_review,
    )


@bp.get("/review")
@candidate_required
def review(attempt: Attempt) -> Any:
    """The graded paper with the right answers, where the sitting allows it."""
    sitting = attempt.sitting
    show = sitting.show_score == SHOW_AT_SUBMIT or sitting.results_released
    if not (attempt.finished and show and sitting.allow_review):
        abort(404)
    items = papers.displayed_paper(attempt, with_key=True)
    if not items:
        abort(404)
    return render_template("exams/review.html", attempt=attempt, items=items)


# --------------------------------------------------------------------------- JSON API


#: Sequence numbers fit the database's 32-bit integer column.
MAX_SEQ = 2**31 - 1


def _is_int(value: Any) -> bool:
    return type(value) is int  # JSON true/false are bools, which Python counts as ints


def _valid_answer_payload(data: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(data, dict)
        and _is_int(data.get("position"))
        and _is_int(data.get("seq"))
        and 1 <= data["seq"] <= MAX_SEQ
        and isinstance(data.get("choice"), list)
        and len(data["choice"]) <= 26
        and all(_is_int(c) for c in data["choice"])
        and type(data.get("flagged", False)) is bool
    )


@bp.post("/api/answer")
@candidate_api
def api_answer(attempt: Attempt) -> Any:
    """Save one answer: {"position", "choice" (displayed indexes), "seq", "flagged"}."""
    data = request.get_json(silent=True)
    if not _valid_answer_payload(data):
        current_app.logger.warning("bad answer payload from attempt %s", attempt.id)
        return jsonify(code="bad_request", error=_("请求格式不正确。")), 400
    deadline = attempt.deadline  # read before the save commits (and expires the attempt)
    outcome = answering.save_answer(
        attempt,
        data["position"],
        data["choice"],
        data["seq"],
        flagged=data.get("flagged", False),
        grace_seconds=current_app.config["EXAMSITE_SAVE_GRACE_SECONDS"],
    )
    if outcome.code == "ok":
        return jsonify(
            ok=True,
            position=data["position"],
            seq=data["seq"],
            server_now=_iso(utcnow()),
            deadline=_iso(deadline),
        )
    current_app.logger.info("answer refused (%s) for attempt %s", outcome.code, attempt.id)
    status = {"stale_sequence": 409, "deadline_passed": 403, "submitted": 403}.get(
        outcome.code, 400
    )
    return jsonify(code=outcome.code, error=outcome.message), status


@bp.get("/api/state")
@candidate_api
def api_state(attempt: Attempt) -> Any:
    """The server's clock and the deadline (which an invigilator may extend)."""
    answering.finalize_if_expired(attempt)
    response = jsonify(
        server_now=_iso(utcnow()),
        deadline=_iso(attempt.deadline),
        state=attempt.status,
        notice=attempt.notice or None,
        notice_id=attempt.notice_id or None,
    )
    access.touch(attempt, request.remote_addr or "")  # after: it ends the transaction
    return response


@bp.post("/api/event")
@candidate_api
def api_event(attempt: Attempt) -> Any:
    data = request.get_json(silent=True) or {}
    if data.get("type") == "blur":
        access.record_event(attempt, "blur")
    return jsonify(ok=True)


@bp.get("/verify/<token>")
def verify(token: str) -> Any:
    """Public check of a printed score report (the QR code on it leads here)."""
    attempt = db.session.scalars(select(Attempt).where(Attempt.result_token == token)).first()
    if attempt is None or attempt.score is None:
        abort(404)
    return render_template("exams/verify.html", attempt=attempt, sitting=attempt.sitting)


# --------------------------------------------------------------------------- practice

#: The public practice of a body (no login), when the body has opened it.
practice_bp = Blueprint("practice", __name__, template_folder="templates", url_prefix="/practice")


def _run_practice(body: Body, *, home_url: str, restart_url: str) -> Any:
    """One practice page: a new round on ?new=1 (GET only), the next question, or the
    feedback on a submitted answer, graded against the question its form carried."""
    secret = current_app.config["SECRET_KEY"]
    rng = secrets.SystemRandom()
    state = session.get("practice")
    if (
        state is None
        or state.get("b") != body.id
        or (request.method == "GET" and request.args.get("new"))
    ):
        state = practice.new_round(body, rng)
        session["practice"] = state
    context: dict[str, Any] = {
        "state": state,
        "body": body,
        "home_url": home_url,
        "restart_url": restart_url,
        "practice_url": request.path,
    }
    if not state["ids"]:
        return render_template("exams/practice.html", empty=True, **context)
    if request.method == "POST":
        found = practice.from_token(body, request.form.get("question", ""), secret)
        if found is None:
            flash(_("该练习题已失效，请继续下一题。"), "info")
            return redirect(request.path)
        shown, number = found
        chosen = (parse_int(v, min=0, max=MAX_OPTIONS) for v in request.form.getlist("choice"))
        displayed = [c for c in chosen if c is not None]
        feedback = practice.grade(shown, displayed)
        if number == state["i"]:  # a form sent twice counts once
            state = {**state, "i": state["i"] + 1, "right": state["right"] + int(feedback.right)}
            session["practice"] = state
            context["state"] = state
        return render_template(
            "exams/practice.html", shown=shown, feedback=feedback, number=number + 1, **context
        )
    if state["i"] >= len(state["ids"]):
        return render_template("exams/practice.html", done=True, **context)
    revision = practice.practice_revision(body, state["ids"][state["i"]])
    if revision is None:  # the practice set changed under the round: start again
        session.pop("practice", None)
        return redirect(request.path)
    shown = practice.show(revision, state["i"], secret, rng)
    db.session.commit()
    return render_template(
        "exams/practice.html", shown=shown, feedback=None, number=state["i"] + 1, **context
    )


@bp.route("/practice", methods=["GET", "POST"], endpoint="practice")
@candidate_required
def practice_page(attempt: Attempt) -> Any:
    """模拟练习 before the test, from the practice set only; nothing is stored but the
    round's place in the session, and it never counts."""
    if attempt.status != AttemptStatus.ENROLLED:
        return redirect(url_for("exam.home"))
    return _run_practice(
        attempt.sitting.body,
        home_url=url_for("exam.home"),
        restart_url=url_for("exam.practice", new=1),
    )


@practice_bp.route("/<code>", methods=["GET", "POST"])
def public(code: str) -> Any:
    """A body's practice for anyone on its network, when the body has opened it."""
    body = db.session.scalars(select(Body).where(Body.code == code[:32])).first()
    if body is None or not body.public_practice:
        abort(404)
    return _run_practice(
        body,
        home_url=url_for("practice.public", code=body.code),
        restart_url=url_for("practice.public", code=body.code, new=1),
    )
