"""Questions, their revisions, and the record of each import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from examsite.bank.formats.fields import REVISION_FIELD_NAMES
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.extensions import Model

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"
STATUSES = (STATUS_ACTIVE, STATUS_RETIRED)
QTYPES = ("single", "multiple", "true_false")
#: A question is either for the live exam (secret) or for practice (shown with its key).
PURPOSE_EXAM = "exam"
PURPOSE_PRACTICE = "practice"
PURPOSES = (PURPOSE_EXAM, PURPOSE_PRACTICE)


class Question(Model):
    """A question of one body's bank, holding its current revision's content.

    Every edit adds a QuestionRevision; papers point at revisions, so an edit never changes
    a paper already drawn.
    """

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(f"qtype IN {QTYPES!r}", name="qtype_valid"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_valid"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty_range"),
        CheckConstraint(f"purpose IN {PURPOSES!r}", name="purpose_valid"),
        Index("ix_questions_duplicate_key", "body_id", "qtype", "stem_key"),
        Index("ix_questions_body_status_category", "body_id", "status", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The owning body; banks of bodies above it are shared with it read-only.
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    qtype: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    #: Option texts in order; a true/false question has ["正确", "错误"].
    options: Mapped[list[str]] = mapped_column(JSON)
    #: 0-based indexes of the correct options, ascending.
    answer: Mapped[list[int]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    #: The law and article, e.g. 《中华人民共和国宪法》第六十七条.
    legal_basis: Mapped[str] = mapped_column(String(1000), default="")
    #: The version of the law the key follows, e.g. 2018年修正 (question_bank/laws.csv).
    law_version: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: The law or topic, e.g. 宪法.
    category: Mapped[str] = mapped_column(String(100), default="")
    difficulty: Mapped[int] = mapped_column(default=3)
    #: 互斥组: no paper draws two questions of one group (they give each other away).
    exclusion_group: Mapped[str] = mapped_column(String(100), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default=STATUS_ACTIVE)
    #: "exam" or "practice": no paper draws a practice question, no practice an exam one.
    purpose: Mapped[str] = mapped_column(
        String(16), default=PURPOSE_EXAM, server_default=PURPOSE_EXAM
    )
    #: First time practice showed it; such a question can never become an exam question.
    practice_shown_at: Mapped[datetime | None]
    #: Number of the current revision (1 for a new question).
    revision: Mapped[int] = mapped_column(default=1)
    #: The revision the bodies below see and draw; empty until the owner publishes.
    published_revision: Mapped[int | None]
    #: Hash of the normalized stem: duplicate checks use (body, type, stem_key).
    stem_key: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    body: Mapped[Body] = relationship()
    revisions: Mapped[list[QuestionRevision]] = relationship(
        back_populates="question", order_by="QuestionRevision.number"
    )

    def __repr__(self) -> str:
        return f"<Question {self.id} r{self.revision}>"

    @property
    def is_active(self) -> bool:
        return self.status == STATUS_ACTIVE

    @property
    def is_practice(self) -> bool:
        return self.purpose == PURPOSE_PRACTICE


class QuestionRevision(Model):
    """One saved state of a question; what a drawn paper refers to."""

    __tablename__ = "question_revisions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int]
    qtype: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[list[int]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(1000), default="")
    law_version: Mapped[str] = mapped_column(String(100), default="", server_default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    difficulty: Mapped[int] = mapped_column(default=3)
    exclusion_group: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Where it came from: "create", "edit" or "import:<file name>".
    source: Mapped[str] = mapped_column(String(200), default="")

    question: Mapped[Question] = relationship(back_populates="revisions")

    #: What every revision copies (the question's fields, declared in formats.fields).
    CONTENT_FIELDS = REVISION_FIELD_NAMES

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}


class HiddenQuestion(Model):
    """A shared question a body below the owner has hidden from its own draws."""

    __tablename__ = "hidden_questions"

    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


IMPORT_PREVIEWED = "previewed"
IMPORT_DONE = "imported"
IMPORT_DISCARDED = "discarded"
IMPORT_STATUSES = (IMPORT_PREVIEWED, IMPORT_DONE, IMPORT_DISCARDED)


class BankImport(Model):
    """An uploaded file between preview and import, then the record of what happened."""

    __tablename__ = "bank_imports"
    __table_args__ = (CheckConstraint(f"status IN {IMPORT_STATUSES!r}", name="status_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    #: The uploaded bytes, kept only until the import is done or discarded.
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(16), default=IMPORT_PREVIEWED)
    valid_only: Mapped[bool] = mapped_column(default=False)
    question_count: Mapped[int] = mapped_column(default=0)
    imported_count: Mapped[int] = mapped_column(default=0)
    #: Problems found: [{"line": 3, "code": "...", "message": "...", "skipped": false}].
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
