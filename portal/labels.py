"""Display names for enumerations and reference lists, translatable."""

from __future__ import annotations

import gettext as gettext_catalogues
import unicodedata
from functools import lru_cache

import pycountry
from babel.core import get_global
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from portal.extract import N_
from portal.models import (
    ActivityStatus,
    ContributionState,
    DelegationState,
    EntryState,
    Gender,
    Language,
    MeetingStatus,
    MeetingType,
    MembershipStatus,
    Participation,
    ParticipationMode,
    PartnerRole,
    RegistrationStatus,
    Role,
    Series,
    SessionKind,
    SpeakerRank,
    StakeholderType,
    StatementState,
)

STAKEHOLDER_TYPES = {
    StakeholderType.GOVERNMENT: _l("Government"),
    StakeholderType.INTERNATIONAL_ORGANISATION: _l("International organisation"),
    StakeholderType.PRIVATE_SECTOR: _l("Private sector"),
    StakeholderType.CIVIL_SOCIETY: _l("Civil society"),
    StakeholderType.ACADEMIA: _l("Academia"),
    StakeholderType.TECHNICAL_COMMUNITY: _l("Technical community"),
}

MEETING_TYPES = {
    MeetingType.SUMMIT: _l("Summit"),
    MeetingType.PREPCOM: _l("PrepCom"),
    MeetingType.REGIONAL: _l("Regional conference"),
    MeetingType.FORUM: _l("Forum"),
}

MEETING_STATUSES = {
    MeetingStatus.UPCOMING: _l("Upcoming"),
    MeetingStatus.OPEN: _l("Open for contributions"),
    MeetingStatus.CLOSED: _l("Closed"),
    MeetingStatus.ARCHIVED: _l("Archived"),
}

ROLES = {
    Role.STAKEHOLDER: _l("Stakeholder"),
    Role.SECRETARIAT: _l("Secretariat"),
    Role.ADMIN: _l("Administrator"),
}

MEMBERSHIP_STATUSES = {
    MembershipStatus.PENDING: _l("Awaiting approval"),
    MembershipStatus.ACTIVE: _l("Member"),
    MembershipStatus.REFUSED: _l("Refused"),
}

LANGUAGES = {
    Language.ARABIC: _l("Arabic"),
    Language.CHINESE: _l("Chinese"),
    Language.ENGLISH: _l("English"),
    Language.FRENCH: _l("French"),
    Language.RUSSIAN: _l("Russian"),
    Language.SPANISH: _l("Spanish"),
    Language.OTHER: _l("Other"),
}

CONTRIBUTION_STATES = {
    ContributionState.DRAFT: _l("Draft"),
    ContributionState.SUBMITTED: _l("Awaiting moderation"),
    ContributionState.RETURNED: _l("Returned for changes"),
    ContributionState.PUBLISHED: _l("Published"),
    ContributionState.REJECTED: _l("Rejected"),
    ContributionState.WITHDRAWN: _l("Withdrawn"),
}

SERIES = {
    Series.CONTR: _l("Contribution"),
    Series.DOC: _l("Official document"),
    Series.DT: _l("Working document"),
    Series.INF: _l("Information document"),
    Series.STMT: _l("Policy statement"),
}

EVENTS = {
    "create": _l("Created"),
    "edit": _l("Edited"),
    "submit": _l("Submitted"),
    "resubmit": _l("Submitted again"),
    "revise": _l("Revision started"),
    "add_language": _l("Language version added"),
    "publish": _l("Published"),
    "publish_language": _l("Language version published"),
    "reject_language": _l("Language version refused"),
    "return": _l("Returned for changes"),
    "reject": _l("Rejected"),
    "withdraw": _l("Withdrawn"),
}


def event_label(action: str) -> str:
    found = EVENTS.get(action)
    return str(found) if found is not None else action


def state_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return label(ContributionState(value))
    except ValueError:
        return value


# The reference titles of the action lines (as loaded by portal.reference), marked for the catalogues.
ACTION_LINE_TITLES = {
    "C1": N_("The role of public governance authorities and all stakeholders in the promotion of ICTs for development"),
    "C2": N_("Information and communication infrastructure"),
    "C3": N_("Access to information and knowledge"),
    "C4": N_("Capacity building"),
    "C5": N_("Building confidence and security in the use of ICTs"),
    "C6": N_("Enabling environment"),
    "C7": N_("ICT applications: e-government, e-business, e-learning, e-health, e-employment, "
             "e-environment, e-agriculture, e-science"),
    "C8": N_("Cultural diversity and identity, linguistic diversity and local content"),
    "C9": N_("Media"),
    "C10": N_("Ethical dimensions of the Information Society"),
    "C11": N_("International and regional cooperation"),
}


