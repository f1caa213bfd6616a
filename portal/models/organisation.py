"""Organisations and the people who act for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.enums import MembershipStatus, StakeholderType, enum_column
from portal.models.user import User


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, whitespace-collapsed name: one organisation per name.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    stakeholder_type: Mapped[StakeholderType] = mapped_column(
        enum_column(StakeholderType, "stakeholder_type")
    )
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def active_members(self) -> list[User]:
        return [m.user for m in self.memberships if m.status == MembershipStatus.ACTIVE]

    @staticmethod
    def key_for(name: str) -> str:
        return " ".join(name.split()).casefold()

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Organisation {self.id} {self.name!r}>"


class Membership(Base):
    """A person's link to an organisation. One organisation per account."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status"), default=MembershipStatus.PENDING
    )
    focal_point: Mapped[bool] = mapped_column(default=False)
    # A member a focal point allows to register the organisation's delegations (focal points always may).
    may_register: Mapped[bool] = mapped_column(default=False, server_default="0")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="membership", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
