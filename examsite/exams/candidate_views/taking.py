"""Taking the test: the waiting room, starting, the paper (with the plain-form save for a
browser without the page script), submitting, the result and the review; and the public
check of a printed score report."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from examsite.core.params import parse_int
from examsite.core.timeutil import utcnow
from examsite.core.transaction import refused
from examsite.exams import answering, disclosure, papers, states
from examsite.exams.candidate_views import bp, candidate_required, iso
from examsite.exams.models import Attempt
from examsite.exams.page_text import exam_page_text, paper_labels
from examsite.exams.states import AttemptStatus
from examsite.extensions import db


@bp.get("/")
@candidate_required
def home(attempt: Attempt) -> Any:
    """The waiting room: who, where, when; the start button once the test may begin."""
    answering.finalize_if_expired(attempt)
    if attempt.finished:
        return redirect(url_for("exam.finish"))
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return redirect(url_for("exam.paper"))
    # The time the candidate really has: starting now (or at the start, if early), the
    # paper is due at the end of its duration but never after the sitting's end.
    begins = max(utcnow(), attempt.sitting.starts_at)
    due = answering.deadline_if_started(attempt, begins)
    return render_template(
        "exams/candidate_home.html",
        attempt=attempt,
        sitting=attempt.sitting,
        reason=answering.can_start(attempt),
        due=due,
        minutes=max(0, int((due - begins).total_seconds() // 60)),
    )


@bp.post("/start")
@candidate_required
def start(attempt: Attempt) -> Any:
    try:
        answering.start_attempt(attempt)
    except states.ExamError as exc:
        refused(exc)  # the candidate sees the plain words, not the rule's
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
        # Without the page script the header says "已保存" only right after a plain save.
        just_saved=session.pop(_JUST_SAVED, False),
        last_seq=last_seq,
        deadline=iso(attempt.deadline),
        server_now=iso(utcnow()),
        page_text=exam_page_text(),
        paper_labels=paper_labels(),
    )


#: Set by the plain-form save for the next paper page (its header then says "已保存").
_JUST_SAVED = "exam_just_saved"


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
        session[_JUST_SAVED] = True
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
    """After the paper is in: the score and 合格/不合格 once published (also to a candidate
    who logs in again for them), or the promise of it; the review's link, or when it opens."""
    answering.finalize_if_expired(attempt)
    if not attempt.finished:
        return redirect(url_for("exam.home"))
    return render_template(
        "exams/finish.html",
        attempt=attempt,
        sitting=attempt.sitting,
        show=disclosure.result_visible(attempt),
        review=disclosure.review_status(attempt),
        forced=disclosure.forced_reason(attempt),
    )


@bp.get("/review")
@candidate_required
def review(attempt: Attempt) -> Any:
    """The graded paper with the right answers, where the sitting allows it, once the whole
    room is done (before that the page says when it opens, and holds no key)."""
    status = disclosure.review_status(attempt)
    if status == disclosure.REVIEW_NONE:
        abort(404)
    if status == disclosure.REVIEW_WAITING:
        return render_template(
            "exams/review.html", attempt=attempt, sitting=attempt.sitting, items=None
        )
    items = papers.displayed_paper(attempt, with_key=True)
    if not items:
        abort(404)
    return render_template(
        "exams/review.html", attempt=attempt, sitting=attempt.sitting, items=items
    )


@bp.get("/verify/<token>")
def verify(token: str) -> Any:
    """Public check of a printed score report (the QR code on it leads here)."""
    attempt = db.session.scalars(select(Attempt).where(Attempt.result_token == token)).first()
    if attempt is None or attempt.score is None:
        abort(404)
    return render_template("exams/verify.html", attempt=attempt, sitting=attempt.sitting)
