"""Typed SQLAlchemy models, one module per aggregate."""

from portal.models.base import Base, utcnow
from portal.models.contribution import (
    Contribution,
    ContributionEvent,
    DocumentFile,
    IndexJob,
    SymbolCounter,
    Version,
)
from portal.models.enums import (
    LANGUAGE_LETTERS,
    ContributionState,
    DelegationState,
    ExtractionStatus,
    Gender,
    InvitationState,
    Language,
    MeetingStatus,
    MeetingType,
    MembershipStatus,
    Participation,
    ParticipationMode,
    RegistrationStatus,
    Role,
    ScanStatus,
    Series,
    SessionKind,
    SpeakerRank,
    StakeholderType,
    StatementState,
)
from portal.models.listing import ListingGeneration
from portal.models.meeting import GENEVA, ActionLine, Meeting
from portal.models.organisation import Membership, Organisation
from portal.models.outbox import OutgoingMail
from portal.models.programme import Invitation, ProgrammeSession, ProgrammeVersion, Slot, Statement
from portal.models.registration import Delegation, DelegationEvent, Participant, VisaLetter
from portal.models.throttle import LoginCounter, UploadSlot
from portal.models.user import AuditEntry, LoginAttempt, User, UserSession

__all__ = [
    "Statement",
    "Slot",
    "ProgrammeVersion",
    "ProgrammeSession",
    "Invitation",
    "StatementState",
    "SpeakerRank",
    "SessionKind",
    "InvitationState",
    "VisaLetter",
    "Participant",
    "DelegationEvent",
    "Delegation",
    "RegistrationStatus",
    "ParticipationMode",
    "Participation",
    "Gender",
    "DelegationState",
    "LANGUAGE_LETTERS",
    "Contribution",
    "ContributionEvent",
    "ContributionState",
    "DocumentFile",
    "ExtractionStatus",
    "IndexJob",
    "Language",
    "Series",
    "SymbolCounter",
    "Version",
    "GENEVA",
    "ActionLine",
    "AuditEntry",
    "Base",
    "ListingGeneration",
    "LoginAttempt",
    "LoginCounter",
    "Meeting",
    "MeetingStatus",
    "MeetingType",
    "Membership",
    "MembershipStatus",
    "Organisation",
    "OutgoingMail",
    "Role",
    "ScanStatus",
    "StakeholderType",
    "UploadSlot",
    "User",
    "UserSession",
    "utcnow",
]
