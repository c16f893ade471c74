"""Staff pages for appointments, statements and oath ceremonies; the public check-in."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from examsite.appointments import services
from examsite.appointments.check_in import WINDOW_CLOSED, WINDOW_OPEN
from examsite.appointments.forms import (
    FORM_LABELS,
    VOTE_LABELS,
    CeremonyForm,
    CheckInForm,
    ExemptForm,
    MeetingForm,
    PeriodForm,
    RulesForm,
    StatementForm,
    VoteForm,
)
from examsite.appointments.models import (
    VOTE_APPOINTED,
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Meeting,
    Statement,
)
from examsite.core import audit
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.exports import xlsx_response
from examsite.core.filecheck import UploadError
from examsite.core.forms import ConfirmForm
from examsite.core.pagination import paginate
from examsite.core.params import ids_arg
from examsite.core.qr import qr_svg
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.timeutil import local_to_utc, utc_to_local, utcnow
from examsite.core.uploads import UPLOAD_MESSAGES, send_upload
from examsite.exams.models import Candidate
from examsite.extensions import db

bp = Blueprint(
    "appointments", __name__, template_folder="templates", url_prefix="/bodies/<code>/appointments"
)
public = Blueprint("oath", __name__, template_folder="templates", url_prefix="/oath")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"VOTE_LABELS": VOTE_LABELS, "FORM_LABELS": FORM_LABELS}


# Loader options of the pages that list people: each row's related records come in one
# query for all the rows, not one query per row.

#: A meeting's appointments with what its table shows of each step.
_MEETING_STEPS = selectinload(Meeting.appointments).options(
    joinedload(Appointment.candidate),
    joinedload(Appointment.statement),
    selectinload(Appointment.oaths),
)
#: A ceremony's participants with their names and posts.
_PARTICIPANTS = (
    selectinload(Ceremony.participants)
    .joinedload(CeremonyParticipant.appointment)
    .joinedload(Appointment.candidate)
)


# --------------------------------------------------------------------------- meetings


@bp.get("/")
@body_required(ROLE_STAFF)
def index(body: Body) -> Any:
    """Meetings, newest first; each shows who still misses which step."""
    page = paginate(
        select(Meeting)
        .where(Meeting.body_id == body.id)
        .order_by(Meeting.date.desc())
        # Each row counts its appointments and the appointed: the votes are enough.
        .options(selectinload(Meeting.appointments).load_only(Appointment.vote))
    )
    return render_template("appointments/index.html", body=body, page=page)


@bp.route("/meetings/new", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def meeting_new(body: Body) -> Any:
    return _meeting_form(body, None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def meeting_edit(body: Body, meeting_id: int) -> Any:
    return _meeting_form(body, _get(Meeting, body, meeting_id))


def _meeting_form(body: Body, meeting: Meeting | None) -> Any:
    form = MeetingForm(obj=meeting)
    if form.validate_on_submit():
        try:
            saved = services.save_meeting(
                body,
                meeting,
                term=form.term.data or 0,
                number=form.number.data,
                date=form.date.data,
                agenda=(form.agenda.data or "").strip(),
            )
        except services.AppointmentError as exc:
            form.number.errors.append(str(exc))
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("appointments.meeting", code=body.code, meeting_id=saved.id))
    return render_template("appointments/meeting_form.html", body=body, form=form, meeting=meeting)


@bp.get("/meetings/<int:meeting_id>")
@body_required(ROLE_STAFF)
def meeting(body: Body, meeting_id: int) -> Any:
    meeting_ = _get(Meeting, body, meeting_id, _MEETING_STEPS)
    listed = {a.candidate_id for a in meeting_.appointments}
    available = [
        c
        for c in db.session.scalars(
            select(Candidate)
            .where(Candidate.body_id == body.id)
            .order_by(Candidate.batch, Candidate.name)
        )
        if c.id not in listed
    ]
    return render_template(
        "appointments/meeting.html",
        body=body,
        meeting=meeting_,
        available=available,
        confirm=ConfirmForm(),
        test_done=services.test_done,
    )


@bp.post("/meetings/<int:meeting_id>/appointments")
@body_required(ROLE_STAFF)
def meeting_add(body: Body, meeting_id: int) -> Any:
    meeting_ = _get(Meeting, body, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = ids_arg("candidate_ids", source=request.form)
    for candidate in db.session.scalars(
        select(Candidate).where(Candidate.body_id == body.id, Candidate.id.in_(ids))
    ):
        services.create_appointment(body, candidate, meeting_, candidate.proposed_post)
    flash(_("已添加 %(n)s 人。", n=len(ids)), "success")
    return redirect(url_for("appointments.meeting", code=body.code, meeting_id=meeting_.id))


@bp.get("/meetings/<int:meeting_id>/export.xlsx")
@body_required(ROLE_STAFF)
def meeting_export(body: Body, meeting_id: int) -> Response:
    meeting_ = _get(Meeting, body, meeting_id, _MEETING_STEPS)
    rows = [
        [
            a.candidate.name,
            a.candidate.masked_id,
            a.candidate.work_unit,
            a.proposed_post,
            "已通过"
            if a.test_attempt_id
            else ("免考：" + a.exemption_reason if a.exemption_reason else "未考"),
            "已发言" if a.statement and a.statement.delivered else "未发言",
            str(VOTE_LABELS[a.vote]),
            "已宣誓" if any(p.checked_in_at for p in a.oaths) else "未宣誓",
        ]
        for a in meeting_.appointments
    ]
    audit.record("appointment.export", target=meeting_, body=body, what="meeting")
    db.session.commit()
    return xlsx_response(
        f"meeting-{meeting_.id}",
        [
            "姓名",
            "身份证号",
            "工作单位",
            "拟任职务",
            "法律知识考试",
            "表态发言",
            "表决结果",
            "宪法宣誓",
        ],
        rows,
    )


# --------------------------------------------------------------------------- one appointment


@bp.get("/<int:appointment_id>")
@body_required(ROLE_STAFF)
def appointment(body: Body, appointment_id: int) -> Any:
    """A person's timeline: test, statement, vote, oath, each with its date and evidence."""
    record = _get(Appointment, body, appointment_id)
    statement_form = StatementForm(obj=record.statement)
    return render_template(
        "appointments/appointment.html",
        body=body,
        record=record,
        vote_form=VoteForm(vote=record.vote, vote_date=record.vote_date or date.today()),
        exempt_form=ExemptForm(),
        statement_form=statement_form,
        passed=services.passed_attempt(record.candidate),
        test_done=services.test_done(record),
        is_admin=current_user.has_role(ROLE_BODY_ADMIN),
    )


