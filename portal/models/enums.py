"""Enumerations stored as their string values."""

from __future__ import annotations

import enum

from sqlalchemy import Enum as SAEnum


class Role(enum.StrEnum):
    STAKEHOLDER = "stakeholder"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class StakeholderType(enum.StrEnum):
    GOVERNMENT = "government"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    PRIVATE_SECTOR = "private_sector"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    TECHNICAL_COMMUNITY = "technical_community"


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"


class MeetingType(enum.StrEnum):
    SUMMIT = "summit"
    PREPCOM = "prepcom"
    REGIONAL = "regional"
    FORUM = "forum"


class MeetingStatus(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Series(enum.StrEnum):
    CONTR = "CONTR"  # contributions
    DOC = "DOC"      # official documents, e.g. drafts of outcome documents
    DT = "DT"        # working documents
    INF = "INF"      # information documents
    STMT = "STMT"    # policy statements of the High-Level Track (their texts, as delivered)


class ContributionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Language(enum.StrEnum):
    ARABIC = "ar"
    CHINESE = "zh"
    ENGLISH = "en"
    FRENCH = "fr"
    RUSSIAN = "ru"
    SPANISH = "es"
    OTHER = "other"


# The letter that ends a document symbol, e.g. WSIS/PC-3/CONTR/12-E.
LANGUAGE_LETTERS = {
    Language.ARABIC: "A", Language.CHINESE: "C", Language.ENGLISH: "E",
    Language.FRENCH: "F", Language.RUSSIAN: "R", Language.SPANISH: "S",
}


class ExtractionStatus(enum.StrEnum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"


class ScanStatus(enum.StrEnum):
    """What the virus scanner said of a stored file."""

    CLEAN = "clean"
    PENDING = "pending"  # the scanner could not be reached: quarantined until a rescan
    UNSCANNED = "unscanned"  # no scanner configured (the embedded default)
    INFECTED = "infected"  # found by a later rescan: never downloadable


class RegistrationStatus(enum.StrEnum):
    """Whether a meeting takes delegation registrations."""

    CLOSED = "closed"
    OPEN = "open"  # also after the deadline: late registrations are flagged and decided by the secretariat
    UNTIL_DEADLINE = "until_deadline"  # open until the deadline, closed after it


class ParticipationMode(enum.StrEnum):
    """How a meeting can be attended."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    BOTH = "both"


class Participation(enum.StrEnum):
    """How one participant takes part."""

    IN_PERSON = "in_person"
    ONLINE = "online"


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    ANOTHER = "another"
    UNDISCLOSED = "undisclosed"  # "prefer not to say"


class DelegationState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class SessionKind(enum.StrEnum):
    """The parts of the High-Level Track, and the other sessions of a meeting."""

    OPENING = "opening"
    POLICY_STATEMENTS = "policy_statements"
    ROUND_TABLE = "round_table"
    DIALOGUE = "dialogue"
    PRIZES = "prizes"
    WORKSHOP = "workshop"
    OTHER = "other"


class InvitationState(enum.StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # (expired is not stored: sent, and its deadline passed)


class StatementState(enum.StrEnum):
    REQUESTED = "requested"  # asked for by an organisation that was not invited
    ACCEPTED = "accepted"  # an accepted invitation, or a granted request: to be scheduled
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class SpeakerRank(enum.StrEnum):
    """UN protocol order of speakers."""

    HEAD_OF_STATE = "head_of_state"  # Head of State or Government
    VICE_PRESIDENT = "vice_president"
    MINISTER = "minister"
    DEPUTY_MINISTER = "deputy_minister"
    AMBASSADOR = "ambassador"
    OTHER = "other"


class EntryState(enum.StrEnum):
    """A Stocktaking entry, and each of its versions (a version is one round of moderation)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    RETURNED = "returned"  # for changes, with a comment
    REJECTED = "rejected"
    ARCHIVED = "archived"  # no longer listed (an entry); replaced by a later publication (a version)


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"


class PartnerRole(enum.StrEnum):
    """Organisation roles of the IATI activity standard (codelist OrganisationRole)."""

    FUNDING = "funding"
    ACCOUNTABLE = "accountable"
    EXTENDING = "extending"
    IMPLEMENTING = "implementing"


def enum_column(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """A portable enum column: a VARCHAR with a CHECK constraint, storing values."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda cls: [m.value for m in cls],
    )
