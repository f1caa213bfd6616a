"""Typed SQLAlchemy models, one module per aggregate."""

from portal.models.base import Base, utcnow
from portal.models.enums import (
    MeetingStatus,
    MeetingType,
    MembershipStatus,
    Role,
    StakeholderType,
)
from portal.models.meeting import GENEVA, ActionLine, Meeting
from portal.models.organisation import Membership, Organisation
from portal.models.outbox import OutgoingMail
from portal.models.user import AuditEntry, LoginAttempt, User, UserSession

__all__ = [
    "GENEVA",
    "ActionLine",
    "AuditEntry",
    "Base",
    "LoginAttempt",
    "Meeting",
    "MeetingStatus",
    "MeetingType",
    "Membership",
    "MembershipStatus",
    "Organisation",
    "OutgoingMail",
    "Role",
    "StakeholderType",
    "User",
    "UserSession",
    "utcnow",
]