def _back(body: Body, record: Appointment) -> Any:
    return redirect(url_for("appointments.appointment", code=body.code, appointment_id=record.id))


@bp.post("/<int:appointment_id>/exempt")
@body_required(ROLE_BODY_ADMIN)
def exempt(body: Body, appointment_id: int) -> Any:
    record = _get(Appointment, body, appointment_id)
    form = ExemptForm()
    if not form.validate_on_submit():
        flash(_("请填写免考理由。"), "error")
    else:
        services.exempt(record, form.reason.data or "", current_user)
        flash(_("已记录免考。"), "success")
    return _back(body, record)


@bp.post("/<int:appointment_id>/vote")
@body_required(ROLE_STAFF)
def vote(body: Body, appointment_id: int) -> Any:
    record = _get(Appointment, body, appointment_id)
    form = VoteForm()
    return act(
        lambda: services.record_vote(
            record, form.vote.data or "", form.vote_date.data or date.today()
        ),
        _("已记录表决结果。"),
        _back(body, record),
        form=form,
        invalid=_("请选择表决结果并填写日期。"),
    )


@bp.post("/<int:appointment_id>/statement")
@body_required(ROLE_STAFF)
def statement(body: Body, appointment_id: int) -> Any:
    record = _get(Appointment, body, appointment_id)
    form = StatementForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
        return _back(body, record)
    upload = None
    if form.file.data and getattr(form.file.data, "filename", ""):
        limit = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
        upload = (form.file.data.filename, form.file.data.read(limit + 1))
    try:
        services.save_statement(
            record,
            order=form.order.data or 0,
            delivered=bool(form.delivered.data),
            delivered_on=form.delivered_on.data,
            text=form.text.data or "",
            upload=upload,
            instance_path=current_app.instance_path,
            max_bytes=int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024,
        )
    except UploadError as exc:
        flash(str(UPLOAD_MESSAGES[exc.code]), "error")
    else:
        flash(_("已保存表态发言记录。"), "success")
    return _back(body, record)


