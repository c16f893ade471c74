"""Every model module, imported so the metadata (and Alembic) sees all tables."""

from examsite.auth.models import LoginThrottle, User
from examsite.bank.models import BankImport, Question, QuestionRevision
from examsite.bodies.models import Body
from examsite.core.audit import AuditEvent

__all__ = [
    "AuditEvent",
    "BankImport",
    "Body",
    "LoginThrottle",
    "Question",
    "QuestionRevision",
    "User",
]
