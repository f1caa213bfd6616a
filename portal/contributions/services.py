"""Contribution services: create, edit, submit, revise, add a language version, withdraw.
They change objects and flush; the view commits once. Mail and indexing run after commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit, storage
from portal.extensions import db
from portal.extract import Extraction, FileRejected, Inspection, extract_text, inspect_file
from portal.models import (
    ActionLine,
    Contribution,
    ContributionEvent,
    ContributionState,
    DocumentFile,
    ExtractionStatus,
    Language,
    Meeting,
    MeetingStatus,
    MembershipStatus,
    Organisation,
    Series,
    User,
    Version,
)
from portal.notify import send_to_user
from portal.search import jobs

log = logging.getLogger("portal.contributions")

S = ContributionState
PENDING_STATES = (S.DRAFT, S.SUBMITTED, S.RETURNED)


class ContributionError(Exception):
    """A request that cannot be carried out; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass
class Details:
    """What a person types into the submission form."""

    meeting: Meeting
    title: str
    summary: str
    action_lines: list[ActionLine]
    language: Language
    comments_on: Contribution | None = None
    cosponsors: list[Organisation] = field(default_factory=list)


@dataclass
class Upload:
    """A file received, stored under a generated name, checked and read."""

    stored: storage.StoredFile
    inspection: Inspection
    extraction: Extraction
    filename: str

    def discard(self) -> None:
        storage.delete(self.stored.key)


# Files -------------------------------------------------------------------------------------------

def receive_file(stream, filename: str | None) -> Upload:
    """Store the bytes, decide what they are, and extract the text. A file refused for its
    type, size or safety is deleted at once and FileRejected raised. A file accepted whose
    text cannot be read is kept: the upload says so and the secretariat sees the flag."""
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    stored = storage.save_upload(stream, max_bytes=max_bytes)
    try:
        inspection = inspect_file(storage.path_for(stored.key), max_bytes=max_bytes)
    except FileRejected:
        storage.delete(stored.key)
        raise
    except Exception:
        storage.delete(stored.key)
        raise
    extraction = extract_text(
        storage.path_for(stored.key), inspection.kind,
        timeout=current_app.config["EXTRACT_TIMEOUT_SECONDS"],
        memory_mb=current_app.config["EXTRACT_MEMORY_MB"],
    )
    name = storage.safe_display_name(filename, fallback=f"document{inspection.extension}")
    return Upload(stored, inspection, extraction, name)


def _attach(version: Version, upload: Upload, language: Language, user: User | None,
            *, published: bool = False) -> DocumentFile:
    """Add (or replace) the version's file in this language."""
    for old in list(version.files):
        if old.language == language:
            version.files.remove(old)
            key = old.storage_key
            from portal.db import after_commit

            after_commit(lambda key=key: storage.delete(key))
    ex = upload.extraction
    f = DocumentFile(
        language=language, storage_key=upload.stored.key, sha256=upload.stored.sha256,
        size=upload.stored.size, filename=upload.filename, kind=upload.inspection.kind.value,
        mimetype=upload.inspection.mimetype, text=ex.text if ex.ok else None,
        extraction_status=ExtractionStatus.OK if ex.ok else ExtractionStatus.FAILED,
        extraction_error=None if ex.ok else (ex.error or "")[:500], pages=ex.pages,
        uploaded_by=user, published_at=datetime.now(timezone.utc) if published else None,
    )
    version.files.append(f)
    return f


# Helpers -----------------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(timezone.utc)


def record(contribution: Contribution, version: Version | None, actor: User | None, action: str,
           from_state: S | None, to_state: S | None, comment: str | None = None) -> None:
    db.session.add(ContributionEvent(
        contribution=contribution, version=version, actor=actor, action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value if to_state else None, comment=comment or None))
    audit.record(f"contribution.{action}", actor=actor, target=contribution,
                 detail={"version": version.id if version else None,
                         "from": from_state.value if from_state else None,
                         "to": to_state.value if to_state else None})


