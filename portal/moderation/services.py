"""Moderation decisions. Each decision is a compare-and-set on the version's state and lock
counter: when two moderators act on one item, exactly one decision counts and the other is
told. Numbers come from a per-meeting, per-series counter row updated in the same
transaction."""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.contributions import listing_cache
from portal.contributions.services import (
    ContributionError,
    Details,
    Upload,
    _apply_details,
    _attach,
    notify_owner,
    record,
)
from portal.extensions import db
from portal.models import (
    Contribution,
    ContributionState,
    DocumentFile,
    Meeting,
    Series,
    SymbolCounter,
    User,
    Version,
)
from portal.search import jobs

S = ContributionState


class AlreadyDecided(ContributionError):
    pass


class NeedsConfirmation(ContributionError):
    pass


def _now() -> datetime:
    return datetime.now(timezone.utc)


def next_number(meeting: Meeting, series: Series) -> int:
    """The next number in the meeting's series. The UPDATE takes the row's write lock, so
    concurrent publications are serialised by the database."""
    updated = db.session.execute(
        update(SymbolCounter)
        .where(SymbolCounter.meeting_id == meeting.id, SymbolCounter.series == series)
        .values(last=SymbolCounter.last + 1)
    ).rowcount
    if not updated:
        # First document of this series: start after any number already in use.
        used = db.session.scalar(select(func.max(Contribution.number)).where(
            Contribution.meeting_id == meeting.id, Contribution.series == series)) or 0
        db.session.add(SymbolCounter(meeting_id=meeting.id, series=series, last=used + 1))
        db.session.flush()
    return db.session.scalar(select(SymbolCounter.last).where(
        SymbolCounter.meeting_id == meeting.id, SymbolCounter.series == series))


