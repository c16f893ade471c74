"""The invigilator's panel for one sitting, its interventions, paper fallback and record."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.controlchars import first_control
from examsite.core.forms import ConfirmForm
from examsite.core.params import id_arg, parse_int
from examsite.core.pdf import pdf_response
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.timeutil import utcnow
from examsite.core.transaction import refused
from examsite.exams import loaders, sittings, states
from examsite.exams.models import Sitting
from examsite.exams.papers import displayed_paper
from examsite.exams.states import ATTEMPT
from examsite.invigilation import record, services
from examsite.invigilation.forms import (
    INCIDENT_LABELS,
    AddendumForm,
    ExtendForm,
    IncidentForm,
    ReasonForm,
)

bp = Blueprint(
    "invigilation",
    __name__,
    template_folder="templates",
    url_prefix="/bodies/<code>/invigilate/<int:sitting_id>",
)


def sitting_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The body's sitting, for its body admins and the staff assigned to it; others 404."""

    @body_required_staff
    @wraps(view)
    def wrapped(body: Body, sitting_id: int, **kwargs: Any) -> Any:
        return view(body, loaders.room_of(body, sitting_id, current_user), **kwargs)

    return wrapped


def body_required_staff(view: Callable[..., Any]) -> Callable[..., Any]:
    return body_required(ROLE_STAFF)(view)


def _back(body: Body, sitting: Sitting) -> Any:
    return redirect(url_for("invigilation.panel", code=body.code, sitting_id=sitting.id))


def _row_json(row: services.PanelRow) -> dict[str, Any]:
    return {
        "id": row.attempt_id,
        "state": row.state,
        "logged_in": row.logged_in,
        "answered": row.answered,
        "total": row.total,
        "seconds_left": row.seconds_left,
        "last_seen": row.last_seen.isoformat() + "Z" if row.last_seen else None,
        "ip": row.ip,
        "focus_losses": row.focus_losses,
        "refused_logins": row.refused_logins,
        "session_switches": row.session_switches,
        "code_locked": row.code_locked,
        "reissued": row.reissued,
        "admission_code": row.admission_code if row.reissued else None,
        "actions": list(row.actions),
        "extra_minutes": row.extra_minutes,
        "on_paper": row.on_paper,
        "score": row.score,
    }


@bp.get("/")
@sitting_required
def panel(body: Body, sitting: Sitting) -> Any:
    """The live room: one row per candidate, counters, and every intervention."""
    rows, counts = services.panel(sitting)
    return render_template(
        "invigilation/panel.html",
        body=body,
        sitting=sitting,
        rows=rows,
        counts=counts,
        reason=ReasonForm(),
        extend=ExtendForm(),
        incident=IncidentForm(),
        confirm=ConfirmForm(),
        incidents=services.incidents(sitting),
        names={r.attempt_id: r.name for r in rows},  # the incidents' candidates
        INCIDENT_LABELS=INCIDENT_LABELS,
        ATTEMPT=ATTEMPT,  # which interventions each row's state allows
    )


@bp.get("/data")
@sitting_required
def data(body: Body, sitting: Sitting) -> Any:
    """What the panel refreshes every few seconds (two queries for the whole room)."""
    rows, counts = services.panel(sitting)
    return jsonify(
        now=utcnow().isoformat() + "Z",
        status=sitting.status,
        counts=counts,
        rows=[_row_json(r) for r in rows],
    )


def _act(body: Body, sitting: Sitting, action: Callable[[], Any], done: Any) -> Any:
    """Every action of the room: core.actions.act, back to the page it came from."""
    return act(action, done, url_for("invigilation.panel", code=body.code, sitting_id=sitting.id))


def _reason() -> str:
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400, _("请填写原因。"))
    return (form.reason.data or "").strip()


@bp.post("/open")
@sitting_required
def open_sitting(body: Body, sitting: Sitting) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(
        body,
        sitting,
        lambda: sittings.open_sitting(sitting),
        lambda n: _("考试已开放，已为 %(n)s 名考生抽取试卷。", n=n),
    )