def set_version_state(version: Version, new: S) -> None:
    """Change a version's state; before the first publication the contribution follows it."""
    version.state = new
    version.lock_version += 1
    c = version.contribution
    if c.first_published_at is None:
        c.state = new


def notify_owner(contribution: Contribution, template: str, **context) -> None:
    """Tell every active member of the submitting organisation."""
    org = contribution.organisation
    if org is None:
        return
    link = url_for("contributions.show", contribution_id=contribution.id, _external=True)
    for m in org.memberships:
        if m.status == MembershipStatus.ACTIVE and m.user.active and m.user.is_confirmed:
            send_to_user(m.user, template, contribution=contribution, link=link, **context)


def _apply_details(version: Version, d: Details) -> None:
    version.title = " ".join(d.title.split())
    version.summary = d.summary.strip()
    version.action_lines = list(d.action_lines)


def _check_comments_on(d: Details) -> None:
    c = d.comments_on
    if c is None:
        return
    if c.meeting_id != d.meeting.id or c.series != Series.DOC or c.state != S.PUBLISHED:
        raise ContributionError(_l("Choose a published draft of the same meeting."), "comments_on")


# Creating and editing ------------------------------------------------------------------------------

def create(org: Organisation, user: User, d: Details, upload: Upload | None) -> Contribution:
    if d.meeting.status != MeetingStatus.OPEN:
        raise ContributionError(_l("This meeting is not open for contributions."), "meeting")
    _check_comments_on(d)
    c = Contribution(meeting=d.meeting, organisation=org, created_by=user, series=Series.CONTR,
                     original_language=d.language, comments_on=d.comments_on, state=S.DRAFT,
                     cosponsors=[o for o in d.cosponsors if o.id != org.id])
    v = Version(state=S.DRAFT, created_by=user, title="", summary="")
    _apply_details(v, d)
    c.versions.append(v)
    db.session.add(c)
    if upload is not None:
        _attach(v, upload, d.language, user)
    db.session.flush()
    record(c, v, user, "create", None, S.DRAFT)
    return c


def editable_version(c: Contribution) -> Version | None:
    """The version the organisation may still change: a draft or one returned for changes."""
    v = c.latest_version
    if v is not None and v.state in (S.DRAFT, S.RETURNED) and c.state != S.WITHDRAWN:
        return v
    return None


def update(c: Contribution, user: User, d: Details, upload: Upload | None) -> Version:
    v = editable_version(c)
    if v is None:
        raise ContributionError(_l("This contribution can no longer be changed. Submit a revision instead."))
    if c.first_published_at is None:
        if d.meeting.id != c.meeting_id and d.meeting.status != MeetingStatus.OPEN:
            raise ContributionError(_l("This meeting is not open for contributions."), "meeting")
        c.meeting = d.meeting
        c.original_language = d.language
        _check_comments_on(d)
        c.comments_on = d.comments_on
        c.cosponsors = [o for o in d.cosponsors if o.id != c.organisation_id]
    else:
        d.meeting = c.meeting
        d.language = c.original_language
        c.cosponsors = [o for o in d.cosponsors if o.id != c.organisation_id]
    _apply_details(v, d)
    if upload is not None:
        _attach(v, upload, c.original_language, user)
    v.lock_version += 1
    db.session.flush()
    record(c, v, user, "edit", v.state, v.state)
    return v


def submit(c: Contribution, user: User) -> Version:
    v = editable_version(c)
    if v is None:
        raise ContributionError(_l("There is nothing to submit."))
    if not any(f.language == c.original_language for f in v.files):
        raise ContributionError(_l("Attach the document before submitting."), "file")
    meeting = c.meeting
    first = c.first_published_at is None
    if first and meeting.status != MeetingStatus.OPEN:
        raise ContributionError(_l("This meeting is not open for contributions."), "meeting")
    late = meeting.deadline_passed()
    if late and first and not meeting.accept_late and v.state == S.DRAFT:
        raise ContributionError(
            _l("The deadline for this meeting has passed and it does not accept late contributions."),
            "meeting")
    before = v.state
    v.late = v.late or late
    v.submitted_at = _now()
    set_version_state(v, S.SUBMITTED)
    record(c, v, user, "submit" if before == S.DRAFT else "resubmit", before, S.SUBMITTED)
    notify_owner(c, "mail/contribution_submitted.txt", version=v, late=v.late)
    return v


