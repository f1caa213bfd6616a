"""Who may see an organisation's page and decide its membership requests. What the caller may not see
is a 404."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.extensions import db
from portal.models import Membership, Organisation
from portal.organisations import services


def load_organisation(org_id: int) -> Organisation:
    """Unverified organisations are visible only to their members and the secretariat."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    if org.is_verified:
        return org
    if current_user.is_authenticated and (
        current_user.is_secretariat
        or (current_user.organisation is not None and current_user.organisation.id == org.id)
    ):
        return org
    abort(404)


def load_membership_for_decision(membership_id: int) -> Membership:
    m = db.session.get(Membership, membership_id)
    if m is None or not services.can_decide_membership(current_user, m):
        abort(404)
    return m


def load_any_organisation(org_id: int) -> Organisation:
    """For the secretariat's pages (which require the secretariat): any organisation."""
    return db.get_or_404(Organisation, org_id)
