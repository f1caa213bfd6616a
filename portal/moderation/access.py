"""What the secretariat's moderation pages load. Every route of the moderation blueprint already
requires the secretariat; these loaders answer 404 for what is not a moderation item."""

from __future__ import annotations

from flask import abort

from portal.extensions import db
from portal.models import Contribution, ContributionState, DocumentFile, Version


def load_version(version_id: int) -> Version:
    """A version of an organisation's contribution (the secretariat's own documents are not moderated)."""
    v = db.session.get(Version, version_id)
    if v is None or v.contribution.organisation_id is None:
        abort(404)
    return v


def load_file(file_id: int) -> DocumentFile:
    """A file of an organisation's contribution."""
    f = db.session.get(DocumentFile, file_id)
    if f is None or f.version.contribution.organisation_id is None:
        abort(404)
    return f


def load_official(contribution_id: int) -> Contribution:
    """A published document of the secretariat, for a revision."""
    c = db.session.get(Contribution, contribution_id)
    if c is None or c.organisation_id is not None or c.state != ContributionState.PUBLISHED:
        abort(404)
    return c