@bp.post("/close")
@sitting_required
def close_sitting(body: Body, sitting: Sitting) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(
        body,
        sitting,
        lambda: sittings.close_sitting(sitting),
        _("考试已结束，未交卷的试卷已按已保存的答案评分。"),
    )


@bp.post("/extend")
@sitting_required
def extend(body: Body, sitting: Sitting) -> Any:
    """Extend one candidate (attempt_id given) or everyone answering now (全体延长)."""
    form = ExtendForm()
    if not form.validate_on_submit():
        flash(_("请填写 1–120 分钟和原因。"), "error")
        return _back(body, sitting)
    attempt_id = id_arg("attempt_id", source=request.form)
    minutes, reason = form.minutes.data or 0, form.reason.data or ""
    if attempt_id:
        target = loaders.attempt_in(sitting, attempt_id)
        return _act(
            body,
            sitting,
            lambda: services.extend(sitting, [target], minutes, reason, current_user),
            _("已延长 %(n)s 分钟。", n=minutes),
        )
    return _act(
        body,
        sitting,
        lambda: services.extend_room(sitting, minutes, reason, current_user),
        lambda counts: _(
            "已为 %(n)s 名正在答题的考生延长 %(m)s 分钟；%(k)s 名尚未开始答题或缺考的考生未延长。",
            n=counts[0],
            m=minutes,
            k=counts[1],
        ),
    )


def _intervention(name: str, func: Callable[..., Any], done: Any) -> None:
    """Register POST /attempts/<id>/<name>: it asks for a reason and is audited."""

    def view(body: Body, sitting: Sitting, attempt_id: int) -> Any:
        attempt = loaders.attempt_in(sitting, attempt_id)
        reason = _reason()
        return _act(body, sitting, lambda: func(sitting, attempt, reason, current_user), str(done))

    view.__name__ = name
    bp.post(f"/attempts/<int:attempt_id>/{name.replace('_', '-')}")(sitting_required(view))


_intervention("reset", services.reset_login, _l("已重置登录，考生可在其他电脑继续。"))
_intervention("force_submit", services.force_submit, _l("已强制交卷并评分。"))
_intervention("absent", services.mark_absent, _l("已记为缺考。"))
_intervention("readmit", services.readmit, _l("已准许该考生入场。"))
_intervention("reissue", services.reissue_code, _l("已重新生成准考证号，原号码已失效。"))
_intervention("unlock", services.unlock_code, _l("已解除锁定，考生可以重新登录。"))


