"""Committee meetings, the appointment record of a person, statements, oath ceremonies."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.appointments.matters import APPOINTING, PASSED_LABEL, MatterKind
from examsite.appointments.numerals import meeting_name
from examsite.appointments.states import VOTE, VoteOutcome
from examsite.auth.models import User
from examsite.core.body import Body
from examsite.core.states import EnumText
from examsite.core.timeutil import utcnow
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import Model

# The vote and its changes are appointments.states'.
VOTE_OUTCOMES = VoteOutcome.values()
MATTER_KINDS = MatterKind.values()

FORM_SINGLE = "single"
FORM_GROUP = "group"
CEREMONY_FORMS = (FORM_SINGLE, FORM_GROUP)

#: How a participant was checked in (CeremonyParticipant.check_in_method; "" if not).
CHECK_IN_SELF = "self"
CHECK_IN_STAFF = "staff"
CHECK_IN_MANUAL = "manual"

#: What a ceremony belongs to (Ceremony.kind): a committee meeting (常委会会议) or a
#: people's congress session (人民代表大会会议, for the persons it elected).
KIND_MEETING = "meeting"
KIND_SESSION = "session"
CEREMONY_KINDS = (KIND_MEETING, KIND_SESSION)


class Meeting(Model):
    """常委会会议: a meeting of the standing committee that votes on appointments."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("body_id", "term", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: 届次 (e.g. 16 for the 16th congress); meetings are numbered within a term.
    term: Mapped[int] = mapped_column(default=0)
    #: 第N次会议.
    number: Mapped[int]
    date: Mapped[date]
    #: The appointment items on the agenda (任免事项), free text.
    agenda: Mapped[str] = mapped_column(Text, default="")
    #: A cancelled meeting keeps its record; reports scheduled for it are flagged.
    cancelled: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="meeting", order_by="Appointment.id"
    )

    @property
    def name(self) -> str:
        """第十七届人大常委会第二十次会议, as lists show it."""
        return meeting_name(self.term, self.number)

    def formal_name(self, body: Body) -> str:
        """东城区第十七届人大常委会第二十次会议, as formal prints write it."""
        return meeting_name(self.term, self.number, body.name)


class CommitteeTerm(Model):
    """The committee's members in one term (应到 of its votes), set by the body."""

    __tablename__ = "committee_terms"
    __table_args__ = (CheckConstraint("members > 0", name="members_positive"),)

    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    #: 届次, as Meeting.term.
    term: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    members: Mapped[int]


