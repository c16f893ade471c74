"""Meetings, one person's appointment record (test, exemption, vote) and the body's rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from examsite.appointments import matter_records, records
from examsite.appointments.forms import (
    STEP_COLUMNS,
    VOTE_BALLOT,
    CommitteeTermForm,
    ExemptForm,
    MeetingForm,
    PostKindForm,
    StatementForm,
    StepsForm,
    VoteForm,
    step_field_name,
)
from examsite.appointments.matters import BUILTIN_POST_KINDS, MatterKind
from examsite.appointments.models import Appointment, Meeting
from examsite.appointments.statement_text import to_plain
from examsite.appointments.states import AppointmentError
from examsite.appointments.views import bp
from examsite.appointments.views.common import MEETING_STEPS, back_to_record
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm
from examsite.core.pagination import paginate
from examsite.core.params import ids_arg
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.exams.models import Candidate
from examsite.extensions import db

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
        .options(selectinload(Meeting.appointments).load_only(Appointment.vote, Appointment.kind))
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
            saved = records.save_meeting(
                body,
                meeting,
                term=form.term.data or 0,
                number=form.number.data,
                date=form.date.data,
                agenda=(form.agenda.data or "").strip(),
            )
        except AppointmentError as exc:
            form.number.errors.append(refused(exc))
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("appointments.meeting", code=body.code, meeting_id=saved.id))
    return render_template("appointments/meeting_form.html", body=body, form=form, meeting=meeting)


@bp.get("/meetings/<int:meeting_id>")
@body_required(ROLE_STAFF)
def meeting(body: Body, meeting_id: int) -> Any:
    meeting_ = _get(Meeting, body, meeting_id, MEETING_STEPS)
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
        test_done=records.test_done,
        failed=records.failed_candidates(list(meeting_.appointments)),
        test_state=records.test_state,
        TEST_LABELS=records.TEST_LABELS,
        steps=records.steps_by_kind(body),
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
        records.create_appointment(body, candidate, meeting_, candidate.proposed_post)
    flash(_("已添加 %(n)s 人。", n=len(ids)), "success")
    return redirect(url_for("appointments.meeting", code=body.code, meeting_id=meeting_.id))


# --------------------------------------------------------------------------- one appointment


@bp.get("/<int:appointment_id>")
@body_required(ROLE_STAFF)
def appointment(body: Body, appointment_id: int) -> Any:
    """A person's timeline: test, statement, vote, oath, each with its date and evidence."""
    record = _get(Appointment, body, appointment_id)
    statement_form = StatementForm(obj=record.statement)
    # The bare textarea (no scripts) edits the text as paragraphs, never as markup.
    statement_form.text.data = to_plain(record.statement.text) if record.statement else ""
    return render_template(
        "appointments/appointment.html",
        body=body,
        record=record,
        vote_form=VoteForm(vote=VOTE_BALLOT, vote_date=record.vote_date or date.today()),
        members=records.members_for_vote(record),
        steps=records.steps_for(body, record.kind),
        exempt_form=ExemptForm(),
        statement_form=statement_form,
        passed=records.passed_attempt(record.candidate),
        test_done=records.test_done(record),
        is_admin=current_user.has_role(ROLE_BODY_ADMIN),
    )


@bp.post("/<int:appointment_id>/exempt")
@body_required(ROLE_BODY_ADMIN)
def exempt(body: Body, appointment_id: int) -> Any:
    record = _get(Appointment, body, appointment_id)
    form = ExemptForm()
    return act(
        lambda: records.exempt(record, form.reason.data or "", current_user),
        _("已记录免考。"),
        back_to_record(body, record),
        form=form,
        invalid=_("请填写免考理由。"),
    )


@bp.post("/<int:appointment_id>/vote")
@body_required(ROLE_STAFF)
def vote(body: Body, appointment_id: int) -> Any:
    """A vote with its counts (the outcome computed), a withdrawal, or back to 待表决."""
    record = _get(Appointment, body, appointment_id)
    form = VoteForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
        return back_to_record(body, record)
    on = form.vote_date.data or date.today()
    if form.vote.data == VOTE_BALLOT:
        return act(
            lambda: records.record_ballot(
                record,
                on,
                present=form.present.data or 0,
                votes_for=form.votes_for.data or 0,
                votes_against=form.votes_against.data or 0,
                abstentions=form.abstentions.data or 0,
            ),
            # 通过, not 任命, for a removal: the record's words, not the stored outcome's.
            lambda outcome: _("已记录表决结果：%(outcome)s。", outcome=record.outcome_label),
            back_to_record(body, record),
        )
    return act(
        lambda: records.record_vote(record, form.vote.data or "", on),
        _("已记录表决结果。"),
        back_to_record(body, record),
    )


# --------------------------------------------------------------------------- rules


@bp.route("/rules", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def rules(body: Body) -> Any:
    """The steps each kind of matter needs, the body's post kinds, the member counts."""
    form = StepsForm()
    if form.validate_on_submit():
        records.save_steps(body, form.steps())
        flash(_("已保存。"), "success")
        return redirect(url_for("appointments.rules", code=body.code))
    if not form.is_submitted():
        form.fill(records.steps_by_kind(body))
    return render_template(
        "appointments/rules.html",
        body=body,
        form=form,
        kinds=list(MatterKind),
        STEP_COLUMNS=STEP_COLUMNS,
        step_field_name=step_field_name,
        post_kinds=matter_records.post_kinds(body),
        post_kind_uses=matter_records.post_kind_uses(body),
        BUILTIN_POST_KINDS=BUILTIN_POST_KINDS,
        post_kind_form=PostKindForm(),
        confirm=ConfirmForm(),
        term_form=CommitteeTermForm(),
        terms=records.committee_terms(body),
    )


@bp.post("/rules/terms")
@body_required(ROLE_BODY_ADMIN)
def committee_term(body: Body) -> Any:
    """The committee's member count of a term: 应到 of its votes."""
    form = CommitteeTermForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
        return redirect(url_for("appointments.rules", code=body.code))
    return act(
        lambda: records.save_committee_term(body, form.term.data or 0, form.members.data or 0),
        _("已保存组成人员数。"),
        url_for("appointments.rules", code=body.code),
    )
