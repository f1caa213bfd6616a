"""Who may see and change a contribution. One loader per object, used by every view that
takes an id: what the caller may not see is a 404, never a 403, so nothing leaks."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal import audit
from portal.extensions import db
from portal.models import Contribution, ContributionState, DocumentFile, ScanStatus


def is_member_of_owner(user, contribution: Contribution) -> bool:
    org = getattr(user, "organisation", None) if user and user.is_authenticated else None
    return bool(org is not None and contribution.organisation_id == org.id and user.is_confirmed)


def can_view(user, contribution: Contribution) -> bool:
    if contribution.is_public:
        return True
    if not (user and user.is_authenticated):
        return False
    return user.is_secretariat or is_member_of_owner(user, contribution)


def can_see_unpublished(user, contribution: Contribution) -> bool:
    """Drafts, pending versions, the trail: the owning organisation and the secretariat."""
    if not (user and user.is_authenticated):
        return False
    return user.is_secretariat or is_member_of_owner(user, contribution)


def can_edit(user, contribution: Contribution) -> bool:
    """Only members of the submitting organisation change a contribution (co-sponsors do not);
    the secretariat changes only its own documents."""
    if not (user and user.is_authenticated and user.active):
        return False
    if contribution.organisation_id is None:
        return user.is_secretariat
    return is_member_of_owner(user, contribution)


def load_contribution(contribution_id: int) -> Contribution:
    c = db.session.get(Contribution, contribution_id)
    if c is None or not can_view(current_user, c):
        if c is not None and current_user.is_authenticated:
            audit.denied(f"contribution {contribution_id}")
        abort(404)
    return c


def load_editable(contribution_id: int) -> Contribution:
    c = load_contribution(contribution_id)
    if not can_edit(current_user, c):
        abort(404)
    return c


def load_open(contribution_id: int) -> Contribution:
    """A contribution its organisation may still act on (add a language, withdraw): not closed."""
    c = load_editable(contribution_id)
    if c.state in (ContributionState.WITHDRAWN, ContributionState.REJECTED):
        abort(404)
    return c


def load_revisable(contribution_id: int) -> Contribution:
    """A published contribution of an organisation, for a revision."""
    c = load_editable(contribution_id)
    if c.state != ContributionState.PUBLISHED or c.organisation_id is None:
        abort(404)
    return c


def load_file_for_download(contribution_id: int, file_id: int) -> DocumentFile:
    """A file is offered to the public only while its contribution is published and the file
    itself has been published; the owner and the secretariat can fetch any of its files. A file in
    quarantine is not offered: one not yet scanned only to the person who uploaded it, one found
    infected to nobody."""
    c = load_contribution(contribution_id)
    f = db.session.get(DocumentFile, file_id)
    if f is None or f.version.contribution_id != c.id:
        abort(404)
    if f.scan_status == ScanStatus.INFECTED:
        abort(404)
    if f.scan_status == ScanStatus.PENDING and not (
            current_user.is_authenticated and f.uploaded_by_id == current_user.id):
        abort(404)
    public = (c.state == ContributionState.PUBLISHED and f.published_at is not None
              and f.version.state == ContributionState.PUBLISHED)
    if not public and not can_see_unpublished(current_user, c):
        abort(404)
    return f