class PostKind(Model):
    """A post kind a body adds to the built-in ones (matters.BUILTIN_POST_KINDS)."""

    __tablename__ = "post_kinds"
    __table_args__ = (UniqueConstraint("body_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)


class MatterRule(Model):
    """A body's steps for one kind of matter (a body without a row for a kind uses
    matters.DEFAULT_STEPS)."""

    __tablename__ = "matter_rules"
    __table_args__ = (CheckConstraint(f"kind IN {MATTER_KINDS!r}", name="kind_valid"),)

    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    kind: Mapped[MatterKind] = mapped_column(EnumText(MatterKind, 24), primary_key=True)
    needs_test: Mapped[bool]
    needs_statement: Mapped[bool]
    needs_oath: Mapped[bool]
    needs_reports: Mapped[bool]


class Appointment(Model):
    """One 任免事项: a decision on one person (任命, 免职, 接受辞职, ...) with, as its kind
    needs them, the steps with their dates and evidence."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint(f"vote IN {VOTE_OUTCOMES!r}", name="vote_valid"),
        CheckConstraint(f"kind IN {MATTER_KINDS!r}", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[MatterKind] = mapped_column(
        EnumText(MatterKind, 24), default=MatterKind.APPOINT, server_default="appoint"
    )
    #: The post the matter is about (the post given, or the post taken away).
    proposed_post: Mapped[str] = mapped_column(String(200), default="")
    #: 职务类别 (a built-in post kind or one of the body's PostKind names; "" unknown).
    post_kind: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: 提请机关 (e.g. 市人民政府市长, 市人民检察院检察长).
    nominating_organ: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: For a 选举: the congress session that elected the person (no meeting).
    session_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: The passed test this appointment rests on.
    test_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    #: Why no test is needed (e.g. re-appointment to the same post), set by a body admin.
    exemption_reason: Mapped[str] = mapped_column(String(300), default="")
    exempted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    exempted_at: Mapped[datetime | None]
    vote: Mapped[VoteOutcome] = mapped_column(EnumText(VoteOutcome), default=VoteOutcome.PENDING)
    vote_date: Mapped[date | None]
    #: The counts of the vote (NULL for votes recorded before counts were kept):
    #: 应到 (the term's members at the time), 实到, 赞成, 反对, 弃权.
    vote_members: Mapped[int | None]
    vote_present: Mapped[int | None]
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    vote_abstentions: Mapped[int | None]
    #: The day the person left the post (离任); they stop being a report subject.
    left_on: Mapped[date | None]
    #: The removal whose vote ended the post (NULL when left otherwise): undoing that vote
    #: gives the post back.
    left_by_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    body: Mapped[Body] = relationship()
    candidate: Mapped[Candidate] = relationship()
    meeting: Mapped[Meeting | None] = relationship(back_populates="appointments")
    test_attempt: Mapped[Attempt | None] = relationship()
    exempted_by: Mapped[User | None] = relationship()
    statement: Mapped[Statement | None] = relationship(back_populates="appointment")
    oaths: Mapped[list[CeremonyParticipant]] = relationship(back_populates="appointment")

    @property
    def appointed(self) -> bool:
        """Whether the vote passed (stored as APPOINTED whatever the kind)."""
        return self.vote == VoteOutcome.APPOINTED

    @property
    def appointing(self) -> bool:
        """Whether the matter puts the person into a post (任命, 决定任命, ...)."""
        return self.kind in APPOINTING

    @property
    def outcome_label(self) -> str:
        """The vote as pages show it: a passed removal reads 通过, not 任命."""
        if self.vote == VoteOutcome.APPOINTED and not self.appointing:
            return str(PASSED_LABEL)
        return self.vote.label

    @property
    def voted(self) -> bool:
        """Whether a vote is recorded (任命, 未通过 or 撤回)."""
        return self.vote != VoteOutcome.PENDING

    @property
    def statement_made(self) -> bool:
        """Whether the person made the statement at the meeting (任前表态发言)."""
        return self.statement is not None and self.statement.delivered

    @property
    def counted(self) -> bool:
        """Whether the vote's counts are recorded (older votes have none: shown as —)."""
        return self.vote_members is not None

    @property
    def sworn_in(self) -> bool:
        """Whether the person has taken the oath: checked in at a ceremony that staff
        confirmed took place (``CeremonyParticipant.sworn``)."""
        return any(p.sworn for p in self.oaths)

    def can(self, action: str) -> bool:
        """Whether the vote's state allows the action (appointments.states.VOTE)."""
        return VOTE.can(self, action)


class Statement(Model):
    """任前表态发言 of one appointment at its meeting."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), unique=True)
    #: Order of speaking at the meeting.
    order: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[bool] = mapped_column(default=False)
    delivered_on: Mapped[date | None]
    #: Sanitized HTML (a small set of formatting tags).
    text: Mapped[str] = mapped_column(Text, default="")
    #: Stored under instance/uploads, never in the web root; served to the body's staff only.
    file_path: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_type: Mapped[str] = mapped_column(String(8), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    appointment: Mapped[Appointment] = relationship(back_populates="statement")


class Ceremony(Model):
    """宪法宣誓仪式: one oath ceremony, single or collective, with its check-in; it belongs
    to a committee meeting or, for the persons a congress session elected, to the session."""

    __tablename__ = "ceremonies"
    __table_args__ = (
        CheckConstraint(f"form IN {CEREMONY_FORMS!r}", name="form_valid"),
        CheckConstraint(f"kind IN {CEREMONY_KINDS!r}", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=KIND_MEETING, server_default=KIND_MEETING)
    #: The meeting of a KIND_MEETING ceremony (NULL only for old rows no meeting matched).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: The session of a KIND_SESSION ceremony, e.g. "第十七届人民代表大会第一次会议".
    session_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    starts_at: Mapped[datetime]
    #: Check-in closes at this time.
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(String(200), default="")
    form: Mapped[str] = mapped_column(String(16), default=FORM_GROUP)
    #: 领誓人.
    leader: Mapped[str] = mapped_column(String(64), default="")
    #: 主持人.
    presiding: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: The oath as read at this ceremony, kept even if the official text changes later.
    oath_text: Mapped[str] = mapped_column(Text)
    oath_version: Mapped[str] = mapped_column(String(32))
    #: The unguessable code (128 bits) in the check-in QR code; staff can rotate it.
    check_in_code: Mapped[str] = mapped_column(String(32), unique=True)
    #: When staff confirmed the ceremony took place: only then does attendance count as sworn.
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting | None] = relationship()
    confirmed_by: Mapped[User | None] = relationship()
    participants: Mapped[list[CeremonyParticipant]] = relationship(
        back_populates="ceremony", order_by="CeremonyParticipant.id"
    )

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class CeremonyParticipant(Model):
    """One person at a ceremony: an appointment the committee voted, or a person the
    congress session elected (ElectedPerson), never both."""

    __tablename__ = "ceremony_participants"
    __table_args__ = (
        UniqueConstraint("ceremony_id", "appointment_id"),
        CheckConstraint(
            "(appointment_id IS NULL) <> (elected_person_id IS NULL)", name="one_person"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    ceremony_id: Mapped[int] = mapped_column(ForeignKey("ceremonies.id"), index=True)
    # NULL for an elected person's row (one_person). Typed as always set so that the
    # pages and exports written for appointments keep type-checking; code that may meet an
    # elected person reads ``name``/``post`` or tests ``appointment is None``.
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id"), nullable=True, index=True
    )
    elected_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("elected_persons.id"), index=True
    )
    #: In the personal QR code on the printed list, scanned by staff.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    checked_in_at: Mapped[datetime | None]
    #: CHECK_IN_SELF (phone), CHECK_IN_STAFF (scan) or CHECK_IN_MANUAL (sign-in sheet).
    check_in_method: Mapped[str] = mapped_column(String(8), default="")

    ceremony: Mapped[Ceremony] = relationship(back_populates="participants")
    appointment: Mapped[Appointment] = relationship(back_populates="oaths")
    elected_person: Mapped[ElectedPerson | None] = relationship()

    @property
    def name(self) -> str:
        if self.elected_person is not None:
            return self.elected_person.name
        return self.appointment.candidate.name

    @property
    def post(self) -> str:
        if self.elected_person is not None:
            return self.elected_person.post
        return self.appointment.proposed_post

    @property
    def sworn(self) -> bool:
        """Checked in at a ceremony staff confirmed took place (before: only 已签到)."""
        return self.checked_in_at is not None and self.ceremony.confirmed


class ElectedPerson(Model):
    """人代会选举产生的人员: a person elected by a congress session, sworn in without an
    appointment record (name and post as the session's election result has them)."""

    __tablename__ = "elected_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    post: Mapped[str] = mapped_column(String(200), default="")
    #: The session that elected them, e.g. "第十七届人民代表大会第一次会议".
    session_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
