"""Display names for enumerations and reference lists, translatable."""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry
from babel.core import get_global
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.models import (
    ContributionState,
    Language,
    MeetingStatus,
    MeetingType,
    MembershipStatus,
    Role,
    Series,
    StakeholderType,
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


ACTION_LINE_TITLES = {
    "C1": _l("The role of public governance authorities and all stakeholders in the promotion of ICTs for development"),
    "C2": _l("Information and communication infrastructure"),
    "C3": _l("Access to information and knowledge"),
    "C4": _l("Capacity building"),
    "C5": _l("Building confidence and security in the use of ICTs"),
    "C6": _l("Enabling environment"),
    "C7": _l("ICT applications: e-government, e-business, e-learning, e-health, e-employment, "
             "e-environment, e-agriculture, e-science"),
    "C8": _l("Cultural diversity and identity, linguistic diversity and local content"),
    "C9": _l("Media"),
    "C10": _l("Ethical dimensions of the Information Society"),
    "C11": _l("International and regional cooperation"),
}


def action_line_title(title: str, code: str) -> str:
    """The title in the interface language when the stored one is the reference title."""
    translated = ACTION_LINE_TITLES.get(code)
    if translated is not None and translated._args[0] == title:
        return str(translated)
    return title


_ALL = {}
for table in (STAKEHOLDER_TYPES, MEETING_TYPES, MEETING_STATUSES, ROLES, MEMBERSHIP_STATUSES,
              LANGUAGES, CONTRIBUTION_STATES, SERIES):
    _ALL.update(table)


def label(value) -> str:
    """The display name of any enumeration member (a Jinja filter)."""
    if value is None:
        return ""
    found = _ALL.get(value)
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
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=candidates)
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