@bp.get("/<int:appointment_id>/statement/file")
@body_required(ROLE_STAFF)
def statement_file(body: Body, appointment_id: int) -> Any:
    """The statement file, only to the body's staff, never from the web root."""
    record = _get(Appointment, body, appointment_id)
    stmt = record.statement
    if stmt is None:
        abort(404)
    response = send_upload("statements", stmt.file_path, stmt.file_type, stmt.file_name)
    audit.record("statement.download", target=record, file=stmt.file_name)
    db.session.commit()
    return response


@bp.get("/statements.xlsx")
@body_required(ROLE_STAFF)
def statements_export(body: Body) -> Response:
    rows = [
        [
            s.appointment.candidate.name,
            s.appointment.proposed_post,
            f"第{s.appointment.meeting.number}次会议" if s.appointment.meeting else "",
            s.order,
            "是" if s.delivered else "否",
            s.delivered_on.isoformat() if s.delivered_on else "",
            "有" if s.file_path else "",
        ]
        for s in db.session.scalars(
            select(Statement)
            .where(Statement.body_id == body.id)
            .order_by(Statement.id)
            .options(
                joinedload(Statement.appointment).options(
                    joinedload(Appointment.candidate), joinedload(Appointment.meeting)
                )
            )
        )
    ]
    audit.record("appointment.export", target=body, body=body, what="statements")
    db.session.commit()
    return xlsx_response(
        "statements",
        ["姓名", "拟任职务", "会议", "发言顺序", "已发言", "发言日期", "发言稿文件"],
        rows,
    )


# --------------------------------------------------------------------------- ceremonies


@bp.get("/ceremonies")
@body_required(ROLE_STAFF)
def ceremonies(body: Body) -> Any:
    page = paginate(
        select(Ceremony)
        .where(Ceremony.body_id == body.id)
        .order_by(Ceremony.starts_at.desc())
        # Each row counts its participants and those checked in.
        .options(selectinload(Ceremony.participants).load_only(CeremonyParticipant.checked_in_at))
    )
    return render_template("appointments/ceremonies.html", body=body, page=page)


@bp.route("/ceremonies/new", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def ceremony_new(body: Body) -> Any:
    form = CeremonyForm()
    if form.validate_on_submit():
        try:
            saved = services.save_ceremony(
                body,
                None,
                title=(form.title.data or "").strip(),
                starts_at=local_to_utc(form.starts_at.data),
                ends_at=local_to_utc(form.ends_at.data),
                venue=(form.venue.data or "").strip(),
                form=form.form.data,
                leader=(form.leader.data or "").strip(),
            )
        except services.AppointmentError as exc:
            form.ends_at.errors.append(str(exc))
        else:
            return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=saved.id))
    return render_template("appointments/ceremony_form.html", body=body, form=form)


@bp.get("/ceremonies/<int:ceremony_id>")
@body_required(ROLE_STAFF)
def ceremony(body: Body, ceremony_id: int) -> Any:
    """The ceremony: its QR code for check-in, participants and attendance."""
    ceremony_ = _get(Ceremony, body, ceremony_id, _PARTICIPANTS)
    present = {p.appointment_id for p in ceremony_.participants}
    sworn = set(
        db.session.scalars(
            select(CeremonyParticipant.appointment_id).where(
                CeremonyParticipant.body_id == body.id,
                CeremonyParticipant.checked_in_at.is_not(None),
            )
        )
    )
    candidates = [
        a
        for a in db.session.scalars(
            select(Appointment)
            .where(Appointment.body_id == body.id, Appointment.vote == VOTE_APPOINTED)
            .options(joinedload(Appointment.candidate))
        )
        if a.id not in present and a.id not in sworn
    ]
    url = url_for("oath.check_in", check_code=ceremony_.check_in_code, _external=True)
    window = services.ceremony_window(ceremony_, _oath_settings())
    return render_template(
        "appointments/ceremony.html",
        body=body,
        ceremony=ceremony_,
        candidates=candidates,
        qr=qr_svg(url, box=8),
        check_in_url=url,
        confirm=ConfirmForm(),
        window=window,
        is_open=window.status(utcnow()) != WINDOW_CLOSED,
    )