@bp.post("/attempts/<int:attempt_id>/seat")
@sitting_required
def seat(body: Body, sitting: Sitting, attempt_id: int) -> Any:
    attempt = loaders.attempt_in(sitting, attempt_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    value = (request.form.get("seat") or "").strip()
    if first_control(value) is not None:
        flash(_("不能包含控制字符。"), "error")
        return _back(body, sitting)
    return _act(
        body,
        sitting,
        lambda: services.set_seat(sitting, attempt, value, current_user),
        _("座位已保存。"),
    )


@bp.post("/incidents")
@sitting_required
def incident(body: Body, sitting: Sitting) -> Any:
    form = IncidentForm()
    if not form.validate_on_submit():
        flash(_("请选择类别并填写情况说明。"), "error")
        return _back(body, sitting)
    attempt_id = id_arg("attempt_id", source=request.form)
    attempt = loaders.attempt_in(sitting, attempt_id) if attempt_id else None
    return _act(
        body,
        sitting,
        lambda: services.add_incident(
            sitting, attempt, form.category.data or "other", form.note.data or "", current_user
        ),
        _("已记录。"),
    )


# --------------------------------------------------------------------------- paper fallback


@bp.get("/paper")
@sitting_required
def paper(body: Body, sitting: Sitting) -> Any:
    """Each candidate's own drawn paper (no key) with an answer sheet, for printing."""
    attempt_id = id_arg("attempt")
    attempts = [loaders.attempt_in(sitting, attempt_id)] if attempt_id else list(sitting.attempts)
    papers = [(a, displayed_paper(a)) for a in attempts if a.paper and not a.finished]
    services._record("paper.print", None, sitting, current_user, "", count=len(papers))
    return render_template("invigilation/paper.html", body=body, sitting=sitting, papers=papers)


@bp.route("/attempts/<int:attempt_id>/entry", methods=["GET", "POST"])
@sitting_required
def entry(body: Body, sitting: Sitting, attempt_id: int) -> Any:
    """Key in a paper answer sheet; two staff members each enter it, then grade."""
    attempt = loaders.attempt_in(sitting, attempt_id)
    items = displayed_paper(attempt)
    if not items:
        abort(404)
    mine = next((e for e in services.entries(attempt) if e.user_id == current_user.id), None)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        choices: dict[int, list[int]] = {}
        for item in items:
            values = request.form.getlist(f"q{item.position}")
            picked = sorted(
                {
                    n
                    for v in values
                    if (n := parse_int(v, min=0, max=len(item.options) - 1)) is not None
                }
            )
            if item.qtype != "multiple":
                picked = picked[:1]
            choices[item.position] = picked
        try:
            services.save_entry(sitting, attempt, choices, current_user)
        except (services.InvigilationError, states.ExamError) as exc:
            flash(refused(exc), "error")
        else:
            flash(_("已保存您的录入。"), "success")
        return redirect(
            url_for(
                "invigilation.entry", code=body.code, sitting_id=sitting.id, attempt_id=attempt.id
            )
        )
    if mine is not None:
        prefill = {int(k): v for k, v in mine.choices.items()}
    else:
        prefill = {i.position: i.selected for i in items}
    return render_template(
        "invigilation/entry.html",
        body=body,
        sitting=sitting,
        attempt=attempt,
        items=items,
        prefill=prefill,
        entries=services.entries(attempt),
        differ=services.disagreements(attempt),
        confirm=ConfirmForm(),
        mine=mine,
    )


@bp.post("/attempts/<int:attempt_id>/grade-paper")
@sitting_required
def grade_paper(body: Body, sitting: Sitting, attempt_id: int) -> Any:
    attempt = loaders.attempt_in(sitting, attempt_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(
        body,
        sitting,
        lambda: services.grade_from_paper(sitting, attempt, current_user),
        _("两次录入一致，已按纸质答题卡评分。"),
    )


# --------------------------------------------------------------------------- the record


def _record_page(body: Body, sitting: Sitting, *, pdf: bool) -> str:
    """考场记录: the same page on the screen and in the PDF (core/document.html)."""
    rows, _counts = services.panel(sitting)
    return render_template(
        "invigilation/record.html",
        pdf=pdf,
        body=body,
        sitting=sitting,
        rows=rows,
        counts=record.counts(sitting),
        entries=record.timeline(sitting),
        papers=record.papers(sitting),
        addenda=record.addenda(sitting),
        digest=record.signoff_digest(sitting),
        invigilators=list(sitting.invigilators),
        confirm=ConfirmForm(),
        addendum=AddendumForm(),
    )


@bp.get("/record", endpoint="record")
@sitting_required
def record_view(body: Body, sitting: Sitting) -> Any:
    return _record_page(body, sitting, pdf=False)


@bp.get("/record.pdf")
@sitting_required
def record_pdf(body: Body, sitting: Sitting) -> Any:
    html = _record_page(body, sitting, pdf=True)
    return pdf_response(html, _("考场记录-%(title)s", title=sitting.title))


@bp.post("/addenda")
@sitting_required
def addendum(body: Body, sitting: Sitting) -> Any:
    """补充说明 to a signed record (exams.signed lets this one POST through the lock)."""
    form = AddendumForm()
    back = url_for("invigilation.record", code=body.code, sitting_id=sitting.id)
    return act(
        lambda: services.add_addendum(sitting, form.text.data or "", current_user),
        _("补充说明已签名记录。"),
        back,
        form=form,
        invalid=_("请填写补充说明（不超过 2000 字）。"),
    )


@bp.post("/sign-off")
@sitting_required
def sign_off(body: Body, sitting: Sitting) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.sign_off(sitting, current_user)
    except (services.InvigilationError, states.ExamError) as exc:
        flash(refused(exc), "error")
    else:
        flash(_("考场记录已签字确认并锁定。"), "success")
    return redirect(url_for("invigilation.record", code=body.code, sitting_id=sitting.id))
