"""Every model module, imported so the metadata (and Alembic) sees all tables."""

from examsite.auth.models import LoginThrottle, User
from examsite.bodies.models import Body
from examsite.core.audit import AuditEvent

__all__ = ["AuditEvent", "Body", "LoginThrottle", "User"]