@bp.post("/ceremonies/<int:ceremony_id>/rotate-code")
@body_required(ROLE_STAFF)
def ceremony_rotate_code(body: Body, ceremony_id: int) -> Any:
    """A new check-in code: the old link and QR code stop working (e.g. a photo leaked)."""
    ceremony_ = _get(Ceremony, body, ceremony_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.rotate_check_in_code(ceremony_)
    flash(_("已更换签到码，原签到码和二维码已失效。"), "success")
    return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=ceremony_.id))


@bp.post("/ceremonies/<int:ceremony_id>/participants")
@body_required(ROLE_STAFF)
def ceremony_add(body: Body, ceremony_id: int) -> Any:
    ceremony_ = _get(Ceremony, body, ceremony_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = ids_arg("appointment_ids", source=request.form)
    chosen = list(
        db.session.scalars(
            select(Appointment).where(Appointment.body_id == body.id, Appointment.id.in_(ids))
        )
    )
    try:
        added = services.add_participants(ceremony_, chosen)
    except services.AppointmentError as exc:
        flash(str(exc), "error")
    else:
        flash(_("已添加 %(n)s 人。", n=added), "success")
    return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=ceremony_.id))


@bp.post("/ceremonies/<int:ceremony_id>/attendance/<int:participant_id>")
@body_required(ROLE_STAFF)
def ceremony_attendance(body: Body, ceremony_id: int, participant_id: int) -> Any:
    ceremony_ = _get(Ceremony, body, ceremony_id)
    participant = next((p for p in ceremony_.participants if p.id == participant_id), None)
    if participant is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_attendance(participant, participant.checked_in_at is None)
    return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=ceremony_.id))


@bp.get("/ceremonies/<int:ceremony_id>/sheet")
@body_required(ROLE_STAFF)
def ceremony_sheet(body: Body, ceremony_id: int) -> Any:
    """The printable sign-in sheet, with each person's QR code for staff to scan."""
    ceremony_ = _get(Ceremony, body, ceremony_id, _PARTICIPANTS)
    rows = [
        (
            p,
            qr_svg(
                url_for(
                    "appointments.ceremony_scan",
                    code=body.code,
                    ceremony_id=ceremony_.id,
                    t=p.token,
                    _external=True,
                ),
                box=3,
            ),
        )
        for p in ceremony_.participants
    ]
    return render_template("appointments/sheet.html", body=body, ceremony=ceremony_, rows=rows)


