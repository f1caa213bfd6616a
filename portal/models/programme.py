"""The programme of a meeting (sessions and their speaking slots), the High-Level Track's invitations
to deliver a policy statement, the statements themselves, and the published versions of the programme."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.contribution import Contribution
from portal.models.enums import Gender, InvitationState, SessionKind, SpeakerRank, StatementState, enum_column
from portal.models.meeting import Meeting
from portal.models.organisation import Organisation
from portal.models.user import User


def _uid() -> str:
    return f"{uuid.uuid4()}@wsis-portal"


class ProgrammeSession(Base):
    """A session on one day of the meeting, from start to end, in the meeting's time zone."""

    __tablename__ = "programme_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    day: Mapped[date]
    start: Mapped[time]
    end: Mapped[time]
    room: Mapped[str | None] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(default=False)
    online_link: Mapped[str | None] = mapped_column(String(500))  # for members of registered delegations only
    description: Mapped[str | None] = mapped_column(Text)
    chairs: Mapped[str | None] = mapped_column(String(500))
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=_uid)  # iCalendar's UID: stable
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()
    slots: Mapped[list[Slot]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                             order_by="Slot.position")

    @property
    def minutes(self) -> int:
        return (datetime.combine(self.day, self.end) - datetime.combine(self.day, self.start)).seconds // 60


class Slot(Base):
    """A speaking slot: its place in the session and its length; its start follows from those before it."""

    __tablename__ = "programme_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    minutes: Mapped[int]
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"), unique=True)

    session: Mapped[ProgrammeSession] = relationship(back_populates="slots")
    statement: Mapped[Statement | None] = relationship(back_populates="slot")

    @property
    def starts(self) -> time:
        offset = sum(s.minutes for s in self.session.slots if s.position < self.position)
        return (datetime.combine(self.session.day, self.session.start) + timedelta(minutes=offset)).time()

    @property
    def ends(self) -> time:
        return (datetime.combine(self.session.day, self.starts) + timedelta(minutes=self.minutes)).time()


class Invitation(Base):
    """An invitation to an organisation to deliver a policy statement, answered by a deadline."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id", name="one_invitation_per_meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(80))  # the circular letter's, e.g. CL-17/051
    letter: Mapped[str] = mapped_column(Text)  # as sent, the organisation's name and the deadline filled in
    deadline_at: Mapped[datetime]
    state: Mapped[InvitationState] = mapped_column(enum_column(InvitationState, "invitation_state"),
                                                   default=InvitationState.SENT, index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None]  # the reminder before the deadline, sent at most once

    meeting: Mapped[Meeting] = relationship()
    organisation: Mapped[Organisation] = relationship()
    statement: Mapped[Statement | None] = relationship(back_populates="invitation")


class Statement(Base):
    """A policy statement: an accepted invitation or a granted request, with its speaker; scheduled in a
    slot; its text an uploaded document of the meeting (series STMT) once published."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), unique=True)
    state: Mapped[StatementState] = mapped_column(enum_column(StatementState, "statement_state"), index=True)
    speaker_name: Mapped[str] = mapped_column(String(200))
    speaker_title: Mapped[str] = mapped_column(String(200))
    speaker_gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, "speaker_gender"))
    speaker_rank: Mapped[SpeakerRank] = mapped_column(enum_column(SpeakerRank, "speaker_rank"),
                                                      default=SpeakerRank.OTHER)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    preferred_day: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)  # of a request
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None]  # the order of acceptance, after protocol
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship()
    organisation: Mapped[Organisation] = relationship()
    invitation: Mapped[Invitation | None] = relationship(back_populates="statement")
    slot: Mapped[Slot | None] = relationship(back_populates="statement")
    contribution: Mapped[Contribution | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class ProgrammeVersion(Base):
    """A publication of the programme: what it showed (a snapshot the public pages and iCalendar read) and,
    after the first, the list of what changed."""

    __tablename__ = "programme_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "number", name="one_number_per_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[list] = mapped_column(JSON, default=list)

    meeting: Mapped[Meeting] = relationship()
