"""Moderation decisions. Each decision is a compare-and-set on the version's state and lock
counter: when two moderators act on one item, exactly one decision counts and the other is
told. Numbers come from a per-meeting, per-series counter row updated in the same
transaction."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.contributions import listing_cache
from portal.contributions.documents import (
    Details,
    apply_details,
    attach,
    notify_owner,
    now,
    record,
    remove_file,
    require_scanned,
)
from portal.errors import UserError
from portal.extensions import db
from portal.labels import label
from portal.models import (
    Contribution,
    ContributionState,
    DocumentFile,
    Meeting,
    ScanStatus,
    Series,
    SymbolCounter,
    User,
    Version,
)
from portal.search import jobs
from portal.uploads import Upload

S = ContributionState
DECISIONS = ("publish", "return", "reject")


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
        raise UserError(_l("This item has already been decided (now: %(state)s). Nothing was changed.",
                                state=label(version.state)))
    db.session.refresh(version)


def publish(version: Version, moderator: User, *, confirm_unverified: bool = False,
            expected_lock: int | None = None) -> str:
    """Publish a submitted version and give it its symbol (returned). Every refusal (UserError) is
    raised before anything changes, so a bulk publication goes on past a refused item."""
    c = version.contribution
    require_scanned(version.files)
    if c.organisation is not None and not c.organisation.is_verified and not confirm_unverified:
        raise UserError(_l("%(org)s is not verified. Confirm that you publish it anyway.",
                           org=c.organisation.name), "confirm_unverified")
    if c.state in (S.WITHDRAWN, S.REJECTED):
        raise UserError(_l("This contribution was withdrawn or rejected meanwhile."))
    _claim(version, expected_lock, S.PUBLISHED, moderator)
    at = now()
    if c.number is None:
        c.number = next_number(c.meeting, c.series)
        c.first_published_at = at
        version.revision = 0
    else:
        previous = [v.revision for v in c.versions if v.revision is not None and v.id != version.id]
        version.revision = max(previous, default=-1) + 1
    version.published_at = at
    for f in version.files:
        f.published_at = f.published_at or at
    c.state = S.PUBLISHED
    c.current_version = version
    c.updated_at = at
    db.session.flush()
    symbol = c.symbol(version.revision)
    record(c, version, moderator, "publish", S.SUBMITTED, S.PUBLISHED, symbol)
    notify_owner(c, "mail/contribution_published.txt", version=version, symbol=symbol)
    jobs.enqueue(c.id)
    return symbol


@dataclass(frozen=True)
class _Refusal:
    state: S
    action: str
    template: str
    missing: str  # the message when no comment is given
    reindex: bool  # the contribution's search entry is brought in line afterwards


_REFUSALS = {
    "return": _Refusal(S.RETURNED, "return", "mail/contribution_returned.txt",
                       _l("Say what should be changed."), False),
    "reject": _Refusal(S.REJECTED, "reject", "mail/contribution_rejected.txt",
                       _l("Give the reason for the rejection."), True),
}


def _refuse(version: Version, moderator: User, comment: str, how: _Refusal,
            expected_lock: int | None) -> None:
    """Return a submitted version for changes, or reject it: always with a comment, which the
    organisation receives."""
    comment = comment.strip()
    if not comment:
        raise UserError(how.missing, "comment")
    c = version.contribution
    _claim(version, expected_lock, how.state, moderator)
    if c.first_published_at is None:
        c.state = how.state
    record(c, version, moderator, how.action, S.SUBMITTED, how.state, comment)
    notify_owner(c, how.template, version=version, comment=comment)
    if how.reindex:
        jobs.enqueue(c.id)


def return_for_changes(version: Version, moderator: User, comment: str,
                       expected_lock: int | None = None) -> None:
    _refuse(version, moderator, comment, _REFUSALS["return"], expected_lock)


def reject(version: Version, moderator: User, reason: str, expected_lock: int | None = None) -> None:
    _refuse(version, moderator, reason, _REFUSALS["reject"], expected_lock)


def decide(version: Version, moderator: User, decision: str, *, comment: str = "",
           confirm_unverified: bool = False, expected_lock: int | None = None) -> str | None:
    """One of DECISIONS on a submitted version (the caller checks which); the symbol when it is
    published."""
    if decision == "publish":
        return publish(version, moderator, confirm_unverified=confirm_unverified, expected_lock=expected_lock)
    _refuse(version, moderator, comment, _REFUSALS[decision], expected_lock)
    return None


@dataclass
class BulkOutcome:
    """What happened to each item of a bulk publication."""

    published: list[str]  # the symbols given
    skipped: list[tuple[str, str]]  # (title, reason)


def publish_many(version_ids: list[int], moderator: User, *, confirm_unverified: bool = False) -> BulkOutcome:
    """Publish each of these submitted versions that can be (the view commits them together). An item
    refused (already decided, unverified organisation without confirmation) is reported and left as
    it was; ids of anything that is not a moderation item are ignored."""
    outcome = BulkOutcome([], [])
    for vid in dict.fromkeys(version_ids):
        v = db.session.get(Version, vid)
        if v is None or v.contribution.organisation_id is None:
            continue
        try:
            outcome.published.append(publish(v, moderator, confirm_unverified=confirm_unverified))
        except UserError as exc:
            outcome.skipped.append((v.title, str(exc.message)))
    return outcome


def publish_language_file(f: DocumentFile, moderator: User) -> str:
    """Publish a language version added after its version was published."""
    v = f.version
    c = v.contribution
    if v.state != S.PUBLISHED or c.state != S.PUBLISHED:
        raise UserError(_l("Publish the version itself first."))
    require_scanned([f])
    done = db.session.execute(
        update(DocumentFile).where(DocumentFile.id == f.id, DocumentFile.published_at.is_(None))
        .values(published_at=now()).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise UserError(_l("This language version has already been published."))
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
        raise UserError(_l("This language version has already been published."))
    remove_file(f)
    record(v.contribution, v, moderator, "reject_language", v.state, v.state, reason or None)


def decide_language_file(f: DocumentFile, moderator: User, publish_it: bool, comment: str = "") -> str | None:
    """Publish a language version added after its version was published (its symbol), or refuse it."""
    if publish_it:
        return publish_language_file(f, moderator)
    discard_language_file(f, moderator, comment)
    return None


# The secretariat's own documents (series DOC, INF, DT) -------------------------------------------------

def _require_scanned_upload(upload: Upload) -> None:
    """The secretariat's documents are published at once: a file the scanner could not check is refused."""
    if upload.scan == ScanStatus.PENDING:
        raise UserError(_l("The virus scanner could not be reached, so the file could not be checked. "
                           "Please try again in a few minutes."), "file")


