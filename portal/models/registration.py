"""Delegation registration: one delegation per organisation and meeting, its participants, the visa
support letters issued to them, and the trail of its states."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.enums import DelegationState, Gender, Participation, enum_column
from portal.models.meeting import Meeting
from portal.models.organisation import Organisation
from portal.models.user import User


class Delegation(Base):
    __tablename__ = "delegations"
    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id", name="one_delegation_per_meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    state: Mapped[DelegationState] = mapped_column(enum_column(DelegationState, "delegation_state"),
                                                   default=DelegationState.DRAFT, index=True)
    late: Mapped[bool] = mapped_column(default=False)
    # Submitted again after a confirmation (a substitution): the secretariat decides the change.
    changed: Mapped[bool] = mapped_column(default=False)
    lock_version: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str | None] = mapped_column(Text)  # the secretariat's last comment to the organisation
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    participants: Mapped[list[Participant]] = relationship(
        back_populates="delegation", cascade="all, delete-orphan", order_by="Participant.position")
    events: Mapped[list[DelegationEvent]] = relationship(
        back_populates="delegation", cascade="all, delete-orphan", order_by="DelegationEvent.id")

    @property
    def head(self) -> Participant | None:
        return next((p for p in self.participants if p.is_head), None)

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Delegation {self.id} {self.state.value}>"


class Participant(Base):
    """A person in a delegation. The passport number is stored encrypted (portal/registrations/secrets.py)
    and shown to the secretariat only; accessibility needs likewise."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("meeting_id", "email_key", name="one_delegation_per_person"),
        Index("one_head_per_delegation", "delegation_id", unique=True,
              sqlite_where=text("is_head = 1"), postgresql_where=text("is_head")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))  # the address case-folded: a person once per meeting
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"))
    participation: Mapped[Participation] = mapped_column(enum_column(Participation, "participation"))
    arrival: Mapped[date | None]
    departure: Mapped[date | None]
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    needs_visa: Mapped[bool] = mapped_column(default=False)
    nationality: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    passport_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    is_head: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegation: Mapped[Delegation] = relationship(back_populates="participants")
    letters: Mapped[list[VisaLetter]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", order_by="VisaLetter.id")

    @property
    def letter(self) -> VisaLetter | None:
        """The letter in force (issued and not withdrawn), if any."""
        return next((v for v in reversed(self.letters) if v.withdrawn_at is None), None)

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Participant {self.id}>"


class VisaLetter(Base):
    """A visa support letter issued to a participant; the PDF is made from these rows when downloaded."""

    __tablename__ = "visa_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    participant: Mapped[Participant] = relationship(back_populates="letters")
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])


class DelegationEvent(Base):
    """The trail of one delegation: who, when, from which state to which, and why."""

    __tablename__ = "delegation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)

    delegation: Mapped[Delegation] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