def start_revision(c: Contribution, user: User, d: Details, upload: Upload) -> Version:
    """A new version of a published contribution: it goes back to moderation while the
    published one stays as it is."""
    if c.state != S.PUBLISHED:
        raise ContributionError(_l("Only a published contribution can be revised."))
    if editable_version(c) is not None or any(v.state == S.SUBMITTED for v in c.versions):
        raise ContributionError(_l("A revision of this contribution is already under way."))
    if c.meeting.status == MeetingStatus.ARCHIVED:
        raise ContributionError(_l("This meeting is archived: its documents can no longer be revised."))
    d.meeting = c.meeting
    d.language = c.original_language
    v = Version(state=S.DRAFT, created_by=user, title="", summary="")
    _apply_details(v, d)
    c.versions.append(v)
    c.cosponsors = [o for o in d.cosponsors if o.id != c.organisation_id]
    _attach(v, upload, c.original_language, user)
    db.session.flush()
    record(c, v, user, "revise", None, S.DRAFT)
    return v


def add_language_version(c: Contribution, user: User, language: Language, upload: Upload) -> DocumentFile:
    """Another language version of the current text: while the contribution is pending it
    joins the pending version; once published it waits for the secretariat on its own."""
    if c.state == S.WITHDRAWN or c.state == S.REJECTED:
        raise ContributionError(_l("This contribution is closed."))
    if language == c.original_language:
        raise ContributionError(_l("This is the original language; replace the document instead."), "language")
    target = editable_version(c) or (c.current_version if c.state == S.PUBLISHED else c.latest_version)
    if target is None:
        raise ContributionError(_l("There is no version to add a language to."))
    if any(f.language == language and f.published_at is not None for f in target.files):
        raise ContributionError(_l("This language version is already published."), "language")
    f = _attach(target, upload, language, user)
    db.session.flush()
    record(c, target, user, "add_language", target.state, target.state, comment=language.value)
    if target.state == S.PUBLISHED:
        notify_owner(c, "mail/contribution_language_added.txt", language=language)
    return f


def withdraw(c: Contribution, user: User, reason: str | None) -> Contribution:
    if c.state in (S.WITHDRAWN, S.REJECTED):
        raise ContributionError(_l("This contribution is already closed."))
    before = c.state
    for v in c.versions:
        if v.state in PENDING_STATES:
            v.state = S.WITHDRAWN
            v.lock_version += 1
    c.state = S.WITHDRAWN
    c.withdrawn_at = _now()
    record(c, c.latest_version, user, "withdraw", before, S.WITHDRAWN, reason)
    notify_owner(c, "mail/contribution_withdrawn.txt", reason=reason)
    if c.first_published_at is not None:
        jobs.enqueue(c.id)
    return c


# Queries -----------------------------------------------------------------------------------------------

def published_drafts(meeting_ids: list[int] | None = None) -> list[Contribution]:
    stmt = select(Contribution).where(Contribution.series == Series.DOC, Contribution.state == S.PUBLISHED)
    if meeting_ids is not None:
        stmt = stmt.where(Contribution.meeting_id.in_(meeting_ids))
    return list(db.session.scalars(stmt.order_by(Contribution.meeting_id, Contribution.number)))


def organisation_contributions(org: Organisation) -> list[Contribution]:
    return list(db.session.scalars(
        select(Contribution).where(Contribution.organisation_id == org.id)
        .order_by(Contribution.updated_at.desc())))
