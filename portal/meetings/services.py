"""Meeting services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit
from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    GENEVA,
    ActionLine,
    Meeting,
    MeetingStatus,
    MeetingType,
    ParticipationMode,
    RegistrationStatus,
    User,
)


@dataclass
class MeetingData:
    code: str
    title: str
    type: MeetingType
    place: str | None
    virtual: bool
    start_date: date
    end_date: date
    deadline_local: datetime | None  # naive, in deadline_tz
    deadline_tz: str
    accept_late: bool
    symbol_prefix: str
    status: MeetingStatus
    description: str | None
    registration: RegistrationStatus = RegistrationStatus.CLOSED
    registration_deadline_local: datetime | None = None  # naive, in deadline_tz
    max_delegation_size: int | None = None
    participation: ParticipationMode = ParticipationMode.IN_PERSON


def to_utc(local: datetime | None, tz: str) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def get_by_code(code: str) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.code == code))


def save_meeting(meeting: Meeting | None, data: MeetingData, by: User | None) -> Meeting:
    clash = get_by_code(data.code)
    if clash is not None and (meeting is None or clash.id != meeting.id):
        raise UserError(_l("Another meeting already has this code."), "code")
    created = meeting is None
    if meeting is None:
        meeting = Meeting()
        db.session.add(meeting)
    meeting.code = data.code
    meeting.title = data.title
    meeting.type = data.type
    meeting.place = data.place or None
    meeting.virtual = data.virtual
    meeting.start_date = data.start_date
    meeting.end_date = data.end_date
    meeting.deadline_tz = data.deadline_tz or GENEVA
    meeting.deadline_at = to_utc(data.deadline_local, meeting.deadline_tz)
    meeting.accept_late = data.accept_late
    meeting.symbol_prefix = data.symbol_prefix
    meeting.status = data.status
    meeting.description = data.description or None
    meeting.registration = data.registration
    meeting.registration_deadline_at = to_utc(data.registration_deadline_local, meeting.deadline_tz)
    meeting.max_delegation_size = data.max_delegation_size
    meeting.participation = data.participation
    db.session.flush()
    audit.record("meeting.create" if created else "meeting.update", actor=by, target=meeting,
                 detail={"code": meeting.code, "status": meeting.status.value})
    return meeting


def listing() -> tuple[list[Meeting], list[Meeting]]:
    """Upcoming meetings (soonest first), then past ones (latest first)."""
    today = date.today()
    upcoming = db.session.scalars(
        select(Meeting).where(Meeting.end_date >= today).order_by(Meeting.start_date, Meeting.code)
    ).all()
    past = db.session.scalars(
        select(Meeting).where(Meeting.end_date < today).order_by(Meeting.start_date.desc(), Meeting.code)
    ).all()
    return list(upcoming), list(past)


def open_meetings() -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.OPEN).order_by(Meeting.start_date)
    ))


def action_lines() -> list[ActionLine]:
    return list(db.session.scalars(select(ActionLine).order_by(ActionLine.number)))


def lines_by_codes(codes: list[str]) -> list[ActionLine]:
    """The action lines named by codes such as "C3"; unknown codes are ignored."""
    if not codes:
        return []
    return list(db.session.scalars(select(ActionLine).where(ActionLine.code.in_(codes))
                                   .order_by(ActionLine.number)))


def get_action_line(code: str) -> ActionLine | None:
    return db.session.scalar(select(ActionLine).where(ActionLine.code == code.upper()))