def action_line_title(title: str, code: str) -> str:
    """The title in the interface language when the stored one is the reference title."""
    reference = ACTION_LINE_TITLES.get(code)
    if reference is not None and reference == title:
        return gettext(reference)
    return title


REGISTRATION_STATUSES = {
    RegistrationStatus.CLOSED: _l("Closed"),
    RegistrationStatus.OPEN: _l("Open (late registrations accepted, marked late)"),
    RegistrationStatus.UNTIL_DEADLINE: _l("Open until the deadline, closed after it"),
}

PARTICIPATION_MODES = {
    ParticipationMode.IN_PERSON: _l("In person"),
    ParticipationMode.ONLINE: _l("Online"),
    ParticipationMode.BOTH: _l("In person and online"),
}

PARTICIPATIONS = {
    Participation.IN_PERSON: _l("In person"),
    Participation.ONLINE: _l("Online"),
}

GENDERS = {
    Gender.WOMAN: _l("Woman"),
    Gender.MAN: _l("Man"),
    Gender.ANOTHER: _l("Another gender"),
    Gender.UNDISCLOSED: _l("Prefer not to say"),
}

DELEGATION_STATES = {
    DelegationState.DRAFT: _l("Draft"),
    DelegationState.SUBMITTED: _l("Awaiting confirmation"),
    DelegationState.CONFIRMED: _l("Confirmed"),
    DelegationState.RETURNED: _l("Returned for changes"),
    DelegationState.REFUSED: _lp("registration", "Refused"),
    DelegationState.CANCELLED: _l("Cancelled"),
}

DELEGATION_EVENTS = {
    "create": _l("Registration started"),
    "submit": _l("Submitted"),
    "resubmit": _l("Submitted again"),
    "participant.add": _l("Participant added"),
    "participant.edit": _l("Participant changed"),
    "participant.remove": _l("Participant removed"),
    "confirm": _l("Confirmed"),
    "return": _l("Returned for changes"),
    "refuse": _lp("registration", "Refused"),
    "cancel": _l("Cancelled"),
}

SESSION_KINDS = {
    SessionKind.OPENING: _l("Opening segment"),
    SessionKind.POLICY_STATEMENTS: _l("Policy statements"),
    SessionKind.ROUND_TABLE: _l("Ministerial round table"),
    SessionKind.DIALOGUE: _l("High-level dialogue"),
    SessionKind.PRIZES: _l("WSIS Prizes ceremony"),
    SessionKind.WORKSHOP: _l("Thematic workshop"),
    SessionKind.OTHER: _l("Other session"),
}

SPEAKER_RANKS = {
    SpeakerRank.HEAD_OF_STATE: _l("Head of State or Government"),
    SpeakerRank.VICE_PRESIDENT: _l("Vice-President"),
    SpeakerRank.MINISTER: _l("Minister"),
    SpeakerRank.DEPUTY_MINISTER: _l("Deputy Minister"),
    SpeakerRank.AMBASSADOR: _l("Ambassador"),
    SpeakerRank.OTHER: _l("Other high-level representative"),
}