def _claim(version: Version, expected_lock: int | None, new_state: S, moderator: User) -> None:
    """Move a submitted version to its new state if nobody else has decided it meanwhile."""
    conditions = [Version.id == version.id, Version.state == S.SUBMITTED]
    if expected_lock is not None:
        conditions.append(Version.lock_version == expected_lock)
    done = db.session.execute(
        update(Version).where(*conditions)
        .values(state=new_state, lock_version=Version.lock_version + 1, decided_by_id=moderator.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.refresh(version)
        from portal.labels import label

        raise AlreadyDecided(_l("This item has already been decided (now: %(state)s). Nothing was changed.",
                                state=label(version.state)))
    db.session.refresh(version)


def publish(version: Version, moderator: User, *, confirm_unverified: bool = False,
            expected_lock: int | None = None) -> str:
    c = version.contribution
    if c.organisation is not None and not c.organisation.is_verified and not confirm_unverified:
        raise NeedsConfirmation(_l("%(org)s is not verified. Confirm that you publish it anyway.",
                                   org=c.organisation.name))
    if c.state in (S.WITHDRAWN, S.REJECTED):
        raise AlreadyDecided(_l("This contribution was withdrawn or rejected meanwhile."))
    _claim(version, expected_lock, S.PUBLISHED, moderator)
    now = _now()
    if c.number is None:
        c.number = next_number(c.meeting, c.series)
        c.first_published_at = now
        version.revision = 0
    else:
        previous = [v.revision for v in c.versions if v.revision is not None and v.id != version.id]
        version.revision = max(previous, default=-1) + 1
    version.published_at = now
    for f in version.files:
        f.published_at = f.published_at or now
    c.state = S.PUBLISHED
    c.current_version = version
    c.updated_at = now
    db.session.flush()
    symbol = c.symbol(version.revision)
    record(c, version, moderator, "publish", S.SUBMITTED, S.PUBLISHED, symbol)
    notify_owner(c, "mail/contribution_published.txt", version=version, symbol=symbol)
    jobs.enqueue(c.id)
    return symbol


def return_for_changes(version: Version, moderator: User, comment: str,
                       expected_lock: int | None = None) -> None:
    if not comment.strip():
        raise ContributionError(_l("Say what should be changed."), "comment")
    c = version.contribution
    _claim(version, expected_lock, S.RETURNED, moderator)
    if c.first_published_at is None:
        c.state = S.RETURNED
    record(c, version, moderator, "return", S.SUBMITTED, S.RETURNED, comment.strip())
    notify_owner(c, "mail/contribution_returned.txt", version=version, comment=comment.strip())


def reject(version: Version, moderator: User, reason: str, expected_lock: int | None = None) -> None:
    if not reason.strip():
        raise ContributionError(_l("Give the reason for the rejection."), "comment")
    c = version.contribution
    _claim(version, expected_lock, S.REJECTED, moderator)
    if c.first_published_at is None:
        c.state = S.REJECTED
    record(c, version, moderator, "reject", S.SUBMITTED, S.REJECTED, reason.strip())
    notify_owner(c, "mail/contribution_rejected.txt", version=version, reason=reason.strip())
    jobs.enqueue(c.id)


def publish_language_file(f: DocumentFile, moderator: User) -> str:
    """Publish a language version added after its version was published."""
    v = f.version
    c = v.contribution
    if v.state != S.PUBLISHED or c.state != S.PUBLISHED:
        raise ContributionError(_l("Publish the version itself first."))
    done = db.session.execute(
        update(DocumentFile).where(DocumentFile.id == f.id, DocumentFile.published_at.is_(None))
        .values(published_at=_now()).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AlreadyDecided(_l("This language version has already been published."))
    listing_cache.contribution_changed(c.id)
    db.session.refresh(f)
    symbol = c.symbol(v.revision, f.language)
    record(c, v, moderator, "publish_language", S.PUBLISHED, S.PUBLISHED, symbol)
    notify_owner(c, "mail/contribution_published.txt", version=v, symbol=symbol)
    jobs.enqueue(c.id)
    return symbol


def discard_language_file(f: DocumentFile, moderator: User, reason: str) -> None:
    v = f.version
    if f.published_at is not None:
        raise AlreadyDecided(_l("This language version has already been published."))
    from portal import storage
    from portal.db import after_commit

    key = f.storage_key
    v.files.remove(f)
    after_commit(lambda: storage.delete(key))
    record(v.contribution, v, moderator, "reject_language", v.state, v.state, reason or None)


# The secretariat's own documents (series DOC, INF, DT) -------------------------------------------------

def publish_official(meeting: Meeting, moderator: User, d: Details, upload: Upload,
                     series: Series = Series.DOC) -> Contribution:
    """A document of the secretariat, e.g. a draft outcome document: published at once."""
    now = _now()
    c = Contribution(meeting=meeting, organisation=None, created_by=moderator, series=series,
                     original_language=d.language, state=S.PUBLISHED)
    v = Version(state=S.PUBLISHED, created_by=moderator, title="", summary="", revision=0,
                submitted_at=now, published_at=now, decided_by=moderator)
    _apply_details(v, d)
    c.versions.append(v)
    db.session.add(c)
    _attach(v, upload, d.language, moderator, published=True)
    db.session.flush()
    c.number = next_number(meeting, series)
    c.first_published_at = now
    c.current_version = v
    db.session.flush()
    record(c, v, moderator, "publish", None, S.PUBLISHED, c.symbol(0))
    jobs.enqueue(c.id)
    return c


def revise_official(c: Contribution, moderator: User, d: Details, upload: Upload) -> Version:
    if c.organisation_id is not None or c.state != S.PUBLISHED:
        raise ContributionError(_l("Only a published document of the secretariat can be revised here."))
    now = _now()
    revision = max((v.revision or 0) for v in c.versions) + 1
    v = Version(state=S.PUBLISHED, created_by=moderator, title="", summary="", revision=revision,
                submitted_at=now, published_at=now, decided_by=moderator)
    _apply_details(v, d)
    c.versions.append(v)
    _attach(v, upload, c.original_language, moderator, published=True)
    c.current_version = v
    db.session.flush()
    record(c, v, moderator, "publish", S.PUBLISHED, S.PUBLISHED, c.symbol(revision))
    jobs.enqueue(c.id)
    return v
