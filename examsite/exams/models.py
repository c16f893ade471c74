"""Candidates, paper templates, sittings, attempts (a candidate's paper and result), answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.auth.models import User
from examsite.core.body import Body
from examsite.core.states import EnumText
from examsite.core.timeutil import utcnow
from examsite.exams.domain import candidates_file
from examsite.exams.domain.paper import Paper
from examsite.exams.states import ATTEMPT, SITTING, AttemptStatus, SittingStatus
from examsite.extensions import Model

#: Stored value -> label in the UI's language (lazy: forms and pages translate it when
#: shown). Declared once, with the Chinese that files use, in domain.candidates_file.
POST_CATEGORIES: dict[str, Any] = {
    key: _l(label) for key, label in candidates_file.POST_CATEGORIES.items()
}

# The states and their transitions are exams.states'; these names are kept for brevity.
SITTING_DRAFT = SittingStatus.DRAFT
SITTING_OPEN = SittingStatus.OPEN
SITTING_CLOSED = SittingStatus.CLOSED
SITTING_STATUSES = SittingStatus.values()

SHOW_AT_SUBMIT = "at_submit"
SHOW_AFTER_RELEASE = "after_release"
SECOND_LOGIN_REFUSE = "refuse"
SECOND_LOGIN_TAKEOVER = "takeover"
SCHEME_ALL_OR_NOTHING = "all_or_nothing"
SCHEME_PARTIAL = "partial"

ATTEMPT_ENROLLED = AttemptStatus.ENROLLED
ATTEMPT_IN_PROGRESS = AttemptStatus.IN_PROGRESS
ATTEMPT_SUBMITTED = AttemptStatus.SUBMITTED
ATTEMPT_GRADED = AttemptStatus.GRADED
ATTEMPT_ABSENT = AttemptStatus.ABSENT
ATTEMPT_STATUSES = AttemptStatus.values()


def _in(values: Any) -> str:
    return f"IN {tuple(values)!r}"


class Candidate(Model):
    """A person proposed for appointment (拟任命人员) who sits the test."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("body_id", "id_number"),
        CheckConstraint(f"post_category {_in(POST_CATEGORIES)}", name="post_category_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: Stored whole; pages show it masked except to a body admin who asks (audited).
    id_number: Mapped[str] = mapped_column(String(18))
    work_unit: Mapped[str] = mapped_column(String(200), default="")
    proposed_post: Mapped[str] = mapped_column(String(200), default="")
    post_category: Mapped[str] = mapped_column(String(16), default="other")
    #: The committee meeting the appointment is for, e.g. 第十二次常委会会议.
    batch: Mapped[str] = mapped_column(String(100), default="", index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    body: Mapped[Body] = relationship()

    @property
    def masked_id(self) -> str:
        from examsite.exams.domain.idcard import mask

        return mask(self.id_number)

    @property
    def post_category_label(self) -> str:
        """In the UI's language; a plain str, so that exports can write it."""
        return str(POST_CATEGORIES.get(self.post_category, self.post_category))


class PaperTemplate(Model):
    """试卷方案: how a paper is made (sections, quotas), its duration and pass mark."""

    __tablename__ = "paper_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int] = mapped_column(default=90)
    pass_mark: Mapped[float] = mapped_column(default=60.0)
    #: [{"qtype": "single", "count": 30, "points": 2, "law_quotas": {"宪法": 10},
    #:   "difficulty_quotas": {"3": 5}}, ...]
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Post categories this template is meant for (empty: any).
    post_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def total_points(self) -> float:
        return round(sum(s["count"] * s["points"] for s in self.sections), 2)

    @property
    def question_count(self) -> int:
        return sum(int(s["count"]) for s in self.sections)


sitting_invigilators = Table(
    "sitting_invigilators",
    Model.metadata,
    Column("sitting_id", ForeignKey("sittings.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Sitting(Model):
    """考试场次: one supervised test in one room and time window."""

    __tablename__ = "sittings"
    __table_args__ = (
        CheckConstraint(f"status {_in(SITTING_STATUSES)}", name="status_valid"),
        CheckConstraint("ends_at > starts_at", name="window_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    room: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Minutes after the start during which a candidate may still begin.
    late_entry_minutes: Mapped[int] = mapped_column(default=15)
    template_id: Mapped[int] = mapped_column(ForeignKey("paper_templates.id"))
    #: {post category: template id}: a court candidate can get a Judges-Law paper.
    category_templates: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    show_score: Mapped[str] = mapped_column(String(16), default=SHOW_AT_SUBMIT)
    allow_review: Mapped[bool] = mapped_column(default=False)
    #: CIDR networks allowed to sit the test, one per line (empty: any).
    allowed_networks: Mapped[str] = mapped_column(Text, default="")
    second_login: Mapped[str] = mapped_column(String(16), default=SECOND_LOGIN_REFUSE)
    scoring: Mapped[str] = mapped_column(String(16), default=SCHEME_ALL_OR_NOTHING)
    status: Mapped[SittingStatus] = mapped_column(
        EnumText(SittingStatus), default=SittingStatus.DRAFT
    )
    results_released: Mapped[bool] = mapped_column(default=False)
    #: Seed of the room's papers; with the bank revisions and template it rebuilds them.
    seed: Mapped[int | None] = mapped_column(BigInteger)
    #: The sitting this one is a make-up (补考) for.
    makeup_of_id: Mapped[int | None] = mapped_column(ForeignKey("sittings.id"))
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: When an invigilator signed the sitting record; nothing changes the sitting after it.
    signed_off_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    body: Mapped[Body] = relationship()
    template: Mapped[PaperTemplate] = relationship()
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    makeup_of: Mapped[Sitting | None] = relationship(remote_side=[id])
    invigilators: Mapped[list[User]] = relationship(secondary=sitting_invigilators)
    attempts: Mapped[list[Attempt]] = relationship(back_populates="sitting", order_by="Attempt.id")

    @property
    def is_closed(self) -> bool:
        return self.status == SittingStatus.CLOSED

    def can(self, action: str) -> bool:
        """Whether the sitting's state allows the action (exams.states.SITTING) and its
        record is not signed: what a page asks before it offers a button."""
        return self.signed_off_at is None and SITTING.can(self, action)

    @property
    def entry_cutoff(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.late_entry_minutes)


class Attempt(UserMixin, Model):
    """A candidate's place in a sitting: admission code, drawn paper, answers' owner, result.

    It is also the logged-in identity on the test page ("c:<id>:<session token>").
    """

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("sitting_id", "candidate_id"),
        CheckConstraint(f"status {_in(ATTEMPT_STATUSES)}", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    #: 8 characters, unguessable, single-sitting; reissuing replaces it.
    admission_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    seat: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[AttemptStatus] = mapped_column(
        EnumText(AttemptStatus), default=AttemptStatus.ENROLLED
    )
    template_id: Mapped[int | None] = mapped_column(ForeignKey("paper_templates.id"))
    #: Position of this paper among the room's draws (with the sitting's seed).
    paper_index: Mapped[int | None]
    #: The drawn paper as stored; read it through ``paper_items`` (exams.domain.paper
    #: knows its versions).
    paper: Mapped[dict[str, Any] | list[dict[str, Any]] | None] = mapped_column(JSON)
    duration_minutes: Mapped[int | None]
    pass_mark: Mapped[float | None]
    max_score: Mapped[float | None]
    #: Current login; a new token ends the previous session.
    session_token: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    last_ip: Mapped[str] = mapped_column(String(64), default="")
    #: The client address of the current login: the session works from there only, so a
    #: copied cookie does not open the paper on another PC.
    session_ip: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: Logins that replaced an earlier one on another PC (shown on the panel).
    session_switches: Mapped[int] = mapped_column(default=0, server_default="0")
    extra_minutes: Mapped[int] = mapped_column(default=0)
    #: Let in by an invigilator after the late-entry cutoff.
    readmitted: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: A message for the candidate's page (e.g. time extended), shown once per id.
    notice: Mapped[str] = mapped_column(String(200), default="")
    notice_id: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    #: {"items": [[earned, points], ...], "by_category": {law: [earned, possible]}}
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    focus_losses: Mapped[int] = mapped_column(default=0)
    refused_logins: Mapped[int] = mapped_column(default=0)
    #: Taken on paper after a network or power failure.
    on_paper: Mapped[bool] = mapped_column(default=False)
    #: Public token of the score report's verification QR code.
    result_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship(back_populates="attempts")
    candidate: Mapped[Candidate] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", order_by="Answer.position"
    )

    is_staff = False

    def get_id(self) -> str:
        return f"c:{self.id}:{self.session_token}"

    @property
    def finished(self) -> bool:
        return self.status in (ATTEMPT_SUBMITTED, ATTEMPT_GRADED)

    @property
    def paper_items(self) -> Paper | None:
        """The drawn paper (None before the draw), whichever version it was stored in."""
        return None if self.paper is None else Paper.from_json(self.paper)

    @property
    def status_label(self) -> str:
        """What staff pages call the state: before the start, whether the candidate is in."""
        if self.status == AttemptStatus.ENROLLED:
            return str(_l("已登录") if self.session_token else _l("未登录"))
        return self.status.label

    def can(self, action: str) -> bool:
        """Whether the attempt's state allows the action (exams.states.ATTEMPT) and its
        sitting's record is not signed."""
        return self.sitting.signed_off_at is None and ATTEMPT.can(self, action)


class Answer(Model):
    """The latest saved choice for one question of one attempt (upserted by sequence)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    position: Mapped[int]
    #: Chosen ORIGINAL option indexes.
    choice: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: Client sequence number; a save with a lower one never overwrites.
    seq: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[bool] = mapped_column(default=False)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