INVITATION_STATES = {
    "sent": _l("Sent, awaiting the answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "expired": _l("Expired (no answer by the deadline)"),
    "withdrawn": _l("Withdrawn"),
}

STATEMENT_STATES = {
    StatementState.REQUESTED: _l("Requested, awaiting the secretariat"),
    StatementState.ACCEPTED: _l("Accepted"),
    StatementState.REFUSED: _lp("registration", "Refused"),
    StatementState.WITHDRAWN: _l("Withdrawn"),
}

ENTRY_STATES = {
    EntryState.DRAFT: _l("Draft"),
    EntryState.SUBMITTED: _l("Submitted, awaiting the secretariat"),
    EntryState.PUBLISHED: _l("Published"),
    EntryState.RETURNED: _l("Returned for changes"),
    EntryState.REJECTED: _lp("registration", "Refused"),
    EntryState.ARCHIVED: _l("Archived"),
}

ACTIVITY_STATUSES = {
    ActivityStatus.PLANNED: _l("Planned"),
    ActivityStatus.ONGOING: _l("Ongoing"),
    ActivityStatus.COMPLETED: _l("Completed"),
}

PARTNER_ROLES = {
    PartnerRole.FUNDING: _l("Funding"),
    PartnerRole.IMPLEMENTING: _l("Implementing"),
    PartnerRole.ACCOUNTABLE: _l("Accountable"),
    PartnerRole.EXTENDING: _l("Extending"),
}

ENTRY_EVENTS = {
    "created": _l("Created"), "changed": _l("Changed"), "submitted": _l("Submitted"),
    "published": _l("Published"), "returned": _l("Returned for changes"), "rejected": _l("Rejected"),
    "archived": _l("Archived"), "restored": _l("Restored"), "confirmed": _l("Confirmed as up to date"),
    "inactive": _l("Marked inactive (not updated in two calls)"),
}


def entry_event_label(action: str) -> str:
    found = ENTRY_EVENTS.get(action)
    return str(found) if found is not None else action


# The seventeen Sustainable Development Goals (UN General Assembly resolution A/RES/70/1), short titles.
SDG_TITLES = {
    1: _l("No poverty"), 2: _l("Zero hunger"), 3: _l("Good health and well-being"),
    4: _l("Quality education"), 5: _l("Gender equality"), 6: _l("Clean water and sanitation"),
    7: _l("Affordable and clean energy"), 8: _l("Decent work and economic growth"),
    9: _l("Industry, innovation and infrastructure"), 10: _l("Reduced inequalities"),
    11: _l("Sustainable cities and communities"), 12: _l("Responsible consumption and production"),
    13: _l("Climate action"), 14: _l("Life below water"), 15: _l("Life on land"),
    16: _l("Peace, justice and strong institutions"), 17: _l("Partnerships for the goals"),
}


def sdg_label(goal) -> str:
    """"SDG 4: Quality education"."""
    try:
        n = int(goal)
    except (TypeError, ValueError):
        return str(goal)
    title = SDG_TITLES.get(n)
    return gettext("SDG %(n)d: %(title)s", n=n, title=title) if title is not None else str(goal)


# Keyed by (enumeration, member): members of different enumerations can share a value ("submitted").
_ALL = {}
for table in (STAKEHOLDER_TYPES, MEETING_TYPES, MEETING_STATUSES, ROLES, MEMBERSHIP_STATUSES,
              LANGUAGES, CONTRIBUTION_STATES, SERIES, REGISTRATION_STATUSES, PARTICIPATION_MODES,
              PARTICIPATIONS, GENDERS, DELEGATION_STATES, SESSION_KINDS, SPEAKER_RANKS, STATEMENT_STATES,
              ENTRY_STATES, ACTIVITY_STATUSES, PARTNER_ROLES):
    _ALL.update({(type(k), k): v for k, v in table.items()})


def invitation_state_label(state: str) -> str:
    found = INVITATION_STATES.get(state)
    return str(found) if found is not None else state


def delegation_event_label(action: str) -> str:
    found = DELEGATION_EVENTS.get(action)
    return str(found) if found is not None else action


def label(value) -> str:
    """The display name of any enumeration member (a Jinja filter)."""
    if value is None:
        return ""
    found = _ALL.get((type(value), value))
    return str(found) if found is not None else str(getattr(value, "value", value))


def choices(table: dict, *, blank: str | None = None) -> list[tuple[str, str]]:
    items = [(k.value, v) for k, v in table.items()]
    return ([("", blank)] if blank is not None else []) + items


@lru_cache(maxsize=16)
def _country_translation(lang: str):
    """pycountry's ISO 3166-1 catalogue for a language: "fr", "es", or the likely regional one
    ("zh" -> "zh_CN", whose catalogue pycountry ships under that name)."""
    if lang == "en":
        return None
    candidates = [lang]
    likely = get_global("likely_subtags").get(lang)
    if likely:
        parts = likely.split("_")
        if len(parts) > 1 and parts[-1].isupper():
            candidates.append(f"{lang}_{parts[-1]}")
    try:
        return gettext_catalogues.translation("iso3166-1", pycountry.LOCALES_DIR, languages=candidates)
    except OSError:
        return None


def _lang() -> str:
    try:
        return str(get_locale() or "en").split("_")[0]
    except Exception:  # noqa: BLE001 - outside a request
        return "en"


def country_name(code: str | None) -> str:
    """The country's usual short name (pycountry's common name where it has one, as in English:
    "Bolivia", not "Bolivia, Plurinational State of"), in the interface language."""
    if not code:
        return ""
    c = pycountry.countries.get(alpha_2=code.upper())
    if c is None:
        return code
    common = getattr(c, "common_name", None)
    tr = _country_translation(_lang())
    if tr is None:
        return common or c.name
    catalog = getattr(tr, "_catalog", {})
    if common and common in catalog:
        return tr.gettext(common)
    return tr.gettext(c.name)


def _sort_key(name: str) -> str:
    """Alphabetical order that ignores accents and case ("Égypte" between "Équateur" and "Eswatini"
    comes under E, not after Z)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_choices(blank: str) -> list[tuple[str, str]]:
    items = sorted(((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries),
                   key=lambda kv: _sort_key(kv[1]))
    return [("", blank)] + items


def is_country(code: str | None) -> bool:
    return bool(code) and pycountry.countries.get(alpha_2=code.upper()) is not None