@bp.route("/ceremonies/<int:ceremony_id>/scan", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def ceremony_scan(body: Body, ceremony_id: int) -> Any:
    """Staff scanned a personal QR code: confirm, then record the check-in."""
    ceremony_ = _get(Ceremony, body, ceremony_id)
    token = request.values.get("t", "")
    participant = next((p for p in ceremony_.participants if p.token == token), None)
    if participant is None:
        abort(404)
    result = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        result = services.check_in_token(ceremony_, token)
    return render_template(
        "appointments/scan.html",
        body=body,
        ceremony=ceremony_,
        participant=participant,
        result=result,
        confirm=ConfirmForm(),
        token=token,
    )


def _local_text(value: Any) -> str:
    local = utc_to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


@bp.get("/ceremonies/<int:ceremony_id>/export.xlsx")
@body_required(ROLE_STAFF)
def ceremony_export(body: Body, ceremony_id: int) -> Response:
    ceremony_ = _get(Ceremony, body, ceremony_id, _PARTICIPANTS)
    rows = [
        [
            p.appointment.candidate.name,
            p.appointment.proposed_post,
            "出席" if p.checked_in_at else "未出席",
            _local_text(p.checked_in_at),
            {"self": "手机签到", "staff": "工作人员扫码", "manual": "签到表"}.get(
                p.check_in_method, ""
            ),
        ]
        for p in ceremony_.participants
    ]
    audit.record("appointment.export", target=ceremony_, body=body, what="oath attendance")
    db.session.commit()
    return xlsx_response(
        f"oath-{ceremony_.id}", ["姓名", "职务", "出席", "签到时间", "签到方式"], rows
    )


# --------------------------------------------------------------------------- rules and figures


@bp.route("/rules", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def rules(body: Body) -> Any:
    current = services.rules_for(body)
    form = RulesForm(obj=current)
    if form.validate_on_submit():
        services.save_rules(
            body,
            require_test=bool(form.require_test.data),
            require_appointed_for_oath=bool(form.require_appointed_for_oath.data),
        )
        flash(_("已保存。"), "success")
        return redirect(url_for("appointments.rules", code=body.code))
    return render_template("appointments/rules.html", body=body, form=form)


@bp.get("/figures")
@body_required(ROLE_STAFF)
def figures(body: Body) -> Any:
    """The year's (or any period's) counts for the annual work report."""
    form = PeriodForm(request.args)
    today = date.today()
    valid = form.validate()
    if not valid:
        for field in (form.start, form.end):
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
    start = form.start.data if valid and form.start.data else date(today.year, 1, 1)
    end = form.end.data if valid and form.end.data else date(today.year, 12, 31)
    result = services.figures([body.id], start, end, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if request.args.get("format") == "xlsx":
        labels = [
            "起始日期",
            "截止日期",
            "举行考试场次",
            "参加考试人数",
            "考试合格人数",
            "任前表态发言",
            "宪法宣誓仪式",
            "宣誓人数",
            "任命人数",
        ]
        return xlsx_response(
            "figures",
            labels,
            [
                [
                    start.isoformat(),
                    end.isoformat(),
                    result.tests_held,
                    result.candidates_tested,
                    result.candidates_passed,
                    result.statements_delivered,
                    result.ceremonies_held,
                    result.persons_sworn_in,
                    result.appointed,
                ]
            ],
        )
    return render_template(
        "appointments/figures.html", body=body, form=form, result=result, start=start, end=end
    )


# --------------------------------------------------------------------------- public check-in


def _oath_settings() -> services.OathSettings:
    cfg = current_app.config
    return services.OathSettings(
        open_before_minutes=cfg["EXAMSITE_OATH_OPEN_BEFORE_MINUTES"],
        close_after_minutes=cfg["EXAMSITE_OATH_CLOSE_AFTER_MINUTES"],
        max_failures=cfg["EXAMSITE_OATH_MAX_FAILURES"],
        failure_window_minutes=cfg["EXAMSITE_OATH_FAILURE_WINDOW_MINUTES"],
    )


@public.route("/<check_code>", methods=["GET", "POST"])
def check_in(check_code: str) -> Any:
    """A participant's phone: the ceremony's QR code leads here; confirm with the name and
    the ID tail, within the ceremony's window; throttled per client address and ceremony."""
    settings = _oath_settings()
    # The peer's address (a trusted proxy's report of it: core/proxy.py), never a header the
    # browser sets: a client cannot reset its own count.
    ip = request.remote_addr or ""
    page = services.check_in_page(check_code, ip, settings)
    if page.status == "unknown":
        abort(404)
    form = CheckInForm()
    result = None
    if page.status == WINDOW_OPEN and form.validate_on_submit():
        assert page.ceremony is not None
        result = services.check_in_public(
            page.ceremony, form.name.data or "", form.id_tail.data or "", ip, settings
        )
    state = result.status if result else page.status
    html = render_template(
        "appointments/check_in.html",
        ceremony=page.ceremony,
        window=page.window,
        state=state,
        result=result,
        minutes=result.minutes if result else page.minutes,
        form=form,
    )
    return html, 429 if state == "locked" else 200
