"""Staff pages of an oath ceremony: the ceremony, its participants, its check-in code, the
sign-in sheet, the staff scan and the attendance from the paper sheet."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

# The module is named like the list page below (the endpoint appointments.ceremonies).
from examsite.appointments import ceremonies as ceremony_services
from examsite.appointments import ceremony_people
from examsite.appointments.check_in import WINDOW_CLOSED
from examsite.appointments.forms import CeremonyForm, ElectedForm
from examsite.appointments.models import (
    KIND_MEETING,
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Meeting,
)
from examsite.appointments.states import AppointmentError, VoteOutcome
from examsite.appointments.views import bp
from examsite.appointments.views.common import PARTICIPANTS, oath_settings

# Importing it also registers the oath record's pages (宣誓记录) on the blueprint.
from examsite.appointments.views.oath_record import meeting_label
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm
from examsite.core.pagination import paginate
from examsite.core.params import ids_arg
from examsite.core.qr import qr_svg
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.timeutil import local_to_utc, utcnow
from examsite.core.transaction import refused
from examsite.core.urls import external_url
from examsite.extensions import db


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


def _meeting_choices(body: Body) -> list[SelectChoice]:
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.body_id == body.id, Meeting.cancelled.is_(False))
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    )
    return [SelectChoice(0, "—")] + [SelectChoice(m.id, meeting_label(m)) for m in meetings]


@bp.route("/ceremonies/new", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def ceremony_new(body: Body) -> Any:
    form = CeremonyForm()
    form.meeting_id.choices = _meeting_choices(body)
    if form.validate_on_submit():
        meeting = None
        if form.kind.data == KIND_MEETING:
            # Another body's meeting id is not found: the form says to choose one.
            meeting = db.session.scalars(
                select(Meeting).where(
                    Meeting.body_id == body.id, Meeting.id == form.meeting_id.data
                )
            ).first()
        try:
            if form.kind.data == KIND_MEETING and meeting is None:
                raise AppointmentError(_("请选择宣誓仪式所属的常委会会议。"))
            saved = ceremony_services.save_ceremony(
                body,
                None,
                kind=form.kind.data or KIND_MEETING,
                meeting=meeting,
                session_name=form.session_name.data or "",
                title=(form.title.data or "").strip(),
                starts_at=local_to_utc(form.starts_at.data),
                ends_at=local_to_utc(form.ends_at.data),
                venue=(form.venue.data or "").strip(),
                form=form.form.data,
                leader=(form.leader.data or "").strip(),
                presiding=(form.presiding.data or "").strip(),
            )
        except AppointmentError as exc:
            form.starts_at.errors.append(refused(exc))
        else:
            return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=saved.id))
    return render_template("appointments/ceremony_form.html", body=body, form=form)


@bp.get("/ceremonies/<int:ceremony_id>")
@body_required(ROLE_STAFF)
def ceremony(body: Body, ceremony_id: int) -> Any:
    """The ceremony: its QR code for check-in, participants and attendance."""
    ceremony_ = _get(Ceremony, body, ceremony_id, PARTICIPANTS)
    present = {p.appointment_id for p in ceremony_.participants}
    sworn = set(
        db.session.scalars(
            select(CeremonyParticipant.appointment_id)
            .join(Ceremony, CeremonyParticipant.ceremony_id == Ceremony.id)
            .where(
                CeremonyParticipant.body_id == body.id,
                CeremonyParticipant.checked_in_at.is_not(None),
                Ceremony.confirmed_at.is_not(None),
            )
        )
    )
    # Only those voted through at or before the ceremony's meeting are offered.
    limit = ceremony_people.participant_limit(ceremony_)
    # ... and whose kind takes the oath (the body's steps: a removal does not).
    voted = list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.body_id == body.id, Appointment.vote == VoteOutcome.APPOINTED)
            .options(joinedload(Appointment.candidate), joinedload(Appointment.meeting))
        )
    )
    candidates = [
        a
        for a in ceremony_people.oath_takers(body.id, voted)
        if a.id not in present
        and a.id not in sworn
        and (ceremony_people.passed_on(a) or limit) <= limit
    ]
    url = external_url("oath.check_in", check_code=ceremony_.check_in_code)
    window = ceremony_services.ceremony_window(ceremony_, oath_settings())
    return render_template(
        "appointments/ceremony.html",
        body=body,
        ceremony=ceremony_,
        candidates=candidates if not ceremony_.confirmed else [],
        qr=qr_svg(url, box=8),
        check_in_url=url,
        confirm=ConfirmForm(),
        window=window,
        is_open=window.status(utcnow()) != WINDOW_CLOSED,
        started=utcnow() >= ceremony_.starts_at,
        elected_form=ElectedForm(),
    )


@bp.post("/ceremonies/<int:ceremony_id>/confirm")
@body_required(ROLE_STAFF)
def ceremony_confirm(body: Body, ceremony_id: int) -> Any:
    """确认宣誓仪式已举行: those checked in count as sworn from now on."""
    ceremony_ = _get(Ceremony, body, ceremony_id, PARTICIPANTS)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ceremony_services.confirm_held(ceremony_, current_user)
    except AppointmentError as exc:
        flash(refused(exc), "error")
    else:
        flash(_("已确认宣誓仪式举行，签到人员记为已宣誓。"), "success")
    return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=ceremony_.id))


@bp.post("/ceremonies/<int:ceremony_id>/rotate-code")
@body_required(ROLE_STAFF)
def ceremony_rotate_code(body: Body, ceremony_id: int) -> Any:
    """A new check-in code: the old link and QR code stop working (e.g. a photo leaked)."""
    ceremony_ = _get(Ceremony, body, ceremony_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ceremony_services.rotate_check_in_code(ceremony_)
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
        added = ceremony_services.add_participants(ceremony_, chosen)
    except AppointmentError as exc:
        flash(refused(exc), "error")
    else:
        flash(_("已添加 %(n)s 人。", n=added), "success")
    return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=ceremony_.id))


@bp.post("/ceremonies/<int:ceremony_id>/elected")
@body_required(ROLE_STAFF)
def ceremony_add_elected(body: Body, ceremony_id: int) -> Any:
    """A person elected by the congress session (人代会选举产生的), by name and post."""
    ceremony_ = _get(Ceremony, body, ceremony_id)
    form = ElectedForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("请填写姓名。"), "error")
    else:
        try:
            ceremony_services.add_elected(ceremony_, form.name.data or "", form.post.data or "")
        except AppointmentError as exc:
            flash(refused(exc), "error")
        else:
            flash(_("已添加 %(n)s 人。", n=1), "success")
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
    try:
        ceremony_services.set_attendance(participant, participant.checked_in_at is None)
    except AppointmentError as exc:
        flash(refused(exc), "error")
    return redirect(url_for("appointments.ceremony", code=body.code, ceremony_id=ceremony_.id))


@bp.get("/ceremonies/<int:ceremony_id>/sheet")
@body_required(ROLE_STAFF)
def ceremony_sheet(body: Body, ceremony_id: int) -> Any:
    """The printable sign-in sheet, with each person's QR code for staff to scan."""
    ceremony_ = _get(Ceremony, body, ceremony_id, PARTICIPANTS)
    rows = [
        (
            p,
            qr_svg(
                external_url(
                    "appointments.ceremony_scan",
                    code=body.code,
                    ceremony_id=ceremony_.id,
                    t=p.token,
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
        result = ceremony_services.check_in_token(ceremony_, token)
    return render_template(
        "appointments/scan.html",
        body=body,
        ceremony=ceremony_,
        participant=participant,
        result=result,
        confirm=ConfirmForm(),
        token=token,
    )
