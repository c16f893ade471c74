"""Terms, reporting plans, report subjects with their report and vote, rectification."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.appointments.models import Appointment, Meeting
from examsite.core.states import EnumText
from examsite.core.timeutil import utcnow
from examsite.extensions import Model
from examsite.reports.states import (
    RECTIFICATION,
    RectificationStatus,
    ReportMode,
    SubjectStatus,
    VoteOutcome,
    subject_machine,
)

# The codes and their labels are reports.states'; these names are kept for brevity.
MODE_ORAL = ReportMode.ORAL
MODE_WRITTEN = ReportMode.WRITTEN
MODES = ReportMode.values()


class Term(Model):
    """届: the term within which appointed persons report."""

    __tablename__ = "terms"
    __table_args__ = (
        UniqueConstraint("body_id", "number"),
        CheckConstraint("ends_on > starts_on", name="dates_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    number: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class ReportSettings(Model):
    """Per-body settings; a body without a row uses the defaults."""

    __tablename__ = "report_settings"

    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    #: Satisfied when 满意 + 基本满意 exceed this percentage of those present.
    threshold_percent: Mapped[int] = mapped_column(default=50)
    #: Where reminder e-mails go (the personnel committee's office).
    reminder_email: Mapped[str] = mapped_column(String(200), default="")
    #: A first report falls no sooner than this many months after the appointment.
    first_report_months: Mapped[int] = mapped_column(default=12, server_default="12")
    #: How many oral reports one meeting hears; confirming beyond it needs a reason.
    max_oral_per_meeting: Mapped[int] = mapped_column(default=4, server_default="4")
    #: A rectification is due this many months after it is required (the form's default).
    rectification_months: Mapped[int] = mapped_column(default=3, server_default="3")


class ReportPlan(Model):
    """报告计划: a rule saying who must report in a term, and how."""

    __tablename__ = "report_plans"
    __table_args__ = (CheckConstraint(f"mode IN {MODES!r}", name="mode_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    #: Post categories it covers (empty: all).
    post_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Only posts whose title contains this, e.g. 局长 (empty: any).
    post_keyword: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[Term] = relationship()


class ReportSubject(Model):
    """One person who must report in a term: the schedule, the report, the vote."""

    __tablename__ = "report_subjects"
    __table_args__ = (
        UniqueConstraint("term_id", "appointment_id"),
        CheckConstraint(f"mode IN {MODES!r}", name="mode_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("report_plans.id"))
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    mode: Mapped[str] = mapped_column(String(16))
    #: Exempted from reporting (with the reason) by staff.
    exempt_reason: Mapped[str] = mapped_column(String(300), default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    due_on: Mapped[date | None]
    #: Staff confirmed the schedule; proposals never move a confirmed item.
    confirmed: Mapped[bool] = mapped_column(default=False)
    #: Why staff confirmed the report at a meeting already holding its cap.
    over_cap_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    delivered_on: Mapped[date | None]
    guidance: Mapped[str] = mapped_column(Text, default="")
    file_path: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_type: Mapped[str] = mapped_column(String(8), default="")
    members_present: Mapped[int | None]
    votes_satisfied: Mapped[int | None]
    votes_basically: Mapped[int | None]
    votes_unsatisfied: Mapped[int | None]
    outcome: Mapped[VoteOutcome | None] = mapped_column(EnumText(VoteOutcome))
    #: 审议意见: the committee's deliberation opinions on the report, and when they were sent.
    opinions: Mapped[str] = mapped_column(Text, default="", server_default="")
    opinions_on: Mapped[date | None]
    #: By when the reporter answers with a report on how they were handled (研究处理情况报告).
    handling_due_on: Mapped[date | None]
    handling_report: Mapped[str] = mapped_column(Text, default="", server_default="")
    handling_reported_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[Term] = relationship()
    plan: Mapped[ReportPlan | None] = relationship()
    appointment: Mapped[Appointment] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    rectification: Mapped[Rectification | None] = relationship(back_populates="subject")

    @property
    def status(self) -> SubjectStatus:
        """Not stored: an exemption wins (coverage leaves the subject out), then the date."""
        if self.exempt_reason:
            return SubjectStatus.EXEMPT
        if self.delivered_on is not None:
            return SubjectStatus.DELIVERED
        return SubjectStatus.PENDING

    def can(self, action: str) -> bool:
        """Whether the state allows the action (reports.states): what a page asks before it
        offers a form."""
        return subject_machine(action).can(self, action)

    def handling_overdue(self, today: date) -> bool:
        """Opinions sent, their deadline passed, and no report on their handling yet."""
        return (
            bool(self.opinions)
            and not self.handling_reported_on
            and self.handling_due_on is not None
            and self.handling_due_on < today
        )


class Rectification(Model):
    """整改 after an unsatisfied vote: what must be done, by when, and the follow-up."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("report_subjects.id"), unique=True)
    actions: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    follow_up: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    subject: Mapped[ReportSubject] = relationship(back_populates="rectification")

    @property
    def status(self) -> RectificationStatus:
        """Not stored: closed once staff recorded its closing."""
        return RectificationStatus.OPEN if self.closed_at is None else RectificationStatus.CLOSED

    def can(self, action: str) -> bool:
        return RECTIFICATION.can(self, action)

    def overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return self.closed_at is None and self.due_on < today


class ReminderLog(Model):
    """A reminder sent; (subject, kind) is unique, so the same reminder never goes twice."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("subject_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("report_subjects.id"))
    #: "due_soon" or "overdue".
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