def publish_official(meeting: Meeting, moderator: User, d: Details, upload: Upload,
                     series: Series = Series.DOC) -> Contribution:
    """A document of the secretariat, e.g. a draft outcome document: published at once."""
    at = now()
    c = Contribution(meeting=meeting, organisation=None, created_by=moderator, series=series,
                     original_language=d.language, state=S.PUBLISHED)
    v = Version(state=S.PUBLISHED, created_by=moderator, title="", summary="", revision=0,
                submitted_at=at, published_at=at, decided_by=moderator)
    apply_details(v, d)
    c.versions.append(v)
    db.session.add(c)
    _require_scanned_upload(upload)
    attach(v, upload, d.language, moderator, published=True)
    db.session.flush()
    c.number = next_number(meeting, series)
    c.first_published_at = at
    c.current_version = v
    db.session.flush()
    record(c, v, moderator, "publish", None, S.PUBLISHED, c.symbol(0))
    jobs.enqueue(c.id)
    return c


def revise_official(c: Contribution, moderator: User, d: Details, upload: Upload) -> Version:
    if c.organisation_id is not None or c.state != S.PUBLISHED:
        raise UserError(_l("Only a published document of the secretariat can be revised here."))
    at = now()
    revision = max((v.revision or 0) for v in c.versions) + 1
    v = Version(state=S.PUBLISHED, created_by=moderator, title="", summary="", revision=revision,
                submitted_at=at, published_at=at, decided_by=moderator)
    apply_details(v, d)
    c.versions.append(v)
    _require_scanned_upload(upload)
    attach(v, upload, c.original_language, moderator, published=True)
    c.current_version = v
    db.session.flush()
    record(c, v, moderator, "publish", S.PUBLISHED, S.PUBLISHED, c.symbol(revision))
    jobs.enqueue(c.id)
    return v
