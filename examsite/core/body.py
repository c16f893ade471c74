"""The congress body (the tenant): the municipal committee and the district/county committees
below it. In core because every feature and the tenancy rules stand on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.core.timeutil import utcnow
from examsite.extensions import Model

LEVEL_PROVINCIAL = "provincial"
LEVEL_MUNICIPAL = "municipal"
LEVEL_COUNTY = "county"
LEVELS = (LEVEL_PROVINCIAL, LEVEL_MUNICIPAL, LEVEL_COUNTY)


class Body(Model):
    """A people's congress standing committee using this instance."""

    __tablename__ = "bodies"
    __table_args__ = (CheckConstraint(f"level IN {LEVELS!r}", name="level_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short ASCII code used in URLs and the CLI, e.g. "east".
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: Sees and draws the published questions of the bodies above it.
    uses_parent_bank: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: May write or import questions of its own.
    own_questions: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Practice (模拟练习) open to anyone on the network at /practice/<code>, no login.
    public_practice: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Body | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Body]] = relationship(back_populates="parent", order_by="Body.code")

    def __repr__(self) -> str:
        return f"<Body {self.code}>"
