"""Every model module, imported so the metadata (and Alembic) sees all tables."""

from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    CommitteeTerm,
    MatterRule,
    Meeting,
    PostKind,
    Statement,
)
from examsite.auth.models import LoginThrottle, User
from examsite.bank.models import BankImport, HiddenQuestion, Question, QuestionRevision
from examsite.core.audit import AuditChainHead, AuditEvent
from examsite.core.body import Body
from examsite.exams.models import Answer, Attempt, Candidate, PaperTemplate, Sitting
from examsite.invigilation.models import Incident, PaperEntry
from examsite.reports.models import (
    Rectification,
    ReminderLog,
    ReportPlan,
    ReportSettings,
    ReportSubject,
    Term,
)

__all__ = [
    "Answer",
    "Appointment",
    "Attempt",
    "AuditChainHead",
    "AuditEvent",
    "BankImport",
    "Body",
    "Candidate",
    "Ceremony",
    "CeremonyParticipant",
    "CommitteeTerm",
    "HiddenQuestion",
    "Incident",
    "LoginThrottle",
    "MatterRule",
    "Meeting",
    "PaperEntry",
    "PaperTemplate",
    "PostKind",
    "Question",
    "QuestionRevision",
    "Rectification",
    "ReminderLog",
    "ReportPlan",
    "ReportSettings",
    "ReportSubject",
    "Sitting",
    "Statement",
    "Term",
    "User",
]
