"""Every model module, imported so the metadata (and Alembic) sees all tables."""

from examsite.auth.models import LoginThrottle, User
from examsite.bank.models import BankImport, Question, QuestionRevision
from examsite.bodies.models import Body
from examsite.exams.models import Answer, Attempt, Candidate, PaperTemplate, Sitting
from examsite.core.audit import AuditEvent

__all__ = [
    "Answer",
    "Attempt",
    "Candidate",
    "PaperTemplate",
    "Sitting",
    "AuditEvent",
    "BankImport",
    "Body",
    "LoginThrottle",
    "Question",
    "QuestionRevision",
    "User",
]
