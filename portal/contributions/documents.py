"""What contributions and the secretariat's own documents share: the details typed into a form,
applying them to a version, attaching a received file, a version's state change, the trail entry
of each step, and the mail to the submitting organisation. Used by contributions.services and
moderation.services; like every service, these functions flush at most and never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal import audit, storage
from portal.db import after_commit
from portal.errors import UserError
from portal.extensions import db
from portal.extract import format_size
from portal.models import (
    ActionLine,
    Contribution,
    ContributionEvent,
    ContributionState,
    DocumentFile,
    ExtractionStatus,
    Language,
    Meeting,
    MembershipStatus,
    Organisation,
    ScanStatus,
    User,
    Version,
)
from portal.notify import send_to_user
from portal.uploads import Upload

S = ContributionState


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Details:
    """What a person types into a submission form."""

    meeting: Meeting
    title: str
    summary: str
    action_lines: list[ActionLine]
    language: Language
    comments_on: Contribution | None = None
    cosponsors: list[Organisation] = field(default_factory=list)


def apply_details(version: Version, d: Details) -> None:
    version.title = " ".join(d.title.split())
    version.summary = d.summary.strip()
    version.action_lines = list(d.action_lines)


@dataclass
class StorageUse:
    used: int
    quota: int


def storage_use(org: Organisation) -> StorageUse:
    """The bytes of every stored file of the organisation's contributions, and its quota."""
    used = db.session.scalar(
        select(func.coalesce(func.sum(DocumentFile.size), 0)).join(DocumentFile.version)
        .join(Version.contribution).where(Contribution.organisation_id == org.id))
    return StorageUse(int(used or 0), current_app.config["STORAGE_QUOTA_BYTES"])


def _check_quota(version: Version, upload: Upload, language: Language) -> None:
    org = version.contribution.organisation if version.contribution else None
    if org is None or org.id is None:
        return
    use = storage_use(org)
    freed = sum(f.size for f in version.files if f.language == language and f.id is not None)
    if use.used - freed + upload.stored.size > use.quota:
        raise UserError(_l("This file would take your organisation past its storage quota of %(quota)s "
                           "(%(used)s used). Replace or withdraw drafts you no longer need, or ask the "
                           "secretariat for more.", quota=format_size(use.quota), used=format_size(use.used)),
                        "file")


def attach(version: Version, upload: Upload, language: Language, user: User | None,
           *, published: bool = False) -> DocumentFile:
    """Add (or replace) the version's file in this language, within the organisation's storage quota.
    A replaced file's bytes are deleted once the transaction commits."""
    _check_quota(version, upload, language)
    replaced = [old for old in version.files if old.language == language]
    for old in replaced:
        version.files.remove(old)
        key = old.storage_key
        after_commit(lambda key=key: storage.delete(key))
    if replaced and version.id is not None:
        db.session.flush()  # the old row goes before the new one comes (one file per language)
    ex = upload.extraction
    f = DocumentFile(
        language=language, storage_key=upload.stored.key, sha256=upload.stored.sha256,
        size=upload.stored.size, filename=upload.filename, kind=upload.inspection.kind.value,
        mimetype=upload.inspection.mimetype, text=ex.text if ex.ok else None,
        extraction_status=ExtractionStatus.OK if ex.ok else ExtractionStatus.FAILED,
        extraction_error=None if ex.ok else (ex.error or "")[:500], pages=ex.pages,
        uploaded_by=user, published_at=now() if published else None,
        scan_status=upload.scan, scanned_at=now() if upload.scan == ScanStatus.CLEAN else None,
    )
    version.files.append(f)
    return f


def require_scanned(files, field: str | None = None) -> None:
    """Refuse to publish a file in quarantine (not yet scanned, or found infected)."""
    for f in files:
        if f.scan_status == ScanStatus.INFECTED:
            raise UserError(_l("%(name)s was found to contain malware (%(signature)s) and cannot be "
                               "published.", name=f.filename, signature=f.scan_signature or "?"), field)
        if f.scan_status == ScanStatus.PENDING:
            raise UserError(_l("%(name)s has not been scanned for malware yet (the scanner could not be "
                               "reached). It can be published once it has been scanned.", name=f.filename), field)


def download_name(f: DocumentFile) -> str:
    """The name a file is downloaded under: its symbol once published (slashes made hyphens), else its
    version's title, and always the extension of the type its bytes were found to be, never the
    uploader's ("polyglot.html" accepted as a PDF downloads as ".pdf"). The uploader's name is shown on
    the page, as text."""
    v = f.version
    symbol = v.contribution.symbol(v.revision, f.language) if f.published_at and v.revision is not None else None
    base = " ".join((symbol or v.title or "document").replace("/", "-").replace("\\", "-").split())
    return storage.safe_display_name(f"{base[:150]}.{f.kind}", fallback=f"document.{f.kind}")


def remove_file(f: DocumentFile) -> None:
    """Take a file off its version; its bytes are deleted once the transaction commits."""
    key = f.storage_key
    f.version.files.remove(f)
    after_commit(lambda: storage.delete(key))


def record(contribution: Contribution, version: Version | None, actor: User | None, action: str,
           from_state: S | None, to_state: S | None, comment: str | None = None) -> None:
    """The contribution's trail entry and the audit entry of one step."""
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
