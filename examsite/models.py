"""Every model module, imported so the metadata (and Alembic) sees all tables."""

from examsite.auth.models import LoginThrottle, User
from examsite.bank.models import BankImport, Question, QuestionRevision
from examsite.bodies.models import Body
from examsite.core.audit import AuditEvent
from examsite.exams.models import Answer, Attempt, Candidate, PaperTemplate, Sitting
from examsite.invigilation.models import Incident, PaperEntry

__all__ = [
    "Answer",
    "Attempt",
    "AuditEvent",
    "BankImport",
    "Body",
    "Candidate",
    "Incident",
    "LoginThrottle",
    "PaperEntry",
    "PaperTemplate",
    "Question",
    "QuestionRevision",
    "Sitting",
    "User",
]
