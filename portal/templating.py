"""Template filters and globals."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal.contributions.documents import StorageUse, storage_use
from portal.i18n import (
    LANGUAGE_NAMES,
    current_language,
    format_date_range,
    format_deadline,
    format_registration_deadline,
)
from portal.labels import (
    action_line_title,
    country_name,
    delegation_event_label,
    entry_event_label,
    event_label,
    invitation_state_label,
    label,
    state_label,
)
from portal.models import (
    ContributionState,
    DelegationState,
    ExtractionStatus,
    MeetingStatus,
    MembershipStatus,
    Participation,
    RegistrationStatus,
    ScanStatus,
    Series,
    SessionKind,
    StakeholderType,
    StatementState,
)
from portal.pagination import page_url
from portal.registrations import services as registrations


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML paragraphs, every character escaped."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(b) for b in blocks)


def filesize(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return _("%(size)s B", size=n)
    if n < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(round(n / 1024), "0"))
    return _("%(size)s MB", size=format_decimal(round(n / (1024 * 1024), 1), "0.0"))


def programme_change(change: dict) -> str:
    """One line of a published programme's list of changes, in the reader's language."""
    what = change.get("what")
    day = format_date(date.fromisoformat(change["day"]), "long") if change.get("day") else ""
    params = dict(session=change.get("session", ""), day=day, start=change.get("start", ""),
                  room=change.get("room", ""), speaker=change.get("speaker", ""))
    texts = {
        "added": _("Session “%(session)s” added: %(day)s at %(start)s."),
        "moved": _("Session “%(session)s” moved to %(day)s, %(start)s."),
        "room": _("Session “%(session)s” now in %(room)s."),
        "speaker": _("%(speaker)s now speaks at %(start)s in “%(session)s”."),
        "speaker_gone": _("%(speaker)s no longer speaks in “%(session)s”."),
        "removed": _("Session “%(session)s” removed."),
    }
    text = texts.get(what)
    return text % params if text else ""


def may_register_delegations() -> bool:
    return current_user.is_authenticated and registrations.may_register(current_user, current_user.organisation)


def my_storage() -> StorageUse | None:
    """The storage used by the current user's organisation, for the upload forms."""
    org = current_user.organisation if current_user.is_authenticated else None
    return storage_use(org) if org is not None else None


def register(app: Flask) -> None:
    @app.context_processor
    def _upload_limit():
        return {"upload_mb": app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)}

    app.jinja_env.globals.update(
        get_locale=get_locale,
        current_language=current_language,
        language_names=LANGUAGE_NAMES,
        page_url=page_url,
        my_storage=my_storage,
        may_register_delegations=may_register_delegations,
        tz=ZoneInfo,
        # Templates compare states through the enums: {% if c.state == State.PUBLISHED %}.
        State=ContributionState,
        Series=Series,
        MeetingStatus=MeetingStatus,
        MembershipStatus=MembershipStatus,
        ExtractionStatus=ExtractionStatus,
        ScanStatus=ScanStatus,
        DelegationState=DelegationState,
        Participation=Participation,
        RegistrationStatus=RegistrationStatus,
        StakeholderType=StakeholderType,
        SessionKind=SessionKind,
        StatementState=StatementState,
    )
    app.jinja_env.filters.update(
        label=label,
        country=country_name,
        date=lambda d, fmt="medium": format_date(d, fmt) if d else "",
        datetime=lambda d, fmt="medium": format_datetime(d, fmt) if d else "",
        date_range=format_date_range,
        deadline=format_deadline,
        registration_deadline=format_registration_deadline,
        al_title=action_line_title,
        paragraphs=paragraphs,
        event_label=event_label,
        state_label=state_label,
        filesize=filesize,
        percent=lambda x: format_percent(x, "#,##0%"),
        delegation_event=delegation_event_label,
        entry_event=entry_event_label,
        invitation_state=invitation_state_label,
        kind=lambda v: label(SessionKind(v)),
        hhmm=lambda t: t.strftime("%H:%M") if t else "",
        isodate=date.fromisoformat,
        programme_change=programme_change,
    )
