"""Meetings (PrepComs, Summits, Forums) and the eleven WSIS action lines."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow
from portal.models.enums import (
    MeetingStatus,
    MeetingType,
    ParticipationMode,
    RegistrationStatus,
    enum_column,
)

GENEVA = "Europe/Zurich"  # Geneva's IANA time zone


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    type: Mapped[MeetingType] = mapped_column(enum_column(MeetingType, "meeting_type"))
    place: Mapped[str | None] = mapped_column(String(200))
    virtual: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date]
    end_date: Mapped[date]
    # The deadline is an instant (stored in UTC) and the zone it was given in.
    deadline_at: Mapped[datetime | None]
    deadline_tz: Mapped[str] = mapped_column(String(64), default=GENEVA)
    accept_late: Mapped[bool] = mapped_column(default=True)
    symbol_prefix: Mapped[str] = mapped_column(String(60))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.UPCOMING
    )
    description: Mapped[str | None] = mapped_column(Text)
    # Delegation registration (portal/registrations): its own status and deadline (in deadline_tz).
    registration: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status"), default=RegistrationStatus.CLOSED,
        server_default=RegistrationStatus.CLOSED.value)
    registration_deadline_at: Mapped[datetime | None]
    max_delegation_size: Mapped[int | None]
    participation: Mapped[ParticipationMode] = mapped_column(
        enum_column(ParticipationMode, "participation_mode"), default=ParticipationMode.IN_PERSON,
        server_default=ParticipationMode.IN_PERSON.value)
    # The list of participants (organisation, country, name, function) published as an official document.
    participants_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def location(self) -> str:
        if self.virtual:
            return "virtual" if not self.place else f"{self.place} (virtual)"
        return self.place or ""

    @property
    def deadline_local(self) -> datetime | None:
        """The deadline in the meeting's own time zone."""
        if self.deadline_at is None:
            return None
        return self.deadline_at.astimezone(ZoneInfo(self.deadline_tz))

    def deadline_passed(self, now: datetime | None = None) -> bool:
        if self.deadline_at is None:
            return False
        return (now or datetime.now(timezone.utc)) > self.deadline_at

    @property
    def registration_deadline_local(self) -> datetime | None:
        if self.registration_deadline_at is None:
            return None
        return self.registration_deadline_at.astimezone(ZoneInfo(self.deadline_tz))

    def registration_deadline_passed(self, now: datetime | None = None) -> bool:
        if self.registration_deadline_at is None:
            return False
        return (now or datetime.now(timezone.utc)) > self.registration_deadline_at

    @property
    def registration_has_opened(self) -> bool:
        return self.registration != RegistrationStatus.CLOSED

    def registration_accepts(self, now: datetime | None = None) -> tuple[bool, bool]:
        """(whether a registration can be submitted now, whether it would be late)."""
        if self.registration == RegistrationStatus.CLOSED:
            return False, False
        late = self.registration_deadline_passed(now)
        if late and self.registration == RegistrationStatus.UNTIL_DEADLINE:
            return False, True
        return True, late

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.OPEN

    @property
    def is_past(self) -> bool:
        return self.end_date < date.today()

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Meeting {self.code}>"


class ActionLine(Base):
    __tablename__ = "action_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)  # C1 .. C11
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))

    def __repr__(self) -> str:  # pragma: no cover
        return f"<ActionLine {self.code}>"
