"""模拟练习 pages: a candidate's before the test (on ``exam``) and a body's public practice
(``practice_bp``); one round at a time in the session, graded at once, never stored."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from examsite.bank.formats.model import MAX_OPTIONS
from examsite.core.body import Body
from examsite.core.params import parse_int
from examsite.exams import practice as exam_practice
from examsite.exams.candidate_views import bp, candidate_required, practice_bp
from examsite.exams.models import Attempt
from examsite.exams.states import AttemptStatus
from examsite.extensions import db


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
        state = exam_practice.new_round(body, rng)
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
        found = exam_practice.from_token(body, request.form.get("question", ""), secret)
        if found is None:
            flash(_("该练习题已失效，请继续下一题。"), "info")
            return redirect(request.path)
        shown, number = found
        chosen = (parse_int(v, min=0, max=MAX_OPTIONS) for v in request.form.getlist("choice"))
        displayed = [c for c in chosen if c is not None]
        feedback = exam_practice.grade(shown, displayed)
        if number == state["i"]:  # a form sent twice counts once
            state = {**state, "i": state["i"] + 1, "right": state["right"] + int(feedback.right)}
            session["practice"] = state
            context["state"] = state
        return render_template(
            "exams/practice.html", shown=shown, feedback=feedback, number=number + 1, **context
        )
    if state["i"] >= len(state["ids"]):
        return render_template("exams/practice.html", done=True, **context)
    revision = exam_practice.practice_revision(body, state["ids"][state["i"]])
    if revision is None:  # the practice set changed under the round: start again
        session.pop("practice", None)
        return redirect(request.path)
    shown = exam_practice.show(revision, state["i"], secret, rng)
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
