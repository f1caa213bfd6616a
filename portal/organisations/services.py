"""Membership and verification decisions."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit
from portal.auth.services import AccountError
from portal.extensions import db
from portal.models import Membership, MembershipStatus, Organisation, User
from portal.notify import send_to_address, send_to_user


def can_decide_membership(user: User, membership: Membership) -> bool:
    """The secretariat decides any request; a focal point decides those of their own
    organisation."""
    if user.is_secretariat:
        return True
    org = user.organisation
    return bool(org is not None and user.is_focal_point and org.id == membership.organisation_id)


def notify_join_request(membership: Membership) -> None:
    org = membership.organisation
    review_url = url_for("organisations.members", _external=True)
    for m in org.memberships:
        if m.status == MembershipStatus.ACTIVE and m.focal_point and m.user.active:
            send_to_user(m.user, "mail/join_request.txt", requester=membership.user,
                         organisation=org, review_url=review_url)
    if current_app.config.get("SECRETARIAT_EMAIL"):
        send_to_address(current_app.config["SECRETARIAT_EMAIL"], "mail/join_request.txt",
                        requester=membership.user, organisation=org,
                        review_url=url_for("secretariat.memberships", _external=True))


def decide_membership(membership: Membership, by: User, approve: bool) -> None:
    if membership.status != MembershipStatus.PENDING:
        raise AccountError(_l("This request has already been decided."))
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.REFUSED
    membership.decided_at = datetime.now(timezone.utc)
    membership.decided_by = by
    audit.record("membership.approve" if approve else "membership.refuse", actor=by,
                 target=membership, detail={"user": membership.user_id,
                                            "organisation": membership.organisation_id})
    send_to_user(membership.user, "mail/membership_decided.txt", approved=approve,
                 organisation=membership.organisation)


def set_focal_point(membership: Membership, by: User, value: bool) -> None:
    if membership.status != MembershipStatus.ACTIVE:
        raise AccountError(_l("Only members can be focal points."))
    if not value:
        others = [m for m in membership.organisation.memberships
                  if m.id != membership.id and m.status == MembershipStatus.ACTIVE and m.focal_point]
        if not others and not by.is_secretariat:
            raise AccountError(_l("An organisation keeps at least one focal point."))
    membership.focal_point = value
    audit.record("membership.focal_point", actor=by, target=membership,
                 detail={"focal_point": value})


def remove_member(membership: Membership, by: User) -> None:
    if membership.user_id == by.id and not by.is_secretariat:
        raise AccountError(_l("You cannot remove yourself; ask another focal point."))
    audit.record("membership.remove", actor=by, target=membership,
                 detail={"user": membership.user_id, "organisation": membership.organisation_id})
    db.session.delete(membership)


def set_verified(org: Organisation, by: User, verified: bool) -> None:
    if verified:
        org.verified_at = datetime.now(timezone.utc)
        org.verified_by = by
    else:
        org.verified_at = None
        org.verified_by = None
    audit.record("organisation.verify" if verified else "organisation.unverify",
                 actor=by, target=org)


def update_organisation(org: Organisation, by: User, *, name: str, country: str | None,
                        stakeholder_type, website: str | None, description: str | None) -> None:
    key = Organisation.key_for(name)
    clash = db.session.scalar(select(Organisation).where(Organisation.name_key == key,
                                                         Organisation.id != org.id))
    if clash is not None:
        raise AccountError(_l("Another organisation already has this name."))
    renamed = org.name != " ".join(name.split())
    retyped = org.stakeholder_type != stakeholder_type
    org.name = " ".join(name.split())
    org.name_key = key
    org.country = country.upper() if country else None
    org.stakeholder_type = stakeholder_type
    org.website = website or None
    org.description = description or None
    audit.record("organisation.update", actor=by, target=org, detail={"renamed": renamed})
    if renamed or retyped:
        # Search entries show the organisation's name and are filtered by its stakeholder type.
        from portal.contributions.listing import PUBLISHED
        from portal.models import Contribution
        from portal.search import jobs

        jobs.enqueue_many(db.session.scalars(
            select(Contribution.id).where(Contribution.organisation_id == org.id, PUBLISHED)))
