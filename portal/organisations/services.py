"""Organisations: finding and creating them, their verification, their members and focal points,
and the lists the organisation pages show."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from portal import audit
from portal.contributions.listing import PUBLISHED
from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    Contribution,
    Entry,
    Membership,
    MembershipStatus,
    Organisation,
    StakeholderType,
    User,
)
from portal.notify import send_to_address, send_to_user
from portal.search import enqueue_entries, jobs

NAME_LIST_LIMIT = 2000


def find_organisation(name: str) -> Organisation | None:
    """The organisation of this name, compared as Organisation.key_for folds names."""
    return db.session.scalar(
        select(Organisation).where(Organisation.name_key == Organisation.key_for(name))
    )


def create_organisation(
    *, name: str, country: str | None, stakeholder_type: StakeholderType
) -> Organisation:
    org = Organisation(
        name=" ".join(name.split()),
        name_key=Organisation.key_for(name),
        country=(country or None) and country.upper(),
        stakeholder_type=stakeholder_type,
    )
    db.session.add(org)
    db.session.flush()
    return org


def organisation_names() -> list[str]:
    """The names the registration form offers to choose from: verified organisations only, so that a
    look-alike made by anyone is never offered to newcomers."""
    return list(db.session.scalars(select(Organisation.name).where(Organisation.verified_at.is_not(None))
                                   .order_by(Organisation.name).limit(NAME_LIST_LIMIT)))


def name_filter(stmt: Select, q: str) -> Select:
    """Organisations whose name contains q (folded like names are)."""
    if not q:
        return stmt
    return stmt.where(Organisation.name_key.contains(Organisation.key_for(q), autoescape=True))


def public_directory(q: str) -> Select:
    """The verified organisations, by name, optionally those whose name contains q."""
    return name_filter(select(Organisation).where(Organisation.verified_at.is_not(None)), q) \
        .order_by(func.lower(Organisation.name))


def memberships_of(org: Organisation) -> list[Membership]:
    """Every membership of an organisation, members before requests, in the order they came."""
    return list(db.session.scalars(
        select(Membership).where(Membership.organisation_id == org.id)
        .order_by(Membership.status, Membership.requested_at)))


def can_decide_membership(user: User, membership: Membership) -> bool:
    """The secretariat decides any request; a focal point decides those of their own organisation
    once it is verified (a request to join an unverified organisation goes to the secretariat: whoever
    made a look-alike organisation must not gather the people who mistake it for the real one)."""
    if user.is_secretariat:
        return True
    org = user.organisation
    if membership.status == MembershipStatus.PENDING and not membership.organisation.is_verified:
        return False
    return bool(org is not None and user.is_focal_point and org.id == membership.organisation_id)


def notify_join_request(membership: Membership) -> None:
    org = membership.organisation
    review_url = url_for("organisations.members", _external=True)
    for m in (org.memberships if org.is_verified else ()):
        if m.status == MembershipStatus.ACTIVE and m.focal_point and m.user.active:
            send_to_user(m.user, "mail/join_request.txt", requester=membership.user,
                         organisation=org, review_url=review_url)
    if current_app.config.get("SECRETARIAT_EMAIL"):
        send_to_address(current_app.config["SECRETARIAT_EMAIL"], "mail/join_request.txt",
                        requester=membership.user, organisation=org,
                        review_url=url_for("secretariat.memberships", _external=True))


def decide_membership(membership: Membership, by: User, approve: bool) -> None:
    if membership.status != MembershipStatus.PENDING:
        raise UserError(_l("This request has already been decided."))
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
        raise UserError(_l("Only members can be focal points."))
    if not value:
        others = [m for m in membership.organisation.memberships
                  if m.id != membership.id and m.status == MembershipStatus.ACTIVE and m.focal_point]
        if not others and not by.is_secretariat:
            raise UserError(_l("An organisation keeps at least one focal point."))
    membership.focal_point = value
    audit.record("membership.focal_point", actor=by, target=membership,
                 detail={"focal_point": value})


def remove_member(membership: Membership, by: User) -> None:
    if membership.user_id == by.id and not by.is_secretariat:
        raise UserError(_l("You cannot remove yourself; ask another focal point."))
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
                        stakeholder_type, website: str | None, description: str | None) -> Organisation:
    key = Organisation.key_for(name)
    clash = db.session.scalar(select(Organisation).where(Organisation.name_key == key,
                                                         Organisation.id != org.id))
    if clash is not None:
        raise UserError(_l("Another organisation already has this name."), "name")
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
        jobs.enqueue_many(db.session.scalars(
            select(Contribution.id).where(Contribution.organisation_id == org.id, PUBLISHED)))
        enqueue_entries(list(db.session.scalars(select(Entry.id).where(Entry.organisation_id == org.id))))
    return org
